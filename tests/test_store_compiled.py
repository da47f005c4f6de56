"""execute_rows: many rows through one compiled statement, the same rows as Connection.execute."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    literal,
    select,
    update,
)

from feedkeeper.store import compiled
from feedkeeper.store.compiled import execute_rows, fetch_rows

metadata = MetaData()
item = Table(
    "item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("flag", Boolean, default=False),
    Column("seen", DateTime),
    Column("rank", Integer, default=7),
)
stamped = Table(
    "stamped",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("made", String, default=lambda: "made by a function"),
)

ROWS = [
    {"id": 1, "name": "一", "seen": dt.datetime(2025, 1, 2, 3, 4, 5)},
    {"id": 2, "name": None, "seen": None},
    {"id": 3, "name": "three", "seen": dt.datetime(2024, 12, 31)},
]


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    engine = create_engine(f"sqlite:///{tmp_path / 'batch.db'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def stored(conn: Connection, table: Table) -> list[tuple[Any, ...]]:
    """Every row as SQLite keeps it (raw values: the types' processing shows)."""
    return list(conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY id"))


def test_rows_are_stored_as_connection_execute_stores_them(conn: Connection) -> None:
    conn.execute(insert(item), ROWS)
    expected = stored(conn, item)
    conn.exec_driver_sql("DELETE FROM item")

    execute_rows(conn, insert(item), ROWS)

    assert stored(conn, item) == expected
    # Booleans and datetimes go through their types; the column defaults are filled in.
    assert expected[0] == (1, "一", 0, "2025-01-02 03:04:05.000000", 7)
    assert expected[1] == (2, None, 0, None, 7)


def test_updates_with_repeated_parameters_and_a_literal(conn: Connection) -> None:
    execute_rows(conn, insert(item), ROWS)
    flip = (
        update(item)
        .where(item.c.id == bindparam("b_id"), item.c.flag.is_distinct_from(bindparam("b_flag")))
        .values(flag=bindparam("b_flag"))
    )
    result = execute_rows(conn, flip, [{"b_id": 1, "b_flag": True}, {"b_id": 2, "b_flag": False}])
    assert result.rowcount == 1  # post 2 was not flagged already: no change
    copy = insert(item).from_select(
        ["id", "name", "rank"],
        select(bindparam("b_new", type_=Integer), item.c.name, literal(1)).where(
            item.c.id == bindparam("b_src")
        ),
    )
    execute_rows(conn, copy, [{"b_new": 10, "b_src": 1}, {"b_new": 11, "b_src": 3}])
    assert stored(conn, item)[0][2] == 1
    assert stored(conn, item)[3:] == [(10, "一", 0, None, 1), (11, "three", 0, None, 1)]


def test_statements_it_cannot_run_alike_go_through_connection_execute(conn: Connection) -> None:
    rows = [{"id": 1}, {"id": 2}]
    execute_rows(conn, insert(stamped), rows)
    assert stored(conn, stamped) == [(1, "made by a function"), (2, "made by a function")]
    plans = [plan for (statement, plan) in compiled._plans.values() if statement.table is stamped]
    assert plans == [None]


def test_one_row_and_no_rows(conn: Connection) -> None:
    execute_rows(conn, insert(item), ROWS[:1])
    assert [row[0] for row in stored(conn, item)] == [1]
    # A later batch with other keys is compiled for those keys.
    execute_rows(conn, insert(item), [{"id": 5, "flag": True}, {"id": 6, "flag": None}])
    assert stored(conn, item)[1:] == [(5, None, 1, None, 7), (6, None, None, None, 7)]


def test_every_column_given_still_goes_through_its_type(conn: Connection) -> None:
    full = [
        {"id": 7, "name": "x", "flag": True, "seen": dt.datetime(2025, 5, 6), "rank": 1},
        {"id": 8, "name": "y", "flag": False, "seen": None, "rank": None},
    ]
    execute_rows(conn, insert(item), full)
    assert stored(conn, item) == [
        (7, "x", 1, "2025-05-06 00:00:00.000000", 1),
        (8, "y", 0, None, None),
    ]
    # Without a type to process, the rows go as they are.
    execute_rows(conn, insert(stamped), [{"id": 1, "made": "a"}, {"id": 2, "made": "b"}])
    assert stored(conn, stamped) == [(1, "a"), (2, "b")]


def test_lookups_with_lists_read_what_connection_execute_reads(conn: Connection) -> None:
    execute_rows(conn, insert(item), [{"id": i, "name": f"n{i}", "flag": i % 2 == 0}
                                      for i in range(1, 101)])  # fmt: skip
    query = select(item.c.name, item.c.flag, item.c.rank).where(
        item.c.id.in_(bindparam("keys", expanding=True)), item.c.rank == bindparam("rank")
    )
    for keys in ([3], [1, 2, 3], [4, 999, 5], list(range(1, 90)), [], [1, 1, 2]):
        params = {"keys": keys, "rank": 7}
        expected = [tuple(row) for row in conn.execute(query, params)]
        assert [tuple(row) for row in fetch_rows(conn, query, params)] == expected
    found = fetch_rows(conn, query, {"keys": [2, 3], "rank": 7})
    assert sorted(tuple(row) for row in found) == [("n2", True, 7), ("n3", False, 7)]
    assert [type(row[1]) for row in found] == [bool, bool]  # typed as the column says
    assert fetch_rows(conn, query, {"keys": [2, 3], "rank": 8}) == []
