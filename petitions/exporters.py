"""A petition as the public petitions site's JSON: the detail document and list items.

Two flavours, as on the public site: ``current`` (``/petitions/ID.json``, type
``petition``) and ``archived`` (``/archived/petitions/ID.json``, type
``archived-petition`` with the ``parliament`` block).

Values always come from the models. When the petition was imported, the form its
document was written in (kept by ``petitions.importers`` in ``Petition.extra``) decides
which keys appear and in what order, which empty texts are null, and how a timestamp was
written, so that an imported document comes back as it went in; fields the archive does
not model come back from ``extra``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.dateparse import parse_date

from petitions.importers import (
    ALIASES,
    BREAKDOWNS,
    TEXT_FIELDS,
    TIMESTAMP_FIELDS,
    format_timestamp,
    parliament_block,
    parse_timestamp,
)
from petitions.models import Petition

TYPES = {"current": "petition", "archived": "archived-petition"}
CURRENT_KEYS = [
    "action",
    "background",
    "additional_details",
    "committee_note",
    "state",
    "signature_count",
    "created_at",
    "updated_at",
    "rejected_at",
    "opened_at",
    "closed_at",
    "moderation_threshold_reached_at",
    "response_threshold_reached_at",
    "government_response_at",
    "debate_threshold_reached_at",
    "debate_scheduled_at",
    "scheduled_debate_date",
    "debate_outcome_at",
    "creator_name",
    "rejection",
    "government_response",
    "debate",
    "departments",
    "topics",
]
ARCHIVED_KEYS = [key for key in CURRENT_KEYS if key != "creator_name"]
DETAIL_KEYS = [kind.attribute for kind in BREAKDOWNS] + ["other_parliamentary_business"]
RESPONSE_KEYS = ["responded_on", "summary", "details", "created_at", "updated_at"]
DEBATE_KEYS = {
    "current": [
        "debated_on",
        "transcript_url",
        "video_url",
        "debate_pack_url",
        "public_engagement_url",
        "debate_summary_url",
        "overview",
    ],
    "archived": [
        "debated_on",
        "transcript_url",
        "video_url",
        "debate_pack_url",
        "overview",
        "public_engagement_url",
        "debate_summary_url",
    ],
}
# Texts the public site gives as null when empty (the others as "").
NULL_WHEN_EMPTY = {"committee_note", "creator_name"}


def for_export(queryset: QuerySet, *, detail: bool = True) -> QuerySet:
    """The queries the documents of `queryset` need, whatever its size."""
    related = ["departments", "topics"]
    if detail:
        related += [
            Prefetch(
                kind.model._meta.get_field("petition").remote_field.related_name,
                queryset=kind.model.objects.order_by("name"),
            )
            for kind in BREAKDOWNS
        ]
    return queryset.select_related(
        "parliament", "government_response", "debate_outcome"
    ).prefetch_related(*related)


def petition_url(petition_id: int, flavour: str, base_url: str = "") -> str:
    name = "petitions:archived_json" if flavour == "archived" else "petitions:json"
    return base_url + reverse(name, args=[petition_id])


def petition_document(
    petition: Petition, *, flavour: str = "current", base_url: str = "", self_url: str = ""
) -> dict[str, Any]:
    """The detail document: ``{"links": {"self": ...}, "data": {...}}``."""
    data = petition_data(petition, flavour=flavour, base_url=base_url, detail=True)
    envelope = {
        "links": {"self": self_url or petition_url(petition.id, flavour, base_url)},
        "data": data,
    }
    extra = petition.extra or {}
    envelope.update(extra.get("_more", {}).get("document", {}))
    order = extra.get("_form", {}).get("detail", {}).get("document")
    if order and set(order) == set(envelope):
        envelope = {key: envelope[key] for key in order}
    return envelope


def list_document(
    petitions, *, flavour: str = "current", base_url: str = "", links: dict[str, Any]
) -> dict[str, Any]:
    """A list page: ``links`` (self, first, last, next, prev) and the petitions' items."""
    return {
        "links": links,
        "data": [
            petition_data(petition, flavour=flavour, base_url=base_url, detail=False)
            for petition in petitions
        ],
    }


