"""Signatures over time: a point each time the archive learns a different count, served as
JSON and CSV, drawn on the petition's page, kept through exports and imports."""

import copy
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from petitions.history import chart, nice_ceiling, thinned
from petitions.models import Petition, SignaturePoint
from tests.conftest import DATA_DIR
from tests.factories import PetitionFactory

pytestmark = pytest.mark.django_db

SAMPLE = DATA_DIR / "petitions" / "319891.json"


def import_document(tmp_path, document, name="doc.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    call_command("import_petitions", str(path), stdout=io.StringIO())


def later(document, *, hours: int, count: int | None = None):
    """The document as the site would give it `hours` later (with `count` signatures)."""
    changed = copy.deepcopy(document)
    attributes = changed["data"]["attributes"]
    hour = int(attributes["updated_at"][11:13]) + hours
    attributes["updated_at"] = (
        attributes["updated_at"][:11] + f"{hour:02d}" + attributes["updated_at"][13:]
    )
    if count is not None:
        attributes["signature_count"] = count
    return changed


def history(pid):
    return list(
        SignaturePoint.objects.filter(petition_id=pid)
        .order_by("at")
        .values_list("signature_count", flat=True)
    )


def test_a_point_only_when_the_count_changes(data_dir, tmp_path):
    given = json.loads(SAMPLE.read_text())
    count = given["data"]["attributes"]["signature_count"]
    import_document(tmp_path, given)
    assert history(319891) == [count]
    import_document(tmp_path, given)  # the same again
    import_document(tmp_path, later(given, hours=1))  # newer, the same count
    assert history(319891) == [count]

    import_document(tmp_path, later(given, hours=2, count=count + 10))
    assert history(319891) == [count, count + 10]
    point = SignaturePoint.objects.filter(petition_id=319891).order_by("at").last()
    assert point.at == Petition.objects.get(id=319891).updated_at  # at the document's updated_at

    import_document(tmp_path, later(given, hours=-1, count=5))  # an older version: kept out
    assert history(319891) == [count, count + 10]


def test_the_sample_fixture_brings_its_one_point(sample_petition):
    assert history(221342) == [11406]
    call_command("loaddata", "sample_petition", verbosity=0)  # again: nothing new
    assert history(221342) == [11406]


@pytest.fixture
def petition_with_history():
    petition = PetitionFactory(signature_count=5_000)
    for hours, count in [(24, 50_000), (48, 150_000)]:
        petition.updated_at = petition.updated_at.replace(day=16, hour=hours // 24)
        petition.signature_count = count
        petition.save()
    return petition


def test_history_json_and_csv(client, petition_with_history):
    pid = petition_with_history.pk
    response = client.get(reverse("petitions:history_json", args=[pid]))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["links"] == {
        "self": f"http://testserver/petitions/{pid}/history.json",
        "petition": f"http://testserver/archived/petitions/{pid}.json",
    }
    assert [row["signature_count"] for row in document["data"]] == [5_000, 50_000, 150_000]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", document["data"][0]["at"])
    assert [row["at"] for row in document["data"]] == sorted(row["at"] for row in document["data"])

    response = client.get(reverse("petitions:history_csv", args=[pid]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Access-Control-Allow-Origin"] == "*"
    lines = response.content.decode().splitlines()
    assert lines[0] == "at,signature_count"
    assert lines[1:] == [f"{row['at']},{row['signature_count']}" for row in document["data"]]

    preflight = client.options(reverse("petitions:history_json", args=[pid]))
    assert preflight.status_code == 204


def test_history_of_no_petition_is_a_404(client):
    response = client.get("/petitions/999999/history.json")
    assert response.status_code == 404
    assert response.json() == {"error": "There is no petition 999999 here."}
    response = client.get("/petitions/999999/history.csv")
    assert response.status_code == 404


def test_the_page_draws_signatures_over_time_with_the_thresholds_crossed(
    client, petition_with_history
):
    page = client.get(petition_with_history.get_absolute_url()).content.decode()
    section = page[page.index('id="signature-history"') :]
    section = section[: section.index("</section>")]
    assert "Signatures over time" in section
    assert "<svg" in section and "<script" not in page and "style=" not in page
    assert "10,000: government response" in section
    assert "100,000: debate" in section
    assert section.count('class="history-crossing"') == 2
    # The figures, as a table.
    assert '<td>15 July 2018, 23:59</td><td class="num">5,000</td>' in section
    assert '<td class="num">150,000</td>' in section
    assert "From 5,000 signatures on 15 July 2018 to 150,000 on 16 July 2018" in section


def test_one_point_is_no_chart(client):
    petition = PetitionFactory()
    page = client.get(petition.get_absolute_url()).content.decode()
    assert "Signatures over time" not in page


def test_a_new_count_is_on_the_page_at_once(client, data_dir, tmp_path):
    given = json.loads(SAMPLE.read_text())
    count = given["data"]["attributes"]["signature_count"]
    import_document(tmp_path, given)
    url = reverse("petitions:detail", args=[319891])
    first = client.get(url)
    assert "Signatures over time" not in first.content.decode()

    import_document(tmp_path, later(given, hours=3, count=count + 1234))
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert f"{count + 1234:,}" in after.content.decode()
    assert "Signatures over time" in after.content.decode()
    history_url = reverse("petitions:history_json", args=[319891])
    assert len(client.get(history_url).json()["data"]) == 2


def test_a_past_point_alone_changes_the_page_too(client, petition_with_history, tmp_path):
    url = petition_with_history.get_absolute_url()
    first = client.get(url)
    SignaturePoint.objects.create(
        petition=petition_with_history,
        at=petition_with_history.created_at,
        signature_count=1,
    )
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert "From 1 signature on 10 January 2018" in after.content.decode()


def test_history_survives_an_export_and_an_import(petition_with_history, tmp_path):
    pid = petition_with_history.pk
    call_command("export_petitions", str(tmp_path / "out"), stdout=io.StringIO())
    exported = json.loads((tmp_path / "out" / f"{pid}.history.json").read_text())
    assert [row["signature_count"] for row in exported["data"]] == [5_000, 50_000, 150_000]
    document = json.loads((tmp_path / "out" / f"{pid}.json").read_text())
    assert "history" not in json.dumps(document)  # never inside the public format
    before = list(
        SignaturePoint.objects.filter(petition_id=pid).values_list("at", "signature_count")
    )
    Petition.objects.all().delete()

    call_command("import_petitions", str(tmp_path / "out"), stdout=io.StringIO())

    after = list(
        SignaturePoint.objects.filter(petition_id=pid).values_list("at", "signature_count")
    )
    assert sorted(after) == sorted(before)


@pytest.mark.parametrize(
    "data, where",
    [
        ([{"at": "yesterday", "signature_count": 1}], "$.data[0].at: not an ISO 8601"),
        ([{"at": "2019-03-21T10:00:00.000Z", "signature_count": -1}], "$.data[0].signature_count"),
        ([{"at": "2019-03-21T10:00:00.000Z"}], "$.data[0].signature_count"),
        ([{"at": "2019-03-21T10:00:00.000Z", "signature_count": 1, "x": 2}], "$.data[0]: unknown"),
        ("many", "$.data: expected a list"),
    ],
)
def test_a_hostile_history_file_is_refused_with_where_and_why(
    sample_petition, tmp_path, data, where
):
    path = tmp_path / "221342.history.json"
    path.write_text(json.dumps({"links": {}, "data": data}))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_petitions", str(path), stdout=io.StringIO(), stderr=err)
    assert f"221342.history.json: {where}" in err.getvalue()
    assert history(221342) == [11406]


def test_a_history_longer_than_any_real_one_is_refused(sample_petition, tmp_path, monkeypatch):
    monkeypatch.setattr("exchange.history.MAX_POINTS", 2)
    points = [
        {"at": f"2019-03-2{day}T10:00:00.000Z", "signature_count": 100 * day} for day in (1, 2, 3)
    ]
    path = tmp_path / "221342.history.json"
    path.write_text(json.dumps({"links": {}, "data": points}))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_petitions", str(path), stdout=io.StringIO(), stderr=err)
    assert "221342.history.json: $.data: more than 2 points" in err.getvalue()
    assert history(221342) == [11406]


def test_a_history_of_a_petition_not_in_the_archive_is_refused(db, tmp_path):
    path = tmp_path / "5.history.json"
    path.write_text(
        json.dumps({"data": [{"at": "2019-03-21T10:00:00.000Z", "signature_count": 1}]})
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_petitions", str(path), stdout=io.StringIO(), stderr=err)
    assert "5.history.json: $: petition 5 is not in the archive" in err.getvalue()


def test_a_history_of_one_day_gives_the_times_and_says_the_day_once(client, data_dir, tmp_path):
    # Two counts on the same day (the list page's, then the petition's own document).
    document = json.loads((data_dir / "petitions" / "319891.json").read_text())
    import_document(tmp_path, document)
    import_document(tmp_path, later(document, hours=2, count=5_000), name="later.json")
    petition = Petition.objects.get(pk=document["data"]["id"])
    moments = list(petition.history.order_by("at").values_list("at", flat=True))
    assert len(moments) == 2

    page = client.get(petition.get_absolute_url()).content.decode()
    section = page[
        page.index('id="signature-history"') : page.index(
            "</section>", page.index('id="signature-history"')
        )
    ]
    ticks = re.findall(r'<text class="history-tick"[^>]*>([^<]*)</text>', section)
    first, last = ticks[-2:]  # the axis ends, after the counts' ticks
    assert re.fullmatch(r"\d{1,2} \w+ \d{4}, \d\d:\d\d", first)
    assert re.fullmatch(r"\d\d:\d\d", last) and last != first[-5:]
    day = first.split(",")[0]
    assert f"to 5,000 on {day}" in section
    # the axis's start, the summary (the drawing's description and its caption), the two rows
    assert section.count(day) == 5


def test_the_ticks_labels_are_drawn_over_the_counts_dots(client):
    """A first count just above the middle tick puts its dot on the tick's label: the
    labels, with their white edge, are drawn after the line and its dots, so they stay
    readable."""
    petition = PetitionFactory(signature_count=1_000)
    start = dt.datetime(2023, 1, 3, 9, tzinfo=dt.UTC)
    SignaturePoint.objects.bulk_create(
        SignaturePoint(petition=petition, at=start + dt.timedelta(days=days), signature_count=n)
        for days, n in [(0, 560), (2, 1_000)]
    )

    page = client.get(petition.get_absolute_url()).content.decode()

    section = page[page.index('id="signature-history"') :]
    assert re.search(r'<text class="history-tick"[^>]*>500</text>', section)
    assert section.rindex('<circle class="history-dot"') < section.index(
        '<text class="history-tick"'
    )


def test_the_chart_scales():
    assert [nice_ceiling(n) for n in (0, 7, 11, 150, 5_000_000, 5_156_603)] == [
        10, 10, 20, 200, 5_000_000, 10_000_000
    ]  # fmt: skip
    points = list(range(10_000))
    drawn = thinned(points, 400)
    assert len(drawn) == 400 and drawn[0] == 0 and drawn[-1] == 9_999
    assert chart([], []) is None
