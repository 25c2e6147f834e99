"""Nations, regions and the areas a constituency map can show.

Facts, not design: the ONS codes and names of the UK's nations and of England's nine
regions, with the letters that the public petitions site's `signatures_by_region` uses
for the same regions (its data of 2020 and later).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


NATION_BY_CODE_LETTER = {
    "E": Nation.ENGLAND,
    "S": Nation.SCOTLAND,
    "W": Nation.WALES,
    "N": Nation.NORTHERN_IRELAND,
}


@dataclass(frozen=True)
class Region:
    ons_code: str
    name: str
    petition_code: str  # the letter in the public site's signatures_by_region


REGIONS = [
    Region("E12000001", "North East", "A"),
    Region("E12000002", "North West", "B"),
    Region("E12000003", "Yorkshire and The Humber", "D"),
    Region("E12000004", "East Midlands", "E"),
    Region("E12000005", "West Midlands", "F"),
    Region("E12000006", "East of England", "G"),
    Region("E12000007", "London", "H"),
    Region("E12000008", "South East", "J"),
    Region("E12000009", "South West", "K"),
    Region("W92000004", "Wales", "L"),
    Region("S92000003", "Scotland", "M"),
    Region("N92000002", "Northern Ireland", "N"),
]
REGION_BY_CODE = {region.ons_code: region for region in REGIONS}
REGION_BY_PETITION_CODE = {region.petition_code: region for region in REGIONS}
LONDON = "E12000007"


class Area(models.TextChoices):
    """What a map can zoom to: the UK, one nation, or London."""

    UK = "uk", "UK"
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"
    LONDON = "london", "London"
