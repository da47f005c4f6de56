"""The archive: every session and query. The only place SQL lives."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, event, func, insert, select, update
from sqlalchemy.exc import OperationalError

from feedkeeper.cards import Card, ParsedPage
from feedkeeper.clock import now_iso
from feedkeeper.errors import ConfigError, ParseError, StoreError
from feedkeeper.records import PageCapture, PageOutcome, RunCounts, Validators
from feedkeeper.store.engine import (
    create_sqlite_engine,
    exclusive_lock,
    reason,
    upgrade,
    writing_to,
)
from feedkeeper.store.placeholders import refresh_recovered_excerpts
from feedkeeper.store.recoveries import restore_recoveries, save_recoveries
from feedkeeper.store.tables import (
    page_body_t,
    page_fetch_t,
    placeholder_t,
    post_fingerprint_t,
    post_t,
    post_url_t,
    post_version_t,
    run_t,
    sighting_t,
)
from feedkeeper.store.write import PageWriter

__all__ = ["Store", "exclusive_lock"]


class Store:
    """A feedkeeper archive in one SQLite file."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating if needed) and migrate the archive at ``path``.

        The caller holds the writer lock, so a run still marked running is a dead one:
        it is closed as interrupted here.
        """
        check_archive_path(path)
        if path.parent and not path.parent.exists():
            raise ConfigError(f"--db: cannot create {path}: folder {path.parent} does not exist")
        if path.exists() and not _looks_like_sqlite(path):
            raise StoreError(f"{path} is not a SQLite database")
        engine = create_sqlite_engine(path)
        event.listen(engine, "connect", _checkpoint_less_often)
        try:
            upgrade(engine)
            store = cls(path, engine)
            store.close_dead_runs()
        except BaseException:
            engine.dispose()
            raise
        return store

    @classmethod
    def open_existing(cls, path: Path) -> Store:
        """Open an archive that must already exist (for commands that only read)."""
        check_archive_exists(path)
        return cls.open(path)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def set_maker(self, mark: int) -> None:
        """Record in the file's header which tool made the archive (SQLite's user_version)."""
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA user_version = {int(mark)}")

    # Runs

    def close_dead_runs(self) -> None:
        """Mark runs left ``running`` by a killed process as ``interrupted`` (under the lock)."""
        with writing_to(self.path), self.engine.begin() as conn:
            conn.execute(
                update(run_t)
                .where(run_t.c.status == "running")
                .values(status="interrupted", message="its process ended before the run did")
            )

    def start_run(self, kind: str, source: str) -> int:
        """Insert a ``running`` run row and return its id."""
        with writing_to(self.path), self.engine.begin() as conn:
            result = conn.execute(
                insert(run_t).values(
                    kind=kind, source=source, started_at=now_iso(), status="running"
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    @contextlib.contextmanager
    def closing_run(self, run_id: int, counts: RunCounts) -> Iterator[None]:
        """Record a run that ends by an exception: failed on an error, interrupted on a signal."""
        try:
            yield
        except Exception as exc:
            self.finish_run(run_id, counts, "failed", (str(exc).splitlines() or [""])[0])
            raise
        except BaseException:  # cancelled, SIGINT or SIGTERM: never left "running"
            self.finish_run(run_id, counts, "interrupted", "interrupted")
            raise

    def has_unfinished_crawl(self, url: str) -> bool:
        """True when the latest crawl from ``url`` ended short of "ok" (killed, stopped, failed).

        The next crawl then walks the whole listing instead of stopping at the
        first page without news: the pages after the cut were never read.
        """
        r = run_t.c
        query = (
            select(r.status)
            .where(r.kind == "crawl", r.source == url)
            .order_by(r.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            status = conn.execute(query).scalar()
        return status is not None and status != "ok"

    def finish_run(
        self, run_id: int, counts: RunCounts, status: str, message: str | None = None
    ) -> None:
        """Write the run's totals and final status."""
        values = counts.as_row() | {
            "status": status,
            "finished_at": now_iso(),
            "failures": json.dumps(counts.failures, ensure_ascii=False),
            "message": message,
        }
        with writing_to(self.path), self.engine.begin() as conn:
            conn.execute(update(run_t).where(run_t.c.id == run_id).values(**values))

    # Pages

    def validators(self, url: str) -> Validators | None:
        """Return the ETag, Last-Modified and next link left by the last good fetch of ``url``."""
        f = page_fetch_t.c
        query = (
            select(f.etag, f.last_modified, f.next_url, f.cards, f.confidence)
            .where(f.url == url, f.outcome.in_(("parsed", "unparseable")))
            .order_by(f.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return Validators(row.etag, row.last_modified, row.next_url, row.cards, row.confidence)

    def record_page(
        self, run_id: int, capture: PageCapture, cards: list[Card] | None, skipped: int = 0
    ) -> PageOutcome:
        """Keep the page (body included) and apply its cards, all in one transaction."""
        try:
            with self.engine.begin() as conn:
                sha = _store_body(conn, capture.body)
                outcome = PageOutcome(cards_skipped=skipped)
                if cards is not None:
                    outcome = PageWriter(conn, run_id, capture.fetched_at).apply(
                        capture.url, cards, skipped
                    )
                conn.execute(
                    insert(page_fetch_t).values(**_fetch_row(run_id, capture, sha, outcome))
                )
            return outcome
        except OperationalError as exc:
            raise StoreError(f"cannot write to {self.path}: {reason(exc)}") from exc

    def rebuild(self, parse: Callable[[PageCapture], ParsedPage], counts: RunCounts) -> None:
        """Re-derive posts, versions, aliases and sightings from every stored page, atomically.

        Recovered placeholder texts are kept where the same post still shows the
        same excerpt; nothing is refetched. On any error nothing changes.
        """
        with writing_to(self.path), self.engine.begin() as conn:
            kept = save_recoveries(conn)
            for table in (
                placeholder_t,
                sighting_t,
                post_fingerprint_t,
                post_url_t,
                post_version_t,
                post_t,
            ):
                conn.execute(delete(table))
            for fetch_id, run_id in conn.execute(
                select(page_fetch_t.c.id, page_fetch_t.c.run_id)
                .where(page_fetch_t.c.body_sha256.is_not(None))
                .order_by(page_fetch_t.c.id)
            ).all():
                capture = _load_capture(conn, fetch_id)
                try:
                    parsed = parse(capture)
                except ParseError as exc:
                    counts.fail(capture.url, exc.message)
                    continue
                writer = PageWriter(conn, run_id, capture.fetched_at)
                counts.add(writer.apply(capture.url, parsed.cards, parsed.skipped))
            restore_recoveries(conn, kept)
            refresh_recovered_excerpts(conn)
            # Everything was rewritten in one transaction, which leaves the full-text index
            # in many small segments; merged now, later crawls do not pay for the merging.
            conn.exec_driver_sql("INSERT INTO post_fts (post_fts) VALUES ('optimize')")

    def iter_captures(self) -> Iterator[tuple[int, PageCapture]]:
        """Yield every stored page with a body, oldest first, with its run id (for reparse)."""
        f = page_fetch_t.c
        query = (
            select(page_fetch_t, page_body_t.c.data)
            .join(page_body_t, page_body_t.c.sha256 == f.body_sha256)
            .order_by(f.id)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query).yield_per(200):
                yield row.run_id, _capture_of(row)


def _checkpoint_less_often(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # A crawl commits once per page. At SQLite's default (1,000 pages of WAL) a
    # checkpoint, with its fsync, runs every few listing pages; at 10,000 (40 MB) the
    # same index pages are rewritten once for many commits.
    dbapi_conn.execute("PRAGMA wal_autocheckpoint = 10000")


def maker_of(path: Path) -> int | None:
    """Return the maker mark of the SQLite file at ``path``, None when it is no SQLite file."""
    if not path.is_file() or not _looks_like_sqlite(path) or path.stat().st_size == 0:
        return None
    engine = create_sqlite_engine(path, readonly=True)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())
    except OperationalError:
        return None
    finally:
        engine.dispose()


def check_archive_path(path: Path) -> None:
    """Raise ConfigError when ``--db`` names something that cannot be an archive file."""
    if not str(path) or path.is_dir():
        raise ConfigError(f"--db: {str(path) or 'an empty path'} is a folder, not an archive file")
    if path.exists() and not path.is_file():
        raise ConfigError(f"--db: {path} is not a regular file")


def check_archive_exists(path: Path) -> None:
    """Raise ConfigError unless the archive a reading command needs is there."""
    check_archive_path(path)
    if not path.exists():
        raise ConfigError(f"no archive at {path}: run `feedkeeper crawl` or `import` first")


def _looks_like_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        header = handle.read(16)
    return header in (b"", b"SQLite format 3\x00")


def _store_body(conn: object, body: bytes | None) -> str | None:
    if body is None:
        return None
    sha = hashlib.sha256(body).hexdigest()
    row = {"sha256": sha, "size": len(body), "data": zlib.compress(body, 6)}
    conn.execute(insert(page_body_t).prefix_with("OR IGNORE").values(**row))  # type: ignore[attr-defined]
    return sha


def _fetch_row(
    run_id: int, capture: PageCapture, sha: str | None, outcome: PageOutcome
) -> dict[str, object]:
    return {
        "run_id": run_id,
        "url": capture.url,
        "fetched_at": capture.fetched_at,
        "outcome": capture.outcome,
        "status_code": capture.status_code,
        "etag": capture.etag,
        "last_modified": capture.last_modified,
        "content_type": capture.content_type,
        "encoding": capture.encoding,
        "body_sha256": sha,
        "next_url": capture.next_url,
        "cards": outcome.cards,
        "cards_skipped": outcome.cards_skipped,
        "confidence": capture.confidence,
        "error": capture.error,
    }


def _load_capture(conn: Connection, fetch_id: int) -> PageCapture:
    query = (
        select(page_fetch_t, page_body_t.c.data)
        .join(page_body_t, page_body_t.c.sha256 == page_fetch_t.c.body_sha256)
        .where(page_fetch_t.c.id == fetch_id)
    )
    return _capture_of(conn.execute(query).one())


def _capture_of(row: object) -> PageCapture:
    r = row._mapping  # type: ignore[attr-defined]
    return PageCapture(
        url=r["url"],
        fetched_at=r["fetched_at"],
        outcome=r["outcome"],
        status_code=r["status_code"],
        etag=r["etag"],
        last_modified=r["last_modified"],
        content_type=r["content_type"],
        encoding=r["encoding"],
        body=zlib.decompress(r["data"]),
        next_url=r["next_url"],
        confidence=r["confidence"],
        error=r["error"],
    )


def count_rows(engine: Engine, table: str) -> int:
    """Return the number of rows of a table or view (for summaries and tests)."""
    from sqlalchemy import table as table_clause

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table_clause(table))).scalar_one())
