"""Import files of the public site's JSON: the three stages of an import, put together.

``Importer`` is a ``Writer`` fed from files: ``import_source`` reads a source
(``exchange.read``), parses its petitions (``exchange.parse``) and writes them
(``exchange.write``), all or none of them. The management command ``import_petitions``
drives it; another reader of the public site uses the ``Writer`` alone.

A file named ``ID.history.json`` is a petition's signatures over time as
``export_petitions`` writes them (``exchange.history``): its points are checked as it is
read and added by ``finish()``, once every petition of the run is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import NamedTuple

from exchange.history import history_file_id, parse_history
from exchange.parse import PetitionStream
from exchange.read import JsonStream
from exchange.records import InvalidDocument, PetitionRecord
from exchange.write import Writer
from petitions.models import Petition, SignaturePoint

PROGRESS_EVERY = 1000  # petitions of one file between two reports of progress


class History(NamedTuple):
    """What a history file holds: a petition's signatures over time."""

    petition_id: int
    points: list


class Importer(Writer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.histories: dict[str, History] = {}  # by source

    def read(self, source: str) -> Iterator[PetitionRecord | History]:
        """What one source (a file or `-`) holds, as it is read: its petitions' records,
        parsed and `check`ed, or the History of a history file. It needs no database, so
        it may run in another process (exchange.ahead).

        Raises InvalidDocument for the source's first problem, or for a problem thrown in
        by the taker of the records (`throw`: the database refused one); but where the
        source's JSON breaks further on, that is what it raises."""
        petition_id = history_file_id(os.path.basename(source))
        if petition_id is not None:
            with JsonStream(source, whole=True) as stream:
                for value in stream:
                    yield History(petition_id, parse_history(value.value, value.path))
            return
        with PetitionStream(source) as stream:
            try:
                for record in stream:
                    record.source = source
                    self.check(record)
                    yield record
            except InvalidDocument:
                stream.check_rest()  # broken JSON further on is what gets reported
                raise

    def import_source(
        self,
        source: str,
        write: bool = True,
        progress: Callable[[int], None] | None = None,
        items: Iterator[PetitionRecord | History] | None = None,
    ) -> None:
        """Add the petitions of one source (a file or `-`) as they are read: all of them,
        or none if the source proves invalid at any point. Raises InvalidDocument.

        `items` are what `read(source)` gives (read here if not given, or read ahead in
        another process). `progress` is called with the number read so far, every
        PROGRESS_EVERY petitions.
        """
        items = self.read(source) if items is None else items
        with self.document(source):
            for count, item in enumerate(items, 1):
                if isinstance(item, History):
                    if write:
                        self.histories[source] = item
                    continue
                if write:
                    try:
                        self.queue(item)
                    except InvalidDocument as problem:  # the database refused the document
                        items.throw(problem)  # raises it, or what the reader found further on
                        raise
                if progress and count % PROGRESS_EVERY == 0:
                    progress(count)

    def finish(self) -> None:
        """Write what is pending, then the histories read (a history whose petition is not
        in the archive is refused, in `refused`)."""
        self.flush()
        histories, self.histories = self.histories, {}
        wanted = {petition_id for petition_id, _ in histories.values()}
        known = set(Petition.objects.filter(id__in=wanted).values_list("id", flat=True))
        points = []
        for source, (petition_id, given) in histories.items():
            if petition_id not in known:
                problem = InvalidDocument(
                    "$", f"petition {petition_id} is not in the archive: import its document too"
                )
                self.refused.append((source, problem))
                continue
            points += [
                SignaturePoint(petition_id=petition_id, at=at, signature_count=count)
                for at, count in given
            ]
        SignaturePoint.objects.bulk_create(points, batch_size=1000, ignore_conflicts=True)
        tidy_history(known & wanted)


def tidy_history(petition_ids) -> None:
    """Leave out the points that repeat the count before them (histories merged)."""
    repeated, previous = [], (None, None)
    points = SignaturePoint.objects.filter(petition_id__in=petition_ids).order_by(
        "petition_id", "at"
    )
    for pid, count, point_id in points.values_list("petition_id", "signature_count", "id"):
        if previous == (pid, count):
            repeated.append(point_id)
        previous = (pid, count)
    SignaturePoint.objects.filter(id__in=repeated).delete()
