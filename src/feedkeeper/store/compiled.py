"""Core statements compiled once and run with the driver's own parameters, for the hot path.

``Connection.execute(statement, rows)`` builds and type-processes a parameter set for
every row of an ``executemany``: about as much Python as the page writer's own work on a
crawl's hot path (some 140 rows a page). ``execute_rows`` compiles each statement once
per dialect and set of keys, and hands the driver plain tuples in the compiled order,
with the same bind processors applied. ``fetch_rows`` does the same for the writer's
lookups, whose expanding ``IN`` lists SQLAlchemy renders again at every execution: the
statement is rendered once for each length of list. Statements they cannot prove they run
the same way (column defaults computed by a function, typed parameters in a lookup, a
driver with named parameters) go through ``Connection.execute`` as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, CursorResult, Select
from sqlalchemy.sql.dml import UpdateBase

_S = TypeVar("_S")  # a statement
_T = TypeVar("_T")  # what is kept for it
_K = TypeVar("_K")  # the shape of its parameters

# Below this many rows the compiled-statement path saves nothing worth its lookup.
_FEW_ROWS = 2


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement compiled for one dialect and one set of row keys."""

    sql: str
    names: tuple[str, ...]  # the row key of each positional parameter, in order
    processed: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)
    fixed: dict[int, Any]  # position -> a literal's value (``literal(1)`` in a SELECT)

    def values(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Return each row's parameters in the compiled order, processed for the driver."""
        if self.fixed:
            return [self._with_fixed(row) for row in rows]
        take = itemgetter(*self.names) if len(self.names) > 1 else _single(self.names[0])
        if not self.processed:
            return [take(row) for row in rows]
        params = []
        for row in rows:
            values = list(take(row))
            for position, process in self.processed:
                values[position] = process(values[position])
            params.append(tuple(values))
        return params

    def _with_fixed(self, row: dict[str, Any]) -> tuple[Any, ...]:
        values = [self.fixed[i] if i in self.fixed else row[n] for i, n in enumerate(self.names)]
        for position, process in self.processed:
            values[position] = process(values[position])
        return tuple(values)


def _single(name: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    return lambda row: (row[name],)


_plans: dict[tuple[int, str, tuple[str, ...]], tuple[UpdateBase, _Plan | None]] = {}


def execute_rows(
    conn: Connection, statement: UpdateBase, rows: Sequence[dict[str, Any]]
) -> CursorResult[Any]:
    """Run ``statement`` once for each row; every row has the keys of the first."""
    if len(rows) < _FEW_ROWS:
        return conn.execute(statement, list(rows))
    plan = _plan(conn, statement, tuple(sorted(rows[0])))
    if plan is None:
        return conn.execute(statement, list(rows))
    return conn.exec_driver_sql(plan.sql, plan.values(rows))


def _plan(conn: Connection, statement: UpdateBase, keys: tuple[str, ...]) -> _Plan | None:
    """Return the cached plan for ``statement`` (None: use ``Connection.execute``)."""
    return _cached(_plans, conn, statement, keys, lambda: _compile(conn, statement, keys))


def _cached(
    cache: dict[tuple[int, str, _K], tuple[_S, _T]],
    conn: Connection,
    statement: _S,
    shape: _K,
    build: Callable[[], _T],
) -> _T:
    """Return what ``build`` made for ``statement`` on this dialect and shape, made once."""
    key = (id(statement), conn.dialect.name, shape)
    cached = cache.get(key)
    if cached is None or cached[0] is not statement:
        cached = (statement, build())
        cache[key] = cached  # the statement is kept with it: its id stays its own
    return cached[1]


def _compile(conn: Connection, statement: UpdateBase, keys: tuple[str, ...]) -> _Plan | None:
    dialect = conn.dialect
    if not dialect.positional:
        return None
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys))
    defaults = {column.key: column.default for column in compiled.insert_prefetch}
    defaults |= {column.key: column.onupdate for column in compiled.update_prefetch}
    names = tuple(compiled.positiontup or ())
    if not names:
        return None  # nothing to bind: one plain execute per row, as before
    fixed: dict[int, Any] = {}
    for position, name in enumerate(names):
        bind = compiled.binds[name]
        if bind.expanding or bind.callable is not None:
            return None
        if name in keys:
            continue
        if name in defaults:  # a column default SQLAlchemy would compute for each row
            default = defaults[name]
            if default is None or not default.is_scalar:
                return None
            fixed[position] = default.arg
        elif bind.required:
            return None
        else:
            fixed[position] = bind.effective_value  # a literal inside the statement
    processors = compiled._bind_processors
    processed = tuple(
        (position, processors[name]) for position, name in enumerate(names) if name in processors
    )
    return _Plan(sql=compiled.string, names=names, processed=processed, fixed=fixed)


@dataclass(frozen=True, slots=True)
class _Lookup:
    """A SELECT rendered for one dialect and one length of each of its lists."""

    sql: str
    names: tuple[str, ...]  # parameter names in the compiled order
    lists: frozenset[str]  # the names whose value is a list, spread in its place
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, result processor)


# Lists longer than this go through Connection.execute: a statement is rendered and kept
# for each length of list, so the lengths kept must stay few and the statements short.
_LONGEST_LIST = 64
_Shape = tuple[tuple[str, int], ...]  # each parameter's name, and its list's length (or -1)
_lookups: dict[tuple[int, str, _Shape], tuple[Select[Any], _Lookup | None]] = {}


def fetch_rows(conn: Connection, statement: Select[Any], params: dict[str, Any]) -> list[Any]:
    """Return every row ``statement`` selects (indexable like SQLAlchemy's rows).

    List values fill the statement's expanding ``IN`` parameters.
    """
    shape = tuple(sorted((k, len(v) if isinstance(v, list) else -1) for k, v in params.items()))
    if any(length > _LONGEST_LIST for _, length in shape):
        return list(conn.execute(statement, params))
    lookup = _cached(_lookups, conn, statement, shape, lambda: _render(conn, statement, params))
    if lookup is None:
        return list(conn.execute(statement, params))
    values: list[Any] = []
    for name in lookup.names:
        if name in lookup.lists:
            values.extend(params[name])
        else:
            values.append(params[name])
    rows = conn.exec_driver_sql(lookup.sql, tuple(values)).fetchall()
    if not lookup.results:
        return list(rows)
    processed = []
    for row in rows:
        columns = list(row)
        for column, process in lookup.results:
            columns[column] = process(columns[column])
        processed.append(columns)
    return processed


def _render(conn: Connection, statement: Select[Any], params: dict[str, Any]) -> _Lookup | None:
    dialect = conn.dialect
    if not dialect.positional:
        return None
    compiled: Any = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    if compiled._bind_processors or set(names) != set(params):
        return None
    lists = frozenset(name for name in names if compiled.binds[name].expanding)
    if any(not isinstance(params[name], list) or not params[name] for name in lists):
        return None  # an empty list renders as an empty set: left to SQLAlchemy
    expanded = compiled.construct_expanded_state(params)
    if len(expanded.positiontup or ()) != sum(
        len(params[name]) if name in lists else 1 for name in names
    ):
        return None  # a parameter rendered into the statement's text
    results = tuple(
        (column, process)
        for column, result in enumerate(compiled._result_columns)
        if (process := result.type._cached_result_processor(dialect, None)) is not None
    )
    return _Lookup(expanded.statement, names, lists, results)
