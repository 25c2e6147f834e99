"""The petition page reads like the public site's page for each kind of petition."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from petitions.models import Parliament
from tests.conftest import DATA_DIR
from tests.factories import DebateOutcomeFactory, GovernmentResponseFactory, PetitionFactory

SEED_DIR = DATA_DIR.parent / "seed"


def visible_text(response) -> str:
    """The page's words as a reader sees them, in order."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|title)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def assert_in_order(text: str, phrases: list[str]) -> None:
    position = 0
    for phrase in phrases:
        found = text.find(phrase, position)
        assert found >= 0, f"{phrase!r} missing (or out of order) after position {position}"
        position = found + len(phrase)


def test_sample_petition_reads_like_the_archived_page(client, sample_petition):
    response = client.get(reverse("petitions:detail", args=[221342]))

    assert response.status_code == 200
    assert_in_order(
        visible_text(response),
        [
            "This petition was submitted during the 2017–2019 Conservative government",
            "Petition Put pressure on the Chinese Government over the treatment of Uyghur Muslims",
            "Reports have suggested that the chinese government has been placing Uyghur Muslims",
            "These camps are echoes of previous ethnic cleansing",
            "More details",
            "https://www.google.co.uk/amp/s/www.independent.co.uk/news/world/asia/",
            "This petition is closed",
            "This petition ran for 6 months",
            "11,406 signatures",
            "Show on a map",
            "Government responded",
            "This response was given on 30 November 2018",
            "This is a priority area of concern in China.",
            "Read the response in full",
        ],
    )


def test_background_keeps_its_two_paragraphs_and_details_link_is_clickable(client, sample_petition):
    html = client.get(reverse("petitions:detail", args=[221342])).content.decode()

    assert html.count("<p>Reports have suggested") == 1
    assert "<p>These camps are echoes" in html
    assert '<details class="more-details">' in html
    assert 'href="https://www.google.co.uk/amp/s/www.independent.co.uk/news/world/asia/' in html


def test_the_whole_seed_page_reads_on_the_petition_page_in_its_order(client, sample_petition):
    """Every paragraph of the archived page, the full response included (revealed in place),
    word for word. The seed's text leaves out the addresses its links show."""
    seed = (SEED_DIR / "000_763a87ad5343051a.txt").read_text()
    page = words(visible_text(client.get(reverse("petitions:detail", args=[221342]))))
    position = 0
    for paragraph in filter(None, (line.strip() for line in seed.splitlines())):
        wanted = words(paragraph)
        found = find_run(page, wanted, position)
        assert found >= 0, f"{paragraph[:60]!r} missing (or out of order)"
        position = found + len(wanted)
    assert page[position - 4 : position] == ["foreign", "and", "commonwealth", "office"]


def words(text: str) -> list[str]:
    return re.findall(r"[\w’'–-]+", re.sub(r"https?://\S+", " ", text).lower())


def find_run(haystack: list[str], run: list[str], start: int) -> int:
    for at in range(start, len(haystack) - len(run) + 1):
        if haystack[at : at + len(run)] == run:
            return at
    return -1


def test_the_full_response_opens_in_place_without_javascript(client, sample_petition):
    html = client.get(reverse("petitions:detail", args=[221342])).content.decode()
    details = html[html.index('<details class="response-in-full">') :]
    details = details[: details.index("</details>")]
    assert "<summary>Read the response in full</summary>" in details
    assert "We have serious concerns about the human rights situation in Xinjiang" in details
    assert html.count("Foreign and Commonwealth Office") == 1  # the response signs itself


def test_links_in_texts_keep_their_address_exactly(client, sample_petition):
    html = client.get(reverse("petitions:detail", args=[221342])).content.decode()
    assert 'jinping-a8357966.html%3famp"' in html
    assert "a8357966.html?amp" not in html


def test_links_lead_to_the_full_response_and_the_map(client, sample_petition):
    html = client.get(reverse("petitions:detail", args=[221342])).content.decode()

    assert f'href="{reverse("responses:detail", args=[221342])}">The response on a page' in html
    assert f'href="{reverse("petitions:map", args=[221342])}">Show on a map' in html
    assert (
        'href="/petitions/?parliament=2017-2019">View other petitions from this parliament' in html
    )


@pytest.mark.django_db
def test_unknown_petition_is_a_friendly_404(client):
    response = client.get("/petitions/999999/")

    assert response.status_code == 404
    assert "Page not found" in visible_text(response)


@pytest.mark.django_db
def test_open_petition_below_response_threshold(client):
    petition = PetitionFactory(open=True, signature_count=2_345)

    text = visible_text(client.get(petition.get_absolute_url()))

    assert "This petition is open" in text
    assert "2,345 signatures" in text
    assert "2,345 of 10,000 signatures required to get a government response" in text
    assert "This petition was submitted during" not in text  # the current parliament
    assert "Show on a map" not in text  # no breakdown held


