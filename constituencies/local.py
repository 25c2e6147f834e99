"""What a constituency signed: its facts, its MPs as the petitions recorded them, and the
petitions signed there, most signed there first.

Every constituency of both boundary sets is known in memory (`constituencies.maps.places`),
so the facts cost no query; a constituency's petitions are read in order from the index
on (ons_code, signature_count) of the breakdowns (`constituency_sigs_code_idx`), one page
at a time, never every breakdown. Its MPs do take every petition signed there to work out:
they are worked out once for each version of the archive and kept (KeptMembers), for every
constituency at once by `render_pages`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Sum
from django.db.models.functions import Coalesce

from constituencies.areas import REGION_BY_CODE, Nation
from constituencies.maps import places
from constituencies.models import BoundarySet, KeptMembers
from petitions.models import ConstituencySignatures
from petitions.states import PUBLIC_STATES

CODE = re.compile(r"[ENSW][0-9]{8}")
UTC = dt.UTC

# When each set's constituencies came into being and ended (general elections): the
# 2010–2024 set was first used on 6 May 2010, its Scottish seats on 5 May 2005; the 2024 set
# replaced it at the general election of 4 July 2024.
SET_DATES = {
    BoundarySet.SET_2010: (dt.date(2010, 5, 6), dt.date(2024, 7, 4)),
    BoundarySet.SET_2024: (dt.date(2024, 7, 4), None),
}
SCOTTISH_2005 = dt.date(2005, 5, 5)


@dataclass
class Member:
    """An MP as the petitions recorded one for the constituency, and over which petitions."""

    name: str | None  # None: the seat was recorded vacant
    first: dt.datetime
    last: dt.datetime
    petitions: int


@dataclass
class ConstituencyFacts:
    ons_code: str
    name: str
    nation: str
    region_code: str
    boundary_sets: list[str]  # one, or both for the five unchanged Scottish seats
    electorate: int | None
    start_date: dt.date
    end_date: dt.date | None
    followed_by: list[ConstituencyFacts] = field(default_factory=list)
    preceded_by: list[ConstituencyFacts] = field(default_factory=list)

    @property
    def nation_name(self) -> str:
        return Nation(self.nation).label

    @property
    def region_name(self) -> str:
        region = REGION_BY_CODE.get(self.region_code)
        return region.name if region else ""

    @property
    def in_england(self) -> bool:
        return self.nation == Nation.ENGLAND

    @property
    def boundary_set_label(self) -> str:
        if len(self.boundary_sets) > 1:
            return "2010–2024 and 2024 boundaries (unchanged in 2024)"
        return BoundarySet(self.boundary_sets[0]).label

    @property
    def current(self) -> bool:
        return self.end_date is None


@lru_cache(maxsize=4096)  # the two boundary sets' names, over and over (and searches: bounded)
def normalised(text: str) -> str:
    """Lower case, no accents or punctuation, "&" as "and": how names are compared."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _dates(code: str, sets: list[str]) -> tuple[dt.date, dt.date | None]:
    if len(sets) > 1:
        return SCOTTISH_2005, None
    start, end = SET_DATES[sets[0]]
    if sets[0] == BoundarySet.SET_2010 and code.startswith("S"):
        start = SCOTTISH_2005
    return start, end


def facts(code: str) -> ConstituencyFacts | None:
    sets = [s for s in BoundarySet.values if code in places(s)]
    if not sets:
        return None
    place = places(sets[-1])[code]
    start, end = _dates(code, sets)
    return ConstituencyFacts(
        ons_code=code,
        name=place.name,
        nation=place.nation,
        region_code=place.region_code,
        boundary_sets=sets,
        electorate=place.electorate,
        start_date=start,
        end_date=end,
    )


