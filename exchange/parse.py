"""Turn the public site's documents into records, validating every value on the way.

The second stage of an import, driven by ``exchange.format``. ``parse_document`` takes a
whole document, ``parse_petition`` one petition (an item of a list page, or the ``data``
of a document), and ``PetitionStream`` the petitions of a source as ``exchange.read``
reads them. Each gives ``PetitionRecord`` objects, or raises ``InvalidDocument`` naming
the JSON path and the reason.

Nothing in a document is dropped: what the archive does not model is kept in the
record's ``extra`` and ``more``, and how the document was written (its keys and their
order, which texts were null, timestamps written in another form) in its
``written_form``, so that ``exchange.render`` gives the same document back.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from exchange import values as check
from exchange.format import (
    ALIASES,
    BLOCKS,
    BREAKDOWNS,
    CLOSED,
    COUNT_COLUMN,
    CREATED,
    DATA_KEYS,
    DEPARTMENT,
    DEPARTMENT_KEY,
    DETAIL,
    LIST,
    MAX_COUNT,
    MODELLED,
    OPENED,
    PARLIAMENT,
    TYPES,
    UPDATED,
    Block,
    BreakdownAttribute,
    Type,
    attributes_typed,
    max_length,
)
from exchange.read import JsonStream
from exchange.records import InvalidDocument, PetitionRecord
from petitions.models import Petition, PetitionState, Topic

STATES = frozenset(PetitionState.values)


class PetitionStream(JsonStream):
    """The petitions of one source, as records, read as a stream (see JsonStream)."""

    def __iter__(self) -> Iterator[PetitionRecord]:
        for found in super().__iter__():
            if found.listed:
                yield parse_petition(found.value, found.path, origin=LIST)
            else:
                yield from parse_document(found.value, found.path)


def parse_document(document: Any, path: str = "$") -> list[PetitionRecord]:
    """Every petition in a document, validated; raises InvalidDocument."""
    if not isinstance(document, dict):
        raise InvalidDocument(path, f"expected a JSON object, got {check.json_type(document)}")
    if "attributes" in document:
        return [parse_petition(document, path, origin=DETAIL)]
    if "data" not in document:
        raise InvalidDocument(path, "no 'data' and no 'attributes': not a petition document")
    data = document["data"]
    if isinstance(data, list):
        return [
            parse_petition(item, f"{path}.data[{i}]", origin=LIST) for i, item in enumerate(data)
        ]
    record = parse_petition(data, f"{path}.data", origin=DETAIL)
    envelope = {k: v for k, v in document.items() if k not in ("links", "data")}
    if envelope:
        check.check_kept(envelope, path)
        record.more["document"] = envelope
    record.written_form["document"] = list(document)
    return [record]


def parse_petition(item: Any, path: str, origin: str = DETAIL) -> PetitionRecord:
    if not isinstance(item, dict):
        raise InvalidDocument(path, f"expected a petition object, got {check.json_type(item)}")
    type_ = item.get("type")
    if type_ not in TYPES:
        raise InvalidDocument(f"{path}.type", f"unknown type {type_!r}")
    petition_id = item.get("id")
    if type(petition_id) is not int or not 0 < petition_id <= MAX_COUNT:
        raise InvalidDocument(
            f"{path}.id", f"expected a positive petition number, got {petition_id!r}"
        )
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        raise InvalidDocument(
            f"{path}.attributes", f"expected an object, got {check.json_type(attributes)}"
        )
    form = WrittenForm()
    record = PetitionRecord(id=petition_id, origin=origin, type=type_, fields={}, path=path)
    _parse_attributes(record, attributes, f"{path}.attributes", form)

    parliament = item.get(PARLIAMENT, attributes.get(PARLIAMENT))
    if parliament is not None:
        where = f"{path}.{PARLIAMENT}" if PARLIAMENT in item else f"{path}.attributes.{PARLIAMENT}"
        record.parliament = _parse_parliament(parliament, where, form)
    unknown = {k: v for k, v in item.items() if k not in DATA_KEYS}
    if unknown:
        check.check_kept(unknown, path)
        record.more["data"] = unknown
    record.written_form.update(form.as_dict(type_, item, attributes))
    return record


class WrittenForm:
    """How a document wrote what the archive keeps as plain values: which texts were
    null, timestamps and dates written in another form, the keys of nested objects and
    breakdown rows, and the order of departments and topics."""

    def __init__(self):
        self.null: list[str] = []
        self.text: dict[str, str] = {}
        self.nested: dict[str, list[str]] = {}
        self.rows: dict[str, list[str]] = {}
        self.order: dict[str, list[str]] = {}

    def as_dict(self, type_, item, attributes) -> dict:
        written = {"type": type_, "data": list(item), "attributes": list(attributes)}
        for name in ("null", "text", "nested", "rows", "order"):
            if value := getattr(self, name):
                written[name] = value
        return written


def _parse_attributes(record: PetitionRecord, attributes: dict, at: str, form: WrittenForm):
    fields = record.fields
    for attribute in attributes_typed(Type.TEXT):
        if attribute.name in attributes:
            fields[attribute.attname] = check.text(
                attributes[attribute.name],
                f"{at}.{attribute.name}",
                attribute.name,
                form,
                max_length(Petition, attribute.attname),
            )
    _require(fields, attributes_typed(Type.TEXT), at)

    for attribute in attributes_typed(Type.STATE):
        state = attributes.get(attribute.name)
        if state not in STATES:
            problem = "missing" if state is None else f"unknown state {state!r}"
            raise InvalidDocument(f"{at}.{attribute.name}", problem)
        fields[attribute.attname] = state
    for attribute in attributes_typed(Type.COUNT):
        fields[attribute.attname] = check.count(
            attributes.get(attribute.name), f"{at}.{attribute.name}"
        )

    for attribute in attributes_typed(Type.TIMESTAMP):
        if attribute.name in attributes:
            fields[attribute.attname] = check.timestamp(
                attributes[attribute.name], f"{at}.{attribute.name}", attribute.name, form
            )
    for alias, name in ALIASES.items():
        if alias in attributes:
            if name in attributes:
                raise InvalidDocument(f"{at}.{alias}", f"given twice, as {alias} and {name}")
            fields[name] = check.timestamp(attributes[alias], f"{at}.{alias}", alias, form)
    _require(fields, attributes_typed(Type.TIMESTAMP), at)
    if fields.get(UPDATED) is None:
        fields[UPDATED] = fields[CREATED]
    opened, closed = fields.get(OPENED), fields.get(CLOSED)
    if opened and closed and closed < opened:
        raise InvalidDocument(f"{at}.{CLOSED}", "closes before it opened")
    for attribute in attributes_typed(Type.DATE):
        if attribute.name in attributes:
            fields[attribute.attname] = check.date(
                attributes[attribute.name], f"{at}.{attribute.name}", attribute.name, form
            )

    record.extra = {k: v for k, v in attributes.items() if k not in MODELLED}
    check.check_kept(record.extra, at)

    for block in BLOCKS.values():
        if block.name not in attributes:
            continue
        record.carried.add(block.name)
        values = _parse_block(block, attributes[block.name], f"{at}.{block.name}", record, form)
        if block.model is Petition:  # kept in the petition's own columns
            for field in block.modelled:
                fields[field.attname] = values[field.attname] if values else ""
        else:
            record.blocks[block.name] = values
    if DEPARTMENT.name in attributes:
        record.departments = _parse_departments(
            attributes[DEPARTMENT.name], f"{at}.{DEPARTMENT.name}", record, form
        )
    for attribute in attributes_typed(Type.TOPICS):
        if attribute.name in attributes:
            record.topics = _parse_topics(
                attributes[attribute.name], f"{at}.{attribute.name}", attribute.name, form
            )
    for attribute in attributes_typed(Type.LIST):
        if attribute.name in attributes:
            value = attributes[attribute.name]
            if not isinstance(value, list):
                raise InvalidDocument(
                    f"{at}.{attribute.name}", f"expected a list, got {check.json_type(value)}"
                )
            check.check_kept(value, f"{at}.{attribute.name}")
            fields[attribute.attname] = value
    for breakdown in BREAKDOWNS:
        if breakdown.name not in attributes:
            continue
        if attributes[breakdown.name] is None:
            form.null.append(breakdown.name)  # no breakdown given: keep what we hold
            continue
        rows = _parse_rows(
            breakdown, attributes[breakdown.name], f"{at}.{breakdown.name}", record, form
        )
        record.breakdowns[breakdown.name] = breakdown.lines(rows)


def _require(fields: dict, attributes, at: str) -> None:
    for attribute in attributes:
        if attribute.required and not fields.get(attribute.attname):
            raise InvalidDocument(f"{at}.{attribute.name}", f"missing: {attribute.required}")


def _parse_block(block: Block, value, path, record, form) -> dict | None:
    """The values of a block (keyed by column), or None where the document gave null."""
    if value is None:
        return None
    value = check.an_object(value, path)
    form.nested[block.name] = list(value)
    known = {field.name for field in block.modelled}
    record.more[block.name] = {k: v for k, v in value.items() if k not in known}
    check.check_kept(record.more[block.name], path)
    values = {}
    for field in block.fields:
        here, name = f"{path}.{field.name}", f"{block.name}.{field.name}"
        given = value.get(field.name)
        if not field.modelled:
            if field.type is Type.URL:
                check.web_address(given, here)
        elif field.type in (Type.TEXT, Type.URL):
            limit = block.limit(field)
            values[field.attname] = check.text(
                given, here, name, form, limit, block.too_long, field.type is Type.URL
            )
        elif field.type is Type.TIMESTAMP:
            moment = check.timestamp(given, here, name, form)
            if moment is None:
                form.null.append(name)  # (and what the archive holds stays)
            else:
                values[field.attname] = moment
        elif field.type is Type.DATE:
            values[field.attname] = check.date(given, here, name, form)
    if block.after_parse:
        block.after_parse(values, record.fields)
    for field in block.modelled:
        filled_in = field.name in value and value[field.name] is None
        if field.type is Type.DATE and filled_in and values.get(field.attname) is not None:
            form.null.append(f"{block.name}.{field.name}")  # give null back, as given
        if field.required and values.get(field.attname) is None:
            raise InvalidDocument(f"{path}.{field.name}", f"missing: {field.required}")
    return values


def _parse_departments(value, path, record, form) -> list[dict]:
    departments, more = [], {}
    key = next(field for field in DEPARTMENT.fields if field.name == DEPARTMENT_KEY)
    others = [field for field in DEPARTMENT.modelled if field is not key]
    known = {field.name for field in DEPARTMENT.fields}
    for i, item in enumerate(check.objects(value, path)):
        here = f"{path}[{i}]"
        name = check.required_text(item.get(key.name), f"{here}.{key.name}", DEPARTMENT.limit(key))
        department = {key.attname: name}
        for field in others:
            department[field.attname] = check.text(
                item.get(field.name),
                f"{here}.{field.name}",
                f"{DEPARTMENT.name}.{name}.{field.name}",
                form,
                DEPARTMENT.limit(field),
                web_address=field.type is Type.URL,
            )
        if unknown := {k: v for k, v in item.items() if k not in known}:
            check.check_kept(unknown, here)
            more[name] = unknown
        departments.append(department)
    if more:
        record.more[DEPARTMENT.name] = more
    form.order[DEPARTMENT.name] = [d[key.attname] for d in departments]
    return departments


def _parse_topics(value, path, name, form) -> list[str]:
    if not isinstance(value, list):
        raise InvalidDocument(path, f"expected a list, got {check.json_type(value)}")
    codes = []
    for i, item in enumerate(value):
        if isinstance(item, dict):  # {"code": ..., "name": ...}
            form.nested[name] = ["code", "name"]
            item = item.get("code")
        codes.append(check.required_text(item, f"{path}[{i}]", max_length(Topic, "code")))
    form.order[name] = codes
    return codes


def _parse_rows(breakdown: BreakdownAttribute, value, path, record, form) -> list[tuple]:
    """The rows of a breakdown as tuples in `breakdown.columns` order.

    A breakdown has up to 650 rows a file, so the usual case is checked column by column
    over all rows at once; any doubt, and the rows are checked one by one, which finds
    the first bad row and says what is wrong with it.
    """
    if not isinstance(value, list):
        raise InvalidDocument(path, f"expected a list, got {check.json_type(value)}")
    rows = _rows_at_once(breakdown, value)
    if rows is None:
        rows = _rows_one_by_one(breakdown, value, path, record)
    # In key order: the digest ignores the order of the file, and the index takes them faster.
    rows.sort(key=itemgetter(breakdown.key_index))
    if value:
        form.rows[breakdown.name] = list(value[0])
    return rows


def _rows_at_once(breakdown: BreakdownAttribute, value: list) -> list[tuple] | None:
    """The rows if every one is plainly right (all columns, no others), else None.

    Each check runs over a whole column in C (map, set): types are compared exactly, so
    that true and false are not counts."""
    if not value:
        return []
    if set(map(type, value)) != {dict} or set(map(len, value)) != {len(breakdown.columns)}:
        return None
    try:
        columns = [list(map(itemgetter(column), value)) for column in breakdown.columns]
    except KeyError:
        return None
    for column, cells in zip(breakdown.columns, columns, strict=True):
        if column == COUNT_COLUMN:
            if set(map(type, cells)) != {int} or min(cells) < 0 or max(cells) > MAX_COUNT:
                return None
            continue
        optional = column in breakdown.optional
        texts = [cell for cell in cells if cell is not None] if optional else cells
        if not set(map(type, texts)) <= {str}:
            return None
        if check.unstorable("".join(texts)):
            return None  # one by one says where
        lengths = list(map(len, texts))
        limit = max_length(breakdown.model, column)
        if lengths and (max(lengths) > limit or (not optional and min(lengths) == 0)):
            return None
    keys = columns[breakdown.key_index]
    if len(set(keys)) != len(keys):
        return None
    return list(zip(*columns, strict=True))


def _rows_one_by_one(breakdown: BreakdownAttribute, value: list, path, record) -> list[tuple]:
    columns, optional, key = breakdown.columns, breakdown.optional, breakdown.key
    limits = {c: max_length(breakdown.model, c) for c in columns if c != COUNT_COLUMN}
    known = set(columns)
    rows, seen, more = [], set(), {}
    for i, row in enumerate(value):
        if type(row) is not dict:
            raise InvalidDocument(f"{path}[{i}]", f"expected an object, got {check.json_type(row)}")
        values = []
        for column in columns:
            cell = row.get(column)
            if column == COUNT_COLUMN:
                if type(cell) is not int or not 0 <= cell <= MAX_COUNT:
                    raise InvalidDocument(f"{path}[{i}].{column}", check.count_problem(cell))
            elif type(cell) is str:
                if len(cell) > limits[column]:
                    raise InvalidDocument(
                        f"{path}[{i}].{column}", f"longer than {limits[column]} characters"
                    )
                if not cell and column not in optional:
                    raise InvalidDocument(f"{path}[{i}].{column}", "missing")
                check.check_storable(cell, f"{path}[{i}].{column}")
            elif cell is not None or column not in optional:
                raise InvalidDocument(f"{path}[{i}].{column}", check.text_problem(cell))
            values.append(cell)
        code = row[key]
        if code in seen:
            raise InvalidDocument(f"{path}[{i}].{key}", f"{code} appears twice")
        seen.add(code)
        if unknown := {k: v for k, v in row.items() if k not in known}:
            check.check_kept(unknown, f"{path}[{i}]")
            more[code] = unknown
        rows.append(tuple(values))
    if more:
        record.more[breakdown.name] = more
    return rows


def _parse_parliament(value, path, form) -> dict:
    value = check.an_object(value, path)
    period = value.get("period")
    if not isinstance(period, str) or not period:
        raise InvalidDocument(f"{path}.period", "expected text such as 2017-2019")
    check.check_kept(value, path)
    form.nested[PARLIAMENT] = list(value)
    return value
