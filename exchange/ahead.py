"""Read the next sources of an import in other processes while this one writes.

On one process, an import takes turns: it reads and checks a batch of petitions (Python:
the JSON, every value, each breakdown's lines), then waits while the database writes them.
`read_ahead` runs the reading in READERS child processes, each taking every other source,
a few batches ahead of the writing, so that reading and writing overlap. (Measured on two
cores on 7 December 2026, 2,000 documents with breakdowns into an empty archive: 8.0 s in
one process, 6.2 and 6.4 s with one reader, 5.5 and 6.1 s with two; see the README.)

What a source holds comes over as it is read (each record with its breakdowns as lines of
text, which cost little to pass), in order, about a megabyte at a time, at most AHEAD
messages ahead: memory stays flat whatever the size of the sources. A problem a child
meets is raised here, for its source, where the source's items end: what was already taken
of the source is undone by the writer (`Writer.document`), as when it is read here.

A child is forked, and so knows the importer's facts (its parliaments) without asking the
database; it never uses the database connection it inherits (a query there raises).
Standard input, which only this process reads, is read here in its turn; so is every
source where processes cannot be forked (macOS, Windows).
"""

from __future__ import annotations

import multiprocessing
import queue as queues
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from django.db import connections

from exchange.records import InvalidDocument

READERS = 2  # child processes, each reading every other source
AHEAD = 16  # messages read ahead of the writer, at most
MESSAGE_BYTES = 2**20  # about this many bytes of breakdown lines a message
MESSAGE_ITEMS = 200  # or this many items
WAIT_SECONDS = 1  # between two looks at whether the child still runs, while waiting for it

# What a message holds: (kind, value) for each item of a source, then its end (or its
# problem), then the next source's...
ITEM, END, INVALID, FAILED = "item", "end", "invalid", "failed"


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def read_ahead(
    read: Callable[[str], Iterator], sources: Iterable[str]
) -> Iterator[tuple[str, Iterator]]:
    """Each source, with a generator of what `read(source)` gives for it (raising what it
    raises): read in a child process, ahead, unless the source is standard input (`-`) or
    processes cannot be forked here. Take each source's generator to its end, or throw
    InvalidDocument into it, before the next source is given."""
    sources = list(sources)
    ahead = [source for source in sources if source != "-"]
    if not ahead or not can_fork():
        for source in sources:
            yield source, read(source)
        return
    children = [_Child(read, ahead[n::READERS]) for n in range(min(READERS, len(ahead)))]
    turn = 0
    try:
        for source in sources:
            if source == "-":
                yield source, read(source)
            else:
                yield source, children[turn % len(children)].received()
                turn += 1
    finally:
        for child in children:
            child.stop()


class _Child:
    """The child process that reads `sources` in turn, and the messages it sends."""

    def __init__(self, read, sources: list[str]):
        context = multiprocessing.get_context("fork")
        self.messages = context.Queue(AHEAD)
        self.process = context.Process(
            target=_read_all, args=(read, sources, self.messages), daemon=True
        )
        self.process.start()
        self.received_ahead = deque()  # what the child sent that is yet to be taken
        self.in_step = True  # every source given so far was taken to its end

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.messages.close()

    def received(self) -> Iterator:
        """What the child read of its next source: its items, then its problem raised, if
        it had one. A problem thrown in by the taker (the database refused the source) is
        raised once the child has finished with the source, unless the child found one of
        its own further on (broken JSON, a bad value), which is raised instead."""
        if not self.in_step:
            raise RuntimeError("an earlier source was left before its end")
        self.in_step = False
        thrown = None
        while True:
            kind, value = self._next()
            if kind == ITEM:
                if thrown is None:
                    try:
                        yield value
                    except InvalidDocument as problem:
                        thrown = problem
            elif kind == FAILED:
                raise RuntimeError(f"reading ahead failed: {value}")
            else:
                self.in_step = True
                if kind == INVALID:
                    raise value
                if thrown is not None:
                    raise thrown
                return

    def _next(self) -> tuple[str, object]:
        """The next (kind, value) the child sent."""
        while not self.received_ahead:
            try:
                self.received_ahead.extend(self.messages.get(timeout=WAIT_SECONDS))
            except queues.Empty:
                if not self.process.is_alive():
                    raise RuntimeError(
                        f"the process reading ahead stopped (exit code {self.process.exitcode})"
                    ) from None
        return self.received_ahead.popleft()


def _read_all(read, sources: list[str], messages) -> None:
    """The child: read every source, and put what each holds in `messages`, in order."""
    for connection in connections.all(initialized_only=True):
        connection.execute_wrappers.append(_no_query)
    message, size = [], 0
    for source in sources:
        try:
            for item in read(source):
                message.append((ITEM, item))
                size += sum(map(len, getattr(item, "breakdowns", {}).values()))
                if size >= MESSAGE_BYTES or len(message) >= MESSAGE_ITEMS:
                    messages.put(message)
                    message, size = [], 0
            message.append((END, None))
        except InvalidDocument as problem:
            message.append((INVALID, problem))
        except BaseException:
            message.append((FAILED, f"{source}: {traceback.format_exc()}"))
            break
    messages.put(message)
    messages.close()
    messages.join_thread()  # everything put is in the pipe before the child ends


def _no_query(*args):
    raise RuntimeError("the process reading ahead never uses the database")
