"""Write records into the archive: plan what changes, then a few bulk queries a batch.

The last stage of an import. ``Writer`` takes ``PetitionRecord`` objects from any source
(files through ``exchange.parse``, or any other reader of the public site), resolves what
needs the database (the parliament), and writes them in batches: idempotent upserts keyed
on the official petition id, a newer ``updated_at`` replacing an older one, new petitions
and breakdowns with COPY on PostgreSQL. ``Writer.document()`` keeps all or nothing of one
source.

What the archive does not model goes into ``Petition.extra`` (see ``exchange.parse``):

- unmodelled attributes, as given, under their own names;
- ``_form``: per origin (``detail`` or ``list``), the form the document was written in;
- ``_more``: unmodelled values inside modelled objects (the response, the debate, a
  breakdown row...), and the parliament block where it differs from ours;
- ``_breakdowns``: a digest of each breakdown (of its lines), so that
  importing it again changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction

from exchange.format import (
    BLOCKS,
    BREAKDOWN_BY_NAME,
    CREATED,
    DEPARTMENT,
    DEPARTMENT_KEY,
    DETAIL,
    OPENED,
    BreakdownAttribute,
    parliament_block,
)
from exchange.records import InvalidDocument, PetitionRecord
from petitions.models import Department, Parliament, Petition, Topic

MAX_PENDING_ROWS = 50_000  # breakdown rows held before a batch is written
PETITION_COLUMNS = [f.attname for f in Petition._meta.concrete_fields]
# The blocks kept in models of their own (a response, a debate outcome), by model.
OWN_MODELS = {block.model: block for block in BLOCKS.values() if block.model is not Petition}
DEPARTMENT_DETAILS = [f.attname for f in DEPARTMENT.modelled if f.name != DEPARTMENT_KEY]


def breakdown_digest(lines: str) -> str:
    """The digest of a breakdown, taken of its lines (BreakdownAttribute.lines: the same
    rows, the same lines), which are made in any case: a tenth of the cost of a digest of
    the rows' `repr`."""
    return hashlib.blake2b(lines.encode(), digest_size=12).hexdigest()


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0

    def add(self, other: Counts) -> None:
        for name in ("created", "updated", "unchanged", "invalid"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def __str__(self) -> str:
        return (
            f"{self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.invalid:,} invalid"
        )


class _Probe(Exception):
    """Undo a write that was only a trial."""


class Writer:
    """Writes records in batches: a few bulk queries per batch, whatever its size.

    Call ``add`` for each record (it resolves the parliament and raises InvalidDocument if
    it can't), inside ``document(source)`` for all or nothing of a source, then ``flush``
    at the end. Run it inside ``transaction.atomic()``.

    What the database refuses is refused a source at a time: a batch it refuses is written
    again source by source, and each source it still refuses is left out whole and listed
    in ``refused`` (or, if it is the document being read, raised as InvalidDocument).
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
        self.current: str | None = None  # the source of `document()`, while inside it
        self.savepoint = None  # taken by the first write inside a document
        self.refused: list[tuple[str, InvalidDocument]] = []  # sources the database refused

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
        moment = record.fields.get(OPENED) or record.fields[CREATED]
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
        """Resolve what needs the archive's facts (its parliaments, read when the writer was
        made): no query, so a process reading ahead may run it. Raises InvalidDocument."""
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
        if write:
            self.queue(record)

    def queue(self, record: PetitionRecord) -> None:
        """Queue a record already checked (`check`), writing a batch once one is full.
        Raises InvalidDocument if the database refuses the document being read."""
        if record.id in self.pending:
            self.flush()
        self.pending[record.id] = record
        self.pending_rows += sum(lines.count("\n") for lines in record.breakdowns.values())
        if len(self.pending) >= self.batch_size or self.pending_rows >= MAX_PENDING_ROWS:
            self.flush()

    @contextmanager
    def document(self, source: str = ""):
        """Keep what is added inside, or, if it raises InvalidDocument, none of it.

        Batches are written as they fill, so a document found bad halfway may have had
        some of its petitions written: a savepoint, taken before the document's first
        write, undoes them (and the pending petitions of earlier documents that went out
        in the same batch, which are queued again). A document that filled batches writes
        the rest of its petitions before its savepoint goes.
        """
        mark = (
            dataclasses.replace(self.counts),
            dict(self.pending),
            self.pending_rows,
            dict(self.departments),
            dict(self.topics),
        )
        self.current, self.savepoint = source, None
        try:
            yield
            if self.savepoint:
                self.flush()
        except InvalidDocument:
            if self.savepoint:
                transaction.savepoint_rollback(self.savepoint)
            self.counts, pending, self.pending_rows, self.departments, self.topics = mark
            refused = {source for source, _ in self.refused}
            self.pending = {k: r for k, r in pending.items() if r.source not in refused}
            raise
        else:
            if self.savepoint:
                transaction.savepoint_commit(self.savepoint)
        finally:
            self.current, self.savepoint = None, None

    # Writing a batch.

    def flush(self) -> None:
        if not self.pending:
            return
        if self.current is not None and self.savepoint is None:
            self.savepoint = transaction.savepoint()
        records, self.pending, self.pending_rows = list(self.pending.values()), {}, 0
        try:
            self.counts.add(self._write(records))
        except DatabaseError:
            self._write_each_source(records)

    def _write_each_source(self, records: list[PetitionRecord]) -> None:
        """The database refused a batch: write it again a source at a time."""
        by_source = defaultdict(list)
        for record in records:
            by_source[record.source].append(record)
        for source, group in by_source.items():
            try:
                self.counts.add(self._write(group))
            except DatabaseError as error:
                problem = self._refusal(group, error)
                if source == self.current:
                    raise problem from None
                self.refused.append((source, problem))

    def _refusal(self, group: list[PetitionRecord], error: DatabaseError) -> InvalidDocument:
        """Which petition of a source the database refuses, and why."""
        for record in group:
            try:
                self._write([record], trial=True)
            except _Probe:
                continue
            except DatabaseError as refused:
                error, where = refused, record.path
                break
        else:
            where = group[0].path
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return InvalidDocument(where, f"the database refused it ({reason})")

    def _write(self, records: list[PetitionRecord], trial: bool = False) -> Counts:
        """Write records in a savepoint: all of them, or (raising) none. A `trial` write is
        undone at once (raising _Probe)."""
        kept = dict(self.departments), dict(self.topics)
        try:
            with transaction.atomic():
                counts = self._write_batch(records)
                if trial:
                    raise _Probe
        except BaseException:
            self.departments, self.topics = kept  # what the savepoint undid
            raise
        return counts

    def _write_batch(self, records: list[PetitionRecord]) -> Counts:
        counts = Counts()
        ids = [record.id for record in records]
        stored = {
            row["id"]: row for row in Petition.objects.filter(id__in=ids).values(*PETITION_COLUMNS)
        }
        current = _Stored(list(stored))
        batch = _Batch()
        for record in records:
            old = stored.get(record.id)
            if old is not None and record.updated_at < old["updated_at"]:
                counts.unchanged += 1  # an older version than the one we hold
                continue
            changed = self._plan(record, old, current, batch)
            if old is None:
                counts.created += 1
            elif changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        batch.write()
        return counts

    def _plan(self, record, old, current: _Stored, batch: _Batch) -> bool:
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

        for model, block in OWN_MODELS.items():
            if block.name not in record.carried:
                continue
            wanted = record.blocks.get(block.name)
            if wanted is not None and departments and _has_department(model):
                # The department that gave a response is the petition's first.
                wanted = {**wanted, "department_id": departments[0].id}
            changed |= batch.one_to_one(model, pid, wanted, current.one[model].get(pid))

        old_digests = (old["extra"] if old else {}).get("_breakdowns", {})
        for name, lines in record.breakdowns.items():
            if old is None or old_digests.get(name) != extra["_breakdowns"][name]:
                batch.breakdowns[name][pid] = lines
                changed = True
        return changed

    def _department(self, given: dict, record: PetitionRecord) -> Department:
        department = self.departments.get(given[DEPARTMENT_KEY])
        if department is None:
            department = Department.objects.create(**given)
            self.departments[department.name] = department
        elif any(getattr(department, k) != given[k] for k in DEPARTMENT_DETAILS):
            # Another document named it differently: keep this petition's words.
            more = record.more.setdefault(DEPARTMENT.name, {})
            more.setdefault(department.name, {}).update(
                {k: given[k] for k in DEPARTMENT_DETAILS if getattr(department, k) != given[k]}
            )
        return department

    def _topic(self, code: str) -> int:
        if code not in self.topics:
            self.topics[code] = Topic.objects.create(code=code, name=code).id
        return self.topics[code]


def _has_department(model) -> bool:
    return any(f.name == "department" for f in model._meta.concrete_fields)


def _merge_extra(old: dict, record: PetitionRecord) -> dict:
    """The petition's `extra` once `record` is applied: its form replaces that of its origin."""
    extra = {k: v for k, v in old.items() if not k.startswith("_")}
    extra.update(record.extra)
    form = dict(old.get("_form", {}))
    form[record.origin] = record.written_form
    extra["_form"] = form
    more = dict(old.get("_more", {}))
    carried = record.carried | set(record.breakdowns) | {"data", "parliament"}
    if record.origin == DETAIL:
        carried.add("document")
    if record.departments is not None:
        carried.add(DEPARTMENT.name)
    for section in carried:
        if record.more.get(section):
            more[section] = record.more[section]
        else:
            more.pop(section, None)
    if more:
        extra["_more"] = more
    digests = dict(old.get("_breakdowns", {}))
    for name, lines in record.breakdowns.items():
        digests[name] = breakdown_digest(lines)
    if digests:
        extra["_breakdowns"] = digests
    return extra


