"""HTTP caching of the archive's pages and documents.

Every cacheable page answers conditional requests. A page about one petition takes its
ETag and Last-Modified from the latest change to that petition, its government response
or its debate outcome (one small query); lists and the home page take theirs from the
archive's version, which database triggers raise on any change (petitions.ArchiveState).
So an edit in the admin, an import or a loaddata changes what is served at once.

Closed and rejected petitions no longer change on the public site: their pages are sent
with a lifetime that a shared cache (a CDN) may honour (s-maxage), while browsers revalidate
every time, so that an editor's change shows on the next visit. Everything else must be
revalidated by everyone.

Rendered pages are kept by address and ETag, gzip-compressed, so a page is rendered once
per change, not once per request: in each process's memory (its most-used pages), with
CACHE_URL set (Redis, for example) in a cache that all app servers share, and in the
database (StoredPage), where `manage.py render_pages` puts every petition's pages ahead of
their readers: a petition nobody has opened is then one indexed read too. A kept page is
never stale: its ETag is checked against the database first. A petition's stored page
carries the generation it was rendered from (PageGeneration, which triggers raise on every
row the page shows), so while it is current it is served with no other read.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from dataclasses import dataclass, field
from functools import cache, cached_property, wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag

from petitions.models import (
    ArchiveState,
    PageGeneration,
    Petition,
    PetitionState,
    StoredPage,
)
from petitions.params import whole_number
from petitions.precompiled import OnePetition, prepared_cursor

SETTLED_STATES = {PetitionState.CLOSED, PetitionState.REJECTED}
UNREAD = object()  # a PageVersion whose stored page was not read with it


@dataclass
class PageVersion:
    """Which version of a page a response is: what its ETag and Last-Modified say, and
    whether it is settled (a closed or rejected petition's, which no longer changes)."""

    key: str
    last_modified: int | None = None
    settled: bool = False
    daily: bool = True  # what the page says may change with the day (where things stand)
    # The page kept in the database, when it was read with the version (one query instead
    # of two): its row (ETag, type, body), or None if there is none.
    stored: tuple | None = field(default=UNREAD, repr=False)
    # A petition's page: its petition, and the generations it is rendered from (what a
    # stored page records, to be served on its own while they stay the petition's).
    petition: int | None = None
    generation: int = 0
    reference: int = 0
    # The stored page is this version's, known without reading the petition (its
    # generations are the petition's): serve it as it is.
    current: bool = False

    @cached_property
    def day(self) -> int | None:
        """Today (YYYYMMDD) for a page that tells where petitions stand today (a record of
        an open petition reads as closed once its time has run out), else None. Read once,
        so that a page stored at midnight records the day its ETag names."""
        return today() if self.daily else None

    @property
    def etag(self) -> str:
        if self.current:
            return self.stored[0]  # as it was sent when the page was stored
        day = f"-{self.day}" if self.daily else ""
        return quote_etag(f"{self.key}-{settings.RELEASE}{day}")


def today() -> int:
    return int(f"{timezone.localdate():%Y%m%d}")


# The query of `petition_version`: compiled once from the ORM (petitions.precompiled), so
# that it follows the models (their tables, which petitions are public), then run on every
# request for a page as plain SQL (about 0.2 ms instead of 1 ms on PostgreSQL), on its own
# or within `_petition_page_query`.
VERSION = OnePetition(
    lambda pk: (
        Petition.objects.visible()
        .filter(pk=pk)
        .order_by()
        .values_list(
            "updated_at",
            "government_response__updated_at",
            "debate_outcome__updated_at",
            "state",
            Subquery(ArchiveState.objects.filter(pk=1).values("reference_version")),
            "scheduled_debate_date",
            # Raised by every write to a row the pages show, whoever makes it, `updated_at`
            # or not (a harvest's new signature point, a plain UPDATE).
            Subquery(PageGeneration.objects.filter(pk=OuterRef("pk")).values("generation")),
        )
    )
)


def _moment(value) -> dt.datetime | None:
    """A timestamp from a raw row: SQLite gives naive UTC datetimes (or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


@cache
def _petition_page_query() -> str:
    """The query of `petition_version` with a stored page. A stored page whose generations
    are still the petition's (and whose release and day are today's) is read on its own:
    two index probes. Only when there is none does the full version run (NOT EXISTS gates
    it), with the page stored at that key, whatever it was rendered from. One query either
    way. Parameters: the page's key, the petition, the release, today, the version's own,
    the page's key again."""
    quote = connection.ops.quote_name
    page, generation, state = (
        quote(model._meta.db_table) for model in (StoredPage, PageGeneration, ArchiveState)
    )
    version_sql = VERSION.compiled.sql
    nothing = ", ".join(["NULL"] * VERSION.compiled.columns)
    sql = f"""
        WITH current AS (
            SELECT page.version, page.last_modified, page.settled, page.day,
                page.etag, page.content_type, page.body
            FROM {page} page
            JOIN {state} state ON state.id = 1 AND state.reference_version = page.reference
            LEFT JOIN {generation} generation ON generation.petition_id = page.petition_id
            WHERE page.key = %s AND page.petition_id = %s AND page.release = %s
                AND (page.day IS NULL OR page.day = %s)
                AND page.generation = COALESCE(generation.generation, 0)
        )
        SELECT current.*, {nothing} FROM current
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, page.etag, page.content_type, page.body, version.*
        FROM ({version_sql}) version LEFT JOIN {page} page ON page.key = %s
        WHERE NOT EXISTS (SELECT 1 FROM current)"""
    return " ".join(sql.split())


