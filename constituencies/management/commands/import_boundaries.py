"""Import ONS Westminster constituency boundaries for the geographic map.

Usage:
    python manage.py import_boundaries FILE [--tolerance METRES]

FILE is GeoJSON (WGS84 longitude/latitude or British National Grid, EPSG:27700) or
TopoJSON, with every constituency of one boundary set (2010–2024, such as
Westminster_PCON_Dec_2022_UK_BUC.geojson, or 2024). The boundaries are projected to the
British National Grid and simplified once, here; running it again replaces that set's
boundaries. A file that cannot be used changes nothing and exits with status 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from constituencies.boundaries import (
    DEFAULT_TOLERANCE,
    InvalidBoundaries,
    read_boundaries,
    save_boundaries,
)


class Command(BaseCommand):
    help = "Import ONS constituency boundaries (GeoJSON or TopoJSON) for the geographic map."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A GeoJSON or TopoJSON boundary file.")
        parser.add_argument(
            "--tolerance",
            type=float,
            default=DEFAULT_TOLERANCE,
            help=f"Simplify to within this many metres (default {DEFAULT_TOLERANCE:g}).",
        )

    def handle(self, *args, file: Path, tolerance: float, **options):
        if tolerance < 0:
            raise CommandError("--tolerance must be zero or more metres")
        try:
            boundary_file = read_boundaries(file, tolerance)
        except InvalidBoundaries as error:
            raise CommandError(str(error)) from None
        count = save_boundaries(boundary_file)
        size = sum(len(boundary.path) for boundary in boundary_file.boundaries)
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {count} boundaries of the {boundary_file.label} from {file.name} "
                    f"({size / 1024:,.0f} KB of SVG paths)."
                )
            )