class _Stored:
    """What the archive holds beside the stored petitions of a batch."""

    def __init__(self, ids: list[int]):
        self.one = {model: self._one(model, ids) for model in OWN_MODELS}
        self.departments = self._many(Petition.departments.through, ids, "department_id")
        self.topics = self._many(Petition.topics.through, ids, "topic_id")

    @staticmethod
    def _one(model, ids) -> dict[int, dict]:
        if not ids:
            return {}
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if f.editable and not f.primary_key and f.name != "petition"
        ]
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
        # By breakdown, then petition: its rows, as lines (BreakdownAttribute.lines).
        self.breakdowns: dict[str, dict[int, str]] = defaultdict(dict)

    def one_to_one(self, model, pid, wanted: dict | None, stored: dict | None) -> bool:
        """Plan the row of `model` for a petition: `wanted` (None: no row). A value the
        document left out (a response's timestamps in 2015) keeps what we hold."""
        plan = self.one[model]
        if wanted is None:
            if stored is None:
                return False
            plan["delete"].append(pid)
            return True
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
        create_rows(Petition, self.create)
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
        for name, by_petition in self.breakdowns.items():
            breakdown = BREAKDOWN_BY_NAME[name]
            breakdown.model.objects.filter(petition_id__in=set(by_petition) - created).delete()
            write_breakdowns(breakdown, by_petition)


