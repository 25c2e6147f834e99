"""What the government said, and what Parliament did, about a petition."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from petitions.links import validate_web_address
from petitions.models import Department, Petition

SUMMARY_MAX_LENGTH = 500
DETAILS_MAX_LENGTH = 10_000


class ByPetitionManager(models.Manager):
    def get_by_natural_key(self, petition_id):
        return self.get(petition_id=petition_id)


class GovernmentResponse(models.Model):
    petition = models.OneToOneField(
        Petition, on_delete=models.CASCADE, related_name="government_response"
    )
    responded_on = models.DateField()
    summary = models.CharField(max_length=SUMMARY_MAX_LENGTH)
    details = models.TextField(blank=True, validators=[MaxLengthValidator(DETAILS_MAX_LENGTH)])
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        help_text="The department that gave the response.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Kept by PostgreSQL triggers (migrations/0004_search_triggers.py); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ByPetitionManager()

    class Meta:
        verbose_name = "government response"
        ordering = ["-responded_on"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("summary"), SUMMARY_MAX_LENGTH),
                name="response_summary_max_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("details"), DETAILS_MAX_LENGTH),
                name="response_details_max_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Response to petition {self.petition_id}"

    def natural_key(self):
        return (self.petition_id,)

    natural_key.dependencies = ["petitions.petition"]

    @property
    def signed_in_details(self) -> bool:
        """Responses usually end with the department's name: then it need not be shown again."""
        return bool(self.department) and self.details.rstrip().endswith(self.department.name)

    def clean(self):
        errors = {}
        if self.responded_on:
            if self.responded_on > timezone.localdate():
                errors["responded_on"] = "The response date cannot be in the future."
            petition = self.petition if self.petition_id else None
            if petition and petition.opened_at:
                opened_on = timezone.localdate(petition.opened_at)
                if self.responded_on < opened_on:
                    errors["responded_on"] = (
                        "The response date cannot be before the petition opened "
                        f"({opened_on:%-d %B %Y})."
                    )
        if errors:
            raise ValidationError(errors)


class DebateOutcome(models.Model):
    petition = models.OneToOneField(
        Petition, on_delete=models.CASCADE, related_name="debate_outcome"
    )
    debated = models.BooleanField(
        default=True, help_text="Untick if the Petitions Committee decided not to debate it."
    )
    debated_on = models.DateField(null=True, blank=True)
    overview = models.TextField(blank=True)
    transcript_url = models.URLField(max_length=500, blank=True, validators=[validate_web_address])
    video_url = models.URLField(max_length=500, blank=True, validators=[validate_web_address])
    debate_pack_url = models.URLField(max_length=500, blank=True, validators=[validate_web_address])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ByPetitionManager()

    class Meta:
        verbose_name = "debate outcome"
        constraints = [
            models.CheckConstraint(
                condition=Q(debated=False) | Q(debated_on__isnull=False),
                name="debate_outcome_debated_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Debate outcome of petition {self.petition_id}"

    def natural_key(self):
        return (self.petition_id,)

    natural_key.dependencies = ["petitions.petition"]

    def clean(self):
        if self.debated and not self.debated_on:
            raise ValidationError({"debated_on": "Give the date of the debate."})
        if self.debated_on and self.debated_on > timezone.localdate():
            raise ValidationError({"debated_on": "A debate outcome cannot be in the future."})
