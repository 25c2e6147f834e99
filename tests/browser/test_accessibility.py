"""Every kind of page, read by the standard engine (axe-core) and on a 320 px screen.

axe checks WCAG 2.1 A and AA and its best practices in the browser, at 1280 and 320 px
wide; at 320 px (WCAG's reflow width) nothing may be wider than the screen, with every
disclosure open. A reader with only a keyboard reaches the map's cells and its tables.
"""

import datetime as dt
import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from petitions.models import Petition
from tests.browser.conftest import live_db
from tests.conftest import DATA_DIR
from tests.factories import PetitionFactory

pytestmark = [pytest.mark.browser, live_db]

RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
PAGES = [
    "/",
    "/petitions/",
    "/petitions/?q=uyghur",
    "/petitions/?state=bogus",  # the 400 page, with its error summary
    "/petitions/221342/",
    "/petitions/221342/response/",
    "/petitions/221342/map/",
    "/constituencies/?q=poplar",
    "/constituencies/E14000882/",
    "/constituencies/E14001063/",
    "/parliaments/",
    "/parliaments/2017-2019/",
    "/petitions/319891/",  # debated, with its links
    "/petitions/400001/",  # rejected
    "/no/such/page/",
    "/admin/login/",
]


@pytest.fixture
def archive(transactional_db):
    call_command("loaddata", "sample_petition", verbosity=0)
    call_command(
        "import_petitions", str(DATA_DIR / "petitions" / "319891.json"), stdout=io.StringIO()
    )
    PetitionFactory(id=400001, rejected=True, action="Ban something already banned")
    # Signatures over time on the sample's page: a later count, as a harvest would bring.
    sample = Petition.objects.get(id=221342)
    sample.signature_count, sample.updated_at = 12_345, sample.updated_at + dt.timedelta(days=3)
    sample.save()


def violations(page) -> list[str]:
    found = Axe().run(page, options=RULES).response["violations"]
    return [f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in found]


@pytest.mark.parametrize("width", [1280, 320])
def test_every_kind_of_page_passes_axe_and_reflows(archive, new_page, width):
    page = new_page(width=width, height=800)
    problems = {}
    for address in PAGES:
        page.goto(address)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        if found := violations(page):
            problems[address] = found
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            problems.setdefault(address, []).append(f"{wide} px wide on a {width} px screen")
    assert problems == {}


def test_the_map_and_its_tables_by_keyboard_alone(archive, page):
    page.goto("/petitions/221342/map/")
    focused = (
        "(() => { const e = document.activeElement; return [e.tagName.toLowerCase(), "
        "e.getAttribute('href'), !!e.closest('svg')]; })()"
    )
    page.get_by_role("link", name="Skip the map's").focus()
    page.keyboard.press("Tab")  # into the map: its first cell with signatures
    tag, href, in_map = page.evaluate(focused)
    assert (tag, in_map) == ("a", True) and href.startswith("/constituencies/")
    page.keyboard.press("Tab")
    second = page.evaluate(focused)
    assert second[0] == "a" and second[1] != href  # the next cell: the <svg> is no tab stop
    expect(page.locator(".cmap-info")).not_to_have_text("")
    for name in ("Table of signatures by country", "Table of signatures by constituency"):
        region = page.get_by_role("region", name=name)
        region.focus()
        expect(region).to_be_focused()  # a scrolling table is reached by the keyboard


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_what_has_the_keyboard_focus_is_plain_to_see(archive, page):
    page.goto("/")
    page.locator(".header-search button").focus()
    text, background = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); "
        "return [s.color, s.backgroundColor]; })()"
    )
    assert contrast(text, background) >= 4.5  # not black on black
    page.goto("/petitions/221342/map/")
    page.get_by_role("link", name="Skip the map's").focus()
    page.keyboard.press("Tab")
    fill, stroke = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement.querySelector('path')); "
        "return [s.fill, s.stroke]; })()"
    )
    assert fill == "rgb(255, 221, 0)" and stroke == "rgb(11, 12, 12)"  # yellow, edged black