def create_rows(model, objects: list) -> None:
    """`bulk_create` of new rows: by COPY on PostgreSQL, where an INSERT of a batch of
    petitions spends more time in Python (the statement's SQL and its 60,000 parameters
    bound into it) than in the database. The values are prepared as `bulk_create` prepares
    them (each field's `pre_save` and `get_db_prep_save`); the table's triggers fire for
    COPY as they do for INSERT."""
    if connection.vendor != "postgresql" or not objects:
        model.objects.bulk_create(objects)
        return
    fields = [field for field in model._meta.concrete_fields if not field.generated]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row(
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
            )


def write_breakdowns(breakdown: BreakdownAttribute, by_petition: dict[int, str]) -> None:
    """Add the rows of these petitions, given as lines (BreakdownAttribute.lines): COPY on
    PostgreSQL (the lines as they are, behind each petition's number), one executemany
    elsewhere."""
    model = breakdown.model
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["petition_id", *breakdown.columns]
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for pid, lines in by_petition.items():
                    if lines:
                        # An escaped text holds no line break: each one ends a row.
                        before = f"{pid}\t"
                        copy.write(before + lines[:-1].replace("\n", "\n" + before) + "\n")
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
                [
                    (pid, *row)
                    for pid, lines in by_petition.items()
                    for row in breakdown.rows(lines)
                ],
            )