def constituency(code: str) -> ConstituencyFacts | None:
    """The constituency with this ONS code in either set (no query once facts are read),
    with the constituencies of the other set that share its code or its name."""
    if not CODE.fullmatch(code or ""):
        return None
    found = facts(code)
    if found is None or len(found.boundary_sets) > 1:
        return found
    other = (
        BoundarySet.SET_2024
        if found.boundary_sets[0] == BoundarySet.SET_2010
        else BoundarySet.SET_2010
    )
    name = normalised(found.name)
    related = [facts(p.ons_code) for p in places(other).values() if normalised(p.name) == name]
    if other == BoundarySet.SET_2024:
        found.followed_by = related
    else:
        found.preceded_by = related
    return found


def all_codes() -> set[str]:
    """The ONS code of every constituency of both sets, each once."""
    return {code for boundary_set in BoundarySet.values for code in places(boundary_set)}


def all_constituencies() -> list[ConstituencyFacts]:
    """Every constituency of both sets, each code once, by name."""
    return sorted(
        (facts(code) for code in all_codes()), key=lambda c: (normalised(c.name), c.start_date)
    )


def _close(word: str, candidates: list[str]) -> bool:
    for candidate in candidates:
        if len(word) >= 3 and candidate.startswith(word):
            return True
        if len(word) >= 4 and difflib.SequenceMatcher(None, word, candidate).ratio() >= 0.8:
            return True
    return False


def search(text: str) -> list[ConstituencyFacts]:
    """Constituencies whose name holds `text`, or, failing that, whose words are near every
    word of it ("poplar", "limehouse", "popler and lime")."""
    wanted = normalised(text)
    if not wanted:
        return []
    everything = all_constituencies()
    exact = [c for c in everything if wanted in normalised(c.name)]
    if exact:
        return exact
    words = [w for w in wanted.split() if w != "and"]
    return [
        c for c in everything if words and all(_close(w, normalised(c.name).split()) for w in words)
    ]


def members(code: str) -> list[Member]:
    """The MPs the archive's petitions recorded for the constituency, earliest first, with
    the dates of the first and last petition that named each (one query)."""
    return _members_by_code(ConstituencySignatures.objects.filter(ons_code=code)).get(code, [])


def _members_by_code(rows) -> dict[str, list[Member]]:
    """The MPs of each constituency among breakdown `rows` (one query, grouped)."""
    grouped = (
        rows.filter(petition__state__in=PUBLIC_STATES)
        .order_by()
        .values("ons_code", "mp")
        .annotate(
            first=Min(Coalesce("petition__opened_at", "petition__created_at")),
            last=Max(Coalesce("petition__opened_at", "petition__created_at")),
            # Rows, not ids: the MPs and their petitions are read from the index alone.
            petitions=Count("*"),
        )
    )
    found: dict[str, list[Member]] = {}
    for row in grouped:
        member = Member(row["mp"], row["first"], row["last"], row["petitions"])
        found.setdefault(row["ons_code"], []).append(member)
    for code_members in found.values():
        code_members.sort(key=lambda m: (m.first, m.name or ""))
    return found


def kept_members(code: str, version: str) -> list[Member]:
    """The constituency's MPs for this version of the archive (`archive_version().key`, read
    before them) and this release: as kept (KeptMembers), or worked out and kept."""
    kept = (
        KeptMembers.objects.filter(ons_code=code, version=_stamp(version))
        .values_list("members", flat=True)
        .first()
    )
    if kept is not None:  # (an empty list: nobody signed there)
        return [_member(values) for values in kept]
    found = members(code)
    _keep({code: found}, version)
    return found


def keep_every_members(version: str) -> int:
    """Work out and keep every constituency's MPs for this version of the archive (one
    query over every breakdown, which is much less than one a constituency); how many
    constituencies. Read `version` first: MPs kept under a version they are newer than are
    never read, while older ones would be."""
    found = _members_by_code(ConstituencySignatures.objects.all())
    codes = all_codes()
    _keep({code: found.get(code, []) for code in codes}, version)
    return len(codes)


def _stamp(version: str) -> str:
    return f"{version} {settings.RELEASE}"  # a release may work them out otherwise


