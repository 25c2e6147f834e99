"""A reader finds the sample petition from the home page and follows it to its response and map.

Set UPDATE_DOCS_SCREENSHOTS=1 to refresh docs/screenshots/petition.png, the README's picture.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import live_db

pytestmark = [pytest.mark.browser, live_db]

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "petition.png"
ACTION = "Put pressure on the Chinese Government over the treatment of Uyghur Muslims"
MIDDLE_OF_RESPONSE = (
    "British diplomats in China visit Xinjiang every few months, in order to see at first-hand "
    "the situation there."
)


@pytest.fixture
def sample(transactional_db):
    call_command("loaddata", "sample_petition", verbosity=0)


def hosts(urls):
    return {urlsplit(url).netloc for url in urls}


def test_home_search_petition_response_map(sample, page, live_server, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Petition Archive")
    screenshot(page, "home")

    main = page.get_by_role("main")
    main.get_by_label("Search petitions").fill("Uyghur")
    screenshot(page, "search-typed")
    main.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{live_server.url}/petitions/?q=Uyghur")
    expect(page.get_by_role("status")).to_have_text("Showing 1–1 of 1 petition")
    screenshot(page, "search-results")

    page.get_by_role("link", name=ACTION).click()
    expect(page).to_have_url(f"{live_server.url}/petitions/221342/")
    petition = page.locator("article.petition")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ACTION)
    expect(petition).to_contain_text("11,406 signatures")
    expect(page.get_by_role("heading", name="Government responded")).to_be_visible()
    expect(petition).to_contain_text("This response was given on 30 November 2018")
    screenshot(page, "petition", full_page=True)
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOCS_SCREENSHOT, full_page=True)

    in_full = page.locator("details.response-in-full")
    expect(in_full.get_by_text(MIDDLE_OF_RESPONSE)).to_be_hidden()
    page.get_by_text("Read the response in full").click()  # revealed in place
    expect(in_full.get_by_text(MIDDLE_OF_RESPONSE)).to_be_visible()
    page.get_by_role("link", name="The response on a page of its own").click()
    expect(page).to_have_url(f"{live_server.url}/petitions/221342/response/")
    response = page.locator("article.response")
    expect(response.get_by_text(MIDDLE_OF_RESPONSE)).to_be_visible()
    expect(response.get_by_text("Foreign and Commonwealth Office")).to_be_visible()
    screenshot(page, "response", full_page=True)

    page.get_by_role("link", name="Show on a map").click()
    expect(page).to_have_url(f"{live_server.url}/petitions/221342/map/")
    constituencies = page.get_by_role("table", name="Signatures by constituency, most first")
    top_row = constituencies.locator("tbody tr").first
    expect(top_row.get_by_role("rowheader")).to_contain_text("Poplar and Limehouse")
    expect(top_row).to_contain_text("425")
    screenshot(page, "map")

    assert hosts(page.requests) == {urlsplit(live_server.url).netloc}, page.requests


def test_petition_reads_without_javascript(sample, new_page, live_server, screenshot):
    page = new_page(java_script_enabled=False)

    page.goto("/petitions/221342/")
    more_details = page.get_by_role("link", name="https://www.google.co.uk/amp/s/www.independent")
    expect(more_details).to_be_hidden()
    page.get_by_text("More details").click()
    expect(more_details).to_be_visible()
    screenshot(page, "petition-more-details", full_page=True)

    in_full = page.locator("details.response-in-full")
    expect(in_full.get_by_text(MIDDLE_OF_RESPONSE)).to_be_hidden()
    page.get_by_text("Read the response in full").click()  # revealed in place
    expect(in_full.get_by_text(MIDDLE_OF_RESPONSE)).to_be_visible()
    page.get_by_role("link", name="The response on a page of its own").click()
    expect(page).to_have_url(f"{live_server.url}/petitions/221342/response/")
    expect(page.locator("article.response")).to_contain_text(MIDDLE_OF_RESPONSE)
    screenshot(page, "response", full_page=True)

    assert hosts(page.requests) == {urlsplit(live_server.url).netloc}, page.requests
