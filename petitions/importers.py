"""Read the public petitions site's JSON into the archive.

A document is one of:
- a single petition: ``{"links": {...}, "data": {"type": "petition", "id": 1, ...}}``
- a bare ``data`` object: ``{"type": "petition", "id": 1, "attributes": {...}}``
- a list page: ``{"links": {...}, "data": [{...}, {...}]}``

with ``type`` ``petition`` or ``archived-petition`` (which names its ``parliament``), in
today's field names or those of 2015 (``open_at``).

``PetitionStream`` reads a file (plain or gzip) or standard input as a stream, with
ijson: a list page gives its petitions one by one as they are read, so memory stays flat
whatever the size of the file. ``parse_document`` validates a document (``parse_petition``
one petition) and returns plain ``PetitionRecord`` objects, or raises ``InvalidDocument``
naming the JSON path, or the line and column of broken JSON, and the reason.
``Importer`` writes records in batches (idempotent upserts keyed on the official petition
id), a source at a time, all or nothing of each (``import_source``); ``save_record``
writes one.

Nothing in a document is dropped: what the archive does not model is kept in
``Petition.extra``, with the form the document was written in (its keys, which empty
texts were null, timestamps written in another form), so that ``petitions.exporters``
gives the same document back:

- unmodelled attributes, as given, under their own names;
- ``_form``: per kind of document (``detail`` or ``list``), the form it was written in;
- ``_more``: unmodelled values inside modelled objects (the response, the debate, a
  breakdown row...), and the parliament block where it differs from ours;
- ``_breakdowns``: a digest of each breakdown, so that importing it again changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import itertools
import os
import sys
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, BinaryIO

import ijson
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

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
from responses.models import (
    DETAILS_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    DebateOutcome,
    GovernmentResponse,
)

TIMESTAMP_FIELDS = [
    "created_at",
    "updated_at",
    "rejected_at",
    "opened_at",
    "closed_at",
    "moderation_threshold_reached_at",
    "response_threshold_reached_at",
    "government_response_at",
    "debate_threshold_reached_at",
    "debate_outcome_at",
]
# Early (2015) field names of the public API, and the names we keep them under.
ALIASES = {"open_at": "opened_at"}
TEXT_FIELDS = ["action", "background", "additional_details", "committee_note", "creator_name"]
TYPES = {"petition": "current", "archived-petition": "archived"}
MAX_COUNT = 2**31 - 1
MAX_PENDING_ROWS = 50_000  # breakdown rows held before a batch is written
PROGRESS_EVERY = 1000  # petitions of one file between two reports of progress
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_YEAR = 2100


def _max_length(model, name) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class BreakdownKind:
    """One of the three breakdowns: its attribute, model, key column and row columns."""

    attribute: str
    model: type
    key: str
    columns: tuple[str, ...]  # in the public site's order; `name`, key and count required
    optional: tuple[str, ...] = ()  # text columns that may be null

    @property
    def key_index(self) -> int:
        return self.columns.index(self.key)


BREAKDOWNS = [
    BreakdownKind(
        "signatures_by_country",
        CountrySignatures,
        key="name",
        columns=("name", "code", "signature_count"),
        optional=("code",),
    ),
    BreakdownKind(
        "signatures_by_constituency",
        ConstituencySignatures,
        key="ons_code",
        columns=("name", "ons_code", "mp", "signature_count"),
        optional=("mp",),
    ),
    BreakdownKind(
        "signatures_by_region",
        RegionSignatures,
        key="ons_code",
        columns=("name", "ons_code", "signature_count"),
    ),
]
BREAKDOWN_BY_ATTRIBUTE = {kind.attribute: kind for kind in BREAKDOWNS}

RESPONSE_TEXTS = {"summary": SUMMARY_MAX_LENGTH, "details": DETAILS_MAX_LENGTH}
DEBATE_URLS = ["transcript_url", "video_url", "debate_pack_url"]
KNOWN_RESPONSE = {"responded_on", "summary", "details", "created_at", "updated_at"}
KNOWN_DEBATE = {"debated_on", "overview", *DEBATE_URLS}
KNOWN_REJECTION = {"code", "details"}
KNOWN_DEPARTMENT = {"acronym", "name", "url"}
PARLIAMENT_KEYS = [
    "period",
    "government",
    "dissolution_at",
    "response_threshold",
    "debate_threshold",
]

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
    "parliament",
    *BREAKDOWN_BY_ATTRIBUTE,
}
KNOWN_DATA = {"type", "id", "links", "attributes", "parliament"}


class InvalidDocument(ValueError):
    """A document that cannot be imported; `path` says where, the message says why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class PetitionRecord:
    """One petition, validated, as plain values ready to be written.

    Only what the document carried is set: a missing key (``None`` here, or absent from
    ``fields``) leaves what the archive already holds untouched.
    """

    id: int
    kind: str  # "detail" (a petition's own document) or "list" (an item of a list page)
    type: str  # "petition" or "archived-petition"
    fields: dict[str, Any]
    rejection: dict[str, Any] | None = None
    government_response: dict[str, Any] | None = None
    debate: dict[str, Any] | None = None
    departments: list[dict[str, str]] | None = None
    topics: list[str] | None = None
    parliament: dict[str, Any] | None = None
    breakdowns: dict[str, list[tuple]] = field(default_factory=dict)
    # Which of rejection, government_response and debate the document carried (maybe null).
    carried: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)
    more: dict[str, Any] = field(default_factory=dict)
    shape: dict[str, Any] = field(default_factory=dict)

    @property
    def updated_at(self) -> dt.datetime:
        return self.fields["updated_at"]


# --- Reading -------------------------------------------------------------------------

CHUNK_SIZE = 256 * 1024  # bytes read at a time: memory holds one chunk and one petition
FIRST_CHUNK_SIZE = 4096  # enough to tell a document's form, which is known in its first lines
MAX_HELD = 16 * 2**20  # bytes kept while finding a document's form, before reading it again
REPLAY_PIECE = 24  # bytes fed at a time to find where broken JSON breaks (under 30: _stops)
GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
CONTINUATION_BYTES = bytes(range(0x80, 0xC0))  # the bytes that do not start a UTF-8 character
# ijson's C parser: fast, and the only one whose messages say where it stopped (_stops).
PARSER = ijson.get_backend("yajl2_c")