# The function of the triggers that raise the page generation of each petition whose rows
# a statement changed (petitions/migrations/0020_page_generations.py).
GENERATIONS_BY_PETITION = "petitions_pages_changed_by_petition_id"


@contextmanager
def keys_built_after_loading(models, bulk: bool = False):
    """A load into empty tables builds their keys and their secondary indexes (not unique
    ones) once at the end, as pg_restore does, instead of row by row: on PostgreSQL, for the
    tables of `models` that start empty, or all of them with `bulk` (a load bigger than what
    they hold: the indexes and foreign keys are built again whole, the primary key kept).

    Kept up row by row, a constituency breakdown's index on (ons_code, signatures) takes
    half the time of loading the rows, and the check of its key to the petition another
    third; built once after the load, both take a tenth. Its primary key, kept up row by
    row, nearly trebles PostgreSQL's time for the COPY of the rows; built once at the end,
    it costs less than half as much. No import can break it meanwhile: a document's keys
    are checked unique, and a petition written again has its rows deleted first (without
    the key, that delete reads every row loaded so far: only a petition given twice in one
    import into empty tables asks for it).

    Run inside the import's transaction: the keys and indexes are dropped and made again
    within it (a failed run rolls back to them), and the tables are locked from other
    sessions until it commits: for empty tables that holds nobody up but readers of
    petitions not yet there; with `bulk`, every map and constituency page waits for the
    import.

    The same tables' triggers that raise each petition's page generation
    (GENERATIONS_BY_PETITION) are off for the load as well: they gather every row a
    statement wrote, which slows the COPY of a batch by a tenth or more. An import never
    needs them: every petition whose breakdowns it writes is itself written in the same
    batch (the breakdowns' digests are in its `extra`), and that write raises its
    generation.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    again = []
    # Checks still deferred in the transaction are made now: PostgreSQL alters no table that
    # has some pending (and dropping or adding a foreign key alters the table it points to).
    immediately = "SET CONSTRAINTS ALL IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute(immediately)
        for model in models:
            table = model._meta.db_table
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted})")
            empty = not cursor.fetchone()[0]
            if not (empty or bulk):
                continue
            # Its foreign keys (and, when it starts empty, its primary key), and its triggers
            # that raise page generations: off in one ALTER TABLE, on again in another.
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND (contype = 'f' OR contype = 'p' AND %s) "
                "UNION ALL SELECT tgname, NULL FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND tgenabled <> 'D' AND tgfoid = %s::regproc",
                [quoted, empty, quoted, GENERATIONS_BY_PETITION],
            )
            off, on = [], []
            for name, definition in cursor.fetchall():
                name = connection.ops.quote_name(name)
                if definition is None:
                    off.append(f"DISABLE TRIGGER {name}")
                    on.append(f"ENABLE TRIGGER {name}")
                else:
                    off.append(f"DROP CONSTRAINT {name}")
                    on.append(f"ADD CONSTRAINT {name} {definition}")
            if off:
                cursor.execute(f"ALTER TABLE {quoted} {', '.join(off)}")
                again.append(f"ALTER TABLE {quoted} {', '.join(on)}")
            cursor.execute(
                "SELECT index.relname, pg_get_indexdef(index.oid) FROM pg_index "
                "JOIN pg_class index ON index.oid = pg_index.indexrelid "
                "WHERE pg_index.indrelid = %s::regclass AND NOT pg_index.indisunique",
                [quoted],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                again.append(definition)
    yield
    with connection.cursor() as cursor:
        for statement in [immediately, *again] if again else []:
            cursor.execute(statement)


def save_record(record: PetitionRecord) -> Petition:
    """Create or update one petition and everything that hangs off it."""
    with transaction.atomic():
        writer = Writer()
        writer.add(record)
        writer.flush()
    return Petition.objects.get(id=record.id)
