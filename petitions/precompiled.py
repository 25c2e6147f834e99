"""Queries that are the same for every petition but its number: compiled once, then only run.

A page nobody has opened since the petition last changed is rendered from the database, and
for such a page Django's compiling of a query costs more than PostgreSQL's answering it: the
petition page's query (the petition with its parliament, response, department and debate)
takes 0.7 ms to compile and 0.3 ms to run; a petition's JSON reads six. `OnePetition` asks
the ORM for a queryset once per process, for a stand-in number, keeps the SQL and how its
rows become what the queryset would give (Django's own converters and related-object
populators), and then runs it for any petition: prepared once per connection on
PostgreSQL (`prepared_cursor`).

What a queryset reads is still written with the ORM, in one place; only its compiling is
done once. A queryset whose SQL depends on more than the petition's number (today's date,
a setting read per request) must not be kept this way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

# Stands for the petition's number while a query is compiled: no petition has it (the
# public site's numbers are six digits), and it fits PostgreSQL's integer.
STAND_IN = 2_147_483_641


def prepared_cursor(using: str = DEFAULT_DB_ALIAS):
    """A cursor whose queries PostgreSQL prepares once per connection (petitions_site.db):
    for the reads that are the whole of a page's work. SQLite's is a plain cursor."""
    connection = connections[using]
    return getattr(connection, "prepared_cursor", connection.cursor)()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list
    at: int  # where the petition's number goes among the parameters
    columns: int  # how many values a row holds
    db: str
    converters: dict  # the compiler's, by column: what turns a value into a field's
    apply_converters: Callable
    # How a row becomes an instance (None for a `values_list`): the model, where its own
    # columns are and their names, its related objects' populators, its annotations.
    model: type[Model] | None
    own: slice
    names: list[str]
    populators: list
    annotations: dict


class OnePetition:
    """`build(number)`: the queryset for one petition, compiled once with STAND_IN. Its
    SQL must hold the number once, as a parameter."""

    def __init__(self, build: Callable[[int], QuerySet]):
        self.build = build

    @cached_property
    def compiled(self) -> _Compiled:
        queryset = self.build(STAND_IN)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        params = list(params)
        if params.count(STAND_IN) != 1:
            raise ValueError(f"{sql} holds the petition's number {params.count(STAND_IN)} times")
        select = compiler.select
        model, own, names, populators = None, slice(0), [], []
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            raise ValueError("Only a queryset of models or of values_list rows is kept")
        if queryset._iterable_class is ModelIterable:  # as ModelIterable makes instances
            klass_info = compiler.klass_info
            model = klass_info["model"]
            own = slice(klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
            names = [column[0].target.attname for column in select[own]]
            populators = get_related_populators(klass_info, select, queryset.db)
        return _Compiled(
            sql=sql,
            params=params,
            at=params.index(STAND_IN),
            columns=compiler.col_count,
            db=queryset.db,
            converters=compiler.get_converters(
                [column[0] for column in select[: compiler.col_count]]
            ),
            apply_converters=compiler.apply_converters,
            model=model,
            own=own,
            names=names,
            populators=populators,
            annotations=compiler.annotation_col_map or {},
        )

    def params(self, number: int) -> list:
        """The SQL's parameters for this petition."""
        params = self.compiled.params.copy()
        params[self.compiled.at] = number
        return params

    def rows(self, number: int) -> list[tuple]:
        """The rows for this petition, as the queryset's `values_list` would give them."""
        compiled = self.compiled
        with prepared_cursor(compiled.db) as cursor:
            cursor.execute(compiled.sql, self.params(number))
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [tuple(row) for row in compiled.apply_converters(rows, compiled.converters)]
        return rows

    def objects(self, number: int) -> list:
        """What the queryset would give for this petition: its model instances, with the
        related objects it selects and its annotations; or its rows, for a `values_list`."""
        compiled = self.compiled
        rows = self.rows(number)
        if compiled.model is None:
            return rows
        found = []
        for row in rows:
            instance = compiled.model.from_db(compiled.db, compiled.names, row[compiled.own])
            for populator in compiled.populators:
                populator.populate(row, instance)
            for name, position in compiled.annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def first(self, number: int):
        """The one instance (or row) for this petition, as the queryset's `first()` gives
        it; None if there is none."""
        found = self.objects(number)
        return found[0] if found else None


def prefetched(instance: Model, name: str, objects: list) -> None:
    """Give `instance` its related `objects` for `name`, as prefetch_related would, so that
    `getattr(instance, name).all()` reads no more: what Django's prefetch_one_level does
    with the objects it has read."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