def find_sources(paths: Iterable[str]) -> Iterator[str]:
    """Each file to read: files as given, directories' *.json(.gz) files recursively, `-`."""
    for given in paths:
        if given == "-":
            yield given
        elif os.path.isdir(given):
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and name.endswith((".json", ".json.gz")):
                        yield os.path.join(root, name)
        else:
            yield given


def source_label(source: str) -> str:
    return "<stdin>" if source == "-" else source


@dataclass(frozen=True)
class _Chunk:
    """Bytes of a document's text, and where they begin in it."""

    data: bytes
    start: int  # bytes before it (a byte order mark included)
    line: int  # the line it begins on
    column: int  # characters before it on that line

    def position(self, offset: int) -> str:
        """Where the byte at `offset` in this chunk is, as a text editor shows it."""
        before = self.data[:offset]
        newlines = before.count(b"\n")
        if newlines:
            column = _characters(before[before.rfind(b"\n") + 1 :])
        else:
            column = self.column + _characters(before)
        return f"line {self.line + newlines}, column {column + 1}"


def _characters(data: bytes) -> int:
    return len(data.translate(None, CONTINUATION_BYTES))


class _Text:
    """The text of an open file (decompressed if it is gzip) in chunks that know where
    they are; `end` is where the text ended, once it has."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.where = "file"  # what a failed read blames
        self.end: _Chunk | None = None
        self.blank = True  # only white space so far

    def __iter__(self) -> Iterator[_Chunk]:
        data = self._read(FIRST_CHUNK_SIZE)
        if data[:2] == GZIP_MAGIC:
            self.file = gzip.GzipFile(fileobj=_Rewound(data, self.file), mode="rb")
            self.where = "gzip"
            data = self._read(FIRST_CHUNK_SIZE)
        start = len(BOM) if data.startswith(BOM) else 0
        data = data[start:]
        line, column = 1, 0
        while data:
            self.blank = self.blank and not data.strip()
            yield _Chunk(data, start, line, column)
            start += len(data)
            newlines = data.count(b"\n")
            if newlines:
                line += newlines
                column = _characters(data[data.rfind(b"\n") + 1 :])
            else:
                column += _characters(data)
            data = self._read(CHUNK_SIZE)
        self.end = _Chunk(b"", start, line, column)

    def _read(self, size: int) -> bytes:
        try:
            return self.file.read(size)
        except (OSError, EOFError, zlib.error) as error:
            if self.where == "gzip":
                raise InvalidDocument("gzip", f"not a readable gzip file ({error})") from None
            raise InvalidDocument("file", getattr(error, "strerror", None) or str(error)) from None


class _Rewound(io.RawIOBase):
    """A binary file whose first bytes were read already: gives them again, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            data, self.head = self.head[: len(buffer)], self.head[len(buffer) :]
        else:
            data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Shape:
    """Tells a document's form from the parser's first events, without building anything.

    `found` becomes "list" (a list page: `data` is a list, streamed petition by petition),
    "whole" (a single petition's document or a bare data object, read whole), "not an
    object" or "no petition" (an object without `data` or `attributes`: known at its end).
    """

    KINDS = {
        "start_array": "a list",
        "string": "text",
        "number": "a number",
        "boolean": "true/false",
        "null": "null",
    }

    def __init__(self):
        self.depth = 0
        self.key = None  # the document's key whose value comes next
        self.found: str | None = None
        self.kind = ""  # what the document is when it is not an object

    def feed(self, events: list) -> None:
        for event, value in events:
            if self.found:
                return
            if event in ("start_map", "start_array"):
                if self.depth == 0 and event != "start_map":
                    self.found, self.kind = "not an object", self.KINDS[event]
                elif self.depth == 1 and self.key == "data":
                    self.found = "list" if event == "start_array" else "whole"
                self.depth += 1
            elif event in ("end_map", "end_array"):
                self.depth -= 1
                if self.depth == 0:
                    self.found = "no petition"
            elif self.depth == 0:
                self.found, self.kind = "not an object", self.KINDS[event]
            elif self.depth == 1 and event == "map_key":
                self.key = value
                if value == "attributes":
                    self.found = "whole"
            elif self.depth == 1 and self.key == "data":
                self.found = "whole"  # `data` is not an object: parse_document says so


class _Feed:
    """Chunks as the file that ijson's generators read; `chunk` is the last one read, None
    once they are all read."""

    def __init__(self, chunks: Iterator[_Chunk]):
        self.chunks = chunks
        self.chunk: _Chunk | None = None

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        self.chunk = next(self.chunks, None)
        return self.chunk.data if self.chunk else b""


