"""Render and store every petition's pages, so that any of them is served with one read.

Usage:
    python manage.py render_pages [--base-url https://archive.example.org] [--processes 2]
        [--constituencies]

An archive is read in its long tail: a petition nobody has opened since the last change
would be rendered from scratch. This asks for each visible petition's page, JSON document
(and its archived one), count document, response page and map, and for the home page,
the first 40 pages of each tab of the list, and the parliaments' and constituencies' pages
drawn from the whole archive, as a reader would, through the views: each is stored
(StoredPage) exactly as served. Then it keeps every constituency's MPs (KeptMembers), which
each of a constituency's pages would otherwise work out from every petition signed there.
With --constituencies, also the first 40 pages of every constituency's page and JSON
document (about 106,000 for 1,295 constituencies): like the list's, they are drawn from the
whole archive, so any change to it makes them stale; worth it for an archive that no longer
changes, not after every harvest.
A page already stored and still current costs a read and is left as it is, so running it
again (after an import, or at each release: RELEASE changes every ETag) renders only what
changed. Links in the JSON carry the host, so give the address readers use (default:
SITE_URL, else http://127.0.0.1:8000).
"""

import sys
from contextlib import nullcontext
from multiprocessing import get_context
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.test import Client
from tqdm import tqdm

from constituencies import local
from petitions.caching import STORED_PARAMETERS, archive_version
from petitions.models import FACETS, ConstituencySignatures, Parliament, Petition

CHUNK = 500  # petitions a job (about 2,000 pages), rendered in one transaction
PAGES_CHUNK = 2_000  # addresses a job


def addresses_of(petitions) -> list[str]:
    mapped = set(
        ConstituencySignatures.objects.filter(petition__in=[p.id for p in petitions])
        .values_list("petition_id", flat=True)
        .distinct()
    )
    found = []
    for petition in petitions:
        found += [
            f"/petitions/{petition.id}/",
            f"/petitions/{petition.id}.json",
            f"/petitions/{petition.id}/count.json",
        ]
        if petition.parliament.dissolution_at:
            found.append(f"/archived/petitions/{petition.id}.json")
        if petition.government_response_at:
            found.append(f"/petitions/{petition.id}/response/")
        if petition.id in mapped:
            found.append(f"/petitions/{petition.id}/map/")
    return found


def list_addresses() -> list[str]:
    """The home page and each tab of the petition list, with every page of it that is kept
    (the first 40), as the list's own links name them; and the JSON list's first 40 pages.
    Every one of them, even past a short tab's end (where the last page is shown): a link
    or a reader may ask for any."""
    kept = range(1, STORED_PARAMETERS["page"] + 1)
    found = ["/"]
    for name in FACETS:
        first = "/petitions/" if name == "all" else f"/petitions/?state={name}"
        joiner = "?" if name == "all" else "&"
        found += [first, *(f"{first}{joiner}page={n}" for n in kept)]
    found += ["/petitions.json", *(f"/petitions.json?page={n}" for n in kept)]
    return found


def constituency_addresses() -> list[str]:
    """Every constituency's page and JSON document, by its own address and as each page of
    it that is kept (the first 40), as their links name them, even past its end."""
    kept = range(1, STORED_PARAMETERS["page"] + 1)
    found = []
    for code in sorted(local.all_codes()):
        for first in (f"/constituencies/{code}/", f"/constituencies/{code}.json"):
            found += [first, *(f"{first}?page={n}" for n in kept)]
    return found


def archive_addresses() -> list[str]:
    """The pages drawn from the whole archive besides the list: the parliaments (each with
    its JSON and its constituencies' document), and the constituencies' index and the
    public site's document of them."""
    found = ["/parliaments/", "/constituencies/", "/constituencies.json"]
    for period in Parliament.objects.order_by("opening_at").values_list("period", flat=True):
        found += [
            f"/parliaments/{period}/",
            f"/parliaments/{period}.json",
            f"/parliaments/{period}/constituencies.json",
        ]
    return found


def render(job: tuple[str, list[int] | list[str]]) -> tuple[int, int]:
    """Ask for the pages of these petitions (or these addresses); (pages asked for, answers
    other than 200)."""
    base_url, asked = job
    settings.PAGE_CACHE_LOCAL = False  # keep pages in the store, not in this process
    parts = urlsplit(base_url)
    client = Client(HTTP_HOST=parts.netloc, secure=parts.scheme == "https")
    failed = 0
    if asked and isinstance(asked[0], str):
        addresses = asked
    else:
        addresses = addresses_of(Petition.objects.filter(id__in=asked).select_related("parliament"))
    with transaction.atomic():  # one commit for the chunk, not one a page
        for address in addresses:
            failed += client.get(address).status_code != 200
    connections.close_all()
    return len(addresses), failed


def render_all(jobs: list, processes: int, unit: str) -> tuple[int, int]:
    """Render every job, in `processes` processes: (pages asked for, answers other than 200)."""
    bar = tqdm(
        total=sum(len(asked) for _, asked in jobs),
        unit=unit,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
    )
    asked = failed = 0
    connections.close_all()  # each process opens its own
    with get_context("fork").Pool(processes) if processes > 1 else nullcontext() as pool:
        results = pool.imap_unordered(render_counted, jobs) if pool else map(render_counted, jobs)
        for pages, bad, done in results:
            asked, failed = asked + pages, failed + bad
            bar.update(done)
    bar.close()
    return asked, failed


def render_counted(job) -> tuple[int, int, int]:
    """`render(job)`, and how many petitions or addresses the job held (for progress)."""
    return (*render(job), len(job[1]))


class Command(BaseCommand):
    help = "Render and store every petition's pages (run after imports and at each release)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=settings.SITE_URL or "http://127.0.0.1:8000")
        parser.add_argument("--processes", type=int, default=1)
        parser.add_argument(
            "--constituencies",
            action="store_true",
            help="also the first 40 pages of every constituency's page and JSON (stale after "
            "any change to the archive: for an archive that no longer changes)",
        )

    def handle(self, *args, base_url, processes, constituencies, **options):
        if not settings.PAGE_STORE:
            raise CommandError("PAGE_STORE is off: there is nowhere to keep the pages.")
        host = urlsplit(base_url).hostname
        if not any(allowed in (host, "*") for allowed in settings.ALLOWED_HOSTS):
            raise CommandError(f"{host} is not in ALLOWED_HOSTS.")
        ids = list(Petition.objects.visible().order_by("id").values_list("id", flat=True))
        jobs = [(base_url, ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]
        asked, failed = render_all(jobs, processes, "petition")
        # After the petitions, as they read.
        pages, bad = render((base_url, list_addresses() + archive_addresses()))
        asked, failed = asked + pages, failed + bad
        # Each constituency's pages read its MPs, which take every petition signed there to
        # work out: all of them at once here, in one query, instead of one a constituency.
        kept = local.keep_every_members(archive_version().key)
        if constituencies:
            addresses = constituency_addresses()
            jobs = [
                (base_url, addresses[i : i + PAGES_CHUNK])
                for i in range(0, len(addresses), PAGES_CHUNK)
            ]
            pages, bad = render_all(jobs, processes, "page")
            asked, failed = asked + pages, failed + bad
        self.stdout.write(
            f"{len(ids):,} petitions: {asked:,} pages current in the store; "
            f"the MPs of {kept:,} constituencies kept."
        )
        if failed:
            raise CommandError(f"{failed:,} pages did not answer 200.")
