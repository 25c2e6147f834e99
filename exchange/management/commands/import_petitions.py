"""Import the public petitions site's JSON documents.

Usage:
    python manage.py import_petitions PATH [PATH ...] [--skip-invalid] [--batch-size N] [--bulk]

Each PATH is a file (plain or gzip-compressed), a directory (its *.json and *.json.gz
files, recursively) or `-` for standard input. A file holds one petition's document, a
bare `data` object or a list page, of type `petition` or `archived-petition`; a file
named ID.history.json holds a petition's signatures over time, as export_petitions
writes them. Files are
read as streams, so memory stays flat whatever their size.

Importing the same files again changes nothing; a newer version of a petition (a later
`updated_at`) replaces the older. Each bad file is reported on one line, "FILE: WHERE:
REASON", and the command exits non-zero; by default nothing of the run is written.
With --skip-invalid the valid files are imported all the same (and nothing of a bad one,
even if it was found bad halfway through).

The files are read and checked in two child processes, ahead of the writing
(exchange.ahead). Into an empty archive (PostgreSQL), or with --bulk, the breakdowns'
foreign keys and secondary indexes are built once the rows are in, not row by row
(exchange.write.keys_built_after_loading).
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from tqdm import tqdm

from exchange.ahead import read_ahead
from exchange.importer import Importer
from exchange.read import find_sources, source_label
from exchange.records import InvalidDocument
from exchange.write import keys_built_after_loading
from petitions.models import ConstituencySignatures, CountrySignatures, RegionSignatures

BREAKDOWNS = [ConstituencySignatures, CountrySignatures, RegionSignatures]


class RollBack(Exception):
    """Leave the run's transaction without writing anything."""


class Command(BaseCommand):
    help = "Import petitions from the public petitions site's JSON (files, directories or -)."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="A JSON file (or .json.gz), a directory of them, or - for standard input.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid files even if some are invalid (they are still reported).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Petitions written per batch."
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="Build the breakdowns' indexes and keys after loading, not row by row (done "
            "anyway into an empty archive): quicker for a load bigger than the archive, but "
            "maps and constituency pages wait until it is done. PostgreSQL only.",
        )

    def handle(self, *args, paths, skip_invalid, batch_size, bulk, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if paths.count("-") > 1:
            raise CommandError("Standard input (-) can be read only once.")
        total = sum(1 for _ in find_sources(paths))
        if not total:
            raise CommandError(
                "No petition files found: give .json or .json.gz files, directories "
                "holding them, or - for standard input."
            )
        self.bar = tqdm(total=total, unit="file", file=sys.stderr, disable=not self.stdout.isatty())
        try:
            with transaction.atomic(), keys_built_after_loading(BREAKDOWNS, bulk):
                importer = Importer(batch_size=batch_size)
                self.run(importer, paths, skip_invalid)
                if importer.counts.invalid and not skip_invalid:
                    raise RollBack
        except RollBack:
            counts = importer.counts
            raise CommandError(
                f"{counts.invalid:,} invalid file{'s' if counts.invalid != 1 else ''}: "
                "nothing was imported (--skip-invalid imports the valid ones)."
            ) from None
        except DatabaseError as error:
            raise CommandError(
                f"The database refused the import, nothing was written: {error}"
            ) from None
        finally:
            self.bar.close()
        counts = importer.counts
        self.stdout.write(f"Petitions: {counts}.")
        if counts.invalid:
            raise CommandError(
                f"{counts.invalid:,} invalid file{'s' if counts.invalid != 1 else ''} "
                "skipped; the others were imported."
            )

    def run(self, importer, paths, skip_invalid):
        writing = True
        for source, items in read_ahead(importer.read, find_sources(paths)):
            self.bar.set_postfix_str(source_label(source)[-40:], refresh=False)
            try:
                importer.import_source(
                    source, write=writing, progress=self.progress(source), items=items
                )
            except InvalidDocument as problem:
                self.invalid(importer, source, problem)
            self.refused(importer)
            if importer.counts.invalid and not skip_invalid:
                writing = False  # nothing will be kept: only check the rest
            self.bar.update()
        if writing:
            importer.finish()
            self.refused(importer)

    def invalid(self, importer, source, problem):
        importer.counts.invalid += 1
        self.report(f"{source_label(source)}: {problem.path}: {problem.reason}")

    def refused(self, importer):
        """Report the files the database refused since last asked."""
        refused, importer.refused = importer.refused, []
        for source, problem in refused:
            self.invalid(importer, source, problem)

    def progress(self, source):
        """Shows how far the bar's file has been read (a big file takes a while)."""
        label = source_label(source)

        def show(count):
            self.bar.set_postfix_str(f"{label[-40:]}: {count:,} petitions")

        return show

    def report(self, line):
        if self.bar.disable:
            self.stderr.write(line)
        else:
            self.bar.write(line, file=sys.stderr)
