"""Read the public site's JSON from files, directories, gzip and standard input.

The first stage of an import. ``find_sources`` names the files; ``JsonStream`` reads one
of them (plain or gzip, or ``-`` for standard input) a chunk at a time with ijson, and
gives the petitions of a list page one by one as they are read, so memory stays flat
whatever the size of the file; a single petition's document is read whole. Broken JSON
raises ``InvalidDocument`` with the line and column where it breaks (bytes for bad UTF-8).

What the values mean is ``exchange.parse``'s business: this module knows only where a
document keeps its petitions (``data``, a list or an object).
"""

from __future__ import annotations

import gzip
import io
import itertools
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson
import orjson

from exchange.bounds import Bounds
from exchange.records import InvalidDocument

CHUNK_SIZE = 256 * 1024  # bytes read at a time: memory holds one chunk and one petition
FIRST_CHUNK_SIZE = 4096  # enough to tell a document's layout, which is known in its first lines
MAX_HELD = 16 * 2**20  # bytes kept while finding a document's layout, before reading it again
AT_ONCE_MAX = 2**20  # bytes of a whole document read at once (a real one is ~100 KB), not streamed
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

    def __init__(self, file: BinaryIO, bounds: Bounds | None = None):
        self.file = file
        self.bounds = bounds  # what the text may not be, checked before it is parsed
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
            chunk = _Chunk(data, start, line, column)
            if self.bounds and (problem := self.bounds.feed(data)):
                offset, reason = problem
                raise InvalidDocument(chunk.position(offset), reason)
            yield chunk
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


