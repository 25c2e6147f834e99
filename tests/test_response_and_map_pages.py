"""The full government response and the signatures by place."""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    ConstituencySignaturesFactory,
    GovernmentResponseFactory,
    PetitionFactory,
)
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
    assert text.count("Foreign and Commonwealth Office") == 1  # the response signs itself
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
    country_rows = html.split('<h2 id="countries-heading"')[1].split("</table>")[0]
    constituency_rows = html.split('<h2 id="constituencies-heading"')[1].split("</table>")[0]
    assert constituency_rows.count("<tr") - 2 == 517  # minus the head and the total
    assert country_rows.count("<tr") - 2 == 49
    assert_in_order(text, ["Signatures by country", "United Kingdom", "11,212"])
    assert_in_order(text, ["Signatures by constituency", "Poplar and Limehouse", "425"])
    assert "Total (517 constituencies)" in text
    assert "Total (49 countries)" in text
    assert "Open Government Licence" in text


def test_map_page_rows_are_sorted_by_count(client, sample_petition):
    response = client.get(reverse("petitions:map", args=[221342]))
    counts = [row.signature_count for row in response.context["constituencies"]]

    assert counts == sorted(counts, reverse=True)
    assert response.context["constituencies"][0].name == "Poplar and Limehouse"
    assert response.context["countries"][0].name == "United Kingdom"


def test_map_draws_every_constituency_and_names_each(client, sample_petition):
    html = client.get(reverse("petitions:map", args=[221342])).content.decode()

    # Every cell leads to its constituency's page, and so does every row of the table.
    links = set(re.findall(r'<a href="/constituencies/(\w+)/"><title>', html))
    rows = set(re.findall(r'<tr id="constituency-(\w+)"', html))
    row_links = set(re.findall(r'<th scope="row"><a href="/constituencies/(\w+)/">', html))
    assert len(links) == 650 and rows <= links and len(rows) == 517 and row_links == rows
    assert "<title>Poplar and Limehouse: 425 signatures, 5.2 per 1,000 electors" in html
    assert '<a href="/constituencies/E14000882/"><title>Poplar and Limehouse' in html
    assert 'id="constituency-E14000882" class="top-ten"' in html
    assert "no signatures" in html.lower()  # the 133 constituencies without any are drawn too


def test_map_page_totals_by_nation_and_region(client, sample_petition):
    text = visible_text(client.get(reverse("petitions:map", args=[221342])))

    totals = text.split("Signatures by nation and region")[1].split("Signatures by country")[0]
    assert_in_order(totals, ["England", "London"])
    for nation in ["Scotland", "Wales", "Northern Ireland"]:
        assert nation in totals


@pytest.mark.parametrize("order", ["name", "count", "nonsense"])
def test_constituency_table_sorts(client, sample_petition, order):
    response = client.get(reverse("petitions:map", args=[221342]), {"order": order})
    rows = response.context["constituencies"]

    assert response.status_code == 200
    if order == "name":
        assert [row.name for row in rows] == sorted(row.name for row in rows)
    else:
        assert rows[0].name == "Poplar and Limehouse"


@pytest.mark.django_db
def test_the_constituency_table_shows_what_a_breakdown_names_as_text(client):
    """Names and MPs come from harvested documents: the table shows them as text, never as
    markup, and a seat recorded vacant as such."""
    petition = PetitionFactory()
    ConstituencySignaturesFactory(
        petition=petition, ons_code="E14000882", name='<img src=x onerror="alert(1)">',
        mp="Tom & <b>Jerry</b>", signature_count=1_500,
    )  # fmt: skip
    ConstituencySignaturesFactory(
        petition=petition, ons_code="E14000639", mp=None, signature_count=1
    )

    html = client.get(reverse("petitions:map", args=[petition.id])).content.decode()

    assert "<img" not in html and "<b>" not in html
    assert (
        '<a href="/constituencies/E14000882/">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</a>'
        in html
    )
    assert "<td>Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;</td>" in html
    assert '<tr id="constituency-E14000639"' in html
    assert "<td>Vacant seat</td>" in html
    assert '<td class="num">1,500</td><td class="num">99.9%</td>' in html
    assert '<td class="num">1</td><td class="num">&lt;0.1%</td>' in html


@pytest.mark.parametrize("area, cells", [("london", 73), ("wales", 40), ("bogus", 650)])
def test_map_area_switch(client, sample_petition, area, cells):
    response = client.get(reverse("petitions:map", args=[221342]), {"area": area})

    assert response.status_code == 200
    assert len(response.context["constituency_map"].cells) == cells


@pytest.mark.django_db
def test_a_response_that_does_not_sign_itself_names_its_department(client):
    response = GovernmentResponseFactory(department__name="Home Office")

    text = visible_text(client.get(reverse("responses:detail", args=[response.petition_id])))

    assert text.count("Home Office") == 1
