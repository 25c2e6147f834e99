"""Read the public petitions site's JSON into the archive.

A document is one of:
- a single petition: ``{"links": {...}, "data": {"type": "petition", "id": 1, ...}}``
- a bare ``data`` object: ``{"type": "petition", "id": 1, "attributes": {...}}``
- a list page: ``{"links": {...}, "data": [{...}, {...}]}``

``parse_document`` validates a whole document and returns plain ``PetitionRecord``
objects, or raises ``InvalidDocument`` naming the JSON path and the reason.
``save_records`` writes records (idempotent upserts keyed on the official petition id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from petitions.models import (
    ConstituencySignatures,
    CountrySignatures,
    Department,
    Parliament,
    Petition,
    PetitionState,
    RegionSignatures,
    Topic,
)
from responses.models import DebateOutcome, GovernmentResponse

TIMESTAMP_FIELDS = [
    "created_at",
    "updated_at",
    "opened_at",
    "closed_at",
    "rejected_at",
    "moderation_threshold_reached_at",
    "response_threshold_reached_at",
    "government_response_at",
    "debate_threshold_reached_at",
    "debate_outcome_at",
]
# Early (2015) field names of the public API, and the names we keep them under.
ALIASES = {"open_at": "opened_at"}
TEXT_FIELDS = ["action", "background", "additional_details", "committee_note", "creator_name"]
KNOWN_ATTRIBUTES = {
    *TIMESTAMP_FIELDS,
    *ALIASES,
    *TEXT_FIELDS,
    "state",
    "signature_count",
    "scheduled_debate_date",
    "rejection",
    "government_response",
    "debate",
    "departments",
    "topics",
    "other_parliamentary_business",
    "signatures_by_constituency",
    "signatures_by_country",
    "signatures_by_region",
    "parliament",
}
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_YEAR = 2100


class InvalidDocument(ValueError):
    """A document that cannot be imported; `path` says where, the message says why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class PetitionRecord:
    """One petition, validated, as plain values ready to be written."""

    id: int
    fields: dict[str, Any]
    rejection: dict[str, Any] | None = None
    government_response: dict[str, Any] | None = None
    debate: dict[str, Any] | None = None
    departments: list[dict[str, str]] | None = None
    topics: list[Any] | None = None
    parliament: dict[str, Any] | None = None
    constituencies: list[dict[str, Any]] | None = None
    countries: list[dict[str, Any]] | None = None
    regions: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_document(document: Any, path: str = "$") -> list[PetitionRecord]:
    """Every petition in a document, validated; raises InvalidDocument."""
    if not isinstance(document, dict):
        raise InvalidDocument(path, "expected a JSON object")
    if "attributes" in document:
        return [parse_petition(document, path)]
    if "data" not in document:
        raise InvalidDocument(path, "no 'data' and no 'attributes': not a petition document")
    data = document["data"]
    if isinstance(data, list):
        return [parse_petition(item, f"{path}.data[{i}]") for i, item in enumerate(data)]
    return [parse_petition(data, f"{path}.data")]