class PetitionStream:
    """The petitions of one source (a file, plain or gzip, or `-` for standard input).

    Iterating reads the source a chunk at a time and gives each petition of a list page
    as soon as it has been read, so memory holds a chunk and a petition whatever the
    size of the file; a single petition's document is read whole. Raises InvalidDocument
    naming the JSON path (from the parser of a petition) or the line and column (of broken
    JSON). Use it as a context manager, which closes the file.
    """

    def __init__(self, source: str):
        self.source = source
        self.file: BinaryIO | None = None
        self.chunks: Iterator[_Chunk] = iter(())
        self.feed = _Feed(self.chunks)
        self.rest: Iterator | None = None  # the values the parser has still to build

    def __enter__(self) -> PetitionStream:
        self._open()
        return self

    def __exit__(self, *exc) -> None:
        self.rest = None
        if self.file is not None and self.source != "-":
            self.file.close()

    def _open(self) -> None:
        if self.source == "-":
            self.file = sys.stdin.buffer
        else:
            try:
                self.file = open(self.source, "rb")  # noqa: SIM115 (closed in __exit__)
            except FileNotFoundError:
                raise InvalidDocument("file", "no such file or directory") from None
            except OSError as error:
                raise InvalidDocument("file", error.strerror or str(error)) from None
        self.text = _Text(self.file)
        self.chunks = self._chunks()

    def __iter__(self) -> Iterator[PetitionRecord]:
        # Tell the form from the first chunks, then read them again with the parser that
        # builds what that form needs: each item of `data`, or the whole document.
        shape, seen = self._form()
        if shape.found == "not an object":
            raise InvalidDocument("$", f"expected a JSON object, got {shape.kind}")
        if shape.found == "no petition":
            raise InvalidDocument("$", "no 'data' and no 'attributes': not a petition document")
        if seen is None:
            seen = self._again()
        self.feed = _Feed(itertools.chain(seen, self.chunks))
        if shape.found == "list":
            self.rest = PARSER.items(self.feed, "data.item", buf_size=CHUNK_SIZE, use_float=True)
            for index, item in enumerate(self._values()):
                yield parse_petition(item, f"$.data[{index}]", kind="list")
        else:
            self.rest = PARSER.items(self.feed, "", buf_size=CHUNK_SIZE, use_float=True)
            for document in self._values():
                yield from parse_document(document)

    def check_rest(self) -> None:
        """Read to the end of the text; raise InvalidDocument if its JSON breaks there.

        Called after a problem with a petition, so that a file whose JSON is broken
        further on (a truncated file) is reported as such, as when files were read whole.
        """
        for _ in self._values():
            pass

    def _form(self) -> tuple[_Shape, list[_Chunk] | None]:
        """The document's form, and the chunks read to tell it (None if too many to keep).

        A document that is not a list page or a petition is read to its end here, so that
        broken JSON in it is what gets reported.
        """
        events = ijson.sendable_list()
        finder = PARSER.basic_parse_coro(events)
        shape, seen, held = _Shape(), [], 0
        try:
            for chunk in self.chunks:
                if seen is not None:
                    seen.append(chunk)
                    held += len(chunk.data)
                    if held > MAX_HELD:
                        seen = None
                finder.send(chunk.data)
                shape.feed(events)
                events.clear()
                if shape.found in ("list", "whole"):
                    return shape, seen
            chunk = self.text.end
            finder.close()
        except ijson.JSONError as error:
            raise self._broken(error, chunk) from None
        shape.feed(events)
        return shape, seen

    def _again(self) -> list[_Chunk]:
        """Start reading the text again: its form showed too far in to keep what came before."""
        if self.source == "-":
            raise InvalidDocument(
                "$",
                f"its 'data' comes after {MAX_HELD // 2**20} MiB of other JSON: too far in to "
                "read from standard input (give it as a file)",
            )
        self.file.close()
        self._open()
        return []

    def _chunks(self) -> Iterator[_Chunk]:
        try:
            yield from self.text
        except InvalidDocument:
            self.rest = None  # unreadable (a broken gzip file): nothing more to check
            raise

    def _values(self) -> Iterator[Any]:
        """What the parser builds, as it builds it; raises InvalidDocument if the JSON breaks."""
        while self.rest is not None:
            try:
                value = next(self.rest)
            except StopIteration:
                self.rest = None
                return
            except ijson.JSONError as error:
                self.rest = None
                raise self._broken(error, self.feed.chunk or self.text.end) from None
            yield value

    def _broken(self, error: ijson.JSONError, chunk: _Chunk) -> InvalidDocument:
        """The problem of broken JSON, where it is and why."""
        reason, context = _message(error)
        if reason == "premature EOF" or chunk is self.text.end:  # (as "nul" or "1." at the end)
            if self.text.blank:
                return InvalidDocument("line 1", "empty file: expected a JSON document")
            return InvalidDocument(
                self.text.end.position(0), "the file ends before its JSON does (truncated?)"
            )
        first, last = self._where_stopped(context, chunk)
        if reason not in POINTED_AT:  # it stopped just after the byte it refused
            first, last = max(first - 1, 0), max(last - 1, 0)
        if reason == "invalid bytes in UTF8 string" and first == last:
            return InvalidDocument(
                f"byte {chunk.start + _bad_utf8(chunk.data, first)}", "not UTF-8 text"
            )
        where = chunk.position(first)
        if last != first:
            where = f"between {where} and {chunk.position(last)}"
        if reason == "invalid bytes in UTF8 string":
            return InvalidDocument(where, "not UTF-8 text")
        return InvalidDocument(where, REASONS.get(reason, f"not valid JSON ({reason})"))

    def _where_stopped(self, context: bytes, chunk: _Chunk) -> tuple[int, int]:
        """How many bytes of `chunk` the parser had read when it stopped: (the least, the
        most) it may have been, the same number unless the message leaves a doubt."""
        found = _stops(context, chunk.data)
        if len(found) != 1 and self.source != "-":
            found = self._replay(chunk) or found
        if not found:
            return 0, len(chunk.data)
        return found[0], found[-1]

    def _replay(self, target: _Chunk) -> list[int]:
        """Where the parser stops in `target`, found by parsing the file again up to that
        chunk, then a few bytes at a time, so that its message leaves no doubt."""
        events = ijson.sendable_list()
        parser = PARSER.basic_parse_coro(events)
        end = target.start + len(target.data)
        try:
            with open(self.source, "rb") as file:
                for chunk in _Text(file):
                    at, data = chunk.start, chunk.data
                    if at >= end:
                        break
                    head = max(target.start - at, 0)  # the bytes parsed without an error
                    if head:  # (an empty send would mean the end of the text)
                        parser.send(data[:head])
                    for i in range(head, len(data), REPLAY_PIECE):
                        events.clear()
                        try:
                            parser.send(data[i : i + REPLAY_PIECE])
                        except ijson.JSONError as error:
                            piece = data[i : i + REPLAY_PIECE]
                            stops = _stops(_message(error)[1], piece) or [0]
                            return [at + i + stops[0] - target.start]
                    events.clear()
        except (OSError, InvalidDocument, ijson.JSONError):
            pass  # changed meanwhile: keep the doubt
        return []


def _message(error: ijson.JSONError) -> tuple[str, bytes]:
    """The reason the C parser gives, and its line of context (see _stops)."""
    message = error.args[0] if error.args else b""
    if isinstance(message, str):
        message = message.encode()
    header, _, rest = message.partition(b"\n")
    reason = header.decode(errors="replace").split(": ", 1)[-1].rstrip(".")
    return reason, rest.split(b"\n", 1)[0]


