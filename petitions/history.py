"""Signatures over time on a petition's page: a chart drawn on the server, and its figures.

``chart(points, thresholds)`` turns a petition's points (when, count) into what the
template ``petitions/_history.html`` draws as inline SVG — no script, no style attribute
(the page's Content-Security-Policy), a viewBox that scales to a phone's width — and the
rows of the table that gives the same figures to everyone (and to screen readers).

The thresholds (10,000 for a government response, 100,000 for a debate) are marked where
the history crosses them: a dashed line at the level and a dot where the count passed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.dateformat import format as format_date

from petitions.templatetags.petitions import signatures

# The drawing's own units (it scales to the width it is given): the plot area within.
# Narrow enough that its text is still 14 px on a 320 px screen (static/css/site.css sets
# a smaller text on wider ones).
WIDTH, HEIGHT = 400, 290
LEFT, RIGHT, TOP, BOTTOM = 8, 392, 36, 244
MAX_DRAWN = 400  # points on the line; a longer history is thinned, keeping its ends
MAX_ROWS = 50  # table rows of every point; a longer history gives a row a day


@dataclass
class Mark:
    label: str
    y: float
    x: float  # where the count passed it
    text_y: float


@dataclass
class Chart:
    line: str  # the path's `d`
    area: str
    dots: list[tuple[float, float]]
    y_ticks: list[tuple[float, float, str]]  # (y of the line, y of its label, label)
    first_label: str
    last_label: str
    marks: list[Mark] = field(default_factory=list)
    summary: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)  # (when, count)
    daily: bool = False  # rows are the count at the end of each day
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM


def day(moment: dt.datetime) -> str:
    return format_date(timezone.localtime(moment), "j F Y")


def when(moment: dt.datetime) -> str:
    return format_date(timezone.localtime(moment), "j F Y, H:i")


def time_of_day(moment: dt.datetime) -> str:
    return format_date(timezone.localtime(moment), "H:i")


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 10)."""
    step = 10
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def thinned(points: list, limit: int = MAX_DRAWN) -> list:
    if len(points) <= limit:
        return points
    stride = (len(points) - 1) / (limit - 1)
    return [points[round(i * stride)] for i in range(limit)]


def chart(points: list[tuple[dt.datetime, int]], thresholds: list[tuple[int, str]]) -> Chart | None:
    """The chart of a history of two points or more (in time order), else None."""
    if len(points) < 2:
        return None
    start, end = points[0][0], points[-1][0]
    span = (end - start).total_seconds() or 1.0
    top_count = nice_ceiling(max(count for _, count in points))

    def x(moment):
        return round(LEFT + (RIGHT - LEFT) * (moment - start).total_seconds() / span, 1)

    def y(count):
        return round(BOTTOM - (BOTTOM - TOP) * count / top_count, 1)

    drawn = [(x(at), y(count)) for at, count in thinned(points)]
    line = "M" + " L".join(f"{px},{py}" for px, py in drawn)
    area = f"{line} L{drawn[-1][0]},{BOTTOM} L{drawn[0][0]},{BOTTOM} Z"
    marks, marked = [], set()
    for level, label in thresholds:
        crossing = _crossing(points, level)  # crossed: then at most the top count
        if crossing is not None:
            marks.append(Mark(f"{intcomma(level)}: {label}", y(level), x(crossing), y(level) - 7))
            marked.add(level)
    first, last = points[0], points[-1]
    daily = len(points) > MAX_ROWS
    shown = _end_of_each_day(points) if daily else points
    # A history within one day: its axis ends give the times, and the day is said once.
    one_day = day(start) == day(end)
    summary = (
        f"From {signatures(first[1])} to {intcomma(last[1])} on {day(end)}"
        if one_day
        else f"From {signatures(first[1])} on {day(start)} to {intcomma(last[1])} on {day(end)}"
    )
    return Chart(
        line=line,
        area=area,
        dots=drawn if len(drawn) <= 40 else [],
        y_ticks=[
            (y(level), y(level) - 7, intcomma(level))
            for level in (top_count, top_count // 2)
            if level not in marked  # (the threshold's own label says it)
        ],
        first_label=when(start) if one_day else day(start),
        last_label=time_of_day(end) if one_day else day(end),
        marks=marks,
        summary=summary,
        rows=[(day(at) if daily else when(at), intcomma(count)) for at, count in shown],
        daily=daily,
    )


def _crossing(points, level: int) -> dt.datetime | None:
    """When the history passed `level` (between a point below it and the next at or above
    it, in proportion), or None if it never did."""
    for (at, count), (next_at, next_count) in zip(points, points[1:], strict=False):
        if count < level <= next_count:
            share = (level - count) / (next_count - count)
            return at + (next_at - at) * share
    return None


def _end_of_each_day(points):
    by_day = {}
    for at, count in points:
        by_day[timezone.localtime(at).date()] = (at, count)
    return list(by_day.values())
