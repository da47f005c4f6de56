"""Shared test fixtures: a migrated archive in a temp dir, the seeds, the fixture site server."""

from __future__ import annotations

import faulthandler
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest

from feedkeeper.fixture_site import FixtureServer
from feedkeeper.politeness import Paces
from feedkeeper.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
SAVED_AT = 1_768_118_400  # 2026-01-11 08:00 UTC, when the first seed was captured
FIXTURES = ROOT / "fixtures"
DATA = Path(__file__).parent / "data"

# A test that hangs (a reader waiting on a pipe nobody writes) ends the run after this many
# seconds, with every thread's stack on the terminal, instead of holding CI until it is killed.
# The slowest end-to-end test (three workers, twenty sites) takes about a minute on two cores
# sharing them with the rest of the suite.
TEST_TIMEOUT = 180
_terminal: list[TextIO] = []


def pytest_configure(config: pytest.Config) -> None:
    """Keep a copy of the terminal's stderr: the tests' own output is captured."""
    _terminal.append(os.fdopen(os.dup(2), "w"))


def pytest_unconfigure(config: pytest.Config) -> None:
    faulthandler.cancel_dump_traceback_later()
    while _terminal:
        _terminal.pop().close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True, file=_terminal[0])
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def fresh_host_paces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's fetchers start from no host's pace: a process keeps each host's spacing
    and Retry-After for its next fetcher, so a test whose site asked for a pause would
    otherwise hold off a later test's crawl of a site of the same name (the suite runs many
    tests in one process)."""
    monkeypatch.setattr("feedkeeper.fetch.PROCESS_PACES", Paces())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a new archive."""
    return tmp_path / "archive.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A freshly migrated archive."""
    opened = Store.open(db_path)
    yield opened
    opened.close()


@pytest.fixture
def seeds(tmp_path: Path) -> list[Path]:
    """The five plain-text captures of the real feed (skipped when shared/ is absent),
    copied with the times they were saved in the order of their names, an hour apart:
    an import reads captures in the order they were saved, whatever a copy made of them."""
    if len(SEEDS) != 5:
        pytest.skip("shared/seeds is not beside the checkout")
    folder = tmp_path / "seeds"
    folder.mkdir()
    copies = []
    for hour, seed in enumerate(SEEDS):
        copy = folder / seed.name
        copy.write_bytes(seed.read_bytes())
        os.utime(copy, (SAVED_AT + hour * 3600, SAVED_AT + hour * 3600))
        copies.append(copy)
    return copies


@pytest.fixture
def fixture_server() -> Iterator[FixtureServer]:
    """The bundled fixture blog served on 127.0.0.1, at its first snapshot."""
    with FixtureServer() as server:
        yield server


def load_json(path: Path) -> Any:
    """Read a hand-written expectation file."""
    return json.loads(path.read_text(encoding="utf-8"))


def rows(store: Store, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Run a query against the archive and return plain dicts."""
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL server for the session (the pgserver wheel), as a URL of its socket.

    Started here, so the suite needs nothing but uv; stopped when the session ends.
    """
    import os
    import shutil
    import tempfile

    runtime = tmp_path_factory.mktemp("xdg")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))  # pgserver's platformdirs wants one
    import pgserver

    # Not under pytest's own temporary folder: as root the server runs as a user of its own,
    # which must pass through every folder above its data, and each pytest session that
    # starts on the machine takes the other users' access to /tmp/pytest-of-<user> away
    # (the server then stops: "could not stat data directory ...: Permission denied").
    data = Path(tempfile.mkdtemp(prefix="feedkeeper-pg-"))
    server = pgserver.get_server(data, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


_databases = iter(range(1, 1_000_000))


def new_pg_database(server_url: str) -> str:
    """Create an empty database on the test server; return its URL."""
    import psycopg

    name = f"archive_{next(_databases)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.replace("/postgres?", f"/{name}?", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def archive_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A new archive on each backend: a SQLite file path, or a PostgreSQL database URL."""
    if request.param == "sqlite":
        return tmp_path / "archive.db"
    return new_pg_database(request.getfixturevalue("pg_server"))