REASONS = {  # the C parser's words, where they could be plainer
    "trailing garbage": "more text after the JSON document",
    "integer overflow": "a whole number too large to read",
    "numeric (floating point) overflow": "a number too large to read",
    "probable comment found in input text, comments are not enabled": "comments are not JSON",
}
# The problems for which the parser stops at the byte at fault rather than just after it.
POINTED_AT = {
    "integer overflow",
    "numeric (floating point) overflow",
    "invalid character inside string",
    "probable comment found in input text, comments are not enabled",
}
FLAT = bytes.maketrans(b"\n\r", b"  ")


def _stops(context: bytes, data: bytes) -> list[int]:
    """How many bytes of `data` the C parser may have read when it stopped: one number,
    several when its message fits more than one place, none when it fits none.

    yajl, ijson's C parser, says it only in its message: a line of the text around that
    point (60 bytes at most, line breaks as spaces) indented so that the point falls in
    column 41: 40 - N spaces, then the text from its beginning, when it stopped N < 30
    bytes in; else 10 spaces, then the 30 bytes before the point and up to 30 after
    (which a list page, its petitions alike, can hold at more than one place).
    """
    flat = data.translate(FLAT)
    for offset in range(min(30, len(data) + 1)):
        if context == b" " * (40 - offset) + flat[: offset + 30]:
            return [offset]
    if not context.startswith(b" " * 10):
        return []
    around, found = context[10:], []
    at = flat.find(around)
    while at != -1:
        if flat[at : at + 60] == around:  # 60 bytes, or fewer when they end the chunk
            found.append(at + 30)
        at = flat.find(around, at + 1)
    return found


def _bad_utf8(data: bytes, offset: int) -> int:
    """Where the bad UTF-8 the parser stopped at (by `offset`) begins."""
    start = max(offset - 4, 0)
    while start and data[start] in CONTINUATION_BYTES:
        start -= 1
    try:
        data[start : offset + 1].decode()
    except UnicodeDecodeError as error:
        return start + error.start
    return offset


# --- Parsing -------------------------------------------------------------------------


def parse_document(document: Any, path: str = "$") -> list[PetitionRecord]:
    """Every petition in a document, validated; raises InvalidDocument."""
    if not isinstance(document, dict):
        raise InvalidDocument(path, f"expected a JSON object, got {_kind(document)}")
    if "attributes" in document:
        return [parse_petition(document, path, kind="detail")]
    if "data" not in document:
        raise InvalidDocument(path, "no 'data' and no 'attributes': not a petition document")
    data = document["data"]
    if isinstance(data, list):
        return [
            parse_petition(item, f"{path}.data[{i}]", kind="list") for i, item in enumerate(data)
        ]
    record = parse_petition(data, f"{path}.data", kind="detail")
    envelope = {k: v for k, v in document.items() if k not in ("links", "data")}
    if envelope:
        record.more["document"] = envelope
    record.shape["document"] = list(document)
    return [record]


def parse_petition(item: Any, path: str, kind: str = "detail") -> PetitionRecord:
    if not isinstance(item, dict):
        raise InvalidDocument(path, f"expected a petition object, got {_kind(item)}")
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
        raise InvalidDocument(f"{path}.attributes", f"expected an object, got {_kind(attributes)}")
    form = _Form()
    record = PetitionRecord(id=petition_id, kind=kind, type=type_, fields={})
    _parse_attributes(record, attributes, f"{path}.attributes", form)

    parliament = item.get("parliament", attributes.get("parliament"))
    if parliament is not None:
        where = f"{path}.parliament" if "parliament" in item else f"{path}.attributes.parliament"
        record.parliament = _parse_parliament(parliament, where, form)
    unknown = {k: v for k, v in item.items() if k not in KNOWN_DATA}
    if unknown:
        record.more["data"] = unknown
    record.shape.update(form.as_shape(type_, item, attributes))
    return record


class _Form:
    """How a document wrote what the archive keeps as plain values."""

    def __init__(self):
        self.null: list[str] = []
        self.text: dict[str, str] = {}
        self.nested: dict[str, list[str]] = {}
        self.rows: dict[str, list[str]] = {}
        self.order: dict[str, list[str]] = {}

    def as_shape(self, type_, item, attributes) -> dict:
        shape = {"type": type_, "data": list(item), "attributes": list(attributes)}
        for name in ("null", "text", "nested", "rows", "order"):
            if value := getattr(self, name):
                shape[name] = value
        return shape


def _parse_attributes(record: PetitionRecord, attributes: dict, at: str, form: _Form) -> None:
    fields = record.fields
    for name in TEXT_FIELDS:
        if name in attributes:
            fields[name] = _text(attributes[name], f"{at}.{name}", name, form, Petition)
    if not fields.get("action"):
        raise InvalidDocument(f"{at}.action", "missing: every petition has an action")

    state = attributes.get("state")
    if state not in PetitionState.values:
        problem = "missing" if state is None else f"unknown state {state!r}"
        raise InvalidDocument(f"{at}.state", problem)
    fields["state"] = state
    fields["signature_count"] = _count(attributes.get("signature_count"), f"{at}.signature_count")

    for name in TIMESTAMP_FIELDS:
        if name in attributes:
            fields[name] = _timestamp(attributes[name], f"{at}.{name}", name, form)
    for alias, name in ALIASES.items():
        if alias in attributes:
            if name in attributes:
                raise InvalidDocument(f"{at}.{alias}", f"given twice, as {alias} and {name}")
            fields[name] = _timestamp(attributes[alias], f"{at}.{alias}", alias, form)
    if fields.get("created_at") is None:
        raise InvalidDocument(f"{at}.created_at", "missing: every petition has a creation time")
    if fields.get("updated_at") is None:
        fields["updated_at"] = fields["created_at"]
    opened, closed = fields.get("opened_at"), fields.get("closed_at")
    if opened and closed and closed < opened:
        raise InvalidDocument(f"{at}.closed_at", "closes before it opened")
    if "scheduled_debate_date" in attributes:
        fields["scheduled_debate_date"] = _date(
            attributes["scheduled_debate_date"],
            f"{at}.scheduled_debate_date",
            "scheduled_debate_date",
            form,
        )

    record.extra = {k: v for k, v in attributes.items() if k not in KNOWN_ATTRIBUTES}

    if "rejection" in attributes:
        record.carried.add("rejection")
        record.rejection = _parse_rejection(
            attributes["rejection"], f"{at}.rejection", record, form
        )
        rejection = record.rejection or {"code": "", "details": ""}
        fields["rejection_code"] = rejection["code"]
        fields["rejection_details"] = rejection["details"]
    if "government_response" in attributes:
        record.carried.add("government_response")
        record.government_response = _parse_response(
            attributes["government_response"], f"{at}.government_response", record, form
        )
    if "debate" in attributes:
        record.carried.add("debate")
        record.debate = _parse_debate(attributes["debate"], f"{at}.debate", record, form)
    if "departments" in attributes:
        record.departments = _parse_departments(
            attributes["departments"], f"{at}.departments", record, form
        )
    if "topics" in attributes:
        record.topics = _parse_topics(attributes["topics"], f"{at}.topics", form)
    if "other_parliamentary_business" in attributes:
        business = attributes["other_parliamentary_business"]
        if not isinstance(business, list):
            raise InvalidDocument(
                f"{at}.other_parliamentary_business", f"expected a list, got {_kind(business)}"
            )
        fields["other_parliamentary_business"] = business
    for kind in BREAKDOWNS:
        if kind.attribute not in attributes:
            continue
        if attributes[kind.attribute] is None:
            form.null.append(kind.attribute)  # no breakdown given: keep what we hold
            continue
        record.breakdowns[kind.attribute] = _parse_rows(
            kind, attributes[kind.attribute], f"{at}.{kind.attribute}", record, form
        )


