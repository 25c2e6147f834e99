"""Import a real file of the public site, fetch its JSON from us: every field comes back.

Values are compared exactly (timestamps in the same written form), breakdowns as sets of
rows, and every object has the same keys; only the host of links may differ.
"""

import copy
import io
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from petitions.models import Petition
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.django_db

FILES = sorted(path.name for path in (DATA_DIR / "petitions").glob("*.json")) or ["(no data)"]
LINK_KEYS = {"self", "first", "last", "next", "prev"}


def differences(given, served, path="$") -> list[str]:
    """Where `served` differs from `given`, the file's document."""
    if isinstance(given, dict) and isinstance(served, dict):
        found = []
        if set(given) != set(served):
            found.append(
                f"{path}: keys missing {sorted(set(given) - set(served))}, "
                f"added {sorted(set(served) - set(given))}"
            )
        for key in set(given) & set(served):
            found += differences(given[key], served[key], f"{path}.{key}")
        return found
    if path.rsplit(".", 1)[-1].startswith("signatures_by") and given and served:
        # The same set of rows (each with the same keys and values), in any order.
        if rows(given) != rows(served):
            return [f"{path}: the rows differ"]
        return []
    if isinstance(given, list) and isinstance(served, list):
        if len(given) != len(served):
            return [f"{path}: {len(given)} items given, {len(served)} served"]
        return [
            found
            for i, (one, other) in enumerate(zip(given, served, strict=True))
            for found in differences(one, other, f"{path}[{i}]")
        ]
    if path.endswith("links.self") and given and served:
        given, served = urlsplit(given)[2:], urlsplit(served)[2:]
    if given != served or type(given) is not type(served):
        return [f"{path}: {given!r:.80} given, {served!r:.80} served"]
    return []


def rows(breakdown) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in breakdown)


def import_file(path: Path) -> None:
    call_command("import_petitions", str(path), stdout=io.StringIO())


@pytest.mark.parametrize("name", FILES)
def test_every_field_of_a_real_file_comes_back(name, data_dir, client):
    path = data_dir / "petitions" / name
    given = json.loads(path.read_text())
    import_file(path)

    if isinstance(given.get("data"), list):
        # A list page: ask for the same list (its filters, all 50 on one page).
        query = dict(parse_qsl(urlsplit(given["links"]["self"]).query))
        query.pop("page", None)
        response = client.get(reverse("petitions:list_json"), {**query, "count": 50})
        served = response.json()
        assert set(served["links"]) == set(given["links"]) == LINK_KEYS
        by_id = {item["id"]: item for item in served["data"]}
        assert set(by_id) == {item["id"] for item in given["data"]}
        problems = [d for item in given["data"] for d in differences(item, by_id[item["id"]])]
    else:
        data = given.get("data", given)
        response = client.get(reverse("petitions:json", args=[data["id"]]))
        served = response.json()
        problems = differences(given, served if "data" in given else served["data"])

    assert response.status_code == 200
    assert problems == []


def test_an_archived_document_comes_back_from_the_archive_address(data_dir, client, tmp_path):
    """As the public site's archive serves it: archived-petition with a parliament block."""
    given = json.loads((data_dir / "petitions" / "331350.json").read_text())
    data = given["data"]
    data["type"] = "archived-petition"
    data["parliament"] = {
        "period": "2019-2024",
        "government": "Conservative",
        "dissolution_at": "2024-05-30T00:01:00.000+01:00",
        "response_threshold": 10000,
        "debate_threshold": 100000,
    }
    data["attributes"].pop("creator_name")
    data["attributes"]["debate_scheduled_at"] = None
    given["links"]["self"] = "https://petition.parliament.uk/archived/petitions/331350.json"
    path = tmp_path / "331350.json"
    path.write_text(json.dumps(given))
    import_file(path)

    served = client.get(reverse("petitions:archived_json", args=[331350])).json()
    current = client.get(reverse("petitions:json", args=[331350])).json()

    assert differences(given, served) == []
    assert current["data"]["type"] == "petition"
    assert "parliament" not in current["data"]