def petition_data(
    petition: Petition, *, flavour: str = "current", base_url: str = "", detail: bool = True
) -> dict[str, Any]:
    """The ``data`` object of a petition; list items (detail=False) carry ``links.self``."""
    return _Rendering(petition, flavour, base_url, detail).data()


def _related(petition, name):
    try:
        return getattr(petition, name)
    except ObjectDoesNotExist:
        return None


class _Rendering:
    def __init__(self, petition: Petition, flavour: str, base_url: str, detail: bool):
        self.petition = petition
        self.flavour = flavour
        self.type = TYPES[flavour]
        self.base_url = base_url
        self.detail = detail
        extra = petition.extra or {}
        self.extra = extra
        self.more = extra.get("_more", {})
        forms = extra.get("_form", {})
        kinds = ["detail", "list"] if detail else ["list", "detail"]
        # The form of a document of this type (keys, order); any form for values' forms.
        self.kind, self.shape = next(
            ((k, forms[k]) for k in kinds if forms.get(k, {}).get("type") == self.type),
            (None, None),
        )
        self.hints = self.shape or next((forms[k] for k in kinds if k in forms), {})
        self.null = set(self.hints.get("null", ()))
        self.text = self.hints.get("text", {})
        self.nested = (self.shape or {}).get("nested", {})

    # The data object.

    def data(self) -> dict[str, Any]:
        attribute_keys = self.attribute_keys()
        parts = {"type": self.type, "id": self.petition.id}
        data_keys = (self.shape or {}).get("data", [])
        if not self.detail or "links" in data_keys:
            parts["links"] = {"self": petition_url(self.petition.id, self.flavour, self.base_url)}
        if self.flavour == "archived" and "parliament" not in attribute_keys:
            parts["parliament"] = self.parliament()
        parts["attributes"] = {key: self.value(key) for key in attribute_keys}
        parts.update(self.more.get("data", {}))
        ordered = [key for key in data_keys if key in parts]
        return {key: parts[key] for key in ordered + [k for k in parts if k not in ordered]}

    def attribute_keys(self) -> list[str]:
        unmodelled = [key for key in self.extra if not key.startswith("_")]
        if self.shape:
            keys = list(self.shape["attributes"])
            given = set(keys) | {ALIASES[key] for key in keys if key in ALIASES}
            canonical = CURRENT_KEYS if self.flavour == "current" else ARCHIVED_KEYS
            # What was added since (by an editor, or by a newer document of another kind).
            keys += [k for k in canonical + unmodelled if k not in given and self.has(k)]
        else:
            canonical = CURRENT_KEYS if self.flavour == "current" else ARCHIVED_KEYS
            keys = canonical + [key for key in unmodelled if key not in canonical]
        if not self.detail:
            return [key for key in keys if key not in DETAIL_KEYS]
        # A petition's own document has its breakdowns: all of them unless its form says.
        keep_all = self.kind != "detail"
        return keys + [
            key for key in DETAIL_KEYS if key not in keys and (keep_all or self.has(key))
        ]

    def has(self, key) -> bool:
        return self.value(key) not in (None, "", [], {})

    # Attribute values.

    def value(self, key: str) -> Any:
        petition = self.petition
        if key in TEXT_FIELDS:
            return self.text_value(getattr(petition, key), key, key in NULL_WHEN_EMPTY)
        if key in TIMESTAMP_FIELDS or key in ALIASES:
            return self.stamp(getattr(petition, ALIASES.get(key, key)), key)
        if key in ("state", "signature_count", "other_parliamentary_business"):
            return getattr(petition, key)
        if key == "scheduled_debate_date":
            return self.day(petition.scheduled_debate_date, key)
        if key in _VALUES:
            return _VALUES[key](self)
        if key in DETAIL_ATTRIBUTES:
            return self.breakdown(DETAIL_ATTRIBUTES[key])
        if key == "parliament":
            return self.parliament()
        return self.extra.get(key)

    def text_value(self, text: str, name: str, null_when_empty: bool = False) -> str | None:
        if text == "" and (name in self.null or (null_when_empty and not self.hints)):
            return None
        return text

    def stamp(self, moment: dt.datetime | None, name: str) -> str | None:
        if moment is None or name in self.null:
            return None
        original = self.text.get(name)
        if original and parse_timestamp(original) == moment:
            return original
        return format_timestamp(moment)

    def day(self, day: dt.date | None, name: str) -> str | None:
        if day is None or name in self.null:
            return None
        original = self.text.get(name)
        if original and parse_date(original[:10]) == day:
            return original
        return day.isoformat()

    def nested_object(self, name, canonical, values: dict[str, Any]) -> dict[str, Any]:
        values.update(self.more.get(name, {}))
        keys = self.nested.get(name) or canonical
        return {key: values.get(key) for key in keys}

    def rejection(self):
        petition = self.petition
        if not (
            petition.rejection_code or petition.rejection_details or "rejection" in self.nested
        ):
            return None
        values = {
            "code": self.text_value(petition.rejection_code, "rejection.code"),
            "details": self.text_value(petition.rejection_details, "rejection.details"),
        }
        return self.nested_object("rejection", ["code", "details"], values)

    def government_response(self):
        response = _related(self.petition, "government_response")
        if response is None:
            return None
        name = "government_response"
        values = {
            "responded_on": self.day(response.responded_on, f"{name}.responded_on"),
            "summary": self.text_value(response.summary, f"{name}.summary"),
            "details": self.text_value(response.details, f"{name}.details"),
            "created_at": self.stamp(response.created_at, f"{name}.created_at"),
            "updated_at": self.stamp(response.updated_at, f"{name}.updated_at"),
        }
        return self.nested_object(name, RESPONSE_KEYS, values)

    def debate(self):
        outcome = _related(self.petition, "debate_outcome")
        if outcome is None:
            return None
        values = {
            "debated_on": self.day(
                outcome.debated_on if outcome.debated else None, "debate.debated_on"
            )
        }
        for name in ("transcript_url", "video_url", "debate_pack_url", "overview"):
            values[name] = self.text_value(
                getattr(outcome, name), f"debate.{name}", name != "overview"
            )
        return self.nested_object("debate", DEBATE_KEYS[self.flavour], values)

    def departments(self):
        order = {
            name: i for i, name in enumerate(self.hints.get("order", {}).get("departments", []))
        }
        departments = sorted(
            self.petition.departments.all(), key=lambda d: (order.get(d.name, len(order)), d.name)
        )
        more = self.more.get("departments", {})
        return [
            {
                "acronym": self.text_value(d.acronym, f"departments.{d.name}.acronym"),
                "name": d.name,
                "url": self.text_value(d.url, f"departments.{d.name}.url"),
                **more.get(d.name, {}),
            }
            for d in departments
        ]

    def topics(self):
        order = {code: i for i, code in enumerate(self.hints.get("order", {}).get("topics", []))}
        topics = sorted(
            self.petition.topics.all(), key=lambda t: (order.get(t.code, len(order)), t.code)
        )
        if "topics" in self.nested:
            return [{"code": t.code, "name": t.name} for t in topics]
        return [t.code for t in topics]

    def breakdown(self, kind):
        related = kind.model._meta.get_field("petition").remote_field.related_name
        keys = (self.shape or {}).get("rows", {}).get(kind.attribute) or kind.columns
        keys = [key for key in keys if key in kind.columns]
        more = self.more.get(kind.attribute, {})
        rows = []
        for row in getattr(self.petition, related).all():
            values = {key: getattr(row, key) for key in keys}
            values.update(more.get(getattr(row, kind.key), {}))  # fields we don't model
            rows.append(values)
        if not rows and kind.attribute in self.null:
            return None
        return rows

    def parliament(self):
        values = parliament_block(self.petition.parliament)
        values.update(self.more.get("parliament", {}))
        keys = self.nested.get("parliament") or list(values)
        return {key: values.get(key) for key in keys}


_VALUES = {
    "rejection": _Rendering.rejection,
    "government_response": _Rendering.government_response,
    "debate": _Rendering.debate,
    "departments": _Rendering.departments,
    "topics": _Rendering.topics,
}
DETAIL_ATTRIBUTES = {kind.attribute: kind for kind in BREAKDOWNS}