def _keep(found: dict[str, list[Member]], version: str) -> None:
    KeptMembers.objects.bulk_create(
        [
            KeptMembers(
                ons_code=code,
                version=_stamp(version),
                members=[
                    [m.name, m.first.isoformat(), m.last.isoformat(), m.petitions] for m in ms
                ],
            )
            for code, ms in found.items()
        ],
        update_conflicts=True,
        unique_fields=["ons_code"],
        update_fields=["version", "members"],
        batch_size=500,
    )


def _member(values: list) -> Member:
    name, first, last, petitions = values
    return Member(
        name, dt.datetime.fromisoformat(first), dt.datetime.fromisoformat(last), petitions
    )


def signed_here(code: str):
    """The breakdown rows of the constituency, with their petitions, most signed first."""
    return (
        ConstituencySignatures.objects.filter(ons_code=code, petition__state__in=PUBLIC_STATES)
        .select_related("petition__parliament")
        .only(
            "ons_code",
            "signature_count",
            "petition__id",
            "petition__action",
            "petition__state",
            "petition__signature_count",
            "petition__opened_at",
            "petition__created_at",
            "petition__updated_at",
            "petition__closed_at",
            "petition__rejected_at",
            "petition__parliament__period",
            "petition__parliament__dissolution_at",
            "petition__parliament__petition_duration",
        )
        .order_by("-signature_count", "petition_id")
    )


def uk_totals(petition_ids) -> dict[int, int]:
    """Each petition's signatures from UK constituencies (one query, by the breakdowns'
    primary key, which begins with the petition)."""
    rows = (
        ConstituencySignatures.objects.filter(petition_id__in=list(petition_ids))
        .order_by()
        .values("petition_id")
        .annotate(total=Sum("signature_count"))
    )
    return {row["petition_id"]: row["total"] or 0 for row in rows}


def weight(facts: ConstituencyFacts) -> tuple[float, str]:
    """The constituency's share of the UK, and what it is a share of: its electorate
    among its set's, or, where any electorate is unknown, one of the set's constituencies."""
    boundary_set = facts.boundary_sets[-1]
    known = places(boundary_set)
    electorates = [p.electorate for p in known.values()]
    if facts.electorate and all(electorates):
        return facts.electorate / sum(electorates), "electorate"
    return 1 / len(known), "constituencies"


def leaning(local: int, uk_total: int, share: float) -> float | None:
    """How strongly the place leaned in: its share of the petition's UK signatures over its
    share of the UK (1 is as the UK as a whole; 2 twice as strongly)."""
    if not uk_total or not share:
        return None
    return (local / uk_total) / share


MEMBER_CHUNK = 20  # petitions read at a time when looking for each seat's latest MP
MEMBER_CHUNKS = 5  # at most this many reads, whatever the archive holds


def latest_members(petitions, codes) -> dict[str, str | None]:
    """The MP the latest of `petitions` recorded for each of `codes` (as far as the latest
    MEMBER_CHUNK × MEMBER_CHUNKS petitions with breakdowns tell): a bounded number of
    queries, whatever the data."""
    wanted = set(codes)
    found: dict[str, str | None] = {}
    with_breakdowns = (
        petitions.filter(Exists(ConstituencySignatures.objects.filter(petition=OuterRef("pk"))))
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    for chunk in range(MEMBER_CHUNKS):
        ids = list(with_breakdowns[chunk * MEMBER_CHUNK : (chunk + 1) * MEMBER_CHUNK])
        if not ids:
            break
        order = {pk: n for n, pk in enumerate(ids)}
        rows = ConstituencySignatures.objects.filter(
            petition_id__in=ids, ons_code__in=wanted - set(found)
        ).values_list("petition_id", "ons_code", "mp")
        for _, code, mp in sorted(rows, key=lambda row: order[row[0]]):
            found.setdefault(code, mp)
        if wanted <= set(found):
            break
    return found
