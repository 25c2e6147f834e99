"""What a Parliament did with its petitions: the figures of /parliaments/PERIOD/.

Every count is made with the same condition as the petition list's filter it links to
(`petitions.filters`), so that a figure and its list always agree. Response and debate
times are measured in Python over one query of the answered petitions (medians are not
portable SQL), so that the page runs the same queries on SQLite and PostgreSQL, whatever
the data: the parliament, the counts, the rejection reasons, the responses, the debates,
the ten largest.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import reverse

from petitions.models import (
    DEBATED,
    WITH_RESPONSE,
    Parliament,
    Petition,
    closed_early,
    reached,
    today_facets,
)
from petitions.states import PetitionState
from petitions.wording import REJECTION_REASONS, rejection_title

LARGEST = 10


def list_url(parliament: Parliament, **filters) -> str:
    """The petition list that makes a figure: this parliament's, with `filters`."""
    query = {"parliament": parliament.period, **{k: v for k, v in filters.items() if v}}
    return f"{reverse('petitions:list')}?{urlencode(query)}"


@dataclass
class Figure:
    label: str
    count: int
    url: str


@dataclass
class Wait:
    """How long something took, over the petitions it could be measured for."""

    label: str
    measured: int  # petitions with both dates
    of: int  # petitions the figure is about
    median_days: float | None
    slowest_days: int | None
    slowest: Petition | None = None
    url: str = ""


@dataclass
class Record:
    parliament: Parliament
    total: Figure
    states: list[Figure]
    rejected: list[Figure]
    reached_response: Figure
    reached_debate: Figure
    responded: Figure
    response_wait: Wait
    by_department: list[Wait]
    no_department: int
    debated: Figure
    debate_wait: Wait
    largest: list[Petition] = field(default_factory=list)


def days_between(start: dt.datetime, end: dt.datetime | dt.date) -> int:
    """Whole days from one moment to a later moment (or day), by the calendar in UTC."""
    start_day = start.astimezone(dt.UTC).date()
    end_day = end.astimezone(dt.UTC).date() if isinstance(end, dt.datetime) else end
    return (end_day - start_day).days


def median_days(days: list[int]) -> float | None:
    return statistics.median(days) if days else None


def wait(label: str, pairs: list[tuple[Petition, int | None]], url: str = "") -> Wait:
    """The median and slowest of the measured days among `pairs` (petition, days or None)."""
    measured = [(petition, days) for petition, days in pairs if days is not None]
    slowest = max(measured, key=lambda pair: (pair[1], -pair[0].id), default=None)
    return Wait(
        label=label,
        measured=len(measured),
        of=len(pairs),
        median_days=median_days([days for _, days in measured]),
        slowest_days=slowest[1] if slowest else None,
        slowest=slowest[0] if slowest else None,
        url=url,
    )


