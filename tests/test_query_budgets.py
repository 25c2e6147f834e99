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


@pytest.mark.parametrize(
    "name, args, budget",
    [
        ("home", [], 3),  # archive version, latest responses, totals
        ("petitions:list", [], 5),  # archive version, count, page, facet counts, parliaments
        ("petitions:detail", ["pk"], 3),  # version, petition, has a map
        ("responses:detail", ["pk"], 3),  # version, response with petition, has a map
        # version, boundaries' stamp, petition, constituencies, countries, regions, and
        # whether its boundary set has boundaries (constituency facts stay in memory)
        ("petitions:map", ["pk"], 7),
        # version, petition (with response, outcome), departments, topics, three breakdowns
        ("petitions:json", ["pk"], 7),
        ("petitions:list_json", [], 5),  # archive version, count, page, departments, topics
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
