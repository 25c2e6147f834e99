"""The constituency map of a petition: cells, names, colours, key, areas and switches."""

import gzip
import re
from html import escape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from constituencies.maps import (
    class_breaks,
    colour_class,
    constituency_map,
    constituency_url,
    figure,
    petition_map,
    quantile_class,
)
from constituencies.models import Constituency
from constituencies.totals import area_totals
from petitions.caching import petition_version

pytestmark = pytest.mark.django_db

POPLAR = "Poplar and Limehouse: 425 signatures, 5.2 per 1,000 electors, Jim Fitzpatrick MP"


def render(constituency_map_) -> str:
    return render_to_string("constituencies/_map.html", {"map": constituency_map_})


@pytest.fixture
def boundaries_2010(data_dir):
    call_command(
        "import_boundaries", str(data_dir / "maps" / "Westminster_PCON_Dec_2022_UK_BUC.geojson")
    )


# --- class breaks and numbers -----------------------------------------------------------


def test_class_breaks_are_quantiles_of_the_non_zero_values():
    values = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert class_breaks(values) == [2, 4, 6, 8, 10]
    assert [quantile_class(v, [2, 4, 6, 8, 10]) for v in (0, 1, 2, 3, 9, 10)] == [0, 1, 1, 2, 5, 5]


def test_few_distinct_values_make_fewer_classes_spread_over_the_palette():
    breaks = class_breaks([1, 1, 1, 1, 5, 5])
    assert breaks == [1, 5]
    assert [colour_class(quantile_class(v, breaks), len(breaks)) for v in (0, 1, 5)] == [0, 1, 5]
    assert class_breaks([0, 0]) == []


def test_figures_keep_two_significant_figures():
    assert [figure(v) for v in (5.178, 0.01712, 12.4, 1234.5, 0)] == [
        "5.2",
        "0.017",
        "12",
        "1,234",
        "0",
    ]


# --- the sample petition ----------------------------------------------------------------


def test_sample_petition_hex_map_draws_every_constituency(sample_petition):
    drawn = petition_map(sample_petition, {})
    assert (drawn.boundary_set, drawn.area, drawn.measure, drawn.kind) == (
        "2010",
        "uk",
        "relative",
        "hex",
    )
    assert len(drawn.cells) == 650
    assert drawn.with_signatures == 517
    silent = [cell for cell in drawn.cells if not cell.count]
    assert len(silent) == 133
    assert all(cell.css_class == "c0" for cell in silent)
    assert all(cell.title.endswith(": no signatures") for cell in silent)


def test_poplar_and_limehouse_names_itself_and_links_to_its_row(sample_petition):
    drawn = petition_map(sample_petition, {})
    poplar = next(cell for cell in drawn.cells if cell.ons_code == "E14000882")
    assert poplar.title == POPLAR
    assert (  # its cell links to its page
        f'<a href="/constituencies/E14000882/"><title>{escape(POPLAR)}</title>' in drawn.drawing
    )
    assert poplar.row_href == "#constituency-E14000882"  # its row in the table
    assert poplar.count == 425
    assert poplar.css_class == "c5 top"


def test_a_cells_address_follows_the_urlconf(sample_petition, settings):
    """Each constituency's address is reversed once and kept, but not across URLconfs."""
    assert constituency_url("E14000882") == "/constituencies/E14000882/"

    settings.ROOT_URLCONF = "tests.urls_under_archive"

    assert constituency_url("E14000882") == "/archive/constituencies/E14000882/"
    drawn = petition_map(sample_petition, {})
    assert 'href="/archive/constituencies/E14000882/"' in drawn.drawing


def test_top_ten_are_highlighted_and_drawn_last(sample_petition):
    drawn = petition_map(sample_petition, {"measure": "count"})
    assert len(drawn.top_ten) == 10
    assert drawn.top_ten[0].name == "Poplar and Limehouse"
    assert [cell.count for cell in drawn.top_ten] == sorted(
        (cell.count for cell in drawn.cells), reverse=True
    )[:10]
    assert all(cell.is_top for cell in drawn.cells[-10:])
    assert not any(cell.is_top for cell in drawn.cells[:-10])


