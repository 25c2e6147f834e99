"""Harvest the public petitions site: politely, incrementally, resumably.

Another reader of the public site, built on the import's stages: what it fetches is read
as a file is (``exchange.read``: bounds, broken JSON said with its line and column),
parsed and checked by ``exchange.parse`` and written by ``exchange.write.Writer``. A
hostile site is just another hostile file: a document refused is named by its address and
the JSON path of what is wrong.

- ``Site`` fetches politely: at most `rate` requests a second on one kept-alive
  connection, a User-Agent that names the archive and a contact address, `Retry-After`
  obeyed on 429 and 503, and 5xx, timeouts, dropped connections and bodies that are not
  complete JSON tried again with backoff and jitter, a bounded number of times.
- ``Harvester`` walks each listing (``/petitions.json?state=all``, and
  ``/archived/petitions.json?parliament=N&state=all`` for each parliament) page by page
  through `links.next`, and fetches a petition's own document only when the list shows it
  new or changed (its `updated_at` or `signature_count` differs from ours).
- A page is one batch: its petitions, the listing's cursor (``HarvestCursor``) and the
  page's validators (``HarvestPage``) are written in one transaction, after its documents
  are fetched. A run stopped anywhere loses at most that page, and the next run continues
  from the cursor; a page unchanged since it was harvested in full answers 304.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from django.db import transaction

from exchange import values as check
from exchange.format import LIST
from exchange.models import MAX_URL, HarvestCursor, HarvestPage
from exchange.parse import parse_document, parse_petition
from exchange.read import JsonStream
from exchange.records import InvalidDocument, PetitionRecord
from exchange.write import Writer
from petitions.models import Parliament, Petition, SignaturePoint
from petitions.params import whole_number

MAX_BODY = 64 * 2**20  # bytes of one answer: a list page of 50 is ~250 KB
MAX_PAGES = 10_000  # pages of one listing in one run (the public site has a few hundred)
MAX_WAIT = 600.0  # seconds: the longest Retry-After obeyed; a longer one is capped
MAX_BACKOFF = 120.0  # seconds: the longest wait between two attempts at a failing document
MAX_ETAG = HarvestPage._meta.get_field("etag").max_length
MAX_LAST_MODIFIED = HarvestPage._meta.get_field("last_modified").max_length
RETRIED_STATUSES = {429, 500, 502, 503, 504}


class Unreachable(Exception):
    """A document that could not be fetched after every attempt; the message says why."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass
class Fetched:
    """A document as fetched: None when the site answered 304 (unchanged)."""

    document: Any
    etag: str = ""
    last_modified: str = ""