def test_a_list_page_and_a_detail_file_of_one_petition_both_come_back(data_dir, client, tmp_path):
    """Their forms differ (the list has no breakdowns): each address gives its own form."""
    detail = json.loads((data_dir / "petitions" / "319891.json").read_text())
    item = copy.deepcopy(detail["data"])
    for key in [k for k in item["attributes"] if k.startswith("signatures_by")]:
        del item["attributes"][key]
    del item["attributes"]["other_parliamentary_business"]
    item["links"] = {"self": "https://petition.parliament.uk/petitions/319891.json"}
    page = tmp_path / "list.json"
    page.write_text(json.dumps({"links": {}, "data": [item]}))
    import_file(data_dir / "petitions" / "319891.json")
    import_file(page)

    listed = client.get(reverse("petitions:list_json")).json()["data"]
    served = client.get(reverse("petitions:json", args=[319891])).json()

    assert differences([item], listed) == []
    assert differences(detail, served) == []


def test_export_writes_each_petition_in_the_form_it_came_in(data_dir, tmp_path):
    import_file(data_dir / "petitions")
    out = io.StringIO()

    call_command(
        "export_petitions", str(tmp_path / "out"), "--base-url", "https://x.test", stdout=out
    )

    files = sorted((tmp_path / "out").glob("[0-9]*[0-9].json"))
    assert len(files) == Petition.objects.count() == 104
    histories = sorted((tmp_path / "out").glob("*.history.json"))
    assert [p.name.split(".")[0] for p in histories] == [p.name.split(".")[0] for p in files]
    assert out.getvalue().strip() == f"Wrote 104 petitions to {tmp_path / 'out'}."
    for number in (104334, 241584, 319891, 331350):
        given = json.loads((data_dir / "petitions" / f"{number}.json").read_text())
        exported = json.loads((tmp_path / "out" / f"{number}.json").read_text())
        assert differences(given, exported) == []
    exported = json.loads((tmp_path / "out" / "319891.json").read_text())
    assert exported["links"]["self"] == "https://x.test/petitions/319891.json"


def test_exported_files_import_into_an_empty_archive_as_they_were(data_dir, tmp_path):
    import_file(data_dir / "petitions")
    call_command("export_petitions", str(tmp_path / "first"), stdout=io.StringIO())
    Petition.objects.all().delete()

    import_file(tmp_path / "first")
    call_command("export_petitions", str(tmp_path / "second"), stdout=io.StringIO())

    first = sorted(p.name for p in (tmp_path / "first").iterdir())
    assert first == sorted(p.name for p in (tmp_path / "second").iterdir())
    for name in first:
        assert (
            differences(
                json.loads((tmp_path / "first" / name).read_text()),
                json.loads((tmp_path / "second" / name).read_text()),
            )
            == []
        ), name


def test_unusual_forms_and_unknown_fields_come_back_as_given(data_dir, client, tmp_path):
    """Nothing is dropped: other time forms, fields we don't model at every level, nulls."""
    given = json.loads((data_dir / "petitions" / "319891.json").read_text())
    given["meta"] = {"fetched_by": "a researcher's scraper"}
    data = given["data"]
    data["relationships"] = {"creator": None}
    attributes = data["attributes"]
    attributes["opened_at"] = "2020-07-21T12:40:18+01:00"
    attributes["scheduled_debate_date"] = "2021-11-08T00:00:00Z"
    attributes["debate_scheduled_at"] = "2021-10-01T09:00:00.000Z"
    attributes["signatures_by_region"] = None
    attributes["topics"] = ["transport", "covid-19"]
    attributes["government_response"]["video_url"] = "https://example.org/response"
    attributes["debate"]["public_engagement_url"] = "https://example.org/engage"
    attributes["debate"]["overview"] = None
    attributes["departments"][0]["slug"] = "beis"
    attributes["signatures_by_constituency"][0]["region"] = "South East"
    path = tmp_path / "319891.json"
    path.write_text(json.dumps(given))
    import_file(path)

    served = client.get(reverse("petitions:json", args=[319891])).json()

    assert differences(given, served) == []
    assert list(served["data"]["attributes"]) == list(attributes)