@pytest.mark.django_db
def test_open_petition_awaiting_a_response(client):
    petition = PetitionFactory(
        open=True,
        signature_count=45_000,
        response_threshold_reached_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=12, hours=1),
    )

    text = visible_text(client.get(petition.get_absolute_url()))

    assert (
        "45,000 of 100,000 signatures required to be considered for a debate in Parliament" in text
    )
    assert_in_order(
        text,
        [
            "Government will respond",
            "Government responds to all petitions that get more than 10,000 signatures",
            "Waiting 12 days for a government response",
        ],
    )


@pytest.mark.django_db
def test_one_signature_is_singular(client):
    petition = PetitionFactory(open=True, signature_count=1)

    assert "1 signature " in visible_text(client.get(petition.get_absolute_url())) + " "


@pytest.mark.django_db
def test_rejected_petition_gives_the_reason(client):
    petition = PetitionFactory(rejected=True, action="Ban something already banned")

    text = visible_text(client.get(petition.get_absolute_url()))

    assert_in_order(
        text,
        [
            "Rejected petition Ban something already banned",
            "This petition was rejected",
            "Why was this petition rejected?",
            "Duplicate petition",
            "There's already a petition about this issue.",
            "We only reject petitions that don't meet the petition standards",
            "Date submitted 10 January 2018",
        ],
    )
    assert "signatures" not in text


@pytest.mark.django_db
def test_rejection_with_an_old_unknown_code_reads_as_words(client):
    petition = PetitionFactory(rejected=True, rejection_code="no-longer-relevant")

    response = client.get(petition.get_absolute_url())

    assert response.status_code == 200
    assert "No longer relevant" in visible_text(response)


@pytest.mark.django_db
def test_closed_petition_without_response(client):
    petition = PetitionFactory(signature_count=150)

    text = visible_text(client.get(petition.get_absolute_url()))

    assert "This petition is closed" in text
    assert "This petition ran for 6 months" in text
    assert "Government responded" not in text
    assert "Date closed 15 July 2018" in text


@pytest.mark.django_db
def test_petition_closed_early_by_a_general_election(client):
    parliament = Parliament.objects.get(period="2017-2019")
    petition = PetitionFactory(
        opened_at=dt.datetime(2019, 9, 1, tzinfo=dt.UTC), closed_at=parliament.dissolution_at
    )

    text = visible_text(client.get(petition.get_absolute_url()))

    assert "This petition closed early because of a General Election" in text
    assert "This petition ran for" not in text


@pytest.mark.django_db
def test_debated_petition(client):
    outcome = DebateOutcomeFactory(debated_on=dt.date(2021, 11, 8))

    text = visible_text(client.get(outcome.petition.get_absolute_url()))

    assert_in_order(
        text,
        [
            "123,456 signatures",
            "Parliament debated this topic",
            "This topic was debated on 8 November 2021",
            "Watch the debate",
            "Read the transcript of the debate",
            "MPs debated the petition.",
        ],
    )


@pytest.mark.django_db
def test_petition_the_committee_decided_not_to_debate(client):
    outcome = DebateOutcomeFactory(debated=False, debated_on=None, overview="Not this time.")

    text = visible_text(client.get(outcome.petition.get_absolute_url()))

    assert "The Petitions Committee decided not to debate this petition" in text
    assert "Not this time." in text


@pytest.mark.django_db
def test_debate_scheduled_and_awaited(client):
    future = dt.date.today() + dt.timedelta(days=30)
    scheduled = PetitionFactory(open=True, signature_count=150_000, scheduled_debate_date=future)
    awaiting = PetitionFactory(
        open=True,
        signature_count=150_000,
        debate_threshold_reached_at=dt.datetime.now(dt.UTC),
    )

    assert f"Parliament will debate this petition on {future.day} {future:%B %Y}" in visible_text(
        client.get(scheduled.get_absolute_url())
    )
    assert_in_order(
        visible_text(client.get(awaiting.get_absolute_url())),
        [
            "Parliament will consider this for a debate",
            "Parliament considers all petitions that get more than 100,000 signatures for a debate",
        ],
    )


@pytest.mark.django_db
def test_petition_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    response = GovernmentResponseFactory()
    DebateOutcomeFactory(petition=response.petition)

    # its version (for caching) with its stored page (none yet), the petition with whether
    # it has a map, its signatures over time, and storing the page
    with django_assert_num_queries(3 + 1):
        assert client.get(response.petition.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_hidden_petitions_are_not_shown(client):
    petition = PetitionFactory(state="hidden")

    assert client.get(petition.get_absolute_url()).status_code == 404


def test_petition_page_links_its_data(client, sample_petition):
    html = client.get(reverse("petitions:detail", args=[221342])).content.decode()

    assert 'href="/archived/petitions/221342.json">Get petition data in JSON format' in html
