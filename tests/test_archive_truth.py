"""Archive truth: a record made while a petition was open is history, and pages say so.

The documents of the API give back what was recorded; the pages tell what is true today,
and measure every "N days" and "ran for" to the petition's real end, never to now.
"""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from petitions.models import Parliament, Petition
from tests.factories import PetitionFactory
from tests.test_petition_page import visible_text

pytestmark = pytest.mark.django_db


def import_files(*paths):
    call_command("import_petitions", *map(str, paths), stdout=io.StringIO())


@pytest.fixture
def energy_page(data_dir):
    """A real list page of 2022, captured while 17 of its petitions were open."""
    path = data_dir / "real" / "lists" / "q-energy-page-4.json.gz"
    import_files(path)
    return Petition.objects.filter(state="open")


def test_petitions_recorded_open_in_a_dissolved_parliament_are_not_open_today(client, energy_page):
    assert energy_page.count() == 17
    for petition in energy_page:
        text = visible_text(client.get(petition.get_absolute_url()))
        assert "This petition is open" not in text, petition.id
        assert "This petition was submitted during the 2019–2024 Conservative government" in text
        assert "This petition is closed" in text or "closed early because of" in text
        recorded = petition.updated_at
        assert f"Signature count as recorded on {recorded.day} {recorded:%B %Y}" in text
        assert "signatures required to" not in text  # no goal for a closed petition


def test_revoke_article_50_reads_as_it_ended(client, data_dir):
    """Recorded open on 24 March 2019: it ran its six months, and had waited 6 days for
    a response when recorded (not 2,811 days, counted to today)."""
    import_files(data_dir / "petitions" / "241584.json")

    text = visible_text(client.get(reverse("petitions:detail", args=[241584])))

    assert "This petition is open" not in text
    assert "This petition is closed This petition ran for 6 months" in text
    assert "Signature count as recorded on 24 March 2019" in text
    assert "Waiting 6 days for a government response, as recorded on 24 March 2019" in text
    assert "Date closed 20 August 2019" in text
    document = client.get(reverse("petitions:json", args=[241584])).json()
    assert document["data"]["attributes"]["state"] == "open"  # as recorded


def test_a_petition_cut_short_by_the_general_election_says_so_with_the_date(client):
    petition = PetitionFactory(
        parliament=Parliament.objects.get(period="2019-2024"),
        state="open",
        closed_at=None,
        created_at=dt.datetime(2024, 3, 25, tzinfo=dt.UTC),
        opened_at=dt.datetime(2024, 4, 1, 9, tzinfo=dt.UTC),
        updated_at=dt.datetime(2024, 5, 20, tzinfo=dt.UTC),
        signature_count=2_500,
    )

    text = visible_text(client.get(petition.get_absolute_url()))

    assert (
        "This petition closed early because of a General Election "
        "Parliament was dissolved on 30 May 2024" in text
    )
    assert "Date closed 30 May 2024" in text
    assert "Signature count as recorded on 20 May 2024" in text
    assert "2,500 of 10,000 signatures required" not in text


def test_an_open_petition_of_the_sitting_parliament_is_open(client):
    petition = PetitionFactory(open=True, signature_count=2_500)
    text = visible_text(client.get(petition.get_absolute_url()))
    assert "This petition is open" in text
    assert "2,500 of 10,000 signatures required to get a government response" in text


def test_lists_and_their_tabs_tell_today_and_the_api_tells_the_record(client, energy_page):
    page = client.get(reverse("petitions:list"), {"q": "", "parliament": "2019-2024"})
    tabs = {label: count for _, label, count in page.context["facets"]}
    assert tabs["Open petitions"] == 0
    assert tabs["Closed petitions"] == Petition.objects.filter(state__in=["open", "closed"]).count()
    listed = client.get(reverse("petitions:list"), {"state": "open"})
    assert listed.context["page_obj"].paginator.count == 0
    document = client.get(reverse("petitions:list_json"), {"state": "open", "count": 50}).json()
    assert len(document["data"]) == 17  # the API gives back what was recorded
    text = visible_text(client.get(reverse("petitions:list"), {"sort": "newest"}))
    assert "· Open ·" not in text


@pytest.mark.parametrize("state", ["all", "published", "recent", "open", "with_response"])
def test_the_public_sites_list_names_are_understood(client, sample_petition, state):
    for url in (reverse("petitions:list"), reverse("petitions:list_json")):
        assert client.get(url, {"state": state}).status_code == 200
    everything = client.get(reverse("petitions:list_json"), {"state": "all"}).json()
    assert [item["id"] for item in everything["data"]] == [221342]


def test_the_sample_petition_still_reads_as_the_seed(client, sample_petition):
    text = visible_text(client.get(reverse("petitions:detail", args=[221342])))
    assert "This petition is closed This petition ran for 6 months" in text
    assert "as recorded on" not in text  # a closed petition's count is final


def test_documents_keep_what_was_recorded(client, data_dir):
    path = data_dir / "petitions" / "241584.json"
    given = json.loads(path.read_text())
    import_files(path)
    served = client.get(reverse("petitions:json", args=[241584])).json()
    assert served["data"]["attributes"]["state"] == given["data"]["attributes"]["state"]
    assert served["data"]["attributes"]["closed_at"] is None


def test_the_open_tab_holds_only_petitions_with_time_left_in_a_sitting_parliament(client):
    """Six months from the day it opened (the sitting parliament's duration): a petition
    recorded open seven months ago has closed since, and is counted so."""
    in_time = PetitionFactory(open=True, action="Still in time")
    PetitionFactory(
        open=True,
        action="Out of time",
        opened_at=timezone.now() - dt.timedelta(days=214),
        created_at=timezone.now() - dt.timedelta(days=220),
    )

    page = client.get(reverse("petitions:list"), {"state": "open"})

    tabs = {label: count for _, label, count in page.context["facets"]}
    assert (tabs["Open petitions"], tabs["Closed petitions"]) == (1, 1)
    assert [p.action for p in page.context["petitions"]] == [in_time.action]