def parse_petition(item: Any, path: str) -> PetitionRecord:
    if not isinstance(item, dict):
        raise InvalidDocument(path, "expected a petition object")
    kind = item.get("type")
    if kind not in ("petition", "archived-petition"):
        raise InvalidDocument(f"{path}.type", f"unknown type {kind!r}")
    petition_id = item.get("id")
    if isinstance(petition_id, bool) or not isinstance(petition_id, int) or petition_id <= 0:
        raise InvalidDocument(
            f"{path}.id", f"expected a positive petition number, got {petition_id!r}"
        )
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        raise InvalidDocument(f"{path}.attributes", "expected an object")
    at = f"{path}.attributes"

    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        fields[name] = _text(attributes.get(name), f"{at}.{name}")
    if not fields["action"]:
        raise InvalidDocument(f"{at}.action", "missing: every petition has an action")
    if len(fields["action"]) > 255:
        raise InvalidDocument(f"{at}.action", "longer than 255 characters")

    state = attributes.get("state")
    if state not in PetitionState.values:
        raise InvalidDocument(f"{at}.state", f"unknown state {state!r}")
    fields["state"] = state
    fields["signature_count"] = _count(attributes.get("signature_count"), f"{at}.signature_count")

    for source, target in [(name, name) for name in TIMESTAMP_FIELDS] + list(ALIASES.items()):
        if source in attributes:
            fields[target] = _timestamp(attributes[source], f"{at}.{source}")
    if "created_at" not in fields or fields["created_at"] is None:
        raise InvalidDocument(f"{at}.created_at", "missing: every petition has a creation time")
    if fields.get("updated_at") is None:
        fields["updated_at"] = fields["created_at"]
    opened, closed = fields.get("opened_at"), fields.get("closed_at")
    if opened and closed and closed < opened:
        raise InvalidDocument(f"{at}.closed_at", "closes before it opened")
    fields["scheduled_debate_date"] = _date(
        attributes.get("scheduled_debate_date"), f"{at}.scheduled_debate_date"
    )

    record = PetitionRecord(id=petition_id, fields=fields)
    record.extra = {k: v for k, v in attributes.items() if k not in KNOWN_ATTRIBUTES}
    for alias in ALIASES:
        if alias in attributes:
            record.extra.setdefault("_aliases", []).append(alias)

    rejection = attributes.get("rejection")
    if rejection is not None:
        rejection = _object(rejection, f"{at}.rejection")
        record.rejection = {
            "code": _text(rejection.get("code"), f"{at}.rejection.code"),
            "details": _text(rejection.get("details"), f"{at}.rejection.details"),
        }

    response = attributes.get("government_response")
    if response is not None:
        response = _object(response, f"{at}.government_response")
        rp = f"{at}.government_response"
        record.government_response = {
            "responded_on": _date(response.get("responded_on"), f"{rp}.responded_on"),
            "summary": _text(response.get("summary"), f"{rp}.summary"),
            "details": _text(response.get("details"), f"{rp}.details"),
            "created_at": _timestamp(response.get("created_at"), f"{rp}.created_at"),
            "updated_at": _timestamp(response.get("updated_at"), f"{rp}.updated_at"),
        }
        if record.government_response["responded_on"] is None:
            stamp = fields.get("government_response_at") or record.government_response["created_at"]
            if stamp is None:
                raise InvalidDocument(f"{rp}.responded_on", "missing: when was the response given?")
            record.government_response["responded_on"] = stamp.date()

    debate = attributes.get("debate")
    if debate is not None:
        debate = _object(debate, f"{at}.debate")
        dp = f"{at}.debate"
        debated_on = _date(debate.get("debated_on"), f"{dp}.debated_on")
        record.debate = {
            "debated": debated_on is not None,
            "debated_on": debated_on,
            "overview": _text(debate.get("overview"), f"{dp}.overview"),
            "transcript_url": _text(debate.get("transcript_url"), f"{dp}.transcript_url"),
            "video_url": _text(debate.get("video_url"), f"{dp}.video_url"),
            "debate_pack_url": _text(debate.get("debate_pack_url"), f"{dp}.debate_pack_url"),
        }

    if "departments" in attributes:
        record.departments = [
            {
                "acronym": _text(d.get("acronym"), f"{at}.departments[{i}].acronym"),
                "name": _required_text(d.get("name"), f"{at}.departments[{i}].name"),
                "url": _text(d.get("url"), f"{at}.departments[{i}].url"),
            }
            for i, d in enumerate(_objects(attributes["departments"], f"{at}.departments"))
        ]
    if "topics" in attributes:
        topics = attributes["topics"]
        if not isinstance(topics, list):
            raise InvalidDocument(f"{at}.topics", "expected a list")
        record.topics = topics
    if "other_parliamentary_business" in attributes:
        business = attributes["other_parliamentary_business"]
        if not isinstance(business, list):
            raise InvalidDocument(f"{at}.other_parliamentary_business", "expected a list")
        fields["other_parliamentary_business"] = business

    if "parliament" in attributes and attributes["parliament"] is not None:
        record.parliament = _object(attributes["parliament"], f"{at}.parliament")
        if not isinstance(record.parliament.get("period"), str):
            raise InvalidDocument(f"{at}.parliament.period", "expected text such as 2017-2019")

    record.constituencies = _breakdown(
        attributes, "signatures_by_constituency", "ons_code", at, extra=("mp",)
    )
    record.countries = _breakdown(attributes, "signatures_by_country", "name", at, extra=("code",))
    record.regions = _breakdown(attributes, "signatures_by_region", "ons_code", at)
    return record


