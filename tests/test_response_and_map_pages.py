"""The full government response and the signatures by place."""

import pytest
from django.urls import reverse

from tests.factories import PetitionFactory
from tests.test_petition_page import assert_in_order, visible_text


def test_full_response_has_every_paragraph_links_and_department(client, sample_petition):
    response = client.get(reverse("responses:detail", args=[221342]))
    html = response.content.decode()
    text = visible_text(response)

    assert response.status_code == 200
    details = sample_petition.government_response.details
    paragraphs = [p for p in details.replace("\r\n", "\n").split("\n\n") if p.strip()]
    assert len(paragraphs) >= 10
    assert html.count("<p>") >= len(paragraphs)
    assert_in_order(
        text,
        [
            "Government responded",
            "This response was given on 30 November 2018",
            "This is a priority area of concern in China.",
            "We have serious concerns about the human rights situation in Xinjiang",
            "In July 2018, the UK signed the US led Ministerial to Advance Religious Freedom",
            "At the 39th session of the UN Human Rights Council in September 2018",
            "Foreign and Commonwealth Office",
        ],
    )
    assert 'href="https://www.gov.uk/government/news/' in html  # URLs in the text are links
    assert f'href="{reverse("petitions:map", args=[221342])}">Show on a map' in html


@pytest.mark.django_db
def test_petition_without_response_has_no_response_page(client):
    petition = PetitionFactory()

    assert client.get(reverse("responses:detail", args=[petition.id])).status_code == 404


def test_map_page_lists_constituencies_and_countries_by_count(client, sample_petition):
    response = client.get(reverse("petitions:map", args=[221342]))
    html = response.content.decode()
    text = visible_text(response)

    assert response.status_code == 200
    assert html.count('<tr id="constituency-') == 517
    constituency_rows = html.split('id="constituencies-heading"')[1].split(
        'id="countries-heading"'
    )[0]
    country_rows = html.split('id="countries-heading"')[1]
    assert constituency_rows.count("<tr") - 2 == 517  # minus the head and the total
    assert country_rows.count("<tr") - 2 == 49
    assert_in_order(text, ["Signatures by constituency", "Poplar and Limehouse", "425"])
    assert_in_order(text, ["Signatures by country", "United Kingdom", "11,212"])
    assert "Total (517 constituencies)" in text
    assert "Total (49 countries)" in text
    assert "Open Government Licence" in text


def test_map_page_rows_are_sorted_by_count(client, sample_petition):
    response = client.get(reverse("petitions:map", args=[221342]))
    counts = [row.signature_count for row in response.context["constituencies"]]

    assert counts == sorted(counts, reverse=True)
    assert response.context["constituencies"][0].name == "Poplar and Limehouse"
    assert response.context["countries"][0].name == "United Kingdom"
