"""What no petition document can be, told from its bytes before the JSON parser builds it.

A hostile file can make a JSON parser use memory and time out of all proportion to its
size: 200 KB of nested brackets, or one value of gigabytes. `Bounds` is fed the text chunk
by chunk, ahead of the parser, and refuses at once (with where, and why):

- nesting deeper than the format can be (MAX_DEPTH levels; a real document has six);
- a petition (an item of a list page, or a document's `data`) or one text larger than any
  real one;
- a lone surrogate (`\\ud800` with no partner): the parser would quietly change it, and no
  database can store it.

It works on whole bytes at C speed, but for a step in Python at each escape (`\\n`, `\\u00f4`),
found with `find`: a real petition has a few dozen, and past MANY_ESCAPES (a text of them)
the rest is read in C too. Escaped backslashes and escaped quotes are blanked (two bytes for
two), so that every quote left opens or closes a string; the brackets between every other
quote are the ones outside strings (a string that runs on into the next chunk is carried
over). They are reduced pair by pair, and what is left says how deep the text goes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MANY_ESCAPES = 256  # a real petition has a few dozen: past this many, the rest read in C
MAX_DEPTH = 32  # levels of nesting: a list page's department objects are at six
MAX_PETITION = 16 * 2**20  # bytes of one petition: a real one with every breakdown is ~100 KB
MAX_TEXT = 2**20  # bytes of one string: the longest real texts (a response) are ~10 KB
PETITION_DEPTH = 2  # a list page's petitions are at depth 3, closed when it comes back to 2

SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
LOW_SURROGATE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
NOT_BRACKETS_OR_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')
CLOSERS = b"]}"
OPENERS = b"[{"
PAIRS = re.compile(rb"\[\]|\{\}")

TOO_DEEP = f"nested deeper than a petition document can be (more than {MAX_DEPTH} levels)"
TOO_LARGE = f"a petition larger than any real one (more than {MAX_PETITION // 2**20} MiB)"
TOO_LONG = f"a text longer than any real one (more than {MAX_TEXT // 2**20} MiB)"
LONE_SURROGATE = "a lone surrogate ({}), which is not text"


class Bounds:
    """Feed it each chunk of a text in turn; `feed` gives (offset in the chunk, reason) for
    the first thing out of bounds, or None."""

    def __init__(self):
        self.stack = b""  # the brackets open at the end of what was fed
        self.carry = b""  # a string not yet closed at the end of what was fed
        self.petition_bytes = 0  # since the text was last at a list page's top levels

    def feed(self, data: bytes) -> tuple[int, str] | None:
        window, before = self.carry + data, len(self.carry)
        plain = _blanked(window)
        if plain.count(b'"') % 2:  # a string runs on into the next chunk
            start = plain.rfind(b'"')
            complete, self.carry, plain = window[:start], window[start:], plain[:start]
        else:
            complete, self.carry = window, b""
        if len(self.carry) > MAX_TEXT:
            return 0, TOO_LONG
        if (found := _lone_surrogate(complete)) is not None:
            return max(found - before, 0), LONE_SURROGATE.format(
                complete[found : found + 6].decode()
            )
        depth = len(self.stack)
        # The brackets outside strings: before the first quote, and between every other one.
        # Two quotes side by side (a string with no bracket in it, or the end of one and the
        # start of the next) hold no bracket either way: dropped first, they leave far fewer
        # pieces to split, and every other quote where it was.
        marks = plain.translate(None, NOT_BRACKETS_OR_QUOTES).replace(b'""', b"")
        brackets = b"".join(marks.split(b'"')[::2])
        problem = self._nesting(brackets, len(data))
        if problem == (None, TOO_DEEP):
            return max(_deeper_than_allowed(window, depth) - before, 0), TOO_DEEP
        return problem

    def _nesting(self, brackets: bytes, size: int) -> tuple[int | None, str] | None:
        reduced, rounds = brackets, 0
        while True:
            shorter = PAIRS.sub(b"", reduced)  # one level: the pairs innermost now, no more
            if len(shorter) == len(reduced):
                break
            reduced, rounds = shorter, rounds + 1
            if rounds > MAX_DEPTH:
                return None, TOO_DEEP
        closed = len(reduced) - len(reduced.lstrip(CLOSERS))
        opened = reduced[closed:]
        lowest = len(self.stack) - closed
        # At most this deep (a group of pairs may sit lower than the brackets left open);
        # when that is too deep, bracket by bracket tells.
        if (
            len(self.stack) + rounds + len(opened) > MAX_DEPTH
            and _deepest(brackets, len(self.stack)) > MAX_DEPTH
        ):
            return None, TOO_DEEP
        self.stack = self.stack[: max(lowest, 0)] + opened
        if lowest <= PETITION_DEPTH:
            self.petition_bytes = 0
        self.petition_bytes += size
        if self.petition_bytes > MAX_PETITION:
            return 0, TOO_LARGE
        return None


def _deepest(brackets: bytes, depth: int) -> int:
    """How deep `brackets` (brackets only) go from `depth`."""
    deepest = depth
    for bracket in brackets:
        depth += 1 if bracket in OPENERS else -1
        deepest = max(deepest, depth)
    return deepest


STRING_OR_BRACKET = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _deeper_than_allowed(text: bytes, depth: int) -> int:
    """Where `text` (whole strings) first goes deeper than MAX_DEPTH, from `depth`."""
    for match in STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in (b"]", b"}"):
            depth -= 1
    return 0


def _escapes(text: bytes) -> Iterator[int]:
    """Where each escape in `text` (whole strings) begins: a backslash, and the character it
    escapes, which may be a backslash itself. Found with `find`, which passes over the text
    between them in C: a real petition has a few dozen."""
    at = text.find(b"\\")
    while at >= 0:
        yield at
        at = text.find(b"\\", at + 2)


def _blanked(window: bytes) -> bytes:
    """`window` with its escaped backslashes and escaped quotes blanked, two bytes for two:
    the only escapes that could be taken for the end of a string, so that every quote left
    opens or closes one."""
    blanked = None  # a copy, made at the first escape to blank (most windows have none)
    for count, at in enumerate(_escapes(window)):
        if count == MANY_ESCAPES:  # a text of escapes: the rest in C, from this one on
            rest = window[at:].replace(b"\\\\", b"__").replace(b'\\"', b"__")
            return (window if blanked is None else bytes(blanked))[:at] + rest
        if window[at + 1 : at + 2] in (b"\\", b'"'):
            if blanked is None:
                blanked = bytearray(window)
            blanked[at : at + 2] = b"__"
    return window if blanked is None else bytes(blanked)


def _lone_surrogate(text: bytes) -> int | None:
    """Where the first escape of a lone surrogate is in `text` (whole strings), if any."""
    partner_at = -1
    for at in _surrogates(text):
        if int(text[at + 2 : at + 6], 16) < 0xDC00:  # a high surrogate needs a low one next
            if LOW_SURROGATE.match(text, at + 6):
                partner_at = at + 6
                continue
            return at
        if at != partner_at:
            return at
    return None


def _surrogates(text: bytes) -> Iterator[int]:
    """Where each escape of a surrogate (\\ud800 to \\udfff) begins in `text`."""
    for count, at in enumerate(_escapes(text)):
        if count == MANY_ESCAPES:  # a text of escapes: the rest found in C, from this one on
            for match in SURROGATE.finditer(text, at):
                before = found = match.start()
                while before and text[before - 1] == 0x5C:  # the backslashes before it
                    before -= 1
                if (found - before) % 2 == 0:  # not an escaped backslash, then the letter u
                    yield found
            return
        if SURROGATE.match(text, at):
            yield at
