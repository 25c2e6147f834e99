"""A reader opens the sample petition's map, reads a constituency and switches area.

Set UPDATE_DOCS_SCREENSHOTS=1 to refresh docs/screenshots/map.png, the README's picture.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import live_db

pytestmark = [pytest.mark.browser, live_db]

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "map.png"


@pytest.fixture
def sample(transactional_db):
    call_command("loaddata", "sample_petition", verbosity=0)


def test_map_draws_every_constituency_and_switches_area(sample, page, live_server, screenshot):
    page.goto("/petitions/221342/")
    page.get_by_role("link", name="Show on a map").click()
    expect(page).to_have_url(f"{live_server.url}/petitions/221342/map/")

    cells = page.locator("svg.cmap-map path:not(.cmap-border)")
    expect(cells).to_have_count(650)
    poplar = page.locator('svg.cmap-map a[href="/constituencies/E14000882/"]')
    expect(poplar.locator("title")).to_have_text(
        "Poplar and Limehouse: 425 signatures, 5.2 per 1,000 electors, Jim Fitzpatrick MP"
    )
    expect(page.get_by_text("Signatures per 1,000 electors", exact=True)).to_be_visible()
    expect(page.locator("svg.cmap-map path.cmap-border")).to_have_count(1)  # the nations' edges
    map_figure = page.locator("#constituency-map")
    screenshot(page, "uk", full_page=False)
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        map_figure.screenshot(path=DOCS_SCREENSHOT)

    poplar.hover()  # the script names the constituency under the pointer
    expect(page.locator(".cmap-info")).to_contain_text("Poplar and Limehouse")

    page.get_by_role("link", name="Poplar and Limehouse", exact=True).first.click()
    expect(page).to_have_url(f"{live_server.url}/petitions/221342/map/#constituency-E14000882")
    expect(page.locator("#constituency-E14000882")).to_contain_text("425")
    page.go_back()

    poplar.click()  # a cell leads to the constituency's page
    expect(page).to_have_url(f"{live_server.url}/constituencies/E14000882/")
    expect(page.locator("h1")).to_contain_text("Poplar and Limehouse")
    expect(page.get_by_role("row", name=re.compile("Put pressure on the Chinese"))).to_contain_text(
        "425"
    )
    page.go_back()

    page.get_by_role("navigation", name="Map options").get_by_role("link", name="London").click()
    expect(page).to_have_url(re.compile(r"/petitions/221342/map/\?area=london"))
    expect(cells).to_have_count(73)
    screenshot(page, "london", full_page=False)