def _parse_rejection(value, path, record, form) -> dict | None:
    if value is None:
        return None
    value = _object(value, path)
    form.nested["rejection"] = list(value)
    record.more["rejection"] = {k: v for k, v in value.items() if k not in KNOWN_REJECTION}
    code = _text(value.get("code"), f"{path}.code", "rejection.code", form)
    if len(code) > _max_length(Petition, "rejection_code"):
        raise InvalidDocument(f"{path}.code", "longer than 50 characters")
    return {
        "code": code,
        "details": _text(value.get("details"), f"{path}.details", "rejection.details", form),
    }


def _parse_response(value, path, record, form) -> dict | None:
    if value is None:
        return None
    value = _object(value, path)
    form.nested["government_response"] = list(value)
    record.more["government_response"] = {k: v for k, v in value.items() if k not in KNOWN_RESPONSE}
    response = {
        name: _text(value.get(name), f"{path}.{name}", f"government_response.{name}", form)
        for name in RESPONSE_TEXTS
    }
    for name, limit in RESPONSE_TEXTS.items():
        if len(response[name]) > limit:
            raise InvalidDocument(
                f"{path}.{name}", f"longer than the archive keeps ({limit:,} characters)"
            )
    for name in ("created_at", "updated_at"):
        response[name] = _timestamp(
            value.get(name), f"{path}.{name}", f"government_response.{name}", form
        )
        if response[name] is None:
            form.null.append(f"government_response.{name}")
    responded_on = _date(
        value.get("responded_on"), f"{path}.responded_on", "government_response.responded_on", form
    )
    if responded_on is None:
        if "responded_on" in value:
            form.null.append("government_response.responded_on")
        stamp = record.fields.get("government_response_at") or response["created_at"]
        if stamp is None:
            raise InvalidDocument(f"{path}.responded_on", "missing: when was the response given?")
        responded_on = timezone.localdate(stamp, dt.UTC)
    response["responded_on"] = responded_on
    return response


def _parse_debate(value, path, record, form) -> dict | None:
    if value is None:
        return None
    value = _object(value, path)
    form.nested["debate"] = list(value)
    record.more["debate"] = {k: v for k, v in value.items() if k not in KNOWN_DEBATE}
    debated_on = _date(value.get("debated_on"), f"{path}.debated_on", "debate.debated_on", form)
    debate = {
        "debated": debated_on is not None,
        "debated_on": debated_on,
        "overview": _text(value.get("overview"), f"{path}.overview", "debate.overview", form),
    }
    for name in DEBATE_URLS:
        debate[name] = _text(
            value.get(name), f"{path}.{name}", f"debate.{name}", form, DebateOutcome
        )
    return debate


def _parse_departments(value, path, record, form) -> list[dict]:
    departments, more = [], {}
    for i, item in enumerate(_objects(value, path)):
        here = f"{path}[{i}]"
        name = _required_text(item.get("name"), f"{here}.name", Department, "name")
        department = {"name": name}
        for column in ("acronym", "url"):
            department[column] = _text(
                item.get(column),
                f"{here}.{column}",
                f"departments.{name}.{column}",
                form,
                Department,
            )
        if unknown := {k: v for k, v in item.items() if k not in KNOWN_DEPARTMENT}:
            more[name] = unknown
        departments.append(department)
    if more:
        record.more["departments"] = more
    form.order["departments"] = [d["name"] for d in departments]
    return departments


def _parse_topics(value, path, form) -> list[str]:
    if not isinstance(value, list):
        raise InvalidDocument(path, f"expected a list, got {_kind(value)}")
    codes = []
    for i, item in enumerate(value):
        if isinstance(item, dict):  # {"code": ..., "name": ...}
            form.nested["topics"] = ["code", "name"]
            item = item.get("code")
        codes.append(_required_text(item, f"{path}[{i}]", Topic, "code"))
    form.order["topics"] = codes
    return codes


def _parse_rows(kind: BreakdownKind, value, path, record, form) -> list[tuple]:
    """The rows of a breakdown as tuples in `kind.columns` order.

    A breakdown has up to 650 rows a file, so the usual case is checked column by column
    over all rows at once; any doubt, and the rows are checked one by one, which finds
    the first bad row and says what is wrong with it.
    """
    if not isinstance(value, list):
        raise InvalidDocument(path, f"expected a list, got {_kind(value)}")
    rows = _rows_at_once(kind, value)
    if rows is None:
        rows = _rows_one_by_one(kind, value, path, record)
    # In key order: the digest ignores the order of the file, and the index takes them faster.
    rows.sort(key=itemgetter(kind.key_index))
    if value:
        form.rows[kind.attribute] = list(value[0])
    return rows


