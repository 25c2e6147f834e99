"""What passes between the stages of an import: records, and the problem of a document.

A reader and ``exchange.parse`` make ``PetitionRecord`` objects; ``exchange.write`` takes
any iterable of them. A problem anywhere is an ``InvalidDocument`` naming where (a JSON
path, or a line and column) and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from exchange.format import UPDATED


class InvalidDocument(ValueError):
    """A document that cannot be imported; `path` says where, the message says why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self):  # passed between processes (exchange.ahead)
        return type(self), (self.path, self.reason)


@dataclass
class PetitionRecord:
    """One petition, validated, as plain values ready to be written.

    Only what the document carried is set: a missing key (``None`` here, or absent from
    ``fields`` or a block's values) leaves what the archive already holds untouched.
    """

    id: int
    origin: str  # DETAIL (a petition's own document) or LIST (an item of a list page)
    type: str  # "petition" or "archived-petition"
    fields: dict[str, Any]  # the petition's columns
    # The blocks kept in models of their own (government_response, debate): their values,
    # or None where the document gave null.
    blocks: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    departments: list[dict[str, str]] | None = None
    topics: list[str] | None = None
    parliament: dict[str, Any] | None = None
    # Each breakdown's rows, in key order, as lines of COPY's text format
    # (BreakdownAttribute.lines): a few strings, not hundreds of tuples, to hold and to pass.
    breakdowns: dict[str, str] = field(default_factory=dict)
    # Which blocks (rejection, government_response, debate) the document carried.
    carried: set[str] = field(default_factory=set)
    # Kept in `Petition.extra`: unmodelled attributes, unmodelled values inside modelled
    # objects (`more`), and how the document was written (`written_form`).
    extra: dict[str, Any] = field(default_factory=dict)
    more: dict[str, Any] = field(default_factory=dict)
    written_form: dict[str, Any] = field(default_factory=dict)
    # Where it was read: the JSON path in its document, and the source (a file, an address).
    path: str = field(default="$", compare=False)
    source: str = field(default="", compare=False)

    @property
    def updated_at(self) -> dt.datetime:
        return self.fields[UPDATED]
