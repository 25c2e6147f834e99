"""Build a synthetic archive for benchmarks (never for real use).

Usage:
    python manage.py generate_archive --petitions 100000 [--seed 2015]
    python manage.py generate_archive --delete

Synthetic petitions are numbered from 900,000,000 and marked `"synthetic": true`.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from petitions import synthetic


class Command(BaseCommand):
    help = "Build (or --delete) a synthetic archive of petitions for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--petitions", type=int, default=0, help="how many to create")
        parser.add_argument("--seed", type=int, default=2015)
        parser.add_argument("--delete", action="store_true", help="remove synthetic petitions")

    def handle(self, *args, petitions, seed, delete, **options):
        if delete:
            deleted, _ = synthetic.synthetic().delete()
            self.stdout.write(f"Deleted {deleted:,} synthetic rows.")
            return
        if petitions <= 0:
            raise CommandError("Give --petitions N (a positive number) or --delete.")
        progress = tqdm(
            total=petitions, unit="petition", disable=not self.stdout.isatty(), file=self.stderr
        )
        done = 0
        for done in synthetic.generate(petitions, seed=seed):
            progress.update(done - progress.n)
        progress.close()
        self.stdout.write(f"Created {done:,} synthetic petitions.")