def _rows_at_once(kind: BreakdownKind, value: list) -> list[tuple] | None:
    """The rows if every one is plainly right (all columns, no others), else None."""
    width = len(kind.columns)
    if not all(type(row) is dict and len(row) == width for row in value):
        return None
    try:
        columns = [[row[column] for row in value] for column in kind.columns]
    except KeyError:
        return None
    for column, cells in zip(kind.columns, columns, strict=True):
        if column == "signature_count":
            if not all(type(cell) is int for cell in cells):
                return None
            if cells and (min(cells) < 0 or max(cells) > MAX_COUNT):
                return None
            continue
        texts = [cell for cell in cells if cell is not None] if column in kind.optional else cells
        if not all(type(cell) is str for cell in texts):
            return None
        lengths = list(map(len, texts))
        limit = _max_length(kind.model, column)
        if lengths and (
            max(lengths) > limit or (column not in kind.optional and min(lengths) == 0)
        ):
            return None
    keys = columns[kind.key_index]
    if len(set(keys)) != len(keys):
        return None
    return list(zip(*columns, strict=True))


def _rows_one_by_one(kind: BreakdownKind, value: list, path, record) -> list[tuple]:
    columns, optional, key = kind.columns, kind.optional, kind.key
    limits = {c: _max_length(kind.model, c) for c in columns if c != "signature_count"}
    known = set(columns)
    rows, seen, more = [], set(), {}
    for i, row in enumerate(value):
        if type(row) is not dict:
            raise InvalidDocument(f"{path}[{i}]", f"expected an object, got {_kind(row)}")
        values = []
        for column in columns:
            cell = row.get(column)
            if column == "signature_count":
                if type(cell) is not int or not 0 <= cell <= MAX_COUNT:
                    raise InvalidDocument(f"{path}[{i}].signature_count", _count_problem(cell))
            elif type(cell) is str:
                if len(cell) > limits[column]:
                    raise InvalidDocument(
                        f"{path}[{i}].{column}", f"longer than {limits[column]} characters"
                    )
                if not cell and column not in optional:
                    raise InvalidDocument(f"{path}[{i}].{column}", "missing")
            elif cell is not None or column not in optional:
                raise InvalidDocument(f"{path}[{i}].{column}", _text_problem(cell))
            values.append(cell)
        code = row[key]
        if code in seen:
            raise InvalidDocument(f"{path}[{i}].{key}", f"{code} appears twice")
        seen.add(code)
        if unknown := {k: v for k, v in row.items() if k not in known}:
            more[code] = unknown
        rows.append(tuple(values))
    if more:
        record.more[kind.attribute] = more
    return rows


def _parse_parliament(value, path, form) -> dict:
    value = _object(value, path)
    period = value.get("period")
    if not isinstance(period, str) or not period:
        raise InvalidDocument(f"{path}.period", "expected text such as 2017-2019")
    form.nested["parliament"] = list(value)
    return value


def _kind(value) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _object(value, path) -> dict:
    if not isinstance(value, dict):
        raise InvalidDocument(path, f"expected an object, got {_kind(value)}")
    return value


def _objects(value, path) -> list[dict]:
    if not isinstance(value, list):
        raise InvalidDocument(path, f"expected a list, got {_kind(value)}")
    for i, item in enumerate(value):
        _object(item, f"{path}[{i}]")
    return value


def _text_problem(value) -> str:
    return "missing" if value is None else f"expected text, got {_kind(value)}"


def _text(value, path, name=None, form=None, model=None) -> str:
    """A text; null becomes "" and is remembered (as `name`) so that export gives null back."""
    if value is None:
        if form is not None and name:
            form.null.append(name)
        return ""
    if not isinstance(value, str):
        raise InvalidDocument(path, _text_problem(value))
    if model is not None:
        limit = _max_length(model, name.rsplit(".", 1)[-1])
        if limit and len(value) > limit:
            raise InvalidDocument(path, f"longer than {limit} characters")
    return value


def _required_text(value, path, model=None, column=None) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidDocument(path, _text_problem(value) if value != "" else "missing")
    if model is not None and len(value) > _max_length(model, column):
        raise InvalidDocument(path, f"longer than {_max_length(model, column)} characters")
    return value


def _count_problem(value) -> str:
    if value is None:
        return "missing"
    if type(value) is int:
        if value < 0:
            return f"a count cannot be negative ({value})"
        return f"an absurd count ({value})"
    return f"expected a whole number, got {value!r}"


def _count(value, path) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:
        raise InvalidDocument(path, _count_problem(value))
    return value


def format_timestamp(moment: dt.datetime) -> str:
    """The public site's form: UTC with milliseconds, as 2018-11-30T16:25:04.532Z."""
    moment = moment.astimezone(dt.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _timestamp(value, path, name=None, form=None) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDocument(path, f"expected a timestamp, got {value!r}")
    moment = parse_timestamp(value)
    if moment is None:
        raise InvalidDocument(path, f"not an ISO 8601 timestamp with a time zone: {value!r}")
    if moment < EARLIEST or moment.year > LATEST_YEAR:
        raise InvalidDocument(path, f"an absurd date: {value!r}")
    if form is not None and format_timestamp(moment) != value:
        form.text[name] = value
    return moment


def _date(value, path, name=None, form=None) -> dt.date | None:
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
    if form is not None and day.isoformat() != value:
        form.text[name] = value
    return day


# --- The parliament block ------------------------------------------------------------


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


# --- Writing -------------------------------------------------------------------------


def breakdown_digest(rows: list[tuple]) -> str:
    return hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest()


PETITION_COLUMNS = [f.attname for f in Petition._meta.concrete_fields]
RESPONSE_COLUMNS = ["responded_on", "summary", "details", "created_at", "updated_at"]
DEBATE_COLUMNS = ["debated", "debated_on", "overview", *DEBATE_URLS]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.invalid:,} invalid"
        )


