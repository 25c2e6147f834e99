"""Every public page runs a fixed, small number of queries, whatever the data."""

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


# A page rendered afresh also looks for itself among the stored pages, and stores itself
# (StoredPage): two queries more than its own, whatever the data.
STORE = 2


@pytest.mark.parametrize(
    "name, args, budget",
    [
        ("home", [], 3 + STORE),  # archive version, latest responses, totals
        ("petitions:list", [], 5 + STORE),  # archive version, count, page, facets, parliaments
        ("petitions:detail", ["pk"], 4 + STORE),  # version, petition, has a map, history
        ("petitions:history_json", ["pk"], 3 + STORE),  # version, petition, its points
        ("petitions:history_csv", ["pk"], 3 + STORE),
        ("responses:detail", ["pk"], 3 + STORE),  # version, response with petition, has a map
        # version, boundaries' stamp, petition, constituencies, countries, regions, and
        # whether its boundary set has boundaries (constituency facts stay in memory)
        ("petitions:map", ["pk"], 7 + STORE),
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
