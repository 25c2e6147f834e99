"""The public site's addresses and words, understood here: its list names, its archived
list addresses with its own parliament numbers, and the small things every visit asks for."""

import re

import pytest
from django.urls import reverse

from petitions.models import Parliament

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "number, period", [(1, "2015-2017"), (2, "2010-2015"), (3, "2017-2019"), (4, "2019-2024")]
)
def test_the_public_sites_parliament_numbers_are_recorded(number, period):
    assert Parliament.objects.get(archive_number=number).period == period


@pytest.mark.parametrize("address", ["/archived/petitions", "/archived/petitions/"])
def test_an_archived_list_address_leads_to_the_same_list_here(client, address):
    response = client.get(address, {"parliament": "3", "state": "closed", "q": "china"})
    assert response.status_code == 301
    assert response["Location"] == "/petitions/?parliament=2017-2019&state=closed&q=china"
    assert client.get(address, {"parliament": "99"}).status_code == 404
    assert client.get(address)["Location"] == "/petitions/"


def test_the_json_lists_take_the_public_sites_numbers_too(client, sample_petition):
    by_number = client.get(reverse("petitions:archived_list_json"), {"parliament": "3"}).json()
    by_period = client.get(reverse("petitions:archived_list_json"), {"parliament": "2017-2019"})
    assert [item["id"] for item in by_number["data"]] == [221342]
    assert by_number["data"] == by_period.json()["data"]
    none = client.get(reverse("petitions:archived_list_json"), {"parliament": "2"}).json()
    assert none["data"] == []


def test_the_public_sites_unfiltered_list_address(client, sample_petition):
    response = client.get("/petitions", {"state": "all"})
    assert response.status_code == 301
    assert response["Location"] == "/petitions/?state=all"
    assert client.get(response["Location"]).context["page_obj"].paginator.count == 1


def test_the_admin_says_petition_archive(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert "Django administration" not in html
    assert "<title>Log in | Petition Archive</title>" in html
    assert "Petition Archive</a>" in html
    assert "<h1>Sign in to Petition Archive</h1>" in html


def test_the_favicon_answers(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert client.get(response["Location"]).status_code == 200


def test_the_400_pages_descriptions_point_at_what_they_describe(client):
    html = client.get("/petitions/", {"state": "bogus", "q": "x" * 300}).content.decode()
    described = [i for ids in re.findall(r'aria-describedby="([^"]+)"', html) for i in ids.split()]
    assert described
    assert [i for i in described if f'id="{i}"' not in html] == []
