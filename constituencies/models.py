"""Westminster constituencies of both boundary sets, and their drawn boundaries."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from constituencies.areas import LONDON, Area, Nation


class BoundarySet(models.TextChoices):
    """The constituencies that petitions' breakdowns use, by when the petition ran."""

    SET_2010 = "2010", "2010–2024 boundaries"
    SET_2024 = "2024", "2024 boundaries"


class ConstituencyQuerySet(models.QuerySet):
    def in_set(self, boundary_set: str):
        return self.filter(boundary_set=boundary_set)

    def in_area(self, area: str):
        """Constituencies of one map area: the UK, a nation, or London."""
        if area == Area.UK:
            return self.all()
        if area == Area.LONDON:
            return self.filter(region_code=LONDON)
        return self.filter(nation=area)


class Constituency(models.Model):
    """Facts about one constituency, derived by scripts/derive_constituencies.py."""

    boundary_set = models.CharField(max_length=4, choices=BoundarySet.choices)
    ons_code = models.CharField("ONS code", max_length=9)
    name = models.CharField(max_length=100)
    nation = models.CharField(max_length=16, choices=Nation.choices)
    region_code = models.CharField(
        "ONS region code", max_length=9, help_text="An English region, or the nation."
    )
    region_name = models.CharField(max_length=50)
    electorate = models.PositiveIntegerField(null=True, blank=True)
    centre_x = models.IntegerField(help_text="Easting of the centre point (British National Grid).")
    centre_y = models.IntegerField(
        help_text="Northing of the centre point (British National Grid)."
    )
    hex_q = models.SmallIntegerField(help_text="Column of the hex map cell (axial coordinates).")
    hex_r = models.SmallIntegerField(help_text="Row of the hex map cell, from the top.")

    objects = ConstituencyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "constituencies"
        ordering = ["boundary_set", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["boundary_set", "ons_code"], name="constituency_code_unique_in_set"
            ),
            models.UniqueConstraint(
                fields=["boundary_set", "hex_q", "hex_r"], name="constituency_hex_unique_in_set"
            ),
            models.CheckConstraint(
                condition=Q(boundary_set__in=BoundarySet.values),
                name="constituency_boundary_set_valid",
            ),
            models.CheckConstraint(
                condition=Q(nation__in=Nation.values), name="constituency_nation_valid"
            ),
        ]
        indexes = [models.Index(fields=["ons_code"], name="constituency_code_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.ons_code})"


class ConstituencyBoundary(models.Model):
    """A constituency's outline, simplified and projected once by `import_boundaries`."""

    constituency = models.OneToOneField(
        Constituency, on_delete=models.CASCADE, primary_key=True, related_name="boundary"
    )
    path = models.TextField(
        help_text="SVG path data in units of 100 metres of the British National Grid, "
        "y pointing south from northing 1,300 km."
    )
    min_x = models.IntegerField()
    min_y = models.IntegerField()
    max_x = models.IntegerField()
    max_y = models.IntegerField()
    source = models.CharField(max_length=255, help_text="The file it was imported from.")
    imported_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "constituency boundaries"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_x__gte=models.F("min_x")) & Q(max_y__gte=models.F("min_y")),
                name="constituency_boundary_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Boundary of {self.constituency}"


class KeptMembers(models.Model):
    """A constituency's MPs as the archive's petitions recorded them (`local.members`),
    worked out for one version of the archive. Working them out reads every petition signed
    there, so they are kept here, for every worker and across restarts: by the first page
    of the constituency that needs them, or by `render_pages` for every constituency at
    once. A row of another version is stale: it is worked out again and replaced."""

    ons_code = models.CharField("ONS code", max_length=9, primary_key=True)
    version = models.CharField(max_length=200, help_text="The archive's version and the release.")
    members = models.JSONField(help_text="[name, first, last, petitions] of each MP, in order.")

    class Meta:
        verbose_name_plural = "kept members"

    def __str__(self) -> str:
        return f"MPs of {self.ons_code} at version {self.version}"
