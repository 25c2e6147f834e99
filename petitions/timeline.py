"""When a petition opened and ended, and what that means today.

The archive holds records made at some moment (a harvest, a file): a petition recorded as
open may have closed since, when its six months ran out or when Parliament was dissolved.
Pages tell the reader what is true today; every "N days" and "ran for" is measured to the
petition's real end (its closing, the dissolution, or the moment of the record), never to
now. The documents of the API give back what was recorded, unchanged.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

from petitions.states import PetitionState, Standing


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` later (the month's last day where it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, _days_in(year, month)))


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def whole_months(start: dt.datetime, end: dt.datetime) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


class Timeline:
    """A petition's dates, read as history (mixed into the Petition model)."""

    @property
    def is_open(self) -> bool:
        """Open today (not merely when it was recorded)."""
        return self.standing == Standing.OPEN

    @property
    def is_rejected(self) -> bool:
        return self.state == PetitionState.REJECTED

    @property
    def is_closed(self) -> bool:
        return self.standing in (Standing.CLOSED, Standing.CLOSED_EARLY)

    @property
    def recorded_open(self) -> bool:
        """Recorded while open: its count and dates are a snapshot of that moment."""
        return self.state == PetitionState.OPEN

    @property
    def recorded_at(self) -> dt.datetime:
        """When the record was made: the public site's last change to it."""
        return self.updated_at

    @property
    def deadline(self) -> dt.datetime | None:
        """When its time runs out: the end of the day, its duration after it opened."""
        if not self.opened_at:
            return None
        local = timezone.localtime(self.opened_at)
        last_day = add_months(local, self.parliament.petition_duration)
        return last_day.replace(hour=23, minute=59, second=59, microsecond=999_000)

    @property
    def dissolved_at(self) -> dt.datetime | None:
        """When its parliament was dissolved, if it has been."""
        dissolution = self.parliament.dissolution_at
        return dissolution if dissolution and dissolution <= timezone.now() else None

    @property
    def standing(self) -> str:
        if self.state == PetitionState.REJECTED:
            return Standing.REJECTED
        if self.state == PetitionState.CLOSED:
            return Standing.CLOSED_EARLY if self._closed_at_dissolution() else Standing.CLOSED
        if self.state != PetitionState.OPEN:
            return self.state
        deadline, dissolved = self.deadline, self.dissolved_at
        if dissolved and (deadline is None or dissolved < deadline):
            return Standing.CLOSED_EARLY
        if deadline and deadline <= timezone.now():
            return Standing.CLOSED
        return Standing.OPEN

    @property
    def standing_display(self) -> str:
        try:  # (worked out once: a row of every list page asks for it)
            return Standing(self.standing).label
        except ValueError:
            return ""

    @property
    def ended_at(self) -> dt.datetime | None:
        """When it stopped collecting signatures (or was rejected), if it has."""
        if self.state == PetitionState.REJECTED:
            return self.rejected_at
        if self.closed_at:
            return self.closed_at
        standing = self.standing
        if standing == Standing.CLOSED_EARLY:
            return self.dissolved_at
        if standing == Standing.CLOSED:
            return self.deadline
        return None

    @property
    def closed_early_due_to_election(self) -> bool:
        """Closed when Parliament was dissolved, before its full run."""
        return self.standing == Standing.CLOSED_EARLY

    @property
    def duration_months(self) -> int | None:
        """How many whole months the petition ran, from opening to its end."""
        end = self.ended_at
        if not (self.opened_at and end):
            return None
        return whole_months(self.opened_at, end)

    @property
    def days_awaiting_response(self) -> int:
        """Days from reaching the response threshold to the record (or to its end)."""
        if not self.response_threshold_reached_at:
            return 0
        end = self.recorded_at if self.recorded_open else (self.ended_at or self.recorded_at)
        return max((end - self.response_threshold_reached_at).days, 0)

    @property
    def debate_date_passed(self) -> bool:
        return bool(
            self.scheduled_debate_date and self.scheduled_debate_date < timezone.localdate()
        )

    def _closed_at_dissolution(self) -> bool:
        dissolved = self.parliament.dissolution_at
        if not (self.closed_at and dissolved and self.opened_at):
            return False
        return (
            abs(self.closed_at - dissolved).days <= 1
            and whole_months(self.opened_at, self.closed_at) < self.parliament.petition_duration
        )
