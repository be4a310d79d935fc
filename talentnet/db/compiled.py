"""ORM queries compiled to SQL once per process, run with new values on every call.

On the busiest paths (the session and user of every signed-in request, the role checks,
a page of search results) building and compiling a queryset costs more CPU than the
database spends answering it: about half a millisecond of Python for a one-row lookup on
the 2-core machines we run on. A `CompiledQuery` is written with the ORM, as usual, by a
function taking its parameters; it is compiled once per process and database vendor with
a sample value for each parameter, and every call runs that SQL with the real values
(server-side bound and prepared by psycopg after a few runs, see settings.py).

The samples find where each parameter lands in the compiled SQL's parameter list, so
every sample must reach the SQL unchanged and be told apart from every other parameter
(`ValueError` at the first call otherwise). Whatever else the ORM passes as a parameter is
kept as compiled: a query whose SQL depends on anything but its parameters (the time of
day, a setting changed at run time, the number of values in an `IN` list) is not for this
class. `EqualsAny` gives a list of values as one parameter, so one statement serves any
number of them.
"""

import contextlib
import json
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Func, QuerySet, Value


class EqualsAny(Func):
    """`expression = ANY(%s)` with the list as one parameter (PostgreSQL): unlike `IN (...)`,
    the same SQL for any number of values."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()

    def __init__(self, expression, values):
        super().__init__(expression, Value(list(values)))

    def as_sqlite(self, compiler, connection, **extra_context):
        """SQLite (`make run`) has no arrays: the list travels as one JSON parameter."""
        column, value = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        return (
            f"({column_sql} IN (SELECT value FROM json_each(%s)))",  # noqa: S608 - compiled SQL
            (*column_params, _JsonList(value.value)),
        )


class _JsonList(list):
    """A list parameter SQLite receives as JSON text (`EqualsAny.as_sqlite`)."""


sqlite3.register_adapter(_JsonList, json.dumps)


class _Sample:
    """Where a named parameter goes in the compiled parameter list."""

    __slots__ = ("name", "wrap")

    def __init__(self, name, wrap=None):
        self.name = name
        # What the ORM did to the value on its way to the SQL: the list type it passed
        # (_JsonList on SQLite), or the vendor's adapter of a date or time (SQLite's text).
        self.wrap = wrap


def _forms(sample, connection):
    """Each form a sample may take in the compiled parameters, with what makes it."""
    yield sample, None
    if isinstance(sample, datetime):
        adapt = connection.ops.adapt_datetimefield_value
    elif isinstance(sample, date):
        adapt = connection.ops.adapt_datefield_value
    else:
        return
    yield adapt(sample), adapt


def _match(sample, param, connection):
    """(True, wrap) when `param` is `sample` as the ORM passed it, (False, None) otherwise."""
    if isinstance(sample, list) and isinstance(param, list):
        if list(sample) == list(param):
            return True, (type(param) if type(param) is not list else None)
        return False, None
    for form, wrap in _forms(sample, connection):
        if type(form) is type(param) and form == param:
            return True, wrap
    return False, None


class CompiledQuery:
    """`build(**params)` returns a QuerySet (a `values_list`, or a plain model queryset for
    `instances`); `samples` gives one distinct sample value per parameter."""

    def __init__(self, build: Callable[..., QuerySet], **samples: Any):
        self.build = build
        self.samples = samples
        self._compiled: dict[str, tuple] = {}

    def _compile(self, connection):
        queryset = self.build(**self.samples)
        shape = None
        if queryset._fields is None and not queryset.query.values_select:
            # A model queryset: read every concrete column (and those of the relations it
            # selects, and its annotations), build instances with from_db.
            shape = _InstanceShape(queryset)
            queryset = queryset.values_list(*shape.columns)
        sql, params, converters = _compiled_select(queryset, connection)
        slots, found = [], set()
        for param in params:
            matches = [
                (name, wrap)
                for name, sample in self.samples.items()
                for same, wrap in [_match(sample, param, connection)]
                if same
            ]
            if len(matches) > 1:
                names = [name for name, _wrap in matches]
                raise ValueError(f"samples {names} are equal: give each parameter its own")
            if matches:
                slots.append(_Sample(*matches[0]))
                found.add(matches[0][0])
            else:
                slots.append(param)
        missing = set(self.samples) - found
        if missing:
            raise ValueError(f"parameters {sorted(missing)} did not reach the SQL unchanged")
        return sql, slots, converters, shape

    def _statement(self, connection):
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile(connection)
        return compiled

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        """Every row, as tuples."""
        connection = connections[using]
        sql, slots, converters, _model = self._statement(connection)
        params = [
            (slot.wrap(values[slot.name]) if slot.wrap else values[slot.name])
            if isinstance(slot, _Sample)
            else slot
            for slot in slots
        ]
        return _run(connection, sql, params, converters)

    def instances(self, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """Every row as a model instance (for a query built as a model queryset), with the
        relations it selects cached and its annotations set, as the ORM gives them."""
        connection = connections[using]
        shape = self._statement(connection)[3]
        if shape is None:
            raise TypeError("instances() needs a query built as a model queryset")
        return [shape.build(using, row) for row in self.rows(using, **values)]


def _compiled_select(queryset, connection):
    """The SQL, parameters and value converters of a `values_list` queryset."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    # What the ORM does to each value read (JSON decoded, and so on), as results_iter.
    selected = [column[0] for column in compiler.select[0 : compiler.col_count]]
    return sql, params, list(compiler.get_converters(selected).items())