def parliament_record(parliament: Parliament) -> Record:
    petitions = Petition.objects.visible().filter(parliament=parliament)
    facets = today_facets()
    early = closed_early([parliament])
    counts = petitions.order_by().aggregate(
        total=Count("id"),
        published=Count("id", filter=facets["published"]),
        open=Count("id", filter=facets["open"]),
        closed=Count("id", filter=facets["closed"]),
        closed_early=Count("id", filter=early),
        rejected=Count("id", filter=Q(state=PetitionState.REJECTED)),
        reached_response=Count("id", filter=reached("response")),
        reached_debate=Count("id", filter=reached("debate")),
        responded=Count("id", filter=WITH_RESPONSE),
        debated=Count("id", filter=DEBATED),
    )
    reasons = (
        petitions.filter(state=PetitionState.REJECTED)
        .order_by()
        .values("rejection_code")
        .annotate(count=Count("id"))
    )

    def figure(label, name, **filters):
        return Figure(label, counts[name], list_url(parliament, **filters))

    rejected = sorted(
        (
            Figure(
                rejection_title(row["rejection_code"]) or "No reason recorded",
                row["count"],
                list_url(parliament, state="rejected", reason=row["rejection_code"])
                if row["rejection_code"] in REJECTION_REASONS
                else "",
            )
            for row in reasons
        ),
        key=lambda f: (-f.count, f.label),
    )

    answered = list(
        petitions.with_response()
        .select_related("government_response__department")
        .only(
            "id",
            "action",
            "response_threshold_reached_at",
            "government_response_at",
            "government_response__responded_on",
            "government_response__department__name",
            "government_response__department__id",
        )
        .order_by("id")
    )

    def response_days(petition: Petition) -> int | None:
        reached_at = petition.response_threshold_reached_at
        response = getattr(petition, "government_response", None)
        answered_on = response.responded_on if response else petition.government_response_at
        if not (reached_at and answered_on):
            return None
        return max(days_between(reached_at, answered_on), 0)

    pairs = [(p, response_days(p)) for p in answered]
    departments: dict = {}
    no_department = 0
    for petition, days in pairs:
        response = getattr(petition, "government_response", None)
        department = response.department if response else None
        if department is None:
            no_department += 1
            continue
        departments.setdefault(department, []).append((petition, days))
    by_department = sorted(
        (
            wait(
                department.name,
                found,
                list_url(parliament, response="yes", department=department.id),
            )
            for department, found in departments.items()
        ),
        key=lambda w: (-w.of, w.label),
    )

    debates = list(
        petitions.filter(DEBATED)
        .select_related("debate_outcome")
        .only("id", "action", "debate_threshold_reached_at", "debate_outcome__debated_on")
        .order_by("id")
    )
    debate_pairs = [
        (
            p,
            max(days_between(p.debate_threshold_reached_at, p.debate_outcome.debated_on), 0)
            if p.debate_threshold_reached_at and p.debate_outcome.debated_on
            else None,
        )
        for p in debates
    ]
    largest = list(
        petitions.for_list().order_by(F("signature_count").desc(), F("id").desc())[:LARGEST]
    )
    return Record(
        parliament=parliament,
        total=figure("Petitions", "total"),
        states=[
            figure("Published", "published", state="published"),
            figure("Open", "open", state="open"),
            figure("Closed", "closed", state="closed"),
            figure("Closed early by the General Election", "closed_early", state="closed_early"),
            figure("Rejected", "rejected", state="rejected"),
        ],
        rejected=rejected,
        reached_response=figure(
            "Reached 10,000 signatures", "reached_response", reached="response"
        ),
        reached_debate=figure("Reached 100,000 signatures", "reached_debate", reached="debate"),
        responded=figure("Got a government response", "responded", response="yes"),
        response_wait=wait(
            "From 10,000 signatures to the response",
            pairs,
            list_url(parliament, response="yes", sort="responded"),
        ),
        by_department=by_department,
        no_department=no_department,
        debated=figure("Debated in Parliament", "debated", debated="yes"),
        debate_wait=wait(
            "From 100,000 signatures to the debate",
            debate_pairs,
            list_url(parliament, debated="yes"),
        ),
        largest=largest,
    )


def parliament_document(record: Record, site: str) -> dict:
    """The figures as JSON (/parliaments/PERIOD.json)."""
    p = record.parliament

    def stamp(moment):
        return moment.date().isoformat() if moment else None

    def fig(f: Figure) -> dict:
        return {"label": f.label, "count": f.count, "url": site + f.url if f.url else None}

    def waited(w: Wait) -> dict:
        return {
            "label": w.label,
            "petitions": w.of,
            "measured": w.measured,
            "median_days": w.median_days,
            "slowest_days": w.slowest_days,
            "slowest_petition": w.slowest.id if w.slowest else None,
            "url": site + w.url if w.url else None,
        }

    return {
        "period": p.period,
        "government": p.government,
        "opening_at": stamp(p.opening_at),
        "dissolution_at": stamp(p.dissolution_at),
        "response_threshold": p.threshold_for_response,
        "debate_threshold": p.threshold_for_debate,
        "petitions": fig(record.total),
        "states": [fig(f) for f in record.states],
        "rejected_by_reason": [fig(f) for f in record.rejected],
        "reached_response_threshold": fig(record.reached_response),
        "reached_debate_threshold": fig(record.reached_debate),
        "responded": fig(record.responded),
        "response_time": waited(record.response_wait),
        "response_time_by_department": [waited(w) for w in record.by_department],
        "responses_without_department": record.no_department,
        "debated": fig(record.debated),
        "debate_wait": waited(record.debate_wait),
        "largest": [
            {
                "id": petition.id,
                "action": petition.action,
                "signature_count": petition.signature_count,
                "url": site + petition.get_absolute_url(),
            }
            for petition in record.largest
        ],
    }