def petition_version(pk, page_key: str | None = None) -> PageVersion | None:
    """The version of a visible petition's pages, or None if there is no such petition.

    The last change of the petition, its government response or its debate outcome gives
    Last-Modified; the ETag also carries the version of the other rows a page shows a little
    of (its parliament, its department), the petition's generation (every write to a row
    its pages show raises it) and the day for a petition recorded open. With `page_key`,
    the page stored at that key is read in the same query: on its own, with what it was
    rendered from, while it is current."""
    sql, params = VERSION.compiled.sql, VERSION.params(pk)
    if page_key is not None:
        sql = _petition_page_query()
        params = [page_key, pk, settings.RELEASE, today(), *params, page_key]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    stored = UNREAD
    if page_key is not None:
        if row[0] is not None:  # a stored page that is current: what it was rendered from
            return PageVersion(
                key=row[0],
                last_modified=row[1],
                settled=bool(row[2]),
                daily=row[3] is not None,
                stored=row[4:7],
                petition=pk,
                current=True,
            )
        stored, row = (row[4:7] if row[4] is not None else None), row[7:]
    changed = max(moment for moment in map(_moment, row[:3]) if moment is not None)
    return PageVersion(
        key=f"p{pk}-{changed.timestamp():.6f}-r{row[4] or 0}-g{row[6] or 0}",
        last_modified=int(changed.timestamp()),
        settled=row[3] in SETTLED_STATES,
        # Recorded open, or a debate to come: what the page says changes with the day.
        daily=row[3] == PetitionState.OPEN or _debate_to_come(row[5]),
        stored=stored,
        petition=pk,
        generation=row[6] or 0,
        reference=row[4] or 0,
    )


def _debate_to_come(day) -> bool:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return day is not None and day >= timezone.localdate()


def archive_version(page_key: str | None = None) -> PageVersion:
    """The version of pages drawn from the whole archive (lists, the home page). With
    `page_key`, the page stored at that key is read in the same query."""
    if page_key is None:
        return PageVersion(key=f"a{ArchiveState.current()}")
    state = connection.ops.quote_name(ArchiveState._meta.db_table)
    table = connection.ops.quote_name(StoredPage._meta.db_table)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT state.version, page.etag, page.content_type, page.body FROM {state} state "
            f"LEFT JOIN {table} page ON page.key = %s WHERE state.id = 1",
            [page_key],
        )
        row = cursor.fetchone()
    if row is None:
        return PageVersion(key="a0", stored=None)
    return PageVersion(key=f"a{row[0]}", stored=row[1:] if row[1] is not None else None)


