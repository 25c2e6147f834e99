"""Writes that keep a petition and its government response or debate outcome consistent.

The petition carries its own `government_response_at` and `debate_outcome_at`, as the public
site's data does; the public pages and lists read those. Whatever saves or deletes a response
or an outcome (the admin, for now) goes through these functions so the two never disagree:
`record` and `remove` take either.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from responses.models import DebateOutcome, GovernmentResponse

# A response entered for an earlier day is stamped at midday of that day, London time.
STAMP_TIME = dt.time(12)


def moment_on(day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """A sensible moment on `day`: now if `day` is today (or later), else midday of that day."""
    now = now or timezone.now()
    if day >= timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(day, STAMP_TIME))


@transaction.atomic
def record_government_response(response: GovernmentResponse) -> GovernmentResponse:
    """Save `response` and stamp its petition with the moment the government responded.

    An existing stamp on the same day as `responded_on` is kept (it is the real moment the
    public site recorded); otherwise the petition gets a moment on the response day.
    """
    now = timezone.now()
    response.updated_at = now
    response.save()

    petition = response.petition
    stamped = petition.government_response_at
    if stamped is None or timezone.localdate(stamped) != response.responded_on:
        petition.government_response_at = moment_on(response.responded_on, now)
    petition.updated_at = now
    petition.save(update_fields=["government_response_at", "updated_at"])
    return response


def _delete_and_unstamp(child, stamp: str) -> None:
    """Delete a response or outcome and clear its stamp on the petition."""
    petition = child.petition
    child.delete()
    setattr(petition, stamp, None)
    petition.updated_at = timezone.now()
    petition.save(update_fields=[stamp, "updated_at"])


@transaction.atomic
def remove_government_response(response: GovernmentResponse) -> None:
    """Delete `response`; its petition no longer has a government response."""
    _delete_and_unstamp(response, "government_response_at")


@transaction.atomic
def record_debate_outcome(outcome: DebateOutcome) -> DebateOutcome:
    """Save `outcome` and stamp its petition with the moment the outcome was published.

    The public site publishes an outcome on or after the debate, so an existing stamp is kept
    unless it falls before the debate day; a new stamp is now, or midday of the debate day
    when the debate was in the past.
    """
    now = timezone.now()
    outcome.updated_at = now
    outcome.save()

    petition = outcome.petition
    stamped = petition.debate_outcome_at
    debated_on = outcome.debated_on if outcome.debated else None
    if stamped is None or (debated_on and timezone.localdate(stamped) < debated_on):
        petition.debate_outcome_at = moment_on(debated_on, now) if debated_on else now
    petition.updated_at = now
    petition.save(update_fields=["debate_outcome_at", "updated_at"])
    return outcome


@transaction.atomic
def remove_debate_outcome(outcome: DebateOutcome) -> None:
    """Delete `outcome`; its petition no longer has a debate outcome."""
    _delete_and_unstamp(outcome, "debate_outcome_at")


def record(child: GovernmentResponse | DebateOutcome):
    """Save a government response or a debate outcome, stamping its petition."""
    if isinstance(child, GovernmentResponse):
        return record_government_response(child)
    return record_debate_outcome(child)


def remove(child: GovernmentResponse | DebateOutcome) -> None:
    """Delete a government response or a debate outcome, unstamping its petition."""
    if isinstance(child, GovernmentResponse):
        remove_government_response(child)
    else:
        remove_debate_outcome(child)


# The models whose every save and delete must go through `record` and `remove`.
STAMPED = (GovernmentResponse, DebateOutcome)
