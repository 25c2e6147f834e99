"""The public petitions site's JSON format, described once.

Both directions read this module: ``exchange.parse`` turns documents into records by it,
``exchange.render`` turns the archive's rows back into documents by it, and
``exchange.write`` takes its columns from it. A field of the format is named here and
nowhere else in the exchange code: to carry a new field of a government response, add it
to the model and its form, and one line to ``RESPONSE`` below.

The documents (petition.parliament.uk):

- a petition's own document (``/petitions/ID.json``): ``{"links": {"self": …}, "data": {…}}``,
  or the bare ``data`` object; its attributes include the breakdowns;
- a list page (``/petitions.json``): ``{"links": {…}, "data": [{…}, …]}``, whose items
  carry ``links.self`` and leave the breakdowns out;
- either as ``type`` ``petition`` (the current site) or ``archived-petition`` (the archive
  of dissolved parliaments, which names its ``parliament``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.validators import MaxLengthValidator
from django.utils import timezone

from petitions.models import (
    ConstituencySignatures,
    CountrySignatures,
    Department,
    Parliament,
    Petition,
    RegionSignatures,
)
from responses.models import DebateOutcome, GovernmentResponse

# --- Documents -------------------------------------------------------------------------

# The `type` of a petition in a document, and the flavour of address that serves it.
TYPES = {"petition": "current", "archived-petition": "archived"}
FLAVOURS = {flavour: type_ for type_, flavour in TYPES.items()}
# Where a record came from: a petition's own document, or an item of a list page.
DETAIL, LIST = "detail", "list"
# The keys of a petition's `data` object that the format defines.
DATA_KEYS = {"type", "id", "links", "attributes", "parliament"}

# --- Values ----------------------------------------------------------------------------

MAX_COUNT = 2**31 - 1  # signature counts and petition numbers
TOO_LONG = "longer than {limit} characters"
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_YEAR = 2100


def format_timestamp(moment: dt.datetime) -> str:
    """The public site's form: UTC with milliseconds, as 2018-11-30T16:25:04.532Z."""
    moment = moment.astimezone(dt.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> dt.datetime | None:
    """An ISO 8601 timestamp with a time zone, or None."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class Type(StrEnum):
    """What a field's value is in a document, and so how it is read and written."""

    TEXT = "text"  # a string; null is kept as "" (and given back as null)
    URL = "url"  # a TEXT that is empty or a web address (http or https: petitions.links)
    TIMESTAMP = "timestamp"  # ISO 8601 with a zone
    DATE = "date"  # YYYY-MM-DD
    COUNT = "count"  # a whole number from 0 to MAX_COUNT
    STATE = "state"  # one of PetitionState
    LIST = "list"  # a list, kept as given
    BLOCK = "block"  # an object of fields (BLOCKS), or null
    DEPARTMENTS = "departments"  # a list of DEPARTMENT objects
    TOPICS = "topics"  # a list of codes, or of {"code", "name"} objects
    BREAKDOWN = "breakdown"  # rows of signatures by place (BREAKDOWNS)
    PARLIAMENT = "parliament"  # the parliament block of an archived petition


@dataclass(frozen=True)
class Field:
    """A key of the format: its name, its type, and how the archive keeps it."""

    name: str
    type: Type = Type.TEXT
    column: str = ""  # the model field that keeps it (its name if not given)
    modelled: bool = True  # False: kept as given in `Petition.extra`, not in a column
    null_when_empty: bool = False  # the public site gives null, not "", for nothing
    required: str = ""  # why a petition cannot be without it (when it must be given)
    detail_only: bool = False  # only in a petition's own document, not in list items
    types: frozenset[str] = frozenset(TYPES)  # the document types that carry it

    @property
    def attname(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class Block:
    """An object of fields kept in one model: a response, a debate, a rejection."""

    name: str
    model: type
    fields: tuple[Field, ...]
    # The order of the keys in a document type, where it is not the order of `fields`.
    orders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The model's fields that the block does not carry: the archive fills them itself.
    archive_only: tuple[str, ...] = ()
    # Finishing touches on the values read from a document, or written into one.
    after_parse: Callable[[dict, dict], None] | None = None
    before_render: Callable[[Any, dict], None] | None = None
    too_long: str = TOO_LONG  # the problem of a text over its limit

    @property
    def modelled(self) -> list[Field]:
        return [f for f in self.fields if f.modelled]

    @property
    def columns(self) -> list[str]:
        """The model's columns that the block's fields fill."""
        return [f.attname for f in self.modelled]

    def keys(self, type_: str) -> list[str]:
        return list(self.orders.get(type_) or [f.name for f in self.fields])

    def limit(self, field_: Field) -> int | None:
        """The most characters the archive keeps of a text field."""
        return max_length(self.model, field_.attname)


def max_length(model, name: str) -> int | None:
    """A text column's limit: its max_length, or else its MaxLengthValidator's."""
    model_field = model._meta.get_field(name)
    if model_field.max_length:
        return model_field.max_length
    limits = [v.limit_value for v in model_field.validators if isinstance(v, MaxLengthValidator)]
    return min(limits) if limits else None


# --- Blocks ----------------------------------------------------------------------------

# The petition's own stamp of its government response, in the attributes.
RESPONSE_STAMP = "government_response_at"
RESPONDED_ON = "responded_on"


def _response_after_parse(values: dict, attributes: dict) -> None:
    """A response without its day (2015) was given when the petition was stamped."""
    if values.get(RESPONDED_ON) is None:
        values.pop(RESPONDED_ON, None)
        stamp = attributes.get(RESPONSE_STAMP) or values.get("created_at")
        if stamp is not None:
            values[RESPONDED_ON] = timezone.localdate(stamp, dt.UTC)


RESPONSE = Block(
    "government_response",
    GovernmentResponse,
    (
        Field(RESPONDED_ON, Type.DATE, required="when was the response given?"),
        Field("summary"),
        Field("details"),
        Field("created_at", Type.TIMESTAMP),
        Field("updated_at", Type.TIMESTAMP),
    ),
    archive_only=("department",),  # the petition's first department
    after_parse=_response_after_parse,
    too_long="longer than the archive keeps ({limit:,} characters)",
)

DEBATED_ON = "debated_on"


def _debate_after_parse(values: dict, attributes: dict) -> None:
    values["debated"] = values[DEBATED_ON] is not None


def _debate_before_render(outcome, values: dict) -> None:
    if not outcome.debated:  # a debate not held has no day, whatever an editor left
        values[DEBATED_ON] = None


DEBATE = Block(
    "debate",
    DebateOutcome,
    (
        Field(DEBATED_ON, Type.DATE),
        Field("transcript_url", Type.URL, null_when_empty=True),
        Field("video_url", Type.URL, null_when_empty=True),
        Field("debate_pack_url", Type.URL, null_when_empty=True),
        Field("public_engagement_url", Type.URL, modelled=False),
        Field("debate_summary_url", Type.URL, modelled=False),
        Field("overview"),
    ),
    orders={
        "archived-petition": (
            DEBATED_ON,
            "transcript_url",
            "video_url",
            "debate_pack_url",
            "overview",
            "public_engagement_url",
            "debate_summary_url",
        )
    },
    archive_only=("debated", "created_at", "updated_at"),  # debated: if it gives a day
    after_parse=_debate_after_parse,
    before_render=_debate_before_render,
)

REJECTION = Block(
    "rejection",
    Petition,
    (Field("code", column="rejection_code"), Field("details", column="rejection_details")),
)

DEPARTMENT = Block(
    "departments",
    Department,
    (
        Field("acronym"),
        Field("name", required="every department has a name"),
        Field("url", Type.URL),
    ),
)
DEPARTMENT_KEY = "name"

BLOCKS = {block.name: block for block in (REJECTION, RESPONSE, DEBATE)}

# --- Breakdowns ------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownAttribute:
    """One of the three breakdowns: its attribute, model, key column and row columns."""

    name: str
    model: type
    key: str
    columns: tuple[str, ...]  # in the public site's order; `name`, key and count required
    optional: tuple[str, ...] = ()  # text columns that may be null

    @property
    def key_index(self) -> int:
        return self.columns.index(self.key)

    @property
    def related_name(self) -> str:
        return self.model._meta.get_field("petition").remote_field.related_name

    def lines(self, rows: list[tuple]) -> str:
        """Rows (tuples in `columns` order) as lines of COPY's text format: what a record
        carries of a breakdown, what its digest is taken of, and what COPY is sent behind
        each petition's number. Built a column at a time in C (a row at a time, `write_row`
        takes nearly twice as long), texts escaped only in a column that needs it.
        PostgreSQL still reads every value: a number it cannot store is refused, never cut."""
        if not rows:
            return ""
        counts_at = self.columns.index(COUNT_COLUMN)
        columns = []
        for at, column in enumerate(zip(*rows, strict=True)):
            if at == counts_at:
                columns.append(map(str, column))
                continue
            texts = "".join(filter(None, column))
            if any(chr(special) in texts for special in COPY_ESCAPES):
                column = [cell if cell is None else cell.translate(COPY_ESCAPES) for cell in column]
            columns.append([COPY_NULL if cell is None else cell for cell in column])
        return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"

    def rows(self, lines: str) -> list[tuple]:
        """The rows of `lines` (the inverse of `lines`), for a database without COPY."""
        counts_at = self.columns.index(COUNT_COLUMN)
        rows = []
        for line in lines.split("\n")[:-1]:  # an escaped text holds no line break
            cells = [_copy_cell(cell) for cell in line.split("\t")]
            cells[counts_at] = int(cells[counts_at])
            rows.append(tuple(cells))
        return rows


# What COPY's text format escapes in a text, and how; and how it writes null.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = r"\N"
COPY_ESCAPED = re.compile(r"\\(.)")
COPY_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _copy_cell(cell: str) -> str | None:
    if cell == COPY_NULL:
        return None
    if "\\" in cell:
        return COPY_ESCAPED.sub(lambda escape: COPY_UNESCAPES[escape.group(1)], cell)
    return cell


COUNT_COLUMN = "signature_count"
BREAKDOWNS = [
    BreakdownAttribute(
        "signatures_by_country",
        CountrySignatures,
        key="name",
        columns=("name", "code", COUNT_COLUMN),
        optional=("code",),
    ),
    BreakdownAttribute(
        "signatures_by_constituency",
        ConstituencySignatures,
        key="ons_code",
        columns=("name", "ons_code", "mp", COUNT_COLUMN),
        optional=("mp",),
    ),
    BreakdownAttribute(
        "signatures_by_region",
        RegionSignatures,
        key="ons_code",
        columns=("name", "ons_code", COUNT_COLUMN),
    ),
]
BREAKDOWN_BY_NAME = {breakdown.name: breakdown for breakdown in BREAKDOWNS}

# --- A petition's attributes -----------------------------------------------------------

TIMESTAMP = Type.TIMESTAMP
CREATED, UPDATED, OPENED, CLOSED = "created_at", "updated_at", "opened_at", "closed_at"

# In the public site's order.
ATTRIBUTES = [
    Field("action", required="every petition has an action"),
    Field("background"),
    Field("additional_details"),
    Field("committee_note", null_when_empty=True),
    Field("state", Type.STATE),
    Field(COUNT_COLUMN, Type.COUNT),
    Field(CREATED, TIMESTAMP, required="every petition has a creation time"),
    Field(UPDATED, TIMESTAMP),
    Field("rejected_at", TIMESTAMP),
    Field(OPENED, TIMESTAMP),
    Field(CLOSED, TIMESTAMP),
    Field("moderation_threshold_reached_at", TIMESTAMP),
    Field("response_threshold_reached_at", TIMESTAMP),
    Field(RESPONSE_STAMP, TIMESTAMP),
    Field("debate_threshold_reached_at", TIMESTAMP),
    Field("debate_scheduled_at", TIMESTAMP, modelled=False),
    Field("scheduled_debate_date", Type.DATE),
    Field("debate_outcome_at", TIMESTAMP),
    Field("creator_name", null_when_empty=True, types=frozenset({"petition"})),
    Field(REJECTION.name, Type.BLOCK),
    Field(RESPONSE.name, Type.BLOCK),
    Field(DEBATE.name, Type.BLOCK),
    Field(DEPARTMENT.name, Type.DEPARTMENTS),
    Field("topics", Type.TOPICS),
    *(Field(b.name, Type.BREAKDOWN, detail_only=True) for b in BREAKDOWNS),
    Field("other_parliamentary_business", Type.LIST, detail_only=True),
]
ATTRIBUTE_BY_NAME = {attribute.name: attribute for attribute in ATTRIBUTES}
# Early (2015) names of the public API's attributes, and the names we keep them under.
ALIASES = {"open_at": OPENED}
PARLIAMENT = "parliament"  # an archived petition's parliament (in `data`, or in 2015 here)

# What the archive keeps in its own columns and tables; the rest goes to `extra` as given.
MODELLED = {a.name for a in ATTRIBUTES if a.modelled} | set(ALIASES) | {PARLIAMENT}


def attributes_of(type_: str, detail: bool) -> list[str]:
    """The attributes of a document type, in the public site's order."""
    return [a.name for a in ATTRIBUTES if type_ in a.types and (detail or not a.detail_only)]


def attributes_typed(*types: Type) -> list[Field]:
    return [a for a in ATTRIBUTES if a.type in types and a.modelled]


# --- The parliament block --------------------------------------------------------------


def format_parliament_time(moment: dt.datetime | None) -> str | None:
    """As the public site's archive gives a parliament's dissolution: UK time, milliseconds."""
    if moment is None:
        return None
    local = timezone.localtime(moment, timezone.get_default_timezone())
    offset = local.utcoffset()
    zone = "Z" if not offset else local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{zone}"


def parliament_block(parliament: Parliament) -> dict[str, Any]:
    """The `parliament` block of an archived petition, from the archive's facts."""
    return {
        "period": parliament.period,
        "government": parliament.government,
        "dissolution_at": format_parliament_time(parliament.dissolution_at),
        "response_threshold": parliament.threshold_for_response,
        "debate_threshold": parliament.threshold_for_debate,
    }