class Importer:
    """Writes records in batches: a few bulk queries per batch, whatever its size.

    Call ``import_source`` for each file (or ``add`` for each record: it resolves the
    parliament and raises InvalidDocument if it can't), then ``flush`` at the end. Run it
    inside ``transaction.atomic()``.
    """

    def __init__(self, batch_size: int = 200):
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # Check foreign keys as each batch is written, not all at commit: the same speed,
            # and PostgreSQL does not queue millions of checks for the end of a long run.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.batch_size = batch_size
        self.counts = Counts()
        self.pending: dict[int, PetitionRecord] = {}
        self.pending_rows = 0
        self.parliaments = list(Parliament.objects.order_by("opening_at"))
        self.departments = {d.name: d for d in Department.objects.all()}
        self.topics = {t.code: t.id for t in Topic.objects.all()}
        self.in_document = False  # inside `document()`
        self.savepoint = None  # taken by the first write inside a document

    # Resolving, before a record is accepted.

    def parliament_for(self, record: PetitionRecord) -> Parliament:
        """The parliament the document names, or else the one sitting when it was made."""
        if record.parliament:
            period = record.parliament["period"]
            for parliament in self.parliaments:
                if parliament.period == period:
                    return parliament
            raise InvalidDocument(
                f"petition {record.id}: parliament.period", f"unknown parliament {period!r}"
            )
        moment = record.fields.get("opened_at") or record.fields["created_at"]
        found = None
        for parliament in self.parliaments:
            if parliament.opening_at <= moment:
                found = parliament
        if found is None:
            raise InvalidDocument(
                f"petition {record.id}", f"no parliament was sitting on {moment:%Y-%m-%d}"
            )
        return found

    def check(self, record: PetitionRecord) -> None:
        """Resolve what needs the database; raises InvalidDocument."""
        parliament = self.parliament_for(record)
        record.fields["parliament_id"] = parliament.id
        if record.parliament:
            ours = parliament_block(parliament)
            differs = {k: v for k, v in record.parliament.items() if k not in ours or ours[k] != v}
            record.more["parliament"] = differs

    def add(self, record: PetitionRecord, write: bool = True) -> None:
        """Check a record and queue it; with `write=False` only check it (for a run that
        will not be kept anyway). Raises InvalidDocument."""
        self.check(record)
        if not write:
            return
        if record.id in self.pending:
            self.flush()
        self.pending[record.id] = record
        self.pending_rows += sum(len(rows) for rows in record.breakdowns.values())
        if len(self.pending) >= self.batch_size or self.pending_rows >= MAX_PENDING_ROWS:
            self.flush()

    def import_source(
        self,
        source: str,
        write: bool = True,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Add the petitions of one source (a file or `-`) as they are read: all of them,
        or none if the source proves invalid at any point. Raises InvalidDocument.

        `progress` is called with the number read so far, every PROGRESS_EVERY petitions.
        """
        with PetitionStream(source) as stream, self.document():
            try:
                for count, record in enumerate(stream, 1):
                    self.add(record, write)
                    if progress and count % PROGRESS_EVERY == 0:
                        progress(count)
            except InvalidDocument:
                stream.check_rest()  # broken JSON further on is what gets reported
                raise

    @contextmanager
    def document(self):
        """Keep what is added inside, or, if it raises InvalidDocument, none of it.

        Batches are written as they fill, so a document found bad halfway may have had
        some of its petitions written: a savepoint, taken before the document's first
        write, undoes them (and the pending petitions of earlier documents that went out
        in the same batch, which are queued again).
        """
        mark = (
            dataclasses.replace(self.counts),
            dict(self.pending),
            self.pending_rows,
            dict(self.departments),
            dict(self.topics),
        )
        self.in_document, self.savepoint = True, None
        try:
            yield
        except InvalidDocument:
            if self.savepoint:
                transaction.savepoint_rollback(self.savepoint)
            self.counts, self.pending, self.pending_rows, self.departments, self.topics = mark
            raise
        else:
            if self.savepoint:
                transaction.savepoint_commit(self.savepoint)
        finally:
            self.in_document, self.savepoint = False, None

    # Writing a batch.

    def flush(self) -> None:
        if not self.pending:
            return
        if self.in_document and self.savepoint is None:
            self.savepoint = transaction.savepoint()
        records, self.pending, self.pending_rows = list(self.pending.values()), {}, 0
        ids = [record.id for record in records]
        stored = {
            row["id"]: row for row in Petition.objects.filter(id__in=ids).values(*PETITION_COLUMNS)
        }
        current = _Related(list(stored))
        batch = _Batch()
        for record in records:
            old = stored.get(record.id)
            if old is not None and record.updated_at < old["updated_at"]:
                self.counts.unchanged += 1  # an older version than the one we hold
                continue
            changed = self._plan(record, old, current, batch)
            if old is None:
                self.counts.created += 1
            elif changed:
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1
        batch.write()

    def _plan(self, record, old, current: _Related, batch: _Batch) -> bool:
        """Queue what must change for `record`; True if anything does."""
        pid = record.id
        changed = False
        departments = None
        if record.departments is not None:
            departments = [self._department(d, record) for d in record.departments]
        extra = _merge_extra(old["extra"] if old else {}, record)
        values = {**record.fields, "extra": extra}
        if old is None:
            batch.create.append(Petition(id=pid, **values))
        else:
            differs = [name for name, value in values.items() if old.get(name) != value]
            if differs:
                batch.update.append(Petition(**{**old, **values}))
                batch.update_fields.update(differs)
                changed = True

        if departments is not None:
            wanted = sorted({d.id for d in departments})
            if wanted != sorted(current.departments.get(pid, [])):
                batch.links["departments"][pid] = wanted
                changed = True
        if record.topics is not None:
            wanted = sorted({self._topic(code) for code in record.topics})
            if wanted != sorted(current.topics.get(pid, [])):
                batch.links["topics"][pid] = wanted
                changed = True

        if "government_response" in record.carried:
            response = record.government_response
            if response is not None:
                response = dict(response)
                if departments:
                    response["department_id"] = departments[0].id
            changed |= batch.one_to_one(
                GovernmentResponse, pid, response, current.responses.get(pid)
            )
        if "debate" in record.carried:
            changed |= batch.one_to_one(DebateOutcome, pid, record.debate, current.debates.get(pid))

        old_digests = (old["extra"] if old else {}).get("_breakdowns", {})
        for attribute, rows in record.breakdowns.items():
            if old is None or old_digests.get(attribute) != extra["_breakdowns"][attribute]:
                batch.rows[attribute][pid] = rows
                changed = True
        return changed

    def _department(self, given: dict, record: PetitionRecord) -> Department:
        department = self.departments.get(given["name"])
        if department is None:
            department = Department.objects.create(**given)
            self.departments[department.name] = department
        elif (department.acronym, department.url) != (given["acronym"], given["url"]):
            # Another document named it differently: keep this petition's words.
            more = record.more.setdefault("departments", {})
            more.setdefault(department.name, {}).update(
                {k: given[k] for k in ("acronym", "url") if getattr(department, k) != given[k]}
            )
        return department

    def _topic(self, code: str) -> int:
        if code not in self.topics:
            self.topics[code] = Topic.objects.create(code=code, name=code).id
        return self.topics[code]


def _merge_extra(old: dict, record: PetitionRecord) -> dict:
    """The petition's `extra` once `record` is applied: its form replaces that of its kind."""
    extra = {k: v for k, v in old.items() if not k.startswith("_")}
    extra.update(record.extra)
    form = dict(old.get("_form", {}))
    form[record.kind] = record.shape
    extra["_form"] = form
    more = dict(old.get("_more", {}))
    carried = record.carried | set(record.breakdowns) | {"data", "parliament"}
    if record.kind == "detail":
        carried.add("document")
    if record.departments is not None:
        carried.add("departments")
    for section in carried:
        if record.more.get(section):
            more[section] = record.more[section]
        else:
            more.pop(section, None)
    if more:
        extra["_more"] = more
    digests = dict(old.get("_breakdowns", {}))
    for attribute, rows in record.breakdowns.items():
        digests[attribute] = breakdown_digest(rows)
    if digests:
        extra["_breakdowns"] = digests
    return extra


class _Related:
    """What the archive holds beside the stored petitions of a batch."""

    def __init__(self, ids: list[int]):
        self.responses = self._one(GovernmentResponse, ids, [*RESPONSE_COLUMNS, "department_id"])
        self.debates = self._one(DebateOutcome, ids, DEBATE_COLUMNS)
        self.departments = self._many(Petition.departments.through, ids, "department_id")
        self.topics = self._many(Petition.topics.through, ids, "topic_id")

    @staticmethod
    def _one(model, ids, columns) -> dict[int, dict]:
        if not ids:
            return {}
        rows = model.objects.filter(petition_id__in=ids).values("petition_id", *columns)
        return {row.pop("petition_id"): row for row in rows}

    @staticmethod
    def _many(through, ids, column) -> dict[int, list[int]]:
        found = defaultdict(list)
        if ids:
            for pid, other in through.objects.filter(petition_id__in=ids).values_list(
                "petition_id", column
            ):
                found[pid].append(other)
        return found


class _Batch:
    """The writes a batch needs, done with a handful of bulk queries."""

    def __init__(self):
        self.create: list[Petition] = []
        self.update: list[Petition] = []
        self.update_fields: set[str] = set()
        self.links: dict[str, dict[int, list[int]]] = {"departments": {}, "topics": {}}
        self.one: dict[type, dict[str, Any]] = defaultdict(
            lambda: {"delete": [], "create": [], "update": [], "fields": set()}
        )
        self.rows: dict[str, dict[int, list[tuple]]] = defaultdict(dict)

    def one_to_one(self, model, pid, wanted: dict | None, stored: dict | None) -> bool:
        plan = self.one[model]
        if wanted is None:
            if stored is None:
                return False
            plan["delete"].append(pid)
            return True
        # A value the document left out (a response's timestamps in 2015) keeps what we hold.
        wanted = {k: v for k, v in wanted.items() if v is not None or k == "debated_on"}
        if stored is None:
            plan["create"].append(model(petition_id=pid, **wanted))
            return True
        differs = [k for k, v in wanted.items() if stored.get(k) != v]
        if not differs:
            return False
        plan["update"].append(model(petition_id=pid, **{**stored, **wanted}))
        plan["fields"].update(differs)
        return True

    def write(self) -> None:
        Petition.objects.bulk_create(self.create)
        if self.update:
            Petition.objects.bulk_update(self.update, sorted(self.update_fields))
        for name, wanted in self.links.items():
            through = getattr(Petition, name).through
            column = f"{Petition._meta.get_field(name).m2m_reverse_name()}"
            through.objects.filter(petition_id__in=list(wanted)).delete()
            through.objects.bulk_create(
                through(petition_id=pid, **{column: other})
                for pid, others in wanted.items()
                for other in others
            )
        for model, plan in self.one.items():
            if plan["delete"]:
                model.objects.filter(petition_id__in=plan["delete"]).delete()
            if plan["update"]:
                ids = {obj.petition_id for obj in plan["update"]}
                existing = dict(
                    model.objects.filter(petition_id__in=ids).values_list("petition_id", "id")
                )
                for obj in plan["update"]:
                    obj.id = existing[obj.petition_id]
                model.objects.bulk_update(plan["update"], sorted(plan["fields"]))
            model.objects.bulk_create(plan["create"])
        created = {petition.id for petition in self.create}
        for attribute, by_petition in self.rows.items():
            kind = BREAKDOWN_BY_ATTRIBUTE[attribute]
            kind.model.objects.filter(petition_id__in=set(by_petition) - created).delete()
            write_breakdowns(kind, by_petition)


def write_breakdowns(kind: BreakdownKind, by_petition: dict[int, list[tuple]]) -> None:
    """Add the rows of these petitions: COPY on PostgreSQL, one executemany elsewhere."""
    model = kind.model
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["petition_id", *kind.columns]
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for pid, rows in by_petition.items():
                    for row in rows:
                        copy.write_row((pid, *row))
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
                [(pid, *row) for pid, rows in by_petition.items() for row in rows],
            )


def save_record(record: PetitionRecord) -> Petition:
    """Create or update one petition and everything that hangs off it."""
    with transaction.atomic():
        importer = Importer()
        importer.add(record)
        importer.flush()
    return Petition.objects.get(id=record.id)
