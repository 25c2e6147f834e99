"""The home page and the petition list: filters, sorting, counts and bad parameters."""

import datetime as dt

import pytest
from django.urls import reverse

from petitions.models import Parliament
from tests.factories import DebateOutcomeFactory, GovernmentResponseFactory, PetitionFactory
from tests.test_petition_page import assert_in_order, visible_text

LIST = reverse("petitions:list")


@pytest.fixture
def archive(db):
    """A small archive: open, closed and rejected petitions, some answered, one debated."""
    return {
        "open": PetitionFactory(
            open=True, action="Protect hedgehogs in gardens", signature_count=900
        ),
        "closed": PetitionFactory(action="Fund more bus routes", signature_count=50),
        "rejected": PetitionFactory(rejected=True, action="Rename Tuesday", signature_count=3),
        "answered": GovernmentResponseFactory(
            petition__action="Clean up air quality in cities",
            petition__signature_count=25_000,
            responded_on=dt.date(2018, 5, 1),
        ).petition,
        "debated": DebateOutcomeFactory(
            petition__action="Hold a debate on hedgehogs", petition__signature_count=150_000
        ).petition,
    }


def titles(response) -> list[str]:
    return [petition.action for petition in response.context["petitions"]]


def test_home_says_what_the_archive_is_with_search_and_latest_responses(client, sample_petition):
    response = client.get(reverse("home"))
    text = visible_text(response)

    assert response.status_code == 200
    assert "Petition Archive" in text
    assert 'action="/petitions/"' in response.content.decode()
    assert_in_order(
        text,
        [
            "Latest government responses",
            "Put pressure on the Chinese Government over the treatment of Uyghur Muslims",
            "Government responded on 30 November 2018",
            "11,406 signatures",
        ],
    )
    assert "Open Government Licence v3.0" in text


def test_list_sorts_by_most_signatures_and_shows_counts(client, archive):
    response = client.get(LIST)

    assert response.status_code == 200
    assert titles(response) == [
        "Hold a debate on hedgehogs",
        "Clean up air quality in cities",
        "Protect hedgehogs in gardens",
        "Fund more bus routes",
        "Rename Tuesday",
    ]
    text = visible_text(response)
    assert "All petitions 5" in text
    assert "Open petitions 1" in text
    assert "Closed petitions 3" in text
    assert "Rejected petitions 1" in text
    assert "150,000 signatures" in text


def test_list_other_orders(client, archive):
    archive["open"].created_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    archive["open"].save()

    assert titles(client.get(LIST, {"sort": "newest"}))[0] == "Protect hedgehogs in gardens"
    assert titles(client.get(LIST, {"sort": "responded"}))[0] == "Clean up air quality in cities"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"state": "open"}, ["Protect hedgehogs in gardens"]),
        ({"state": "rejected"}, ["Rename Tuesday"]),
        ({"response": "yes"}, ["Clean up air quality in cities"]),
        ({"debated": "yes"}, ["Hold a debate on hedgehogs"]),
        ({"q": "hedgehogs"}, ["Hold a debate on hedgehogs", "Protect hedgehogs in gardens"]),
        ({"q": "HEDGEHOGS gardens"}, ["Protect hedgehogs in gardens"]),
        ({"q": "hedgehogs", "state": "closed"}, ["Hold a debate on hedgehogs"]),
        ({"parliament": "2024-"}, ["Protect hedgehogs in gardens"]),
    ],
)
def test_list_filters(client, archive, params, expected):
    response = client.get(LIST, params)

    assert response.status_code == 200
    assert titles(response) == expected


def test_state_counts_follow_the_other_filters(client, archive):
    text = visible_text(client.get(LIST, {"q": "hedgehogs"}))

    assert "All petitions 2" in text
    assert "Open petitions 1" in text
    assert "Closed petitions 1" in text
    assert "Rejected petitions 0" in text


@pytest.mark.django_db
def test_filters_survive_pagination(client):
    for n in range(30):
        PetitionFactory(action=f"Petition about trains {n:02}", signature_count=1000 - n)
    PetitionFactory(action="Petition about boats", signature_count=5000)

    first = client.get(LIST, {"q": "trains", "sort": "popular"})
    html = first.content.decode()

    assert len(first.context["petitions"]) == 25
    assert "Showing 1–25 of 30 petitions" in visible_text(first)
    assert 'href="?q=trains&amp;sort=popular&amp;page=2"' in html
    second = client.get(LIST, {"q": "trains", "sort": "popular", "page": 2})
    assert titles(second) == [f"Petition about trains {n:02}" for n in range(25, 30)]


@pytest.mark.parametrize(
    "params, status",
    [
        ({"page": "abc"}, 200),
        ({"page": "99999"}, 200),
        ({"page": "-1"}, 200),
        ({"state": "bogus"}, 400),
        ({"parliament": "1066-1087"}, 400),
        ({"sort": "random"}, 400),
        ({"response": "maybe"}, 400),
        ({"q": "x" * 5000}, 400),
        ({"q": "\x00"}, 400),
    ],
)
def test_malformed_parameters_get_a_page_or_a_400_never_a_500(client, archive, params, status):
    response = client.get(LIST, params)

    assert response.status_code == status
    if status == 400:
        assert "There is a problem with your search" in visible_text(response)


def test_page_past_the_end_shows_the_last_page(client, archive):
    response = client.get(LIST, {"page": "99999"})

    assert response.context["page_obj"].number == 1
    assert len(titles(response)) == 5


def test_list_page_runs_a_fixed_number_of_queries(client, archive, django_assert_num_queries):
    for n in range(40):
        PetitionFactory(signature_count=n)

    # count, page, state counts, parliaments for the filter's choices
    with django_assert_num_queries(4):
        assert client.get(LIST, {"state": "closed", "page": 2}).status_code == 200


def test_archived_parliament_link_lists_its_petitions(client, archive):
    response = client.get(LIST, {"parliament": "2017-2019"})

    assert Parliament.objects.get(period="2017-2019").petitions.count() == 4
    assert len(titles(response)) == 4
