"""Harvest the public petitions site: what is new or changed since the last run.

Usage:
    python manage.py harvest [--site URL] [--current] [--archived] [--parliament PERIOD]
                             [--rate N] [--attempts N] [--timeout SECONDS] [--full]

Reads the current petitions (`/petitions.json?state=all`) and the archive
(`/archived/petitions.json?parliament=N&state=all` for each parliament), page by page, and
fetches a petition's own document only when the list shows it new or changed. At most
--rate requests a second (default 2) on one connection, with a User-Agent naming Petition
Archive and HARVEST_CONTACT. A run stopped halfway is continued by the next; each page
is written as it is done. Every document is checked as `import_petitions` checks a file;
each one refused or unreachable is reported on one line, "ADDRESS: WHERE: REASON".

Exits 0 when everything was harvested, 1 when something could not be (the rest is kept).
"""

import argparse
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from exchange.harvest import Harvester, Site
from petitions.models import Parliament

PUBLIC_SITE = "petition.parliament.uk"


def rate(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0.01 <= number <= 1000:
        raise argparse.ArgumentTypeError(f"give from 0.01 to 1000 requests a second, not {value!r}")
    return number


class Command(BaseCommand):
    help = "Harvest the public petitions site: new and changed petitions, politely."

    def add_arguments(self, parser):
        parser.add_argument("--site", default=settings.HARVEST_SITE, help="The site's address.")
        parser.add_argument("--current", action="store_true", help="Only the current petitions.")
        parser.add_argument("--archived", action="store_true", help="Only the archive.")
        parser.add_argument(
            "--parliament", metavar="PERIOD", help="Only this parliament's archive (2017-2019)."
        )
        parser.add_argument("--rate", type=rate, default=2.0, help="Requests a second (2).")
        parser.add_argument(
            "--attempts", type=int, default=5, help="Tries of one document before giving up (5)."
        )
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds per request.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Ask for every list page afresh (no conditional requests), as after the "
            "archive was emptied; petitions unchanged are still not fetched again.",
        )

    def handle(
        self, *args, site, current, archived, parliament, rate, attempts, timeout, full, **o
    ):
        parts = urlsplit(site)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise CommandError(f"--site must be an http(s) address such as https://{PUBLIC_SITE}")
        if not 1 <= attempts <= 20:
            raise CommandError("--attempts must be from 1 to 20.")
        if not 0 < timeout <= 600:
            raise CommandError("--timeout must be from 0 to 600 seconds.")
        contact = settings.HARVEST_CONTACT
        if not contact:
            if parts.hostname == PUBLIC_SITE:
                raise CommandError(
                    "Set HARVEST_CONTACT to an address the petitions site can write to about "
                    "our requests (it is sent in every User-Agent) before harvesting it."
                )
            contact = "no contact address set"
        chosen = None
        if parliament:
            chosen = Parliament.objects.filter(period=parliament).first()
            if chosen is None or chosen.archive_number is None:
                known = ", ".join(
                    Parliament.objects.filter(archive_number__isnull=False)
                    .order_by("opening_at")
                    .values_list("period", flat=True)
                )
                raise CommandError(f"No archived parliament {parliament!r}: give one of {known}.")
        if not current and not archived:
            current = archived = True
        if chosen is not None:
            archived = True

        bar = tqdm(unit="page", file=sys.stderr, disable=not self.stdout.isatty())
        client = Site(site, contact=contact, rate=rate, attempts=attempts, timeout=timeout)

        def on_page(listing, done, total):
            bar.set_description(listing.name, refresh=False)
            if total and bar.total != total:
                bar.reset(total=total)
                bar.update(done)
            else:
                bar.update()

        harvester = Harvester(
            client, report=self.report(bar), on_page=on_page, conditional=not full
        )
        try:
            harvester.run(harvester.listings(current, archived, chosen))
        except KeyboardInterrupt:
            bar.close()
            self.stderr.write("Interrupted: the next run continues where this one stopped.")
            self.summary(harvester, client)
            sys.exit(130)
        finally:
            bar.close()
            client.close()
        self.summary(harvester, client)
        summary = harvester.summary
        if not summary.complete:
            raise CommandError(
                f"{summary.failed:,} document{'s' if summary.failed != 1 else ''} could not be "
                f"fetched and {summary.refused:,} {'were' if summary.refused != 1 else 'was'} "
                "refused; the rest was harvested. The next run tries them again."
            )

    def report(self, bar):
        def write(line):
            if bar.disable:
                self.stderr.write(line)
            else:
                bar.write(line, file=sys.stderr)

        return write

    def summary(self, harvester, client):
        s = harvester.summary
        self.stdout.write(
            f"Pages: {s.pages:,} read ({s.pages_unchanged:,} unchanged since the last run). "
            f"Petitions: {s.new:,} new, {s.updated:,} updated, {s.unchanged:,} unchanged. "
            f"History points: {s.points:,}. Requests: {client.requests:,} "
            f"({client.retries:,} retries). Refused: {s.refused:,}. Unreachable: {s.failed:,}."
        )
