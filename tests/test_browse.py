"""The home page and the petition list: filters, sorting, counts and bad parameters."""

import pytest
from django.urls import reverse
from django.utils import timezone

from petitions.models import FACETS, Parliament, Petition
from tests.factories import PetitionFactory
from tests.test_petition_page import assert_in_order, visible_text

LIST = reverse("petitions:list")


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
        "Debate the future of canals",
        "Debate the price of milk",
        "Clean up air quality in cities",
        "Answer us about libraries",
        "Protect hedgehogs in gardens",
        "Fund more bus routes",
        "Rename Tuesday",
    ]
    text = visible_text(response)
    assert_in_order(
        text,
        [
            "All petitions 8",
            "Open petitions 3",
            "Closed petitions 4",
            "Rejected petitions 1",
            "Awaiting government response 1",
            "Government responses 1",
            "Awaiting a debate in Parliament 1",
            "Debated in Parliament 1",
            "Not debated in Parliament 1",
        ],
    )
    assert "150,000 signatures" in text


def test_list_other_orders(client, archive):
    archive["open"].created_at = timezone.now()
    archive["open"].save()

    assert titles(client.get(LIST, {"sort": "newest"}))[0] == "Protect hedgehogs in gardens"
    assert titles(client.get(LIST, {"sort": "responded"}))[0] == "Clean up air quality in cities"


def sort_select(response) -> str:
    html = response.content.decode()
    start = html.index('<select name="sort"')
    return html[start : html.index("</select>", start)]


@pytest.mark.parametrize(
    "params, shown, default",
    [
        ({}, "Most signatures", "Most signatures"),
        ({"sort": "popular"}, "Most signatures", "Most signatures"),
        ({"q": "hedgehogs"}, "Best match", "Best match"),
        ({"state": "recent"}, "Recently opened", "Recently opened"),
        ({"q": "hedgehogs", "sort": "newest"}, "Newest", "Best match"),
    ],
)
def test_the_sort_select_shows_the_order_the_list_is_in(client, archive, params, shown, default):
    """Its first choice is empty, named for the list's own order: a search's is best match
    first, not most signatures. Sent with the form, it asks for no other order."""
    select = sort_select(client.get(LIST, params))

    options = [line for line in select.splitlines() if "<option" in line]
    chosen = [line for line in options if " selected" in line] or options[:1]
    assert chosen[0].endswith(f">{shown}</option>")
    selected = "" if params.get("sort") else " selected"
    assert options[0] == f'  <option value=""{selected}>{default}</option>'
    labels = [line.rsplit(">", 2)[1].removesuffix("</option") for line in options]
    assert len(labels) == len(set(labels))  # most signatures is not offered twice


def test_a_search_typed_into_the_lists_form_comes_best_match_first(client, archive):
    """The form sends the select's empty choice: the search's own order, best match first."""
    sent = client.get(LIST, {"q": "hedgehogs or gardens", "state": "", "sort": ""})

    assert sent.status_code == 200
    assert titles(sent) == ["Protect hedgehogs in gardens", "Hold a debate on hedgehogs"]
    popular = client.get(LIST, {"q": "hedgehogs or gardens", "sort": "popular"})
    assert titles(popular) == ["Hold a debate on hedgehogs", "Protect hedgehogs in gardens"]


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {"state": "open"},
            [
                "Debate the future of canals",
                "Answer us about libraries",
                "Protect hedgehogs in gardens",
            ],
        ),
        ({"state": "awaiting_response"}, ["Answer us about libraries"]),
        ({"state": "with_response"}, ["Clean up air quality in cities"]),
        ({"state": "awaiting_debate"}, ["Debate the future of canals"]),
        ({"state": "debated"}, ["Hold a debate on hedgehogs"]),
        ({"state": "not_debated"}, ["Debate the price of milk"]),
        ({"state": "rejected"}, ["Rename Tuesday"]),
        ({"response": "yes"}, ["Clean up air quality in cities"]),
        ({"debated": "yes"}, ["Hold a debate on hedgehogs"]),
        (
            {"q": "hedgehogs", "sort": "popular"},
            ["Hold a debate on hedgehogs", "Protect hedgehogs in gardens"],
        ),
        ({"q": "HEDGEHOGS gardens"}, ["Protect hedgehogs in gardens"]),
        ({"q": "hedgehogs", "state": "closed"}, ["Hold a debate on hedgehogs"]),
        ({"parliament": "2015-2017"}, []),
    ],
)
def test_list_filters(client, archive, params, expected):
    response = client.get(LIST, params)

    assert response.status_code == 200
    assert titles(response) == expected


def test_state_counts_follow_the_other_filters(client, archive):
    text = visible_text(client.get(LIST, {"q": "hedgehogs"}))

    assert_in_order(
        text,
        ["All petitions 2", "Open petitions 1", "Closed petitions 1", "Rejected petitions 0"],
    )


@pytest.mark.parametrize("words", ["zebra crossings", "-hedgehogs -bus -tuesday -debate"])
def test_every_tab_counts_nothing_when_nothing_matches(client, archive, words):
    """Left-out words alone: nothing to look for on SQLite, every petition without them on
    PostgreSQL; here, where every petition has one, both find none."""
    Petition.objects.exclude(action__iregex=r"hedgehogs|bus|tuesday|debate").delete()
    text = visible_text(client.get(LIST, {"q": words}))

    assert_in_order(
        text,
        [f"{label} 0" for label, _ in FACETS.values()] + ["No petitions match"],
    )


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
    assert len(titles(response)) == 8


def test_list_page_runs_a_fixed_number_of_queries(client, archive, django_assert_num_queries):
    for n in range(40):
        PetitionFactory(signature_count=n)

    # archive version (with the stored page looked for), facet counts (which give the count
    # too), page, parliaments and departments for the filters' choices, the sitting
    # parliaments (for the counts, and for "closed" as it stands today); and the page stored
    with django_assert_num_queries(7 + 1):
        assert client.get(LIST, {"state": "closed", "page": 2}).status_code == 200


def test_archived_parliament_link_lists_its_petitions(client, archive):
    response = client.get(LIST, {"parliament": "2017-2019"})

    assert Parliament.objects.get(period="2017-2019").petitions.count() == 5
    assert len(titles(response)) == 5


def test_list_offers_the_current_filter_as_csv_and_json(client, archive):
    html = client.get(LIST, {"q": "hedgehogs", "state": "closed", "page": "1"}).content.decode()

    assert 'href="/petitions.csv?q=hedgehogs&amp;state=closed"' in html
    assert 'href="/petitions.json?q=hedgehogs&amp;state=closed"' in html
    csv = client.get("/petitions.csv?q=hedgehogs&state=closed").getvalue().decode()
    assert "Hold a debate on hedgehogs" in csv
    assert "Protect hedgehogs in gardens" not in csv


def test_a_bad_filter_offers_no_download_of_it(client, archive):
    html = client.get(LIST, {"state": "bogus"}).content.decode()

    assert "Get this list as" not in html
