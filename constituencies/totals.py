"""Signatures by nation, and by region within England, for a petition's map page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from constituencies.areas import REGION_BY_CODE, REGION_BY_PETITION_CODE, REGIONS, Nation
from constituencies.maps import choose_boundary_set, get_value, places


@dataclass
class AreaTotal:
    name: str
    ons_code: str
    signature_count: int


@dataclass
class NationTotal(AreaTotal):
    regions: list[AreaTotal] = field(default_factory=list)  # England's nine regions


def area_totals(rows: Iterable, region_rows: Iterable = (), when=None) -> list[NationTotal]:
    """Signatures by nation, and by region within England.

    From the petition's own regional counts (`region_rows`: `petition.region_signatures`,
    coded by the public site's letters or by ONS codes) where it has them, else summed
    from its constituencies by our facts.
    """
    own = {}
    for row in region_rows:
        code = str(get_value(row, "ons_code") or "")
        region = REGION_BY_PETITION_CODE.get(code) or REGION_BY_CODE.get(code)
        if region is not None:
            own[region.ons_code] = int(get_value(row, "signature_count") or 0)
    if not own:
        rows = list(rows)
        known = places(choose_boundary_set((get_value(row, "ons_code") for row in rows), when))
        for row in rows:
            place = known.get(get_value(row, "ons_code"))
            if place is not None:
                own[place.region_code] = own.get(place.region_code, 0) + int(
                    get_value(row, "signature_count") or 0
                )
    regions = [AreaTotal(r.name, r.ons_code, own.get(r.ons_code, 0)) for r in REGIONS]
    english = [region for region in regions if region.ons_code.startswith("E")]
    nations = [
        NationTotal(
            Nation.ENGLAND.label, "E92000001", sum(r.signature_count for r in english), english
        )
    ]
    for region in regions:
        if not region.ons_code.startswith("E"):
            nations.append(NationTotal(region.name, region.ons_code, region.signature_count))
    return nations