def serve_conditionally(request, version: PageVersion | None, render):
    """A 304, a page from the shared cache, or `render()`, sent with its ETag and
    Last-Modified."""
    if request.method not in ("GET", "HEAD") or version is None:
        return render()
    request.page_version = version  # for what a view keeps of its own (list facet counts)
    etag = version.etag
    response = get_conditional_response(request, etag=etag, last_modified=version.last_modified)
    if response is None:
        response = from_cache(request, version, render)
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if version.last_modified:
            response["Last-Modified"] = http_date(version.last_modified)
        if version.settled:
            # Shared caches (a CDN) may keep it; a browser asks again (a 304 when unchanged),
            # so an editor's change shows on the next visit.
            patch_cache_control(response, public=True, max_age=0, s_maxage=settings.SETTLED_MAX_AGE)
        else:
            patch_cache_control(response, public=True, no_cache=True)
    return response


LOCAL_MAX_BYTES = 200_000  # a (compressed) page bigger than this is not kept in memory


@dataclass(frozen=True)
class Kept:
    """A rendered page as kept: its body gzip-compressed, and its type."""

    body: bytes
    content_type: str

    @classmethod
    def of(cls, response) -> Kept:
        return cls(gzip.compress(response.content, compresslevel=6), response["Content-Type"])

    @classmethod
    def of_row(cls, row) -> Kept:
        """A stored page as read with its ETag: (etag, content type, body)."""
        return cls(bytes(row[2]), row[1])

    def response(self, request) -> HttpResponse:
        """The page, sent compressed to a client that takes gzip."""
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(self.body, content_type=self.content_type)
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(gzip.decompress(self.body), content_type=self.content_type)
        response["Vary"] = "Accept-Encoding"
        return response


class CacheTier:
    """A Django cache (each process's memory, or Redis) keeping pages by address (or what a
    page is made from, by name): the latest ETag's only, so a changed page replaces the old
    one rather than lying beside it."""

    def __init__(self, cache, limit: int | None):
        self.cache, self.limit = cache, limit

    def holds(self, key: str) -> bool:
        return self.cache.has_key(f"page:{key}")

    def get(self, key: str, etag: str):
        found = self.cache.get(f"page:{key}")
        return found[1] if found is not None and found[0] == etag else None

    def set(self, key: str, etag: str, kept) -> None:
        if self.limit is None or len(kept.body) <= self.limit:
            self.cache.set(f"page:{key}", (etag, kept), settings.PAGE_CACHE_SECONDS)


class StoreTier:
    """Pages kept in the database (StoredPage), one row an address: shared by every worker
    and kept across restarts; a row of another ETag is stale and is replaced. A petition's
    page is stored with what it was rendered from (`version`), so that it is served on its
    own while that stays current."""

    # What a page records of its version, beside the page itself.
    RECORDED = ["petition_id", "generation", "reference", "release", "day", "version"]
    RECORDED += ["last_modified", "settled"]

    def __init__(self, version: PageVersion):
        self.version = version

    def get(self, key: str, etag: str) -> Kept | None:
        row = self.version.stored
        if row is UNREAD:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT etag, content_type, body FROM {self.table()} WHERE key = %s", [key]
                )
                row = cursor.fetchone()
        if row is None or row[0] != etag:
            return None
        return Kept.of_row(row)

    def set(self, key: str, etag: str, kept: Kept) -> None:
        columns = ["key", "etag", "content_type", "body", "stored_at", *self.RECORDED]
        updated = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table()} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))}) "
                f"ON CONFLICT (key) DO UPDATE SET {updated}",
                [key, etag, kept.content_type, kept.body, timezone.now(), *self.recorded()],
            )

    def recorded(self) -> list:
        version = self.version
        if version.petition is None:  # a page drawn from the whole archive
            return [None, None, None, "", None, "", None, False]
        return [
            version.petition,
            version.generation,
            version.reference,
            settings.RELEASE,
            version.day,
            version.key,
            version.last_modified,
            version.settled,
        ]

    @staticmethod
    def table() -> str:
        return connection.ops.quote_name(StoredPage._meta.db_table)


# The only query strings whose pages are stored: a facet, and a page (or a page size) within
# bounds. A search, another filter, a map's options or anything a client makes up is kept
# in memory only: stored, there would be no end to them.
STORED_PARAMETERS = {"state": None, "page": 40, "count": 50}


def storable(request) -> bool:
    for name, values in request.GET.lists():
        bound = STORED_PARAMETERS.get(name, 0)
        if bound == 0 or len(values) != 1:
            return False
        if bound and whole_number(values[0], minimum=1, maximum=bound) is None:
            return False
    return True


