"""Searching petitions and responses: full text on PostgreSQL and on SQLite alike."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from petitions import search
from petitions.models import FACETS, Petition
from tests.factories import GovernmentResponseFactory, PetitionFactory
from tests.test_browse import titles

LIST = reverse("petitions:list")


@pytest.fixture
def petitions(db):
    PetitionFactory(
        action="Improve air quality near schools",
        background="Children breathe polluted air every day on their way to school.",
        signature_count=500,
    )
    PetitionFactory(
        action="Plant more trees in towns",
        background="Trees clean the air and cool streets in summer.",
        signature_count=5_000,
    )
    PetitionFactory(
        action="Ban fireworks sales to the public",
        background="Animals are frightened by fireworks.",
        signature_count=300_000,
    )
    GovernmentResponseFactory(
        petition__action="Fund rural bus services",
        petition__background="Villages are cut off without buses.",
        summary="We are investing in local transport.",
        details="The Government's plan improves air quality through cleaner buses.",
        responded_on=dt.date(2018, 3, 1),
    )


def test_search_finds_words_in_any_text(client, petitions):
    assert set(titles(client.get(LIST, {"q": "air"}))) == {
        "Improve air quality near schools",
        "Plant more trees in towns",
        "Fund rural bus services",  # through its government response
    }
    assert titles(client.get(LIST, {"q": "fireworks animals"})) == [
        "Ban fireworks sales to the public"
    ]
    assert titles(client.get(LIST, {"q": "nothing-matches-this"})) == []


def test_search_marks_the_words_in_snippets(client, petitions):
    html = client.get(LIST, {"q": "polluted"}).content.decode()

    assert "<mark>polluted</mark>" in html


def test_search_can_be_limited_to_government_responses(client, petitions):
    response = client.get(LIST, {"q": "air", "responses_only": "on"})

    assert titles(response) == ["Fund rural bus services"]
    petition = Petition.objects.get(action="Fund rural bus services")
    assert f"{reverse('responses:detail', args=[petition.id])}?q=air" in response.content.decode()


def test_response_page_marks_the_words_searched(client, petitions):
    petition = Petition.objects.get(action="Fund rural bus services")

    html = client.get(reverse("responses:detail", args=[petition.id]), {"q": "air"}).content
    assert b"improves <mark>air</mark> quality" in html


def test_a_number_goes_straight_to_its_petition(client, sample_petition):
    response = client.get(LIST, {"q": " 221342 "})

    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:detail", args=[221342])


@pytest.mark.django_db
def test_an_unknown_number_is_searched_as_text(client):
    response = client.get(LIST, {"q": "999999"})

    assert response.status_code == 200
    assert titles(response) == []


def test_script_in_a_petition_is_never_run_from_a_snippet(client, db):
    PetitionFactory(action="Safe title", background="<script>alert('x')</script> air pollution")

    html = client.get(LIST, {"q": "pollution"}).content.decode()

    assert "<script>alert" not in html
    assert "<mark>pollution</mark>" in html


def test_quoted_phrase_minus_word_and_or(client, petitions):
    assert set(titles(client.get(LIST, {"q": '"air quality"'}))) == {
        "Fund rural bus services",
        "Improve air quality near schools",
    }
    assert titles(client.get(LIST, {"q": '"quality air"'})) == []
    assert set(titles(client.get(LIST, {"q": "air -trees"}))) == {
        "Improve air quality near schools",
        "Fund rural bus services",
    }
    assert set(titles(client.get(LIST, {"q": "fireworks or villages"}))) == {
        "Ban fireworks sales to the public",
        "Fund rural bus services",
    }


def test_results_are_ranked_with_the_action_weighing_most(client, petitions):
    results = titles(client.get(LIST, {"q": "air"}))

    assert results[0] == "Improve air quality near schools"  # in its action


def test_stemming_matches_other_forms_of_a_word(client, petitions):
    assert titles(client.get(LIST, {"q": "frighten"})) == ["Ban fireworks sales to the public"]


def test_index_follows_changes_to_petitions_and_responses(client, petitions):
    petition = Petition.objects.get(action="Plant more trees in towns")
    petition.background = "Hedgerows shelter wildlife."
    petition.save()
    response = Petition.objects.get(action="Fund rural bus services").government_response
    response.details = "Ferries will get new funding."
    response.save()

    assert titles(client.get(LIST, {"q": "hedgerows"})) == ["Plant more trees in towns"]
    assert titles(client.get(LIST, {"q": "ferries"})) == ["Fund rural bus services"]
    assert "Fund rural bus services" not in titles(client.get(LIST, {"q": "cleaner"}))
    response.delete()
    assert titles(client.get(LIST, {"q": "ferries"})) == []


def test_the_search_box_keeps_its_promises_on_the_sample(client, sample_petition):
    """The hint below the box: "quotes" for a phrase, -word to leave a word out, or."""
    sample = "Put pressure on the Chinese Government over the treatment of Uyghur Muslims"
    assert titles(client.get(LIST, {"q": '"chinese government"'})) == [sample]
    assert titles(client.get(LIST, {"q": '"government chinese"'})) == []
    assert titles(client.get(LIST, {"q": "uyghur -camps"})) == []
    assert titles(client.get(LIST, {"q": "uyghur or zzzz"})) == [sample]
    html = client.get(LIST, {"q": "camps"}).content.decode()
    assert "<mark>camps</mark>" in html


@pytest.mark.parametrize(
    "typed", ['"', "-", "*", "NEAR(", "AND OR NOT", "a:b", "{x}", "^start", '"unclosed', "-only"]
)
def test_any_text_in_the_box_is_a_search_never_an_error(client, sample_petition, typed):
    response = client.get(LIST, {"q": typed})
    assert response.status_code == 200


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the ranking of a search's best candidates is PostgreSQL's (SQLite ranks all)",
)
def test_a_common_word_ranks_only_the_most_signed_matches(client, db, monkeypatch):
    monkeypatch.setattr("petitions.search.CANDIDATES", 2)
    for n, count in enumerate([10, 5_000, 20, 3_000]):
        PetitionFactory(action=f"Protect hedgehog habitat number {n}", signature_count=count)

    response = client.get(LIST, {"q": "hedgehog"})

    assert set(titles(response)) == {
        "Protect hedgehog habitat number 1",
        "Protect hedgehog habitat number 3",
    }
    assert "these are the 2 with most signatures" in response.content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the ranking of a search's best candidates is PostgreSQL's (SQLite ranks all)",
)
def test_a_search_looks_for_its_candidates_once_for_the_list_and_its_counts(client, db):
    """The list and the facet counts above it are of the same matches: found once."""
    for n, count in enumerate([10, 5_000, 20]):
        PetitionFactory(action=f"Protect hedgehog habitat number {n}", signature_count=count)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"q": "hedgehog"})

    # The candidates are looked for a size of signature count at a time (5,000, then 20,
    # then 10): each size once, not again for the counts.
    lookups = [q["sql"] for q in queries if "::tsquery" in q["sql"]]
    assert len(lookups) == len(search.SIGNATURE_SIZES)
    assert len(set(lookups)) == len(lookups)
    # Their ranks and facets come with them: the page's petitions are read, and no others.
    others = [q["sql"] for q in queries if "petitions_petition" in q["sql"]]
    assert len(others) == len(lookups) + 1
    assert titles(response)[0] == "Protect hedgehog habitat number 1"
    assert "Showing 1–3 of 3 petitions" in " ".join(response.content.decode().split())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the ranking of a search's best candidates is PostgreSQL's (SQLite ranks all)",
)
@pytest.mark.parametrize("candidates", [1, 2, 3, 4, 5])
def test_the_most_signed_matches_are_found_whatever_the_size_of_their_counts(
    client, db, monkeypatch, candidates
):
    """Candidates found a size of signature count at a time are those with most signatures,
    across sizes, and a count that changes size moves its petition with it."""
    monkeypatch.setattr("petitions.search.CANDIDATES", candidates)
    counts = {"a": 7, "b": 12_345, "c": 99, "d": 1_000, "e": 0, "f": 5_000_000}
    made = {
        name: PetitionFactory(action=f"Protect hedgehog habitat {name}", signature_count=count)
        for name, count in counts.items()
    }
    PetitionFactory(action="Protect otter habitat", signature_count=9_000_000)
    Petition.objects.filter(pk=made["e"].pk).update(signature_count=250_000)  # 1 -> 6 digits
    Petition.objects.filter(pk=made["b"].pk).update(signature_count=3)  # 5 -> 1 digit
    counts.update(e=250_000, b=3)

    response = client.get(LIST, {"q": "hedgehog"})

    most_signed = sorted(counts, key=counts.get, reverse=True)[:candidates]
    assert set(titles(response)) == {f"Protect hedgehog habitat {name}" for name in most_signed}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="signature sizes are in PostgreSQL's vectors"
)
@pytest.mark.parametrize("typed", ["#1", "'#1'", "#4 | #1", "1", search.SIGNATURE_SIZES[0]])
def test_no_search_matches_a_signature_size(client, db, typed):
    PetitionFactory(action="Protect hedgehog habitat", signature_count=5)

    response = client.get(LIST, {"q": typed})

    assert response.status_code == 200
    assert titles(response) == []


@pytest.mark.parametrize("typed", ["the", "down", "and of the"])
def test_a_search_of_only_common_words_finds_nothing_not_everything(client, db, typed):
    """Words too common to index ("stop words") leave nothing to look for."""
    PetitionFactory(action="Protect hedgehog habitat", signature_count=5)
    PetitionFactory(action="Fund rural buses", signature_count=50_000)

    response = client.get(LIST, {"q": typed})

    assert response.status_code == 200
    assert titles(response) == []


@pytest.mark.parametrize("facet", [name for name in FACETS if name != "all"])
def test_each_tab_of_a_search_counts_and_lists_its_matches_in_that_facet(client, archive, facet):
    """A search's tabs are the list's tabs narrowed to the matches: the same petitions in
    each, as they stand today, and the same counts."""
    archive["out_of_time"] = PetitionFactory(  # recorded open; closed since, as it stands today
        open=True,
        action="Save the village pond",
        opened_at=timezone.now() - dt.timedelta(days=214),
        created_at=timezone.now() - dt.timedelta(days=220),
    )
    for petition in archive.values():
        Petition.objects.filter(pk=petition.pk).update(background="Think of the hedgehogs.")
    PetitionFactory(open=True, action="Fund more libraries", background="Books for all.")

    searched = client.get(LIST, {"q": "hedgehogs", "state": facet})
    listed = client.get(LIST, {"state": facet})

    assert set(titles(searched)) == set(titles(listed)) - {"Fund more libraries"}
    tabs = dict(zip(FACETS, (count for _, _, count in searched.context["facets"]), strict=True))
    assert tabs["all"] == len(archive)  # not the petition without the word
    assert tabs[facet] == len(titles(searched))
