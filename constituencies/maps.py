"""Everything a template needs to draw a petition's signatures by constituency as SVG.

    constituency_map(rows, area="uk", measure="relative", kind="hex", when=None)

takes a petition's constituency breakdown (objects or mappings with `ons_code`, `name`,
`mp` and `signature_count`, such as `petition.constituency_signatures.all()`) and returns
a `ConstituencyMap`: one cell per constituency of the area (path, fill class, a title that
names it, a link to its row in the table), the key, the viewBox and the switch links.
`petition_map(petition, request.GET)` does the same for a petition and a query string.

The boundary set (2010–2024 or 2024) is told from all the breakdown's codes; when they
cannot tell (no codes, or only the five Scottish seats that are in both), from the
petition's date. Shapes and viewBoxes are cached in memory per set, kind and area; the
geographic cache is keyed on the latest boundary import, so a new import shows at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape
from urllib.parse import urlencode

from django.core.signals import setting_changed
from django.db.models import Count, Max
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe

from constituencies.areas import (
    LONDON,
    Area,
)
from constituencies.models import BoundarySet, Constituency, ConstituencyBoundary

# The 2024 boundaries took effect at the general election of 4 July 2024.
NEW_BOUNDARIES_FROM = dt.datetime(2024, 7, 4, tzinfo=dt.UTC)
CLASSES = 5
TOP = 10
ANCHOR = "constituency-map"


class Measure:
    RELATIVE = "relative"  # per 1,000 electors where the set knows them, else share
    COUNT = "count"
    values = (RELATIVE, COUNT)


class Kind:
    """How the map is drawn (its `?kind=`): equal hexagons, or the real boundaries."""

    HEX = "hex"
    GEO = "geo"
    values = (HEX, GEO)


AREA_NAMES = {
    Area.UK: "the UK",
    Area.ENGLAND: "England",
    Area.SCOTLAND: "Scotland",
    Area.WALES: "Wales",
    Area.NORTHERN_IRELAND: "Northern Ireland",
    Area.LONDON: "London",
}


@dataclass(frozen=True)
class Place:
    ons_code: str
    name: str
    nation: str
    region_code: str
    electorate: int | None
    hex_q: int
    hex_r: int

    def in_area(self, area: str) -> bool:
        if area == Area.UK:
            return True
        if area == Area.LONDON:
            return self.region_code == LONDON
        return self.nation == area


@lru_cache(maxsize=4096)
def _constituency_url(prefix: str, code: str) -> str:
    return reverse("constituencies:detail", args=[code])


@receiver(setting_changed)
def _addresses_changed(*, setting: str, **kwargs) -> None:
    """Addresses reversed under another URLconf are forgotten (as Django's own are)."""
    if setting == "ROOT_URLCONF":
        _constituency_url.cache_clear()


def constituency_url(code: str, prefix: str | None = None) -> str:
    """A constituency's page: reversed once per code (and script prefix), since a map and
    its table name every constituency, and Django's `reverse` is slow beside the rest. A
    caller naming them all gives the script prefix (`get_script_prefix()`), read once."""
    return _constituency_url(get_script_prefix() if prefix is None else prefix, code)


@dataclass
class Cell:
    ons_code: str
    name: str
    path: str
    css_class: str
    title: str
    count: int
    value: float
    mp: str | None = None
    is_top: bool = False
    shown: str = ""  # the value as the key words it: 5.2 per 1,000 electors, 425

    @property
    def row_href(self) -> str:
        """Its row in the table: only constituencies with signatures have one."""
        return f"#constituency-{self.ons_code}" if self.count else ""


@dataclass
class KeyItem:
    css_class: str
    label: str


@dataclass
class Choice:
    label: str
    url: str
    current: bool


@dataclass
class ConstituencyMap:
    boundary_set: str
    area: str
    measure: str
    kind: str
    view_box: str
    label: str
    key_title: str
    cells: list[Cell]
    key: list[KeyItem]
    top_ten: list[Cell]
    area_choices: list[Choice] = field(default_factory=list)
    measure_choices: list[Choice] = field(default_factory=list)
    kind_choices: list[Choice] = field(default_factory=list)
    unmatched_codes: list[str] = field(default_factory=list)
    borders: str = ""  # a path along the nations' borders (and London's, on the UK map)

    @property
    def with_signatures(self) -> int:
        return sum(1 for cell in self.cells if cell.count)

    @cached_property
    def drawing(self) -> str:
        """The cells, each a link to its constituency's page: 650 on the UK map, made in
        one go rather than a template's loop (a third of the time of a map page), and
        escaped as Django escapes (`html.escape`) but without a SafeString for each."""
        prefix = get_script_prefix()
        return mark_safe(
            "".join(
                f'<a href="{escape(constituency_url(cell.ons_code, prefix))}">'
                f"<title>{escape(cell.title)}</title>"
                f'<path class="{escape(cell.css_class)}" d="{escape(cell.path)}"/></a>'
                for cell in self.cells
            )
        )

    @cached_property
    def top_codes(self) -> set[str]:
        """ONS codes of the highlighted ten, to mark their rows in a table."""
        return {cell.ons_code for cell in self.top_ten}

    @property
    def top_title(self) -> str:
        count = len(self.top_ten)
        return "Top ten" if count == TOP else f"Top {count}"

    @property
    def hatch(self) -> str:
        """The spacing of the hatching for no signatures, in the map's units."""
        width = float(self.view_box.split()[2])
        return _number(width / 110)

    @property
    def hatch_line(self) -> str:
        return _number(float(self.hatch) * 0.35)


# --- facts and shapes, cached in memory ---------------------------------------------------

_places: dict[str, dict[str, Place]] = {}


def places(boundary_set: str) -> dict[str, Place]:
    """The constituencies of a set by ONS code (read once per process)."""
    if boundary_set not in _places:
        found = {
            c.ons_code: Place(
                c.ons_code, c.name, c.nation, c.region_code, c.electorate, c.hex_q, c.hex_r
            )
            for c in Constituency.objects.in_set(boundary_set).order_by("ons_code")
        }
        if not found:
            return {}  # not migrated yet: try again next time
        _places[boundary_set] = found
    return _places[boundary_set]


def choose_boundary_set(codes: Iterable[str], when: dt.datetime | None = None) -> str:
    """The set that a breakdown's codes belong to; by date when the codes cannot tell."""
    codes = set(codes)
    old, new = set(places(BoundarySet.SET_2010)), set(places(BoundarySet.SET_2024))
    only_old, only_new = len(codes & (old - new)), len(codes & (new - old))
    if only_old or only_new:
        return BoundarySet.SET_2024 if only_new > only_old else BoundarySet.SET_2010
    return boundary_set_on(when)


def boundary_set_on(when: dt.datetime | None) -> str:
    """The set constituencies were drawn on at `when` (the older one when not known)."""
    if when is not None and when >= NEW_BOUNDARIES_FROM:
        return BoundarySet.SET_2024
    return BoundarySet.SET_2010


HEX_SIDE = 10 / math.sqrt(3)  # cells are 10 units wide
HEX_ROW = 1.5 * HEX_SIDE


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def hex_path(q: int, r: int) -> str:
    x, y = 10 * (q + r / 2), HEX_ROW * r - HEX_SIDE
    return f"M{_number(x)} {_number(y)}l5 2.89v5.77l-5 2.89-5-2.89v-5.77z"


def _view_box(west: float, north: float, east: float, south: float) -> str:
    pad = max(east - west, south - north) * 0.02
    return " ".join(
        _number(v)
        for v in (west - pad, north - pad, east - west + 2 * pad, south - north + 2 * pad)
    )


# The six neighbours of a hex (axial q, r) and the edge shared with each, as the corners
# (numbered clockwise from the top) at its ends.
CORNERS = [(0, -1), (0.5, -0.5), (0.5, 0.5), (0, 1), (-0.5, 0.5), (-0.5, -0.5)]
NEIGHBOURS = {(1, -1): (0, 1), (1, 0): (1, 2), (0, 1): (2, 3), (-1, 1): (3, 4), (-1, 0): (4, 5)}
NEIGHBOURS[(0, -1)] = (5, 0)


def _corner(q: int, r: int, number: int) -> tuple[float, float]:
    dx, dy = CORNERS[number]
    return 10 * (q + r / 2) + 10 * dx, HEX_ROW * r + HEX_SIDE * dy


def hex_borders(chosen: list[Place], area: str) -> str:
    """A path along the edges between hexes of different nations (and, on the UK map,
    round London), so that a reader sees where Scotland ends."""

    def side(place: Place) -> tuple:
        return (place.nation, area == Area.UK and place.region_code == LONDON)

    at = {(p.hex_q, p.hex_r): p for p in chosen}
    edges = []
    for (q, r), place in at.items():
        for (dq, dr), (a, b) in NEIGHBOURS.items():
            other = at.get((q + dq, r + dr))
            if other is not None and side(other) != side(place) and (dq, dr) > (0, 0):
                (x1, y1), (x2, y2) = _corner(q, r, a), _corner(q, r, b)
                edges.append(f"M{_number(x1)} {_number(y1)}L{_number(x2)} {_number(y2)}")
    return "".join(edges)


@lru_cache(maxsize=64)
def _shapes(boundary_set: str, kind: str, area: str, version: tuple) -> tuple[dict, str, str]:
    """Paths by code, the viewBox and the borders of an area's cells (`version` keys the
    cache)."""
    chosen = [p for p in places(boundary_set).values() if p.in_area(area)]
    if kind == Kind.HEX:
        paths = {p.ons_code: hex_path(p.hex_q, p.hex_r) for p in chosen}
        xs = [10 * (p.hex_q + p.hex_r / 2) for p in chosen]
        ys = [HEX_ROW * p.hex_r for p in chosen]
        box = _view_box(min(xs) - 5, min(ys) - HEX_SIDE, max(xs) + 5, max(ys) + HEX_SIDE)
        return paths, box, hex_borders(chosen, area)
    boundaries = ConstituencyBoundary.objects.filter(
        constituency__boundary_set=boundary_set,
        constituency__ons_code__in=[p.ons_code for p in chosen],
    ).values_list("constituency__ons_code", "path", "min_x", "min_y", "max_x", "max_y")
    paths, bounds = {}, []
    for code, path, *box in boundaries:
        paths[code] = path
        bounds.append(box)
    box = _view_box(
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    )
    return paths, box, ""


def boundaries_version(boundary_set: str) -> tuple | None:
    """When the set's boundaries were imported, or None when it has none (one query)."""
    found = ConstituencyBoundary.objects.filter(constituency__boundary_set=boundary_set).aggregate(
        count=Count("pk"), latest=Max("imported_at")
    )
    return (found["count"], found["latest"]) if found["count"] else None


# --- values, classes and words ------------------------------------------------------------


def figure(value: float) -> str:
    """Two significant figures, with thousands separators: 5.2, 0.017, 12, 1,234."""
    if value <= 0:
        return "0"
    decimals = max(0, 1 - math.floor(math.log10(value)))
    return f"{value:,.{decimals}f}"


def class_breaks(values: Iterable[float], classes: int = CLASSES) -> list[float]:
    """Upper bounds of up to `classes` quantile classes of the non-zero values."""
    ordered = sorted(v for v in values if v > 0)
    if not ordered:
        return []
    breaks: list[float] = []
    for number in range(1, classes + 1):
        upper = ordered[math.ceil(number * len(ordered) / classes) - 1]
        if not breaks or upper > breaks[-1]:
            breaks.append(upper)
    return breaks


def quantile_class(value: float, breaks: list[float]) -> int:
    """0 for no signatures, else the number (from 1) of the class the value falls in."""
    if value <= 0 or not breaks:
        return 0
    return next((n for n, upper in enumerate(breaks, start=1) if value <= upper), len(breaks))


def colour_class(number: int, classes: int) -> int:
    """The colour (1 to 5) of class `number` of `classes`: fewer classes spread out."""
    if number == 0:
        return 0
    return round(1 + (number - 1) * (CLASSES - 1) / max(classes - 1, 1))


def member(mp: str) -> str:
    """An MP's name as the public site gives it, said once: "Jim Fitzpatrick MP"."""
    return mp if mp.rstrip().endswith(" MP") else f"{mp} MP"


def get_value(row, name: str):
    """A field of a breakdown row, whether an object or a mapping."""
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


def constituency_map(
    rows: Iterable,
    area: str = Area.UK,
    measure: str = Measure.RELATIVE,
    kind: str = Kind.HEX,
    when: dt.datetime | None = None,
) -> ConstituencyMap:
    """The map of a breakdown (see the module docstring)."""
    area = area if area in Area.values else Area.UK
    measure = measure if measure in Measure.values else Measure.RELATIVE
    kind = kind if kind in Kind.values else Kind.HEX
    by_code = {}
    for row in rows:
        code = get_value(row, "ons_code")
        if code:
            by_code[code] = row
    boundary_set = choose_boundary_set(by_code, when)
    known = places(boundary_set)
    version = boundaries_version(boundary_set)
    if kind == Kind.GEO and version is None:
        kind = Kind.HEX
    if not known:  # the facts are not migrated: an empty map, not an error
        paths, view_box, borders = {}, "0 0 1 1", ""
    else:
        paths, view_box, borders = _shapes(
            boundary_set, kind, area, version if kind == Kind.GEO else None
        )

    uk_total = sum(
        get_value(row, "signature_count") or 0 for code, row in by_code.items() if code in known
    )
    per_elector = all(place.electorate for place in known.values())
    if per_elector:
        relative_words, key_relative = "per 1,000 electors", "Signatures per 1,000 electors"
    else:
        relative_words, key_relative = "of UK signatures", "Share of the petition's UK signatures"

    def relative(place: Place, count: int) -> float:
        if per_elector:
            return count * 1000 / place.electorate
        return count * 100 / uk_total if uk_total else 0.0

    def relative_text(value: float) -> str:
        return (
            f"{figure(value)} {relative_words}"
            if per_elector
            else f"{figure(value)}% {relative_words}"
        )

    cells = []
    for code, path in paths.items():
        place = known[code]
        row = by_code.get(code)
        count = int(get_value(row, "signature_count") or 0) if row is not None else 0
        rate = relative(place, count)
        if count:
            mp = get_value(row, "mp")
            title = (
                f"{place.name}: {count:,} signature{'s' if count != 1 else ''}, "
                f"{relative_text(rate)}, {member(mp) if mp else 'no MP (seat vacant)'}"
            )
        else:
            mp, title = None, f"{place.name}: no signatures"
        value = rate if measure == Measure.RELATIVE else float(count)
        cells.append(Cell(code, place.name, path, "", title, count, value, mp))

    breaks = class_breaks(cell.value for cell in cells)
    members: dict[int, list[float]] = defaultdict(list)
    for cell in cells:
        number = quantile_class(cell.value, breaks)
        cell.css_class = f"c{colour_class(number, len(breaks))}"
        if number:
            members[number].append(cell.value)
    top_ten = sorted(
        (cell for cell in cells if cell.count),
        key=lambda cell: (-cell.value, -cell.count, cell.name),
    )[:TOP]
    for cell in top_ten:
        cell.is_top = True
        cell.css_class += " top"
    # Highlighted cells last, so that their outlines lie on top.
    cells.sort(key=lambda cell: (cell.is_top, cell.ons_code))

    def show(value: float) -> str:
        if measure == Measure.COUNT:
            return f"{int(value):,}"
        return figure(value) + ("" if per_elector else "%")

    for cell in top_ten:
        cell.shown = relative_text(cell.value) if measure == Measure.RELATIVE else show(cell.value)

    # Each class runs from where the one before it ends: above that, up to its own break.
    key = []
    for number in sorted(members):
        low = show(min(members[number])) if number == 1 else show(breaks[number - 2])
        high = show(breaks[number - 1])
        label = high if low == high else f"{low} to {high}"
        key.append(KeyItem(f"c{colour_class(number, len(breaks))}", label))
    key.append(KeyItem("c0", "No signatures"))
    key_title = key_relative if measure == Measure.RELATIVE else "Signatures"

    kind_words = "Hex map" if kind == Kind.HEX else "Map"
    with_signatures = sum(1 for cell in cells if cell.count)
    label = (
        f"{kind_words} of {AREA_NAMES[area]}: {len(cells)} constituencies coloured by "
        f"{key_title.lower()}; {with_signatures} have signatures"
    )
    result = ConstituencyMap(
        boundary_set=boundary_set,
        area=area,
        measure=measure,
        kind=kind,
        view_box=view_box,
        label=label,
        key_title=key_title,
        cells=cells,
        key=key,
        top_ten=top_ten,
        unmatched_codes=sorted(set(by_code) - set(known)),
        borders=borders,
    )
    relative_label = "Per 1,000 electors" if per_elector else "Share of signatures"
    options = {"area": area, "measure": measure, "kind": kind}

    def choice(name: str, value: str, label: str) -> Choice:
        query = urlencode({**options, name: value})
        return Choice(label, f"?{query}#{ANCHOR}", options[name] == value)

    result.area_choices = [choice("area", a.value, a.label) for a in Area]
    result.measure_choices = [
        choice("measure", Measure.RELATIVE, relative_label),
        choice("measure", Measure.COUNT, "Signatures"),
    ]
    if version is not None:
        result.kind_choices = [
            choice("kind", Kind.HEX, "Hex"),
            choice("kind", Kind.GEO, "Geographic"),
        ]
    return result


def petition_map(petition, params: Mapping[str, str], rows: Iterable | None = None):
    """The map of a petition, for the query string's area, measure and kind.

    Pass `rows` when the view already holds the petition's constituency breakdown, to
    save a query.
    """
    return constituency_map(
        petition.constituency_signatures.all() if rows is None else rows,
        area=params.get("area", Area.UK),
        measure=params.get("measure", Measure.RELATIVE),
        kind=params.get("kind", Kind.HEX),
        when=petition.opened_at or petition.created_at,
    )