def local_tier() -> CacheTier | None:
    return CacheTier(caches["pages"], LOCAL_MAX_BYTES) if settings.PAGE_CACHE_LOCAL else None


def page_tiers(request, version: PageVersion) -> list:
    """Where rendered pages are kept, nearest first."""
    tiers = [local_tier()]
    if settings.PAGE_CACHE:
        tiers.append(CacheTier(caches["default"], None))
    if settings.PAGE_STORE and storable(request):
        tiers.append(StoreTier(version))
    return [tier for tier in tiers if tier is not None]


def page_key(request) -> str:
    """Where a page is kept: the whole address, host included (a page's links carry it, so
    one host's page must never be served to another's reader). Worked out once a request."""
    key = getattr(request, "_page_key", None)
    if key is None:
        key = request._page_key = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return key


def stored_page_key(request, local_first: bool = True) -> str | None:
    """The key of the request's stored page, to read with the page's version (one query),
    when the page may be stored and (`local_first`) this process does not keep it
    already. A petition's page reads its stored page whatever this process keeps: while it
    is current, that is cheaper than the petition's version."""
    if request.method not in ("GET", "HEAD") or not settings.PAGE_STORE or not storable(request):
        return None
    key = page_key(request)
    local = local_tier() if local_first else None
    return None if local is not None and local.holds(key) else key


def nearest(tiers: list, key: str, etag: str):
    """What the nearest of `tiers` keeps at `key` for `etag`, copied into the nearer ones;
    None if none keeps it."""
    for found_at, tier in enumerate(tiers):
        found = tier.get(key, etag)
        if found is not None:
            for nearer in tiers[:found_at]:
                nearer.set(key, etag, found)
            return found
    return None


def from_cache(request, version: PageVersion, render):
    """The page from the nearest tier that holds it, else `render()` (and keep it)."""
    if version.current:  # the stored page, read with the version
        return Kept.of_row(version.stored).response(request)
    etag = version.etag
    key = page_key(request)
    tiers = page_tiers(request, version)
    kept = nearest(tiers, key, etag)
    if kept is not None:
        return kept.response(request)
    response = render()
    if tiers and hasattr(response, "render"):
        response.render()
    if tiers and response.status_code == 200 and not response.streaming:
        kept = Kept.of(response)
        for tier in tiers:
            tier.set(key, etag, kept)
    return response


def kept_for_version(request, key: str, compute):
    """What `compute()` returns (a list's facet counts, a constituency's MPs, the choices of
    a list's selects), kept for the version of the request's page, in this process's memory
    and in the shared cache if there is one: the pages of one list or one constituency share
    it, and any change to the archive is a new version. None is not kept (the filters were
    not valid)."""
    version = getattr(request, "page_version", None)
    if version is None:
        return compute()
    tiers = [CacheTier(caches["pages"], None)]
    if settings.PAGE_CACHE:
        tiers.append(CacheTier(caches["default"], None))
    found = nearest(tiers, key, version.etag)
    if found is None:
        found = compute()
        if found is not None:
            for tier in tiers:
                tier.set(key, version.etag, found)
    return found


def conditional_petition(view):
    """For function views of one petition (keyword `pk`)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        version = petition_version(kwargs["pk"], stored_page_key(request, local_first=False))
        return serve_conditionally(request, version, lambda: view(request, *args, **kwargs))

    return wrapper


def conditional_archive(view):
    """For function views drawn from the whole archive."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_conditionally(
            request,
            archive_version(stored_page_key(request)),
            lambda: view(request, *args, **kwargs),
        )

    return wrapper


class ConditionalPetitionMixin:
    """For class-based views of one petition (URL keyword `pk`)."""

    def version(self, pk) -> PageVersion | None:
        return petition_version(pk, stored_page_key(self.request, local_first=False))

    def dispatch(self, request, *args, **kwargs):
        def render():
            return super(ConditionalPetitionMixin, self).dispatch(request, *args, **kwargs)

        return serve_conditionally(request, self.version(kwargs["pk"]), render)


class ConditionalArchiveMixin:
    """For class-based views drawn from the whole archive."""

    def dispatch(self, request, *args, **kwargs):
        def render():
            return super(ConditionalArchiveMixin, self).dispatch(request, *args, **kwargs)

        return serve_conditionally(request, archive_version(stored_page_key(request)), render)