class _Layout:
    """Tells how a document holds its petitions from the parser's first events, without
    building anything.

    `found` becomes LISTED (a list page: `data` is a list, streamed petition by petition),
    WHOLE (a single petition's document or a bare data object, read whole), NOT_AN_OBJECT
    or NO_PETITION (an object without `data` or `attributes`: known at its end).
    """

    LISTED, WHOLE = "listed", "whole"
    NOT_AN_OBJECT, NO_PETITION = "not an object", "no petition"
    JSON_TYPES = {  # what a document that is not an object is, from its first event
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
        self.json_type = ""  # what the document is when it is not an object

    def feed(self, events: list) -> None:
        for event, value in events:
            if self.found:
                return
            if event in ("start_map", "start_array"):
                if self.depth == 0 and event != "start_map":
                    self.found, self.json_type = self.NOT_AN_OBJECT, self.JSON_TYPES[event]
                elif self.depth == 1 and self.key == "data":
                    self.found = self.LISTED if event == "start_array" else self.WHOLE
                self.depth += 1
            elif event in ("end_map", "end_array"):
                self.depth -= 1
                if self.depth == 0:
                    self.found = self.NO_PETITION
            elif self.depth == 0:
                self.found, self.json_type = self.NOT_AN_OBJECT, self.JSON_TYPES[event]
            elif self.depth == 1 and event == "map_key":
                self.key = value
                if value == "attributes":
                    self.found = self.WHOLE
            elif self.depth == 1 and self.key == "data":
                self.found = self.WHOLE  # `data` is not an object: the parser says so


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


@dataclass(frozen=True)
class Value:
    """A petition of a list page (`listed`), or a whole document, and where it is."""

    path: str
    value: Any
    listed: bool


class JsonStream:
    """The JSON values of one source (a file, plain or gzip, or `-` for standard input, or
    the bytes of a body fetched from an address).

    Iterating reads the source a chunk at a time and gives each petition of a list page
    as soon as it has been read, so memory holds a chunk and a petition whatever the
    size of the file; a single petition's document is given whole. Raises InvalidDocument
    with the line and column of broken JSON. Use it as a context manager, which closes
    the file.
    """

    def __init__(self, source: str, *, data: bytes | None = None, whole: bool = False):
        """`source` names a file (or `-`); with `data`, it only names where those bytes came
        from (an address). `whole` gives a list page whole too, as one value."""
        self.source = source
        self.data = data
        self.whole = whole
        self.file: BinaryIO | None = None
        self.chunks: Iterator[_Chunk] = iter(())
        self.feed = _Feed(self.chunks)
        self.rest: Iterator | None = None  # the values the parser has still to build

    def __enter__(self):
        self._open()
        return self

    def __exit__(self, *exc) -> None:
        self.rest = None
        if self.file is not None and (self.source != "-" or self.data is not None):
            self.file.close()

    def _open(self) -> None:
        if self.data is not None:
            self.file = io.BytesIO(self.data)
        elif self.source == "-":
            self.file = sys.stdin.buffer
        else:
            try:
                self.file = open(self.source, "rb")  # noqa: SIM115 (closed in __exit__)
            except FileNotFoundError:
                raise InvalidDocument("file", "no such file or directory") from None
            except OSError as error:
                raise InvalidDocument("file", error.strerror or str(error)) from None
        self.text = _Text(self.file, Bounds())
        self.chunks = self._chunks()

    def __iter__(self) -> Iterator[Value]:
        # Tell the layout from the first chunks, then read them again with the parser that
        # builds what that layout needs: each item of `data`, or the whole document.
        layout, seen = self._layout()
        if layout.found == _Layout.NOT_AN_OBJECT:
            raise InvalidDocument("$", f"expected a JSON object, got {layout.json_type}")
        if layout.found == _Layout.NO_PETITION:
            raise InvalidDocument("$", "no 'data' and no 'attributes': not a petition document")
        if seen is None:
            seen = self._again()
        listed = layout.found == _Layout.LISTED and not self.whole
        if not listed:
            seen, document = self._at_once(seen)
            if document is not _NOT_READ:
                yield Value("$", document, listed=False)
                return
        self.feed = _Feed(itertools.chain(seen, self.chunks))
        if listed:
            self.rest = PARSER.items(self.feed, "data.item", buf_size=CHUNK_SIZE, use_float=True)
            for index, item in enumerate(self._values()):
                yield Value(f"$.data[{index}]", item, listed=True)
        else:
            self.rest = PARSER.items(self.feed, "", buf_size=CHUNK_SIZE, use_float=True)
            for document in self._values():
                yield Value("$", document, listed=False)

    def check_rest(self) -> None:
        """Read to the end of the text; raise InvalidDocument if its JSON breaks there.

        Called after a problem with a petition, so that a file whose JSON is broken
        further on (a truncated file) is reported as such, as when files were read whole.
        """
        for _ in self._values():
            pass

    def _layout(self) -> tuple[_Layout, list[_Chunk] | None]:
        """The document's layout, and the chunks read to tell it (None if too many to keep).

        A document that is not a list page or a petition is read to its end here, so that
        broken JSON in it is what gets reported.
        """
        events = ijson.sendable_list()
        finder = PARSER.basic_parse_coro(events)
        layout, seen, held = _Layout(), [], 0
        try:
            for chunk in self.chunks:
                if seen is not None:
                    seen.append(chunk)
                    held += len(chunk.data)
                    if held > MAX_HELD:
                        seen = None
                finder.send(chunk.data)
                layout.feed(events)
                events.clear()
                if layout.found in (_Layout.LISTED, _Layout.WHOLE):
                    return layout, seen
            chunk = self.text.end
            finder.close()
        except ijson.JSONError as error:
            raise self._broken(error, chunk) from None
        layout.feed(events)
        return layout, seen

    def _at_once(self, seen: list[_Chunk]) -> tuple[Iterable[_Chunk], Any]:
        """A whole document read at once with orjson, which builds it four times as fast as
        ijson (and twice as fast as json.loads): the chunks read, and the document, or
        _NOT_READ.

        Only for what both parsers read alike: a text of at most AT_ONCE_MAX bytes (already
        within `Bounds`), in UTF-8, that orjson takes (it refuses a constant such as NaN, a
        number as large as infinity and a lone surrogate) and with no number that the C
        parser could find too large (LONG_NUMBER).
        Anything else is left to ijson, which says where the text breaks; so is a problem
        in the chunks still to come (`Bounds`, a broken gzip file), raised after what ijson
        makes of those before it.
        """
        held = sum(len(chunk.data) for chunk in seen)
        if held > AT_ONCE_MAX:  # (its layout told far in)
            return seen, _NOT_READ
        seen = list(seen)
        try:
            for chunk in self.chunks:
                seen.append(chunk)
                held += len(chunk.data)
                if held > AT_ONCE_MAX:
                    return itertools.chain(seen, self.chunks), _NOT_READ
        except InvalidDocument as problem:
            return itertools.chain(seen, self._raising(problem)), _NOT_READ
        text = b"".join(chunk.data for chunk in seen)
        if LONG_NUMBER in text.translate(DIGITS_AS_ZEROS):
            return seen, _NOT_READ  # (19 digits in a row, a number's or a text's)
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError:  # (not UTF-8, a lone surrogate, NaN, a number as
            return seen, _NOT_READ  # large as infinity, among them)
        return seen, document

    def _raising(self, problem: InvalidDocument) -> Iterator[_Chunk]:
        """Chunks that end in `problem`, as `_chunks` raises it: nothing more to check."""
        self.rest = None
        raise problem
        yield

    def _again(self) -> list[_Chunk]:
        """Start reading the text again: its layout showed too far in to keep what came before."""
        if self.source == "-" and self.data is None:
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
            except UnicodeDecodeError:  # (an escape the parser cannot turn into UTF-8)
                self.rest = None
                chunk = self.feed.chunk or self.text.end
                raise InvalidDocument(
                    f"after {chunk.position(0)}", "a text that is not Unicode"
                ) from None
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
        if len(found) != 1 and (self.source != "-" or self.data is not None):
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
            with self._reopened() as file:
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

    def _reopened(self) -> BinaryIO:
        return io.BytesIO(self.data) if self.data is not None else open(self.source, "rb")  # noqa: SIM115


_NOT_READ = object()  # what _at_once gives when it leaves the document to ijson
# A whole number of 19 digits may overflow the C parser's 64 bits: a text holding 19 digits
# in a row is left to it. (Every digit as 0 and every other byte as a space, in C.)
DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
LONG_NUMBER = b"0" * 19


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
