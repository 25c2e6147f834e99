"""The archive's petitions as the public petitions site's JSON: documents and list items.

Two flavours, as on the public site: ``current`` (``/petitions/ID.json``, type
``petition``) and ``archived`` (``/archived/petitions/ID.json``, type
``archived-petition`` with the ``parliament`` block). ``exchange.format`` says which
attributes each has, in what order, and of what type.

Values always come from the models. When the petition was imported, the form its
document was written in (kept by ``exchange.parse`` in ``Petition.extra``) decides
which keys appear and in what order, which empty texts are null, and how a timestamp was
written, so that an imported document comes back as it went in; fields the archive does
not model come back from ``extra``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.dateparse import parse_date

from exchange.format import (
    ALIASES,
    ATTRIBUTE_BY_NAME,
    ATTRIBUTES,
    BLOCKS,
    BREAKDOWN_BY_NAME,
    BREAKDOWNS,
    DEPARTMENT,
    DEPARTMENT_KEY,
    DETAIL,
    FLAVOURS,
    LIST,
    PARLIAMENT,
    TYPES,
    Block,
    Type,
    format_timestamp,
    parliament_block,
    parse_timestamp,
)
from petitions.models import Department, Petition, Topic
from petitions.precompiled import OnePetition, prefetched

DETAIL_ONLY = [a.name for a in ATTRIBUTES if a.detail_only]


def attribute_keys(type_: str) -> list[str]:
    """A document type's attributes, in the public site's order (breakdowns apart)."""
    return [a.name for a in ATTRIBUTES if type_ in a.types and not a.detail_only]


CANONICAL_KEYS = {type_: attribute_keys(type_) for type_ in TYPES}
# What a document never shows: the search vectors, which the databases keep for themselves.
SEARCH_VECTORS = ["search_vector", "government_response__search_vector"]
# The blocks kept in models of their own, and the name of each on a petition.
RELATED = {
    block.name: block.model._meta.get_field("petition").remote_field.related_name
    for block in BLOCKS.values()
    if block.model is not Petition
}


def related_rows(detail: bool = True) -> dict[str, tuple[QuerySet, str]]:
    """The rows of other tables a document shows, by their name on a petition: the queryset
    of each, and its field that names the petition."""
    rows = {
        "departments": (Department.objects.all(), "petitions"),
        "topics": (Topic.objects.all(), "petitions"),
    }
    if detail:
        rows |= {
            breakdown.related_name: (breakdown.model.objects.order_by("name"), "petition")
            for breakdown in BREAKDOWNS
        }
    return rows


def for_export(queryset: QuerySet, *, detail: bool = True, related: bool = True) -> QuerySet:
    """The queries the documents of `queryset` need, whatever its size (without the rows
    of other tables when not `related`)."""
    queryset = queryset.select_related("parliament", *RELATED.values()).defer(*SEARCH_VECTORS)
    if not related:
        return queryset
    return queryset.prefetch_related(
        *(Prefetch(name, queryset=rows) for name, (rows, _) in related_rows(detail).items())
    )


class OneDocument:
    """The reads of one petition's own document (`for_export` of one petition), each
    compiled once (petitions.precompiled): a document opened afresh takes six."""

    def __init__(self, petitions: Callable[[], QuerySet]):
        self.petition = OnePetition(lambda pk: for_export(petitions(), related=False).filter(pk=pk))
        self.related = {
            name: OnePetition(lambda pk, rows=rows, field=field: rows.filter(**{field: pk}))
            for name, (rows, field) in related_rows().items()
        }

    def get(self, pk: int) -> Petition | None:
        """The petition, with its related rows; None if `petitions` has no such one."""
        petition = self.petition.first(pk)
        if petition is None:
            return None
        for name, query in self.related.items():
            prefetched(petition, name, query.objects(pk))
        return petition


def flavour_of(petition: Petition) -> str:
    """The flavour the petition was imported in, or else archived if its parliament is."""
    form = (petition.extra or {}).get("_form", {})
    imported = (form.get(DETAIL) or form.get(LIST) or {}).get("type")
    if imported:
        return TYPES[imported]
    return "archived" if petition.parliament.dissolution_at else "current"


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
    order = extra.get("_form", {}).get(DETAIL, {}).get("document")
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
        self.type = FLAVOURS[flavour]
        self.base_url = base_url
        self.detail = detail
        extra = petition.extra or {}
        self.extra = extra
        self.more = extra.get("_more", {})
        forms = extra.get("_form", {})
        origins = [DETAIL, LIST] if detail else [LIST, DETAIL]
        # The form of a document of this type (its keys and their order)...
        self.origin, self.form = next(
            ((o, forms[o]) for o in origins if forms.get(o, {}).get("type") == self.type),
            (None, None),
        )
        # ... and the form of any document, for how values were written.
        self.values_form = self.form or next((forms[o] for o in origins if o in forms), {})
        self.null = set(self.values_form.get("null", ()))
        self.text = self.values_form.get("text", {})
        self.nested = (self.form or {}).get("nested", {})

    # The data object.

    def data(self) -> dict[str, Any]:
        attribute_keys = self.attribute_keys()
        parts = {"type": self.type, "id": self.petition.id}
        data_keys = (self.form or {}).get("data", [])
        if not self.detail or "links" in data_keys:
            parts["links"] = {"self": petition_url(self.petition.id, self.flavour, self.base_url)}
        if self.flavour == "archived" and PARLIAMENT not in attribute_keys:
            parts[PARLIAMENT] = self.parliament()
        parts["attributes"] = {key: self.value(key) for key in attribute_keys}
        parts.update(self.more.get("data", {}))
        ordered = [key for key in data_keys if key in parts]
        return {key: parts[key] for key in ordered + [k for k in parts if k not in ordered]}

    def attribute_keys(self) -> list[str]:
        unmodelled = [key for key in self.extra if not key.startswith("_")]
        canonical = CANONICAL_KEYS[self.type]
        if self.form:
            keys = list(self.form["attributes"])
            given = set(keys) | {ALIASES[key] for key in keys if key in ALIASES}
            # What was added since (by an editor, or by a newer document of another origin).
            keys += [k for k in canonical + unmodelled if k not in given and self.has(k)]
        else:
            keys = canonical + [key for key in unmodelled if key not in canonical]
        if not self.detail:
            return [key for key in keys if key not in DETAIL_ONLY]
        # A petition's own document has its breakdowns: all of them unless its form says.
        keep_all = self.origin != DETAIL
        return keys + [
            key for key in DETAIL_ONLY if key not in keys and (keep_all or self.has(key))
        ]

    def has(self, key) -> bool:
        return self.value(key) not in (None, "", [], {})

    # Attribute values.

    def value(self, key: str) -> Any:
        if key == PARLIAMENT:
            return self.parliament()
        attribute = ATTRIBUTE_BY_NAME.get(ALIASES.get(key, key))
        if attribute is None or not attribute.modelled:
            return self.extra.get(key)
        value = getattr(self.petition, attribute.attname, None)
        match attribute.type:
            case Type.TEXT | Type.URL:
                return self.text_value(value, key, attribute.null_when_empty)
            case Type.TIMESTAMP:
                return self.stamp(value, key)
            case Type.DATE:
                return self.day(value, key)
            case Type.BLOCK:
                return self.block(BLOCKS[key])
            case Type.DEPARTMENTS:
                return self.departments()
            case Type.TOPICS:
                return self.topics(key)
            case Type.BREAKDOWN:
                return self.breakdown(key)
        return value  # a state, a count, a list: as kept

    def text_value(self, text: str, name: str, null_when_empty: bool = False) -> str | None:
        if text == "" and (name in self.null or (null_when_empty and not self.values_form)):
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

    def block(self, block: Block) -> dict[str, Any] | None:
        if block.model is Petition:  # kept in the petition's own columns
            source = self.petition
            if not (
                any(getattr(source, column) for column in block.columns)
                or block.name in self.nested
            ):
                return None
        else:
            source = _related(self.petition, RELATED[block.name])
            if source is None:
                return None
        values = {}
        for field in block.modelled:
            value, name = getattr(source, field.attname), f"{block.name}.{field.name}"
            match field.type:
                case Type.TEXT | Type.URL:
                    values[field.name] = self.text_value(value, name, field.null_when_empty)
                case Type.TIMESTAMP:
                    values[field.name] = self.stamp(value, name)
                case Type.DATE:
                    values[field.name] = self.day(value, name)
        if block.before_render:
            block.before_render(source, values)
        return self.nested_object(block.name, block.keys(self.type), values)

    def departments(self):
        name = DEPARTMENT.name
        order = {key: i for i, key in enumerate(self.values_form.get("order", {}).get(name, []))}
        departments = sorted(
            self.petition.departments.all(),
            key=lambda d: (order.get(d.name, len(order)), d.name),
        )
        more = self.more.get(name, {})
        rendered = []
        for department in departments:
            values = {}
            for field in DEPARTMENT.fields:
                value = getattr(department, field.attname)
                if field.name != DEPARTMENT_KEY:
                    value = self.text_value(value, f"{name}.{department.name}.{field.name}")
                values[field.name] = value
            rendered.append({**values, **more.get(department.name, {})})
        return rendered

    def topics(self, name: str):
        order = {code: i for i, code in enumerate(self.values_form.get("order", {}).get(name, []))}
        topics = sorted(
            self.petition.topics.all(), key=lambda t: (order.get(t.code, len(order)), t.code)
        )
        if name in self.nested:
            return [{"code": t.code, "name": t.name} for t in topics]
        return [t.code for t in topics]

    def breakdown(self, name: str):
        breakdown = BREAKDOWN_BY_NAME[name]
        keys = (self.form or {}).get("rows", {}).get(name) or breakdown.columns
        keys = [key for key in keys if key in breakdown.columns]
        more = self.more.get(name, {})
        rows = []
        for row in getattr(self.petition, breakdown.related_name).all():
            values = {key: getattr(row, key) for key in keys}
            values.update(more.get(getattr(row, breakdown.key), {}))  # fields we don't model
            rows.append(values)
        if not rows and name in self.null:
            return None
        return rows

    def parliament(self):
        values = parliament_block(self.petition.parliament)
        values.update(self.more.get(PARLIAMENT, {}))
        keys = self.nested.get(PARLIAMENT) or list(values)
        return {key: values.get(key) for key in keys}
