"""The schema is made by Alembic, and Alembic's head is exactly the SQLModel models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import feedkeeper.models  # noqa: F401
from feedkeeper.errors import ConfigError
from feedkeeper.store import Store
from feedkeeper.store.engine import SCHEMA_HEAD, alembic_config, schema_revision
from feedkeeper.store.search import include_object


def test_upgrade_head_from_empty_matches_the_models(db_path: Path) -> None:
    store = Store.open(db_path)
    with store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_object": include_object}),
            SQLModel.metadata,
        )
    assert diff == []


def test_the_pinned_head_is_the_newest_migration(db_path: Path) -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD
    assert schema_revision(Store.open(db_path).engine) == SCHEMA_HEAD


def test_views_exist_after_upgrade(store: Store) -> None:
    with store.engine.connect() as conn:
        names = {
            row[0]
            for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'view'")
        }
    assert {"posts_current", "post_history"} <= names


def test_reopening_is_idempotent(db_path: Path) -> None:
    first = Store.open(db_path)
    revision = schema_revision(first.engine)
    first.close()
    assert schema_revision(Store.open(db_path).engine) == revision


def test_wal_and_foreign_keys_are_on(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my precious notes")
    with pytest.raises(ConfigError) as refused:
        Store.open(path)
    assert "notes.db is no SQLite file (it begins 'my precious note')" in refused.value.message
    assert path.read_text() == "my precious notes"
