"""Every public page runs a fixed, small number of queries, whatever the data."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import (
    ConstituencySignaturesFactory,
    CountrySignaturesFactory,
    GovernmentResponseFactory,
    PetitionFactory,
)


@pytest.fixture
def bigger_archive(db):
    """Enough rows that a query per row would show."""
    answered = [GovernmentResponseFactory().petition for _ in range(8)]
    for _ in range(30):
        PetitionFactory()
    petition = answered[0]
    ConstituencySignaturesFactory.create_batch(40, petition=petition)
    CountrySignaturesFactory.create_batch(10, petition=petition)
    return petition


# A page rendered afresh looks for itself among the stored pages with its version, in one
# query, and stores itself (StoredPage): one query more than its own, whatever the data.
STORE = 1


@pytest.mark.parametrize(
    "name, args, budget",
    [
        ("home", [], 3 + STORE),  # archive version, latest responses, totals
        # archive version, sitting parliaments, counts, page (the filters' parliaments and
        # departments are kept for the archive's version)
        ("petitions:list", [], 4 + STORE),
        # version, petition with whether it has a map, its signatures over time
        ("petitions:detail", ["pk"], 3 + STORE),
        ("petitions:history_json", ["pk"], 3 + STORE),  # version, petition, points
        ("petitions:history_csv", ["pk"], 3 + STORE),
        # version, response with petition and whether it has a map
        ("responses:detail", ["pk"], 2 + STORE),
        # version, petition, constituencies, countries, regions, and whether its boundary
        # set has boundaries (constituency facts stay in memory)
        ("petitions:map", ["pk"], 6 + STORE),
        # version, petition (with response, outcome), departments, topics, three breakdowns
        ("petitions:json", ["pk"], 7 + STORE),
        ("petitions:list_json", [], 5 + STORE),  # archive version, count, page, departments…
    ],
)
def test_page_query_budget(
    client, bigger_archive, django_assert_max_num_queries, name, args, budget
):
    url = reverse(name, args=[bigger_archive.pk for _ in args])
    client.get(url, {"warm": "up"})  # fills per-process caches (constituency facts)

    with django_assert_max_num_queries(budget):
        response = client.get(url)

    assert response.status_code == 200


@pytest.fixture
def constituency_archive(db):
    """Petitions signed in Poplar and Limehouse, answered ones among them, in two
    parliaments: enough that a query per petition, MP or department would show."""
    for n in range(40):
        petition = (
            GovernmentResponseFactory(
                petition__response_threshold_reached_at=dt.datetime(2018, 1, 1, tzinfo=dt.UTC),
            ).petition
            if n % 4 == 0
            else PetitionFactory()
        )
        ConstituencySignaturesFactory(
            petition=petition, ons_code="E14000882", mp=f"Member {n % 3} MP", signature_count=n
        )
        ConstituencySignaturesFactory(petition=petition, ons_code="E14000555")
    PetitionFactory.create_batch(5, rejected=True)


@pytest.mark.parametrize(
    "address, budget",
    [
        # archive version, the facts (first time only), the page's petitions (from the
        # indexes), their rows, UK totals, MPs (which count the rows too); the parliaments
        # of the filter are kept for the archive's version
        ("/constituencies/E14000882/", 5 + STORE),
        # Filtered, so not stored: archive version, the parliament named, the sitting
        # parliaments (for "closed"), MPs, a count of the rows the filter leaves, the page's
        # petitions, their rows, UK totals
        ("/constituencies/E14000882/?state=closed&parliament=2017-2019", 8),
        # … less the MPs and the form, and with a count
        ("/constituencies/E14000882.json", 6 + STORE),
        ("/constituencies/?q=poplar", 1 + STORE),  # archive version: the facts are in memory
        # archive version, then at most five reads of the latest petitions' MPs (each a
        # read of their ids and one of their breakdowns)
        ("/constituencies.json", 1 + 10 + STORE),
        ("/parliaments/2017-2019/constituencies.json", 2 + 10 + STORE),
        ("/petitions/300000/count.json", 2 + STORE),  # version, petition with outcome
        ("/parliaments/", 2 + STORE),  # archive version, parliaments with their counts
        # archive version, parliament, sitting parliaments, counts, reasons, responses,
        # debates, largest
        ("/parliaments/2017-2019/", 8 + STORE),
        ("/parliaments/2017-2019.json", 8 + STORE),
    ],
)
def test_constituency_and_parliament_query_budgets(
    client, constituency_archive, django_assert_max_num_queries, address, budget
):
    first = PetitionFactory._meta.model.objects.order_by("id").first()
    address = address.replace("300000", str(first.id))
    client.get(address, {"warm": "up"})

    with django_assert_max_num_queries(budget):
        response = client.get(address)

    assert response.status_code == 200
