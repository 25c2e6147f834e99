"""Fingerprint what the archive serves back for the real data, byte for byte.

Usage:
    .venv/bin/python -m scripts.roundtrip_digest [--data ../shared/data] [--verbose]

Into a scratch SQLite database (the archive's own is never touched) it imports, as
`import_petitions` does:

1. each file of `petitions/` alone, then asks for every petition's JSON (current and
   archived addresses) and the list pages;
2. everything at once (`petitions/` and `real/`), then the same for all 4,000-odd petitions,
   and the files that `export_petitions` writes.

It prints a SHA-256 of the bytes of each part and one of them all. Run it before and after
a change that must not change what is served (a move of code): the figures must be equal.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petitions_site.settings")
    os.environ["PAGE_CACHE_LOCAL"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Digest:
    def __init__(self, verbose: bool):
        self.verbose = verbose
        self.whole = hashlib.sha256()
        self.parts = 0

    def part(self, name: str, chunks) -> None:
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
        self.whole.update(name.encode() + digest.digest())
        self.parts += 1
        if self.verbose:
            print(f"{digest.hexdigest()[:16]}  {name}")


def served(client) -> list[tuple[str, bytes]]:
    """Every petition's documents and the list pages, as the client receives them."""
    from django.urls import reverse

    from petitions.models import Petition

    answers = []
    for pk in Petition.objects.order_by("id").values_list("id", flat=True):
        for name in ("petitions:json", "petitions:archived_json"):
            url = reverse(name, args=[pk])
            answers.append((url, client.get(url).content))
    for name in ("petitions:list_json", "petitions:archived_list_json"):
        page, url = 1, reverse(name)
        while True:
            response = client.get(url, {"count": 50, "page": page, "sort": "newest"})
            answers.append((f"{url}?page={page}", response.content))
            if not response.json()["links"]["next"]:
                break
            page += 1
    return answers


def empty_archive() -> None:
    from petitions.models import Department, Petition, Topic

    Petition.objects.all().delete()
    Department.objects.all().delete()
    Topic.objects.all().delete()


def import_paths(*paths: Path) -> None:
    from django.core.management import call_command

    call_command("import_petitions", *map(str, paths), stdout=io.StringIO())


def exported() -> list[tuple[str, bytes]]:
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as directory:
        call_command("export_petitions", directory, stdout=io.StringIO())
        # The public format's documents only: the histories written beside them are the
        # archive's own extension, and their points depend on when the import ran.
        return [
            (path.name, path.read_bytes())
            for path in sorted(Path(directory).iterdir())
            if not path.name.endswith(".history.json")
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("PETITION_DATA_DIR", ROOT.parent / "shared" / "data")),
    )
    parser.add_argument("--verbose", action="store_true", help="print each part's digest")
    args = parser.parse_args()
    petitions_dir = args.data / "petitions"
    real_dir = args.data / "real"
    if not petitions_dir.is_dir() or not real_dir.is_dir():
        sys.exit(f"No real data at {args.data}: give --data or set PETITION_DATA_DIR.")

    with tempfile.TemporaryDirectory() as temp:
        setup(Path(temp) / "roundtrip.sqlite3")
        from django.test import Client

        client = Client()
        digest = Digest(args.verbose)
        for path in sorted(petitions_dir.glob("*.json")):
            empty_archive()
            import_paths(path)
            for url, content in served(client):
                digest.part(f"{path.name} {url}", [content])
        empty_archive()
        import_paths(petitions_dir, real_dir / "lists", real_dir / "petitions")
        answers = served(client)
        for url, content in answers:
            digest.part(f"all {url}", [content])
        files = exported()
        for name, content in files:
            digest.part(f"export {name}", [content])
    print(f"{digest.parts:,} documents ({len(answers):,} served, {len(files):,} exported)")
    print(f"sha256 {digest.whole.hexdigest()}")


if __name__ == "__main__":
    main()