def test_key_shows_the_class_breaks_and_no_signatures(sample_petition):
    relative = petition_map(sample_petition, {})
    assert relative.key_title == "Signatures per 1,000 electors"
    assert [item.css_class for item in relative.key] == ["c1", "c2", "c3", "c4", "c5", "c0"]
    assert relative.key[-2].label.endswith("to 5.2")
    assert relative.key[-1].label == "No signatures"
    counts = petition_map(sample_petition, {"measure": "count"})
    assert counts.key_title == "Signatures"
    assert counts.key[0].label.startswith("1 to ")
    assert counts.key[-2].label.endswith(" to 425")


@pytest.mark.parametrize(
    ("area", "seats"),
    [("london", 73), ("scotland", 59), ("wales", 40), ("northern-ireland", 18), ("england", 533)],
)
def test_an_area_draws_only_its_constituencies(sample_petition, area, seats):
    drawn = petition_map(sample_petition, {"area": area})
    assert len(drawn.cells) == seats
    assert drawn.area == area
    assert drawn.view_box != petition_map(sample_petition, {}).view_box


def test_unknown_choices_fall_back_to_the_uk_hex_map(sample_petition):
    drawn = petition_map(sample_petition, {"area": "mars", "measure": "x", "kind": "3d"})
    assert (drawn.area, drawn.measure, drawn.kind, len(drawn.cells)) == (
        "uk",
        "relative",
        "hex",
        650,
    )


def test_switch_links_are_plain_query_strings(sample_petition):
    drawn = petition_map(sample_petition, {"area": "london"})
    assert [(c.label, c.current) for c in drawn.area_choices] == [
        ("UK", False),
        ("England", False),
        ("Scotland", False),
        ("Wales", False),
        ("Northern Ireland", False),
        ("London", True),
    ]
    counts = next(c for c in drawn.measure_choices if c.label == "Signatures")
    assert counts.url == "?area=london&measure=count&kind=hex#constituency-map"


def test_geographic_is_offered_only_once_boundaries_are_imported(sample_petition, data_dir):
    without = petition_map(sample_petition, {"kind": "geo"})
    assert without.kind == "hex"
    assert without.kind_choices == []
    call_command(
        "import_boundaries", str(data_dir / "maps" / "Westminster_PCON_Dec_2022_UK_BUC.geojson")
    )
    drawn = petition_map(sample_petition, {"kind": "geo"})
    assert drawn.kind == "geo"
    assert [c.label for c in drawn.kind_choices] == ["Hex", "Geographic"]
    assert len(drawn.cells) == 650
    poplar = next(cell for cell in drawn.cells if cell.ons_code == "E14000882")
    assert poplar.title == POPLAR
    assert poplar.path == Constituency.objects.get(ons_code="E14000882").boundary.path
    assert len(petition_map(sample_petition, {"kind": "geo", "area": "london"}).cells) == 73


def test_2024_breakdowns_are_coloured_by_share_without_electorates():
    rows = [
        {"ons_code": "E14001430", "name": "Poplar and Limehouse", "mp": "Apsana Begum MP",
         "signature_count": 300},
        {"ons_code": "S14000021", "name": "East Renfrewshire", "mp": None, "signature_count": 100},
    ]  # fmt: skip
    drawn = constituency_map(rows)
    assert drawn.boundary_set == "2024"
    assert drawn.key_title == "Share of the petition's UK signatures"
    titles = {cell.ons_code: cell.title for cell in drawn.cells}
    assert titles["E14001430"] == (
        "Poplar and Limehouse: 300 signatures, 75% of UK signatures, Apsana Begum MP"
    )
    assert titles["S14000021"] == (
        "East Renfrewshire: 100 signatures, 25% of UK signatures, no MP (seat vacant)"
    )
    assert [c.label for c in drawn.measure_choices] == ["Share of signatures", "Signatures"]


# --- the include ------------------------------------------------------------------------


def test_include_draws_650_named_cells_each_leading_to_its_constituency_and_a_key(
    sample_petition,
):
    html = render(petition_map(sample_petition, {}))
    cells = re.findall(
        r'<a href="/constituencies/([ENSW]\d{8})/"><title>([^<]*)</title><path ', html
    )
    assert len(cells) == 650  # every constituency leads to its page
    assert ("E14000882", POPLAR) in cells
    unlinked = [title for _, title in cells if title.endswith(": no signatures")]
    assert len(unlinked) == 650 - 517
    assert 'role="group"' in html
    assert 'aria-label="Hex map of the UK: 650 constituencies coloured by signatures per 1,000 ' \
        'electors; 517 have signatures"' in html  # fmt: skip
    assert "No signatures" in html
    assert "Top ten, by signatures per 1,000 electors:" in html
    assert 'href="?area=london&amp;measure=relative&amp;kind=hex#constituency-map"' in html


