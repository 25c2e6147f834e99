"""The states of a petition: as the public site's data records them, and as a reader is
told them today (`Standing`), once time has passed since the record was made."""

from django.db import models


class PetitionState(models.TextChoices):
    """Every state the public petitions site's data can hold."""

    PENDING = "pending", "Pending"
    VALIDATED = "validated", "Validated"
    SPONSORED = "sponsored", "Sponsored"
    FLAGGED = "flagged", "Flagged"
    DORMANT = "dormant", "Dormant"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    REJECTED = "rejected", "Rejected"
    HIDDEN = "hidden", "Hidden"
    STOPPED = "stopped", "Stopped"


# The states a visitor can see and filter by, as on the public site.
PUBLIC_STATES = [PetitionState.OPEN, PetitionState.CLOSED, PetitionState.REJECTED]


class Standing(models.TextChoices):
    """Where a petition stands today. A record made while a petition was open is history:
    the petition has since closed when its time ran out, or early when Parliament was
    dissolved."""

    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    CLOSED_EARLY = "closed_early", "Closed early"
    REJECTED = "rejected", "Rejected"
