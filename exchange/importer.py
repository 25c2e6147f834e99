"""Import files of the public site's JSON: the three stages of an import, put together.

``Importer`` is a ``Writer`` fed from files: ``import_source`` reads a source
(``exchange.read``), parses its petitions (``exchange.parse``) and writes them
(``exchange.write``), all or none of them. The management command ``import_petitions``
drives it; another reader of the public site uses the ``Writer`` alone.
"""

from __future__ import annotations

from collections.abc import Callable

from exchange.parse import PetitionStream
from exchange.records import InvalidDocument
from exchange.write import Writer

PROGRESS_EVERY = 1000  # petitions of one file between two reports of progress


class Importer(Writer):
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
        with PetitionStream(source) as stream, self.document(source):
            try:
                for count, record in enumerate(stream, 1):
                    record.source = source
                    self.add(record, write)
                    if progress and count % PROGRESS_EVERY == 0:
                        progress(count)
            except InvalidDocument:
                stream.check_rest()  # broken JSON further on is what gets reported
                raise
