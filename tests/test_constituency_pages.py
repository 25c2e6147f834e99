"""What a constituency signed, and the public site's constituency documents."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constituencies import local
from constituencies.maps import places
from petitions.models import ConstituencySignatures, Petition
from tests.factories import ConstituencySignaturesFactory, PetitionFactory
from tests.test_petition_page import visible_text

POPLAR = "E14000882"
NEW_SEAT = "E14001063"  # a constituency of the 2024 boundaries
ORIGIN = {"HTTP_ORIGIN": "https://petition-map.example"}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_poplar_and_limehouse_lists_the_sample_with_its_425(client, sample_petition):
    response = client.get(reverse("constituencies:detail", args=[POPLAR]))
    text = visible_text(response)

    assert response.status_code == 200
    assert "Poplar and Limehouse" in text
    assert "England" in text and "London" in text and "2010–2024 boundaries" in text
    assert "Jim Fitzpatrick MP" in text  # the MP the sample recorded
    row = response.context["rows"][0]
    assert row["petition"].id == 221342
    assert (row["local"], row["total"]) == (425, 11406)
    # 425 of the petition's UK signatures against Poplar's share of the UK's electorate.
    uk_total = sum(
        sample_petition.constituency_signatures.values_list("signature_count", flat=True)
    )
    share, weighed_by = local.weight(local.constituency(POPLAR))
    assert weighed_by == "electorate"
    assert row["leaning"] == pytest.approx((425 / uk_total) / share)
    assert row["leaning"] > 3  # Poplar signed far more strongly than the UK as a whole
    assert "Put pressure on the Chinese Government" in text and "425" in text


def test_a_2024_constituency_has_its_page(client, sample_petition):
    response = client.get(reverse("constituencies:detail", args=[NEW_SEAT]))
    text = visible_text(response)

    assert response.status_code == 200
    assert local.constituency(NEW_SEAT).name in text
    assert "2024 boundaries" in text
    assert "No petition" in text  # the sample ran on the old boundaries


def test_a_renamed_or_kept_name_links_across_the_2024_change(client, db):
    poplar = local.constituency(POPLAR)
    assert [c.ons_code for c in poplar.followed_by] == ["E14001430"]  # same name, 2024 set
    html = client.get(reverse("constituencies:detail", args=["E14001430"])).content.decode()
    assert f'href="/constituencies/{POPLAR}/"' in html
    unchanged = local.constituency("S14000021")  # East Renfrewshire: one code, both sets
    assert unchanged.boundary_sets == ["2010", "2024"] and unchanged.end_date is None


@pytest.mark.parametrize(
    "query", ["poplar", "POPLAR", "limehouse", "popler", "limehous", "poplar & lime"]
)
def test_search_by_part_or_near_spelling_of_the_name(client, db, query):
    response = client.get(reverse("constituencies:list"), {"q": query})
    codes = [c.ons_code for group in response.context["groups"] for c in group.constituencies]
    assert response.status_code == 200
    assert POPLAR in codes and len(codes) <= 5


def test_every_constituency_of_both_sets_grouped_by_nation_and_region(client, db):
    response = client.get(reverse("constituencies:list"))
    groups = {g.name: len(g.constituencies) for g in response.context["groups"]}
    assert sum(groups.values()) == 1295  # 650 + 650, five Scottish seats in both
    assert groups["England: London"] == 73 + 75
    assert "Northern Ireland" in groups and "Scotland" in groups


def test_too_long_a_search_is_a_400_with_a_reason(client, db):
    response = client.get(reverse("constituencies:list"), {"q": "x" * 500})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()


def test_unknown_constituency_is_a_404(client, db):
    assert client.get("/constituencies/E99999999/").status_code == 404
    assert client.get("/constituencies/nonsense/").status_code == 404


@pytest.mark.django_db
def test_petitions_filtered_by_parliament_and_state_and_paged(client):
    for n in range(30):
        ConstituencySignaturesFactory(ons_code=POPLAR, signature_count=100 + n)
    rejected = PetitionFactory(rejected=True)
    ConstituencySignaturesFactory(petition=rejected, ons_code=POPLAR, signature_count=1)
    url = reverse("constituencies:detail", args=[POPLAR])

    first = client.get(url)
    assert first.context["page_obj"].paginator.count == 31
    assert [r["local"] for r in first.context["rows"]][:3] == [129, 128, 127]
    second = client.get(url, {"page": 2})
    assert [r["local"] for r in second.context["rows"]] == [104, 103, 102, 101, 100, 1]
    only_rejected = client.get(url, {"state": "rejected"})
    assert [r["petition"].id for r in only_rejected.context["rows"]] == [rejected.id]
    other_parliament = client.get(url, {"parliament": "2019-2024"})
    assert other_parliament.context["page_obj"].paginator.count == 0
    assert client.get(url, {"state": "bogus"}).status_code == 400
    assert client.get(url, {"page": "99"}).status_code == 200  # the last page


def test_csv_has_the_public_sites_first_columns(client, sample_petition):
    response = client.get(reverse("constituencies:csv", args=[POPLAR]))
    rows = list(csv.reader(io.StringIO(body(response).decode())))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:5] == ["Petition", "URL", "State", "Local Signatures", "Total Signatures"]
    assert rows[1][:5] == [
        sample_petition.action,
        "http://testserver/petitions/221342/",
        "closed",
        "425",
        "11406",
    ]


def test_a_csv_downloaded_again_unchanged_is_a_304(client, sample_petition):
    url = reverse("constituencies:csv", args=[POPLAR])
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again["Access-Control-Allow-Origin"]) == (304, "*")


def test_json_gives_the_same_list(client, sample_petition):
    response = client.get(reverse("constituencies:json", args=[POPLAR]), **ORIGIN)
    document = json.loads(response.content)

    assert response["Access-Control-Allow-Origin"] == "*"
    assert document["constituency"]["name"] == "Poplar and Limehouse"
    assert document["count"] == 1
    assert document["data"][0]["id"] == 221342
    assert document["data"][0]["local_signature_count"] == 425
    assert document["data"][0]["signature_count"] == 11406


def test_real_petitions_show_on_their_constituencies(client, data_dir, db):
    call_command("import_petitions", str(data_dir / "petitions"), verbosity=0)
    response = client.get(reverse("constituencies:detail", args=[POPLAR]))
    rows = response.context["rows"]
    expected = ConstituencySignatures.objects.get(petition_id=241584, ons_code=POPLAR)
    assert rows[0]["petition"].id == 241584  # Revoke Article 50: the most signed here
    assert rows[0]["local"] == expected.signature_count
    assert [r["local"] for r in rows] == sorted((r["local"] for r in rows), reverse=True)


def test_real_2019_2024_petitions_each_show_on_their_constituencies(client, data_dir, db):
    call_command("import_petitions", str(data_dir / "real" / "petitions"), verbosity=0)
    here = ConstituencySignatures.objects.filter(ons_code=POPLAR)
    assert here.count() > 200  # of the 248 real petitions with breakdowns
    response = client.get(reverse("constituencies:detail", args=[POPLAR]))
    assert response.context["page_obj"].paginator.count == here.count()
    top = here.order_by("-signature_count", "petition_id").first()
    assert response.context["rows"][0]["petition"].id == top.petition_id
    assert response.context["rows"][0]["local"] == top.signature_count
    members = {m.name for m in response.context["members"]}
    assert set(here.values_list("mp", flat=True)) == members
    page = client.get(reverse("constituencies:json", args=[POPLAR]), {"page": 2}).json()
    assert page["count"] == here.count() and len(page["data"]) == 25


def test_2024_petitions_show_on_2024_constituencies(client, db):
    petition = PetitionFactory(open=True, created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    ConstituencySignaturesFactory(
        petition=petition, ons_code="E14001430", name="Poplar and Limehouse", mp="Apsana Begum MP"
    )
    text = visible_text(client.get(reverse("constituencies:detail", args=["E14001430"])))
    assert petition.action in text and "Apsana Begum MP" in text


def test_a_new_breakdown_shows_on_the_next_request(client, sample_petition):
    """Its count, its row and its MP, though the MPs are kept between requests."""
    url = reverse("constituencies:detail", args=[POPLAR])
    before = client.get(url).context
    assert before["page_obj"].paginator.count == 1
    assert [m.name for m in before["members"]] == ["Jim Fitzpatrick MP"]
    ConstituencySignaturesFactory(
        petition=PetitionFactory(), ons_code=POPLAR, signature_count=7, mp="Apsana Begum MP"
    )
    response = client.get(url)
    assert b"Do something useful about thing number" in response.content
    assert response.context["page_obj"].paginator.count == 2
    assert "Apsana Begum MP" in [m.name for m in response.context["members"]]
    document = client.get(reverse("constituencies:json", args=[POPLAR])).json()
    assert document["count"] == 2


def test_paging_through_a_constituency_reads_its_mps_once(client, db):
    """Its MPs take every petition signed there to work out: the next page, and the same
    list as JSON, use them again rather than reading them all afresh."""
    for n in range(30):
        ConstituencySignaturesFactory(ons_code=POPLAR, signature_count=100 + n)
    url = reverse("constituencies:detail", args=[POPLAR])
    assert client.get(url).status_code == 200
    for address in [url + "?page=2", reverse("constituencies:json", args=[POPLAR]) + "?page=2"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert 'AS "first"' not in sql, address  # the MPs: when each was first named
    assert client.get(reverse("constituencies:json", args=[POPLAR])).json()["count"] == 30


def mp_reads(queries) -> int:
    """How many of the captured queries worked out MPs from the petitions signed there."""
    return sum('AS "first"' in query["sql"] for query in queries.captured_queries)


def another_worker():
    caches["pages"].clear()  # nothing in its memory


def test_another_worker_reads_a_constituencys_mps_as_kept_until_the_archive_changes(client, db):
    """Working out its MPs reads every petition signed there: done once for every worker
    (kept in the database), and again once a breakdown names another MP."""
    for n in range(30):
        ConstituencySignaturesFactory(ons_code=POPLAR, signature_count=100 + n)
    url = reverse("constituencies:detail", args=[POPLAR])
    first = client.get(url).context["members"]
    assert [m.name for m in first] == ["A Member MP"] and first[0].petitions == 30

    another_worker()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page": 2})
    assert mp_reads(queries) == 0
    assert response.context["members"] == first  # names, dates and counts
    assert "A Member MP" in visible_text(response)

    ConstituencySignaturesFactory(
        petition=PetitionFactory(), ons_code=POPLAR, signature_count=1, mp="Apsana Begum MP"
    )
    another_worker()
    response = client.get(url, {"page": 2})
    assert "Apsana Begum MP" in visible_text(response)
    another_worker()
    document = client.get(reverse("constituencies:json", args=[POPLAR])).json()
    assert document["count"] == 31


# --- the public site's documents ----------------------------------------------------------


def test_constituencies_json_is_keyed_by_ons_code_in_the_public_sites_shape(
    client, sample_petition
):
    response = client.get("/constituencies.json", **ORIGIN)
    document = json.loads(response.content)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert len(document) == 1295
    assert document[POPLAR] == {
        "mp": "Jim Fitzpatrick MP",
        "party": None,
        "constituency": "Poplar and Limehouse",
        "ons_code": POPLAR,
        "start_date": "2010-05-06",
        "end_date": "2024-07-04",
    }
    assert document[NEW_SEAT]["end_date"] is None


def test_a_parliaments_constituencies_are_of_its_boundary_set(client, sample_petition):
    old = json.loads(client.get("/parliaments/2017-2019/constituencies.json").content)
    new = json.loads(client.get("/parliaments/2024-/constituencies.json").content)
    assert len(old) == len(new) == 650
    assert POPLAR in old and NEW_SEAT in new and POPLAR not in new
    assert old[POPLAR]["mp"] == "Jim Fitzpatrick MP"


def test_count_json_in_the_public_sites_shape(client, sample_petition):
    response = client.get("/petitions/221342/count.json", **ORIGIN)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content) == {
        "signature_count": 11406,
        "response_threshold_reached_at": "2018-11-20T18:48:25.139Z",
        "government_response_at": "2018-11-30T16:25:04.536Z",
        "debate_threshold_reached_at": None,
        "scheduled_debate_date": None,
        "debate_outcome_at": None,
        "debated": False,
    }


@pytest.mark.parametrize(
    "address",
    [
        "/petitions/999999/count.json",
        "/constituencies/E99999999.json",
        "/constituencies/nonsense.json",
        "/parliaments/1999-2000/constituencies.json",
        "/parliaments/1999-2000.json",
    ],
)
def test_json_404s_carry_the_cors_header(client, db, address):
    response = client.get(address, **ORIGIN)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "error" in json.loads(response.content)


def test_petition_map_client_reads_our_documents(client, sample_petition):
    """As unboxed/petition-map does: it reads /constituencies.json (keyed by ONS code, for
    each constituency's name and MP) and /petitions/ID.json from another origin, then joins
    `signatures_by_constituency` on `ons_code` to colour every constituency and name one
    on hover; both answers must be readable cross-origin."""
    preflight = client.options("/constituencies.json", **ORIGIN)
    assert preflight["Access-Control-Allow-Origin"] == "*"
    mp_data_response = client.get("/constituencies.json", **ORIGIN)
    petition_response = client.get("/petitions/221342.json", **ORIGIN)
    for response in (mp_data_response, petition_response):
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
    mp_data = json.loads(mp_data_response.content)
    petition = json.loads(petition_response.content)

    signatures = petition["data"]["attributes"]["signatures_by_constituency"]
    by_code = {row["ons_code"]: row["signature_count"] for row in signatures}
    assert set(by_code) <= set(mp_data)  # every constituency of the petition joins
    drawn = places("2010")
    assert set(drawn) <= set(mp_data)  # and every constituency the client draws
    # The client's hover: name, MP and count of the constituency under the pointer.
    poplar = mp_data[POPLAR]
    assert (poplar["constituency"], poplar["mp"], by_code[POPLAR]) == (
        "Poplar and Limehouse",
        "Jim Fitzpatrick MP",
        425,
    )


# --- speed --------------------------------------------------------------------------------


def test_a_constituency_page_reads_the_index_not_every_breakdown(db):
    """With 150 petitions of 650-constituency breakdowns (97,500 rows), the page's query of
    its petitions walks the (ons_code, signature_count) index in order: no scan of the
    breakdowns, no sort of them. (The benchmark's archive has 100,000 petitions.)"""
    codes = sorted(places("2010"))
    petitions = PetitionFactory.build_batch(150)
    Petition.objects.bulk_create(petitions)
    ConstituencySignatures.objects.bulk_create(
        (
            ConstituencySignatures(
                petition=petition, ons_code=code, name=code, signature_count=(n * 7 + i) % 997
            )
            for n, petition in enumerate(petitions)
            for i, code in enumerate(codes)
        ),
        batch_size=10_000,
    )
    rows = local.signed_here(POPLAR)[:25]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{explain} {sql}", params)
        # A plan's lines: PostgreSQL's one column, or SQLite's detail (its last column).
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "constituency_sigs_code_idx" in plan, plan
    assert "Seq Scan on petitions_constituencysignatures" not in plan, plan
    assert "SCAN petitions_constituencysignatures\n" not in plan + "\n", plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # read in order
    assert [row.signature_count for row in rows] == sorted(
        ConstituencySignatures.objects.filter(ons_code=POPLAR).values_list(
            "signature_count", flat=True
        ),
        reverse=True,
    )[:25]