def _breakdown(attributes, name, key, at, extra=()):
    if name not in attributes or attributes[name] is None:
        return None
    rows, seen = [], set()
    for i, row in enumerate(_objects(attributes[name], f"{at}.{name}")):
        here = f"{at}.{name}[{i}]"
        code = _required_text(row.get(key), f"{here}.{key}")
        if code in seen:
            raise InvalidDocument(f"{here}.{key}", f"{code} appears twice")
        seen.add(code)
        parsed = {
            key: code,
            "name": _required_text(row.get("name"), f"{here}.name"),
            "signature_count": _count(row.get("signature_count"), f"{here}.signature_count"),
        }
        for column in extra:
            parsed[column] = _text(row.get(column), f"{here}.{column}") or None
        rows.append(parsed)
    return rows


def _object(value, path) -> dict:
    if not isinstance(value, dict):
        raise InvalidDocument(path, f"expected an object, got {type(value).__name__}")
    return value


def _objects(value, path) -> list[dict]:
    if not isinstance(value, list):
        raise InvalidDocument(path, f"expected a list, got {type(value).__name__}")
    for i, item in enumerate(value):
        _object(item, f"{path}[{i}]")
    return value


def _text(value, path) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidDocument(path, f"expected text, got {type(value).__name__}")
    return value


def _required_text(value, path) -> str:
    text = _text(value, path)
    if not text:
        raise InvalidDocument(path, "missing")
    return text


def _count(value, path) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidDocument(path, f"expected a whole number, got {value!r}")
    if value < 0:
        raise InvalidDocument(path, f"a count cannot be negative ({value})")
    return value


def _timestamp(value, path) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDocument(path, f"expected a timestamp, got {value!r}")
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidDocument(path, f"not an ISO 8601 timestamp with a time zone: {value!r}")
    if moment < EARLIEST or moment.year > LATEST_YEAR:
        raise InvalidDocument(path, f"an absurd date: {value!r}")
    return moment


def _date(value, path) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDocument(path, f"expected a date, got {value!r}")
    try:
        day = parse_date(value[:10]) if len(value) >= 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidDocument(path, f"not a date (YYYY-MM-DD): {value!r}")
    if day.year < EARLIEST.year or day.year > LATEST_YEAR:
        raise InvalidDocument(path, f"an absurd date: {value!r}")
    return day


def parliament_for(record: PetitionRecord) -> Parliament:
    """The parliament the file names, or else the one sitting when the petition was made."""
    if record.parliament:
        period = record.parliament["period"]
        found = Parliament.objects.filter(period=period).first()
        if found:
            return found
        raise InvalidDocument(
            f"petition {record.id}.parliament.period", f"unknown parliament {period!r}"
        )
    moment = record.fields.get("opened_at") or record.fields["created_at"]
    found = Parliament.objects.containing(moment)
    if found is None:
        raise InvalidDocument(
            f"petition {record.id}", f"no parliament was sitting on {moment:%Y-%m-%d}"
        )
    return found


@transaction.atomic
def save_record(record: PetitionRecord) -> Petition:
    """Create or update one petition and everything that hangs off it."""
    fields = dict(record.fields)
    if record.rejection is not None:
        fields["rejection_code"] = record.rejection["code"]
        fields["rejection_details"] = record.rejection["details"]
    fields["parliament"] = parliament_for(record)
    fields["extra"] = record.extra
    petition, _ = Petition.objects.update_or_create(id=record.id, defaults=fields)

    departments = []
    if record.departments is not None:
        for d in record.departments:
            department, _ = Department.objects.update_or_create(
                name=d["name"], defaults={"acronym": d["acronym"], "url": d["url"]}
            )
            departments.append(department)
        petition.departments.set(departments)
    if record.topics is not None:
        topics = []
        for t in record.topics:
            code = t.get("code") if isinstance(t, dict) else str(t)
            name = t.get("name", code) if isinstance(t, dict) else str(t)
            topic, _ = Topic.objects.get_or_create(code=code, defaults={"name": name})
            topics.append(topic)
        petition.topics.set(topics)

    if record.government_response is not None:
        values = {k: v for k, v in record.government_response.items() if v is not None}
        if departments:
            values["department"] = departments[0]
        GovernmentResponse.objects.update_or_create(petition=petition, defaults=values)
    if record.debate is not None:
        DebateOutcome.objects.update_or_create(petition=petition, defaults=record.debate)

    for model, rows in [
        (ConstituencySignatures, record.constituencies),
        (CountrySignatures, record.countries),
        (RegionSignatures, record.regions),
    ]:
        if rows is None:
            continue  # a list page carries no breakdowns: keep what a detail file brought
        model.objects.filter(petition=petition).delete()
        model.objects.bulk_create(model(petition=petition, **row) for row in rows)
    return petition