def _run(connection, sql, params, converters) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        converted.append(tuple(row))
    return converted


def fetch_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a `values_list` queryset (what `list(queryset)` gives) read in one
    fetch: for a window of a thousand rows, the ORM's chunked iteration costs about as
    much again as compiling the query."""
    connection = connections[queryset.db]
    try:
        sql, params, converters = _compiled_select(queryset, connection)
    except EmptyResultSet:  # a condition that can match nothing (`pk__in=[]`)
        return []
    return _run(connection, sql, params, converters)


class _InstanceShape:
    """The columns of a model queryset read as one row, and how to make the instance back:
    the model's concrete fields, then each `select_related` relation's (one level, forward
    only), then the annotations."""

    def __init__(self, queryset):
        self.model = queryset.model
        self.own = [f.attname for f in self.model._meta.concrete_fields]
        selected = queryset.query.select_related
        if selected is True:
            raise ValueError("name the relations to select (select_related('user'))")
        self.related = []
        for name, deeper in (selected or {}).items():
            if deeper:
                raise ValueError("one level of select_related only")
            field = self.model._meta.get_field(name)
            names = [f.attname for f in field.related_model._meta.concrete_fields]
            self.related.append((field, names))
        self.annotations = list(queryset.query.annotation_select)
        self.columns = [
            *self.own,
            *(f"{field.name}__{name}" for field, names in self.related for name in names),
            *self.annotations,
        ]

    def build(self, using, row):
        position = len(self.own)
        instance = self.model.from_db(using, self.own, row[:position])
        for field, names in self.related:
            values = row[position : position + len(names)]
            position += len(names)
            pk_name = field.related_model._meta.pk.attname
            if values[names.index(pk_name)] is None:  # a null foreign key: no related row
                field.set_cached_value(instance, None)
            else:
                field.set_cached_value(instance, field.related_model.from_db(using, names, values))
        for name in self.annotations:
            setattr(instance, name, row[position])
            position += 1
        return instance


@contextlib.contextmanager
def planned_for_its_values(using: str = DEFAULT_DB_ALIAS):
    """Inside, statements are not prepared (psycopg), so PostgreSQL plans each run for its
    own values instead of settling on a generic plan."""
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    if not hasattr(raw, "prepare_threshold"):  # SQLite (`make run`): nothing is prepared
        yield
        return
    previous = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = previous