def test_include_of_london_holds_73_cells(sample_petition):
    html = render(petition_map(sample_petition, {"area": "london"}))
    assert len(re.findall(r'<a href="/constituencies/\w+/"><title>', html)) == 73
    assert '<strong aria-current="true">London</strong>' in html


@pytest.mark.parametrize("kind", ["hex", "geo"])
def test_the_map_of_650_constituencies_stays_small(sample_petition, boundaries_2010, kind):
    html = render(petition_map(sample_petition, {"kind": kind}))
    assert f"cmap-{kind}" in html
    assert len(gzip.compress(html.encode())) < 150_000


def test_drawing_a_petition_map_takes_two_queries(sample_petition, django_assert_num_queries):
    petition_map(sample_petition, {})  # fills the in-memory caches
    with django_assert_num_queries(2):  # its breakdown, and whether boundaries exist
        drawn = petition_map(sample_petition, {"area": "wales"})
    assert len(drawn.cells) == 40
    rows = list(sample_petition.constituency_signatures.all())
    with django_assert_num_queries(1):  # the view already holds the breakdown
        assert len(petition_map(sample_petition, {}, rows=rows).cells) == 650


# --- totals by nation and region --------------------------------------------------------


def test_totals_are_summed_from_constituencies_without_regional_counts(sample_petition):
    nations = area_totals(sample_petition.constituency_signatures.all())
    assert [nation.name for nation in nations] == [
        "England",
        "Wales",
        "Scotland",
        "Northern Ireland",
    ]
    uk = sum(row.signature_count for row in sample_petition.constituency_signatures.all())
    assert sum(nation.signature_count for nation in nations) == uk
    england = nations[0]
    assert len(england.regions) == 9
    assert england.signature_count == sum(region.signature_count for region in england.regions)
    london = next(region for region in england.regions if region.name == "London")
    assert london.signature_count == sum(
        row.signature_count
        for row in sample_petition.constituency_signatures.all()
        if Constituency.objects.get(boundary_set="2010", ons_code=row.ons_code).region_name
        == "London"
    )


def test_totals_come_from_the_petitions_own_regional_counts_when_it_has_them():
    region_rows = [
        {"ons_code": "H", "name": "London", "signature_count": 17_728},
        {"ons_code": "M", "name": "Scotland", "signature_count": 23_475},
    ]
    nations = {nation.name: nation for nation in area_totals([], region_rows)}
    assert nations["Scotland"].signature_count == 23_475
    assert nations["England"].signature_count == 17_728
    assert nations["Wales"].signature_count == 0


def test_importing_boundaries_changes_every_map_pages_version(data_dir, sample_petition):
    """The map draws the boundaries: their import is a change of the rows a page shows."""
    before = petition_version(221342).etag
    call_command(
        "import_boundaries",
        str(data_dir / "maps" / "Westminster_PCON_July_2024_UK_BUC.geojson"),
        verbosity=0,
    )
    assert petition_version(221342).etag != before


def test_top_codes_mark_the_highlighted_rows(sample_petition):
    drawn = petition_map(sample_petition, {"measure": "count"})
    assert "E14000882" in drawn.top_codes
    assert len(drawn.top_codes) == 10


def test_every_colour_of_the_map_stands_out_from_white():
    """WCAG's non-text contrast: 3:1 for each class and for the hatching of none."""
    css = (Path(__file__).resolve().parents[1] / "static" / "css" / "map.css").read_text()
    fills = re.findall(r"\.cmap-map \.c\d, \.cmap-swatch\.c\d \{ fill: (#[0-9a-f]{6})", css)
    template = (
        Path(__file__).resolve().parents[1] / "templates" / "constituencies" / "_map.html"
    ).read_text()
    hatch = re.search(r'width="\{\{ map.hatch_line \}\}"[^>]*fill="(#[0-9a-f]{6})"', template)
    assert len(fills) == 5 and hatch
    for colour in [*fills, hatch.group(1)]:
        assert contrast_with_white(colour) >= 3, colour


def contrast_with_white(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)
