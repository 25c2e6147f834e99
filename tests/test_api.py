"""The public site's JSON and CSV addresses, served by the archive."""

import csv
import io

import pytest
from django.urls import reverse

from petitions.models import Petition
from tests.factories import PetitionFactory

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    """The rows of a CSV answer (a kept file, or a search's CSV built at once)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode())))


def test_a_petition_json_gives_the_public_sites_document(client, sample_petition):
    response = client.get(reverse("petitions:json", args=[221342]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["links"]["self"] == "http://testserver/petitions/221342.json"
    data = document["data"]
    assert (data["type"], data["id"]) == ("petition", 221342)
    attributes = data["attributes"]
    assert attributes["action"] == (
        "Put pressure on the Chinese Government over the treatment of Uyghur Muslims"
    )
    assert attributes["signature_count"] == 11_406
    assert attributes["closed_at"] == "2018-12-08T23:59:59.999Z"
    assert attributes["government_response"]["responded_on"] == "2018-11-30"
    assert attributes["departments"][0]["name"] == "Foreign and Commonwealth Office"
    assert len(attributes["signatures_by_constituency"]) == 517
    assert {"name": "Algeria", "code": "DZ", "signature_count": 2} in attributes[
        "signatures_by_country"
    ]


def test_an_archived_petition_carries_its_parliament(client, sample_petition):
    response = client.get(reverse("petitions:archived_json", args=[221342]))

    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()["data"]
    assert data["type"] == "archived-petition"
    assert data["parliament"] == {
        "period": "2017-2019",
        "government": "Conservative",
        "dissolution_at": "2019-11-06T00:01:00.000Z",
        "response_threshold": 10_000,
        "debate_threshold": 100_000,
    }
    assert "creator_name" not in data["attributes"]
    assert response.json()["links"]["self"] == "http://testserver/archived/petitions/221342.json"


def test_a_petition_of_the_sitting_parliament_is_not_in_the_archive(client):
    petition = PetitionFactory(open=True)

    response = client.get(reverse("petitions:archived_json", args=[petition.id]))

    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {"error": f"There is no petition {petition.id} here."}
    assert client.get(reverse("petitions:json", args=[petition.id])).status_code == 200


def test_an_unknown_or_hidden_petition_is_a_json_404(client):
    hidden = PetitionFactory(state="hidden")

    for pk in (hidden.id, 999_999):
        response = client.get(reverse("petitions:json", args=[pk]))
        assert response.status_code == 404
        assert "error" in response.json()


def test_a_list_pages_through_the_petitions_with_links(client):
    PetitionFactory.create_batch(5)

    response = client.get(reverse("petitions:list_json"), {"count": 2, "page": 2})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["links"] == {
        "self": "http://testserver/petitions.json?count=2&page=2",
        "first": "http://testserver/petitions.json?count=2",
        "last": "http://testserver/petitions.json?count=2&page=3",
        "next": "http://testserver/petitions.json?count=2&page=3",
        "prev": "http://testserver/petitions.json?count=2",
    }
    ids = sorted(Petition.objects.values_list("id", flat=True), reverse=True)
    assert [item["id"] for item in document["data"]] == ids[2:4]
    item = document["data"][0]
    assert item["links"] == {"self": f"http://testserver/petitions/{item['id']}.json"}
    assert "signatures_by_constituency" not in item["attributes"]


def test_a_list_takes_the_filters_of_the_petition_pages(client):
    PetitionFactory(action="Save the hedgehogs", signature_count=50)
    PetitionFactory(action="Save the hedgehogs now", rejected=True)
    PetitionFactory(action="Plant more trees")
    PetitionFactory(action="Hedgehog crossings", open=True)

    data = client.get(reverse("petitions:list_json"), {"q": "hedgehog"}).json()["data"]
    assert len(data) == 3
    data = client.get(reverse("petitions:list_json"), {"q": "hedgehog", "state": "closed"})
    assert [item["attributes"]["action"] for item in data.json()["data"]] == ["Save the hedgehogs"]
    data = client.get(reverse("petitions:list_json"), {"parliament": "2024-"}).json()["data"]
    assert [item["attributes"]["action"] for item in data] == ["Hedgehog crossings"]


def test_the_archived_list_holds_only_petitions_of_dissolved_parliaments(client):
    archived = PetitionFactory()
    PetitionFactory(open=True)

    document = client.get(reverse("petitions:archived_list_json")).json()

    assert [item["id"] for item in document["data"]] == [archived.id]
    item = document["data"][0]
    assert item["type"] == "archived-petition"
    assert item["parliament"]["period"] == "2017-2019"
    assert item["links"]["self"] == f"http://testserver/archived/petitions/{archived.id}.json"


@pytest.mark.parametrize(
    "query",
    [
        {"state": "bogus"},
        {"parliament": "1999-2001"},
        {"count": "0"},
        {"count": "51"},
        {"count": "lots"},
        {"page": "0"},
        {"page": "two"},
        {"q": "x" * 201},
    ],
)
def test_a_bad_value_is_a_400_that_says_what_was_wrong(client, query):
    response = client.get(reverse("petitions:list_json"), query)

    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["error"]
    assert list(body["errors"]) == list(query)


def test_a_page_past_the_end_is_empty_not_an_error(client):
    PetitionFactory()

    document = client.get(reverse("petitions:list_json"), {"page": 7}).json()

    assert document["data"] == []
    assert document["links"]["next"] is None
    assert document["links"]["last"] == "http://testserver/petitions.json"


def test_a_list_takes_the_same_few_queries_however_long(client, django_assert_num_queries):
    PetitionFactory.create_batch(30)

    # archive version (with the stored page looked for), count, page, departments, topics;
    # and it stores itself
    with django_assert_num_queries(5 + 1):
        client.get(reverse("petitions:list_json"), {"count": 50})


def test_the_csv_gives_the_filtered_rows_with_the_public_sites_columns_first(client):
    PetitionFactory(action="Save the hedgehogs", signature_count=1_234)
    PetitionFactory(action="Plant more trees")

    response = client.get(reverse("petitions:list_csv"), {"q": "hedgehogs"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert 'filename="petitions.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:4] == ["Petition", "URL", "State", "Signatures Count"]
    (row,) = rows
    petition = Petition.objects.get(action="Save the hedgehogs")
    assert row[:4] == [
        "Save the hedgehogs",
        f"http://testserver/petitions/{petition.id}/",
        "closed",
        "1234",
    ]
    assert dict(zip(header, row, strict=True))["Parliament"] == "2017-2019"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_csv_cell_never_becomes_a_spreadsheet_formula(client, start):
    PetitionFactory(action=f'{start}HYPERLINK("http://evil.example")')

    (_, row) = csv_rows(client.get(reverse("petitions:list_csv")))

    assert row[0] == f'\'{start}HYPERLINK("http://evil.example")'


def test_the_archived_csv_and_a_bad_filter(client):
    archived = PetitionFactory()
    PetitionFactory(open=True)

    rows = csv_rows(client.get(reverse("petitions:archived_list_csv")))
    assert [row[4] for row in rows[1:]] == [str(archived.id)]

    response = client.get(reverse("petitions:list_csv"), {"state": "bogus"})
    assert response.status_code == 400
    assert b"state" in response.content


def test_an_old_archive_address_leads_to_the_petition_page(client, sample_petition):
    response = client.get("/archived/petitions/221342")

    assert response.status_code == 301
    assert response["Location"] == reverse("petitions:detail", args=[221342])
    assert reverse("petitions:archived_redirect", args=[221342]) == "/archived/petitions/221342"
    assert client.get("/archived/petitions/999999").status_code == 404
