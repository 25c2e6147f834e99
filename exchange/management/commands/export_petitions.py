"""Write every petition as the public petitions site's JSON, one ID.json per petition.

Usage:
    python manage.py export_petitions DIR [--base-url URL]

Petitions of a dissolved parliament are written as `archived-petition` documents unless
they were imported as `petition` documents; an imported petition comes back in the form
it came in. Beside each `ID.json`, `ID.history.json` holds the petition's signatures over
time (the archive's own document, as /petitions/ID/history.json serves it; never inside
the public format), which import_petitions reads back. Links point at --base-url (default
http://localhost:8000). The petitions are read in chunks, so memory stays flat however
many there are.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.urls import reverse
from tqdm import tqdm

from exchange.history import history_document
from exchange.render import flavour_of, for_export, petition_document, petition_url
from petitions.models import Petition, SignaturePoint

CHUNK_SIZE = 200


class Command(BaseCommand):
    help = "Write one ID.json per petition, in the public petitions site's format."

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000",
            help="Scheme and host of the links in the documents.",
        )

    def handle(self, *args, directory, base_url, **options):
        target = Path(directory)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(
                f"{target}: cannot create the directory ({error.strerror})"
            ) from None
        base_url = base_url.rstrip("/")
        petitions = for_export(Petition.objects.order_by("id")).prefetch_related(
            Prefetch("history", queryset=SignaturePoint.objects.order_by("at"))
        )
        written = 0
        bar = tqdm(
            total=Petition.objects.count(),
            unit="petition",
            file=sys.stderr,
            disable=not self.stdout.isatty(),
        )
        with bar:
            for petition in petitions.iterator(chunk_size=CHUNK_SIZE):
                document = petition_document(
                    petition, flavour=flavour_of(petition), base_url=base_url
                )
                history = history_document(
                    [(point.at, point.signature_count) for point in petition.history.all()],
                    self_url=base_url + reverse("petitions:history_json", args=[petition.id]),
                    petition_url=petition_url(petition.id, flavour_of(petition), base_url),
                )
                write(target / f"{petition.id}.json", document)
                write(target / f"{petition.id}.history.json", history)
                written += 1
                bar.update()
        self.stdout.write(f"Wrote {written:,} petition{'s' if written != 1 else ''} to {target}.")


def write(path: Path, document) -> None:
    try:
        with path.open("w", encoding="utf-8") as file:
            json.dump(document, file, ensure_ascii=False, separators=(",", ":"))
    except OSError as error:
        raise CommandError(f"{path}: cannot write ({error.strerror})") from None
