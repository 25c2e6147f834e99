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

Rendered pages are kept by address and ETag, so a page is rendered once per change, not
once per request: in each process's memory (its most-used pages), and with CACHE_URL set
(Redis, for example) in a cache that all app servers share. A kept page is never stale:
its ETag is checked against the database first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache, wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag

from petitions.models import ArchiveState, Petition, PetitionState

SETTLED_STATES = {PetitionState.CLOSED, PetitionState.REJECTED}


@dataclass
class PageVersion:
    """Which version of a page a response is: what its ETag and Last-Modified say, and
    whether it is settled (a closed or rejected petition's, which no longer changes)."""

    key: str
    last_modified: int | None = None
    settled: bool = False

    @property
    def etag(self) -> str:
        # With the day: pages tell where petitions stand today (a record of an open
        # petition reads as closed once its time has run out).
        return quote_etag(f"{self.key}-{settings.RELEASE}-{timezone.localdate():%Y%m%d}")


_PK = 2_147_483_641  # stands for the petition's number while the query is compiled


@cache
def _petition_version_query() -> tuple[str, list, int]:
    """The query of `petition_version`: compiled once from the ORM, so that it follows the
    models (their tables, which petitions are public), then run on every request for a
    page as plain SQL (about 0.2 ms instead of 1 ms on PostgreSQL). Returns the SQL, its
    parameters and where the petition's number goes among them."""
    queryset = (
        Petition.objects.visible()
        .filter(pk=_PK)
        .order_by()
        .values_list(
            "updated_at",
            "government_response__updated_at",
            "debate_outcome__updated_at",
            "state",
            Subquery(ArchiveState.objects.filter(pk=1).values("version")),
        )
    )
    sql, params = queryset.query.sql_with_params()
    params = list(params)
    return sql, params, params.index(_PK)


def _moment(value) -> dt.datetime | None:
    """A timestamp from a raw row: SQLite gives naive UTC datetimes (or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def petition_version(pk) -> PageVersion | None:
    """The version of a visible petition's pages, or None if there is no such petition.

    The last change of the petition, its government response or its debate outcome gives
    Last-Modified; the ETag also carries the archive's version, since a page shows a little
    of other rows too (its parliament, its department)."""
    sql, params, at = _petition_version_query()
    params = [*params[:at], pk, *params[at + 1 :]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    changed = max(moment for moment in map(_moment, row[:3]) if moment is not None)
    return PageVersion(
        key=f"p{pk}-{changed.timestamp():.6f}-a{row[4] or 0}",
        last_modified=int(changed.timestamp()),
        settled=row[3] in SETTLED_STATES,
    )


def archive_version() -> PageVersion:
    """The version of pages drawn from the whole archive (lists, the home page)."""
    return PageVersion(key=f"a{ArchiveState.current()}")


def serve_conditionally(request, version: PageVersion | None, render):
    """A 304, a page from the shared cache, or `render()`, sent with its ETag and
    Last-Modified."""
    if request.method not in ("GET", "HEAD") or version is None:
        return render()
    etag = version.etag
    response = get_conditional_response(request, etag=etag, last_modified=version.last_modified)
    if response is None:
        response = from_cache(request, etag, render)
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


LOCAL_MAX_BYTES = 1_000_000  # a page bigger than this is kept only in the shared cache


def page_caches():
    tiers = []
    if settings.PAGE_CACHE_LOCAL:
        tiers.append((caches["pages"], LOCAL_MAX_BYTES))
    if settings.PAGE_CACHE:
        tiers.append((caches["default"], None))
    return tiers


def from_cache(request, etag, render):
    """The page from the nearest cache that holds it, else `render()` (and keep it)."""
    # The whole address, host included: a page's links carry it, so one host's page must
    # never be served to another's reader.
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    key = f"page:{address}:{etag}"
    tiers = page_caches()
    for found_at, (tier, _) in enumerate(tiers):
        hit = tier.get(key)
        if hit is not None:
            for nearer, limit in tiers[:found_at]:
                if limit is None or len(hit[0]) <= limit:
                    nearer.set(key, hit, settings.PAGE_CACHE_SECONDS)
            return HttpResponse(hit[0], content_type=hit[1])
    response = render()
    if tiers and hasattr(response, "render"):
        response.render()
    if tiers and response.status_code == 200 and not response.streaming:
        kept = (response.content, response["Content-Type"])
        for tier, limit in tiers:
            if limit is None or len(kept[0]) <= limit:
                tier.set(key, kept, settings.PAGE_CACHE_SECONDS)
    return response


def conditional_petition(view):
    """For function views of one petition (keyword `pk`)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_conditionally(
            request, petition_version(kwargs["pk"]), lambda: view(request, *args, **kwargs)
        )

    return wrapper


def conditional_archive(view):
    """For function views drawn from the whole archive."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_conditionally(
            request, archive_version(), lambda: view(request, *args, **kwargs)
        )

    return wrapper


class ConditionalPetitionMixin:
    """For class-based views of one petition (URL keyword `pk`)."""

    def version(self, pk) -> PageVersion | None:
        return petition_version(pk)

    def dispatch(self, request, *args, **kwargs):
        def render():
            return super(ConditionalPetitionMixin, self).dispatch(request, *args, **kwargs)

        return serve_conditionally(request, self.version(kwargs["pk"]), render)


class ConditionalArchiveMixin:
    """For class-based views drawn from the whole archive."""

    def dispatch(self, request, *args, **kwargs):
        def render():
            return super(ConditionalArchiveMixin, self).dispatch(request, *args, **kwargs)

        return serve_conditionally(request, archive_version(), render)