class Site:
    """One polite client of the public site (see the module's docstring).

    `sleep`, `clock` and `jitter` are there for the tests: a run against a stand-in need
    not wait for real.
    """

    def __init__(
        self,
        base: str,
        *,
        contact: str,
        rate: float = 2.0,
        attempts: int = 5,
        backoff: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ):
        self.base = base.rstrip("/")
        self.origin = urlsplit(self.base)[:2]
        self.interval = 1.0 / rate
        self.attempts = attempts
        self.backoff = backoff
        self.sleep, self.clock, self.jitter = sleep, clock, jitter
        self.last_request: float | None = None
        self.requests = 0
        self.retries = 0
        self.client = httpx.Client(
            headers={
                "User-Agent": f"Petition Archive harvester (+{contact})",
                "Accept": "application/json",
            },
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    def close(self) -> None:
        self.client.close()

    def url(self, path: str, **query) -> str:
        return f"{self.base}{path}" + (f"?{urlencode(query)}" if query else "")

    def is_ours(self, url: str) -> bool:
        """Whether an address the site gave is on the site (never follow one elsewhere)."""
        parts = urlsplit(url)
        return parts[:2] == self.origin and len(url) <= MAX_URL

    def fetch(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        """The JSON document at `url` (None if unchanged since these validators); raises
        Unreachable after the last attempt, or at once for an answer no retry can mend."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in range(1, self.attempts + 1):
            wait, problem = self._attempt(url, headers, attempt)
            if isinstance(wait, Fetched):
                return wait
            if attempt == self.attempts:
                break
            self.retries += 1
            self.sleep(wait)
        raise Unreachable(url, f"{problem} (after {self.attempts} attempts)")

    def _attempt(self, url: str, headers: dict, attempt: int) -> tuple[Fetched | float, str]:
        """One request (the `attempt`th for this document): (the document, "") or (seconds
        to wait before the next, the problem)."""
        self._keep_rate()
        self.requests += 1
        # Twice as long after each failure of this document, jittered to between a half
        # and one and a half times that, and never more than MAX_BACKOFF.
        backoff = min(self.backoff * 2 ** (attempt - 1), MAX_BACKOFF) * (0.5 + self.jitter())
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304:
                    if not headers:  # nothing to be unchanged from: no retry mends that
                        raise Unreachable(url, "HTTP 304 to a request that was not conditional")
                    return Fetched(None), ""
                if status != 200:
                    self._body(url, response)  # read, so that the connection stays open
                if status in RETRIED_STATUSES:
                    after = retry_after(response.headers.get("Retry-After"))
                    if after is not None and status in (429, 503):
                        return min(after, MAX_WAIT), f"HTTP {status}"
                    return backoff, f"HTTP {status}"
                if status != 200:
                    raise Unreachable(url, f"HTTP {status}")
                body = self._body(url, response)
                etag = response.headers.get("ETag", "")
                modified = response.headers.get("Last-Modified", "")
        except httpx.TimeoutException:
            return backoff, "timed out"
        except httpx.TransportError as error:
            return backoff, f"the connection failed ({type(error).__name__}: {error})"
        try:
            document = read_body(url, body)
        except InvalidDocument as problem:  # broken or cut short: perhaps whole next time
            return backoff, f"not a complete JSON document ({problem})"
        # Validators are kept only as sent: one too long to keep would never match again.
        etag = etag if len(etag) <= MAX_ETAG else ""
        modified = modified if len(modified) <= MAX_LAST_MODIFIED else ""
        return Fetched(document, etag, modified), ""

    def _body(self, url: str, response: httpx.Response) -> bytes:
        declared = whole_number(response.headers.get("Content-Length"))
        if declared is not None and declared > MAX_BODY:
            raise Unreachable(url, f"a body of {declared:,} bytes, more than any page")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY:
                raise Unreachable(url, f"a body of more than {MAX_BODY:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _keep_rate(self) -> None:
        now = self.clock()
        if self.last_request is not None:
            wait = self.last_request + self.interval - now
            if wait > 0:
                self.sleep(wait)
                now += wait
        self.last_request = now


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds, or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if (seconds := whole_number(value, maximum=999_999_999)) is not None:
        return float(seconds)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - time.time())


def read_body(url: str, body: bytes) -> Any:
    """The JSON document of a body, read as a file is: bounds, broken JSON said with its
    line and column; raises InvalidDocument."""
    with JsonStream(url, data=body, whole=True) as stream:
        for value in stream:
            return value.value
    raise InvalidDocument("$", "no JSON document")


@dataclass
class Summary:
    pages: int = 0
    pages_unchanged: int = 0  # answered 304
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    points: int = 0
    refused: int = 0
    failed: int = 0  # documents that could not be fetched
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.refused or self.failed)


@dataclass
class Listing:
    """A list of the public site: its first page, and what kind its petitions are."""

    name: str
    first_url: str
    archived: bool


class Harvester:
    """Walks listings page by page, writing each page's new and changed petitions."""

    def __init__(
        self,
        site: Site,
        *,
        report: Callable[[str], None] = lambda line: None,
        on_page: Callable[[Listing, int, int | None], None] = lambda listing, done, total: None,
        conditional: bool = True,
    ):
        """`conditional=False` asks for every page afresh (after the archive was emptied,
        say), as if no page had been harvested before."""
        self.site = site
        self.conditional = conditional
        self.summary = Summary()
        self.report = report
        self.on_page = on_page

    # What to harvest.

    def listings(
        self, current: bool = True, archived: bool = True, parliament: Parliament | None = None
    ) -> list[Listing]:
        found = []
        if current and parliament is None:
            found.append(
                Listing("current", self.site.url("/petitions.json", state="all"), archived=False)
            )
        if archived:
            parliaments = Parliament.objects.filter(archive_number__isnull=False)
            if parliament is not None:
                parliaments = parliaments.filter(pk=parliament.pk)
            for one in parliaments.order_by("archive_number"):
                url = self.site.url(
                    "/archived/petitions.json", parliament=one.archive_number, state="all"
                )
                found.append(Listing(f"archived {one.period}", url, archived=True))
        return found

    def run(self, listings: list[Listing]) -> Summary:
        for listing in listings:
            self.harvest(listing)
        return self.summary

    # A listing, page by page.

    def harvest(self, listing: Listing) -> None:
        cursor = HarvestCursor.objects.filter(listing=listing.first_url).first()
        url, done = listing.first_url, 0
        if cursor is not None:
            url, done = cursor.next_url, cursor.pages_done
            self.report(f"{listing.name}: continuing at {url} ({done:,} pages done before)")
        seen: set[str] = set()
        total = None
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                self._problem(
                    url,
                    "$.links.next",
                    "leads back to a page already read"
                    if url in seen
                    else f"a listing of more than {MAX_PAGES:,} pages",
                )
                self.summary.refused += 1
                break
            seen.add(url)
            url, last = self.page(listing, url, done + 1, total)
            done += 1
            total = last or total
            self.on_page(listing, done, total)
        HarvestCursor.objects.filter(listing=listing.first_url).delete()

    def page(
        self, listing: Listing, url: str, number: int, last: int | None = None
    ) -> tuple[str, int | None]:
        """Harvest one list page; returns the next page's address ("" at the end) and the
        number of the last page, if the page says. A page that cannot be read is skipped
        for the one after it, up to the last page known."""
        kept = HarvestPage.objects.filter(url=url).first() if self.conditional else None
        try:
            fetched = self.site.fetch(
                url, kept.etag if kept else "", kept.last_modified if kept else ""
            )
        except Unreachable as problem:
            self.summary.failed += 1
            self.summary.problems.append(str(problem))
            self.report(str(problem))
            following = _following(url, last)
            self._advance(listing, following, number, page=None)
            return following, None
        self.summary.pages += 1
        if fetched.document is None:  # 304: harvested in full, and unchanged since
            self.summary.pages_unchanged += 1
            self._advance(listing, kept.next_url, number, page=None)
            return kept.next_url, None
        try:
            items, following, last = self._list_page(fetched.document)
        except InvalidDocument as problem:
            self._refuse(url, problem)
            following = _following(url, last)
            self._advance(listing, following, number, page=None)
            return following, None

        complete = True
        wanted: list[tuple[PetitionRecord, str]] = []
        records = []
        for i, item in enumerate(items):
            try:
                record = parse_petition(item, f"$.data[{i}]", origin=LIST)
                detail = self._detail_url(item, record, listing, i)
            except InvalidDocument as problem:
                self._refuse(url, problem)
                complete = False
                continue
            records.append((record, detail))
        stored = {
            pid: (updated, count)
            for pid, updated, count in Petition.objects.filter(
                id__in=[record.id for record, _ in records]
            ).values_list("id", "updated_at", "signature_count")
        }
        for record, detail in records:
            ours = stored.get(record.id)
            if ours == (record.updated_at, record.fields["signature_count"]):
                self.summary.unchanged += 1
            else:
                wanted.append((record, detail))

        documents = []
        for record, detail in wanted:
            try:
                fetched_detail = self.site.fetch(detail)
            except Unreachable as problem:
                self.summary.failed += 1
                self.summary.problems.append(str(problem))
                self.report(str(problem))
                complete = False
                continue
            documents.append((record, detail, fetched_detail.document))

        self._write(listing, url, number, documents, following, fetched, complete)
        return following, last

    def _list_page(self, document) -> tuple[list, str, int | None]:
        """The items of a list page, its next page ("" if none) and its last page's number;
        raises InvalidDocument."""
        document = check.an_object(document, "$")
        items = document.get("data")
        if not isinstance(items, list):
            raise InvalidDocument("$.data", f"expected a list, got {check.json_type(items)}")
        links = document.get("links", {})
        if not isinstance(links, dict):
            raise InvalidDocument("$.links", f"expected an object, got {check.json_type(links)}")
        following = links.get("next") or ""
        if following and (not isinstance(following, str) or not self.site.is_ours(following)):
            raise InvalidDocument(
                "$.links.next", f"not an address on {self.site.base}: {following!r:.100}"
            )
        last = links.get("last")
        last_page = _page_number(last) if isinstance(last, str) else None
        return items, following, last_page

    def _detail_url(self, item: dict, record: PetitionRecord, listing: Listing, i: int) -> str:
        links = item.get("links")
        given = links.get("self") if isinstance(links, dict) else None
        if given is None:
            path = "/archived/petitions" if listing.archived else "/petitions"
            return self.site.url(f"{path}/{record.id}.json")
        if not isinstance(given, str) or not self.site.is_ours(given):
            raise InvalidDocument(
                f"$.data[{i}].links.self", f"not an address on {self.site.base}: {given!r:.100}"
            )
        return given

    def _write(self, listing, url, number, documents, following, fetched, complete) -> None:
        """Write the page's petitions, the listing's cursor and (if every petition of the
        page was harvested) its validators, in one transaction."""
        ids = [record.id for record, _, _ in documents]
        with transaction.atomic():
            points_before = SignaturePoint.objects.filter(petition_id__in=ids).count()
            writer = Writer()
            for listed, detail, document in documents:
                try:
                    with writer.document(detail):
                        (record,) = _one_petition(document, listed.id)
                        record.source = detail
                        writer.add(record)
                except InvalidDocument as problem:
                    self._refuse(detail, problem)
                    complete = False
            writer.flush()
            for source, problem in writer.refused:
                self._refuse(source, problem)
                complete = False
            self.summary.points += (
                SignaturePoint.objects.filter(petition_id__in=ids).count() - points_before
            )
            self.summary.new += writer.counts.created
            self.summary.updated += writer.counts.updated
            self.summary.unchanged += writer.counts.unchanged
            self._advance(listing, following, number, page=fetched if complete else None, url=url)

    def _advance(self, listing, following, number, page: Fetched | None, url: str = ""):
        """Note that page `number` is done: the cursor moves on, and a page harvested in
        full keeps its validators."""
        HarvestCursor.objects.update_or_create(
            listing=listing.first_url,
            defaults={"next_url": following, "pages_done": number},
        )
        if page is not None and (page.etag or page.last_modified):
            HarvestPage.objects.update_or_create(
                url=url,
                defaults={
                    "etag": page.etag,
                    "last_modified": page.last_modified,
                    "next_url": following,
                },
            )
        elif url:
            HarvestPage.objects.filter(url=url).delete()

    def _refuse(self, url: str, problem: InvalidDocument) -> None:
        self.summary.refused += 1
        self._problem(url, problem.path, problem.reason)

    def _problem(self, url: str, path: str, reason: str) -> None:
        line = f"{url}: {path}: {reason}"
        self.summary.problems.append(line)
        self.report(line)


def _one_petition(document, pid: int) -> list[PetitionRecord]:
    """The petition of its own document (a list at a petition's address is refused)."""
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise InvalidDocument("$.data", "expected one petition's document, not a list")
    records = parse_document(document, "$")
    if len(records) != 1:
        raise InvalidDocument("$.data", f"expected one petition, got {len(records)}")
    if records[0].id != pid:
        raise InvalidDocument("$.data.id", f"expected petition {pid}, got {records[0].id}")
    return records


def _page_number(url: str) -> int | None:
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "page":
            return whole_number(value, minimum=1, maximum=MAX_PAGES)
    return 1 if url else None


def _following(url: str, last: int | None) -> str:
    """The page after `url` when `url` could not be read: `page=N+1` while there are more
    by the last page known ("" when none is known: a listing whose first page fails)."""
    number = _page_number(url)
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"]
    if number is None or last is None or number >= last:
        return ""
    query.append(("page", str(number + 1)))
    return urlunsplit(parts._replace(query=urlencode(query)))
