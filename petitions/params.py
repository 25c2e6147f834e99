"""Numbers from the query string and the search box: one parser for the whole archive.

`str.isdigit()` accepts "²" and "①", which `int()` refuses, and `int()` refuses more than
4,300 digits: so a number here is ASCII digits only, and not too many of them. Anything
else is not a number, never an error.
"""

from __future__ import annotations

import re

DIGITS = re.compile(r"[0-9]{1,18}")


def whole_number(given: str | None, *, minimum: int = 0, maximum: int | None = None):
    """The whole number `given` writes (ASCII digits), if it lies within the bounds; else
    None."""
    if given is None or not DIGITS.fullmatch(given):
        return None
    number = int(given)
    if number < minimum or (maximum is not None and number > maximum):
        return None
    return number


MAX_PETITION = 2**31 - 1  # the largest number a petition can have (its column's range)


def petition_number(text: str) -> int | None:
    """The petition a search box names by its number ("221342", "#221342"), if any."""
    return whole_number(text.strip().removeprefix("#"), minimum=1, maximum=MAX_PETITION)


class PetitionNumberConverter:
    """`<petition:pk>` in an address: a whole number the database can hold (up to 18
    digits: the views then say there is no such petition), else no match, a 404 before any
    query (SQLite raised on a number past 64 bits)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = whole_number(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)
