"""The archive: every session and query. The only place SQL lives."""

from __future__ import annotations

import contextlib
import json
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from feedkeeper.clock import now_iso
from feedkeeper.errors import NewerSchemaError, StoreError
from feedkeeper.records import (
    PageCapture,
    PageKind,
    RunCounts,
    RunKind,
    RunStatus,
    StoredCapture,
    Validators,
)
from feedkeeper.store.archive_file import check_archive_exists, check_archive_file
from feedkeeper.store.dialect import (
    index_deferred,
    refresh_indexes,
    set_user_version,
)
from feedkeeper.store.engine import (
    create_server_engine,
    create_sqlite_engine,
    describe,
    exclusive_lock,
    reason,
    upgrade,
    writing_to,
)
from feedkeeper.store.placeholders import refresh_recovered_excerpts
from feedkeeper.store.rebuild import (
    freed_pages_left_as_they_are,
    rebuild_search_index,
    triggers_set_aside,
)
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
from feedkeeper.text import first_line

__all__ = ["Store", "exclusive_lock"]


# A crawl's message when it stopped at a limit with the listing going on: the next crawl
# resumes there.
CAPPED = "stopped at max_pages: the listing goes on"
CAPPED_BY_TIME = "stopped at max_run_time: the listing goes on"
CAPPED_BY_BYTES = "stopped at max_run_bytes: the listing goes on"
# Each of those messages, and the setting it names.
CAPPED_BY = {CAPPED: "max_pages", CAPPED_BY_TIME: "max_run_time", CAPPED_BY_BYTES: "max_run_bytes"}


class Store:
    """A feedkeeper archive: one SQLite file, or a database on a PostgreSQL server."""

    def __init__(self, path: Path | str, engine: Engine) -> None:
        self.path = path
        self.engine = engine

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) and migrate the archive at ``path`` (a file or a URL).

        For a file the caller holds the writer lock, so a run still marked running is a
        dead one: it is closed as interrupted here. On a server, workers on other machines
        may be running: a site's dead run is closed by the next run of that site.
        """
        if isinstance(path, str):
            engine = create_server_engine(path)
            try:
                upgrade(engine, path)
            except NewerSchemaError:  # it names the archive; its exit code is its own
                engine.dispose()
                raise
            except StoreError as exc:
                engine.dispose()
                raise StoreError(f"{describe(path)}: {exc.message}") from exc
            return cls(path, engine)
        check_archive_file(path)  # an SQLite file, an empty one, or none yet
        engine = create_sqlite_engine(path)
        try:
            upgrade(engine)
            store = cls(path, engine)
            store.close_dead_runs()
        except BaseException:
            engine.dispose()
            raise
        return store

    @classmethod
    def open_existing(cls, path: Path | str) -> Store:
        """Open an archive that must already exist (for commands that only read)."""
        if isinstance(path, Path):
            check_archive_exists(path)
        return cls.open(path)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def refresh_search(self) -> None:
        """Index the posts left queued (a title an outside tool changed), as a writer's
        commit does: ``feedkeeper db upgrade`` makes them searchable on any backend."""
        with writing_to(describe(self.path)), self.engine.begin() as conn:
            refresh_indexes(conn)

    def set_maker(self, mark: int) -> None:
        """Record in the file's header which tool made the archive (SQLite's user_version)."""
        with self.engine.begin() as conn:
            set_user_version(conn, mark)

    # Runs

    def close_dead_runs(self) -> None:
        """Mark runs left ``running`` by a killed process as ``interrupted`` (under the lock)."""
        with writing_to(self.path), self.engine.begin() as conn:
            conn.execute(
                update(run_t).where(run_t.c.status == RunStatus.RUNNING).values(**_DEAD_RUN)
            )

    def start_run(self, kind: str, source: str, site_id: int | None = None) -> int:
        """Insert a ``running`` run row (of one site, or of the whole archive) and return its id."""
        r = run_t.c
        dead = update(run_t).where(r.status == RunStatus.RUNNING, r.site_id == site_id)
        with writing_to(describe(self.path)), self.engine.begin() as conn:
            # One run of a site at a time (its lock), so a "running" row of it is a dead run.
            if site_id is not None:
                conn.execute(dead.values(**_DEAD_RUN))
            result = conn.execute(
                insert(run_t).values(
                    site_id=site_id,
                    kind=kind,
                    source=source,
                    started_at=now_iso(),
                    status=RunStatus.RUNNING,
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    @contextlib.contextmanager
    def closing_run(self, run_id: int, counts: RunCounts) -> Iterator[None]:
        """Record a run that ends by an exception: failed on an error, interrupted on a signal."""
        try:
            yield
        except Exception as exc:
            self.finish_run(run_id, counts, RunStatus.FAILED, first_line(str(exc)))
            raise
        except BaseException as exc:  # cancelled, SIGINT or SIGTERM: never left "running"
            # A statement interrupted mid-way keeps its cursor in the traceback's frames, and
            # with it the writer's hold on SQLite's lock, which the record below must take.
            traceback.clear_frames(exc.__traceback__)
            self.finish_run(run_id, counts, RunStatus.INTERRUPTED, "interrupted")
            raise

    def has_unfinished_crawl(self, site_id: int) -> bool:
        """True when the site's latest crawl ended short of "ok" (killed, stopped, failed).

        The next crawl then walks the whole listing instead of stopping at the
        first page without news: the pages after the cut were never read.
        """
        r = run_t.c
        query = (
            select(r.status)
            .where(r.kind == RunKind.CRAWL, r.site_id == site_id)
            .order_by(r.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            status = conn.execute(query).scalar()
        return status is not None and status != RunStatus.OK

    def resume_point(self, site_id: int) -> tuple[str, str] | None:
        """Return where the site's listing went on past the last crawl, when that crawl
        stopped at ``max_pages``, ``max_run_time`` or ``max_run_bytes`` (its message says
        so): the next link of its last page, and the setting that stopped it."""
        r, f = run_t.c, page_fetch_t.c
        last = (
            select(r.id, r.message)
            .where(r.kind == RunKind.CRAWL, r.site_id == site_id)
            .order_by(r.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(last).first()
            if row is None or row.message not in CAPPED_BY:
                return None
            query = (
                select(f.next_url)
                .where(f.run_id == row.id, f.next_url.is_not(None))
                .order_by(f.id.desc())
                .limit(1)
            )
            url = conn.execute(query).scalar()
            return (url, CAPPED_BY[row.message]) if url else None

    def finish_run(
        self, run_id: int, counts: RunCounts, status: RunStatus, message: str | None = None
    ) -> None:
        """Write the run's totals and final status."""
        values = counts.as_row() | {
            "status": str(status),
            "finished_at": now_iso(),
            "failures": json.dumps(counts.failures, ensure_ascii=False),
            "message": message,
        }
        with writing_to(self.path), self.engine.begin() as conn:
            conn.execute(update(run_t).where(run_t.c.id == run_id).values(**values))

    # Pages

    def last_fetches(self, site_id: int) -> dict[str, Validators]:
        """Return, by URL, what the last good fetch of each page of a site left: the last
        one read as a listing (a page that could not be, a maintenance page, leaves no
        validators: a 304 to them would stand for a page never read)."""
        f = page_fetch_t.c
        latest = (
            select(func.max(f.id))
            .where(f.site_id == site_id, f.outcome == PageKind.PARSED)
            .group_by(f.url)
            .scalar_subquery()
        )
        query = select(f.url, f.etag, f.last_modified, f.next_url, f.cards, f.confidence).where(
            f.id.in_(latest)
        )
        with self.engine.connect() as conn:
            return {
                row.url: Validators(
                    row.etag, row.last_modified, row.next_url, row.cards, row.confidence
                )
                for row in conn.execute(query)
            }

    @contextlib.contextmanager
    def writer(self, site_id: int) -> Iterator[PageWriter]:
        """Yield a writer of one site's pages, committed at the end even when cancelled
        between pages (a KeyboardInterrupt, which may land mid-page, rolls back instead).

        The posts it writes are indexed for search in batches, the last as it finishes.
        """
        try:
            with self.engine.connect() as conn:
                writer = PageWriter(conn, site_id)
                interrupted = False
                try:
                    with index_deferred(conn):
                        yield writer
                except (SQLAlchemyError, KeyboardInterrupt) as exc:
                    # A Ctrl-C lands wherever Python is (a page half written): the pages
                    # since the last commit are undone, for the next run to store, and the
                    # indexes' queue is left to the next writer.
                    interrupted = isinstance(exc, KeyboardInterrupt)
                    if interrupted:  # a statement cut short holds SQLite's lock in its frames
                        traceback.clear_frames(exc.__traceback__)
                    if not conn.invalidated:  # else SQLAlchemy dropped it: nothing was kept
                        conn.rollback()
                    raise
                finally:
                    if not (interrupted or conn.invalidated):
                        writer.finish()
        except OperationalError as exc:
            raise StoreError(
                f"cannot write to {describe(self.path)}: {reason(exc)};"
                " the pages since the last commit were not stored (the next crawl stores them)"
            ) from exc

    @contextlib.contextmanager
    def rebuilding(self) -> Iterator[tuple[PageWriter, list[tuple[int, int, int]]]]:
        """Clear the derived tables and yield a writer and the stored pages to re-derive them.

        The pages come as (page_fetch id, run id, site id), oldest first, with those that
        answered 304 (they list what they listed when last read); load them, a batch
        at a time, with ``load_captures``. All happens in one transaction: on any error
        nothing changes. Recovered placeholder texts are kept where the same post still shows
        the same excerpt.
        """
        with writing_to(self.path), self.engine.begin() as conn, freed_pages_left_as_they_are(conn):
            kept = save_recoveries(conn)
            with triggers_set_aside(conn):
                for table in DERIVED_TABLES:
                    conn.execute(delete(table))
                f = page_fetch_t.c
                stored = f.body_sha256.is_not(None) | (f.outcome == PageKind.NOT_MODIFIED)
                pages = conn.execute(
                    select(f.id, f.run_id, f.site_id).where(stored).order_by(f.id)
                ).all()
                yield PageWriter(conn, None), [(int(i), int(r), int(s)) for i, r, s in pages]
                restore_recoveries(conn, kept)
                refresh_recovered_excerpts(conn)
            # Every row was rewritten: each full-text index is filled anew, not row by row.
            rebuild_search_index(conn)

    def load_captures(self, writer: PageWriter, fetch_ids: Sequence[int]) -> list[StoredCapture]:
        """Return stored pages in the order of ``fetch_ids``, read in the writer's transaction.

        Their bodies stay compressed, for the parse workers to decompress.
        """
        found = {
            row.id: StoredCapture(_capture_of(row), row.data)
            for row in writer.conn.execute(_STORED_PAGES, {"ids": list(fetch_ids)})
        }
        return [found[fetch_id] for fetch_id in fetch_ids]


_STORED_PAGES = (
    select(page_fetch_t, page_body_t.c.data)
    .outerjoin(page_body_t, page_body_t.c.sha256 == page_fetch_t.c.body_sha256)
    .where(page_fetch_t.c.id.in_(bindparam("ids", expanding=True)))
)


# What reparse rebuilds from the stored pages, children first.
def _committed_counts() -> dict[str, Any]:
    """A dead run's counters as what it committed says: its process never wrote them."""
    f, v, run_id = page_fetch_t.c, post_version_t.c, run_t.c.id

    def fetches(*outcomes: PageKind) -> Any:
        return select(func.count()).where(f.run_id == run_id, f.outcome.in_(outcomes))

    def total(column: Any) -> Any:
        return select(func.coalesce(func.sum(column), 0)).where(f.run_id == run_id)

    def versions(first: bool) -> Any:
        return select(func.count()).where(
            v.run_id == run_id, (v.version == 1) if first else (v.version > 1)
        )

    counts = {
        "pages": fetches(PageKind.PARSED, PageKind.SUSPECT),
        "pages_not_modified": fetches(PageKind.NOT_MODIFIED),
        "pages_failed": fetches(PageKind.FAILED, PageKind.UNPARSEABLE, PageKind.SUSPECT),
        "cards": total(f.cards),
        "cards_skipped": total(f.cards_skipped),
        "new_posts": versions(first=True),
        "new_versions": versions(first=False),
    }
    return {name: query.scalar_subquery() for name, query in counts.items()}


# What a run left ``running`` by a killed process becomes.
_DEAD_RUN = {
    "status": RunStatus.INTERRUPTED,
    "message": "its process ended before the run did",
    **_committed_counts(),
}

DERIVED_TABLES = (placeholder_t, sighting_t, post_fingerprint_t, post_url_t, post_version_t, post_t)


def _capture_of(row: object) -> PageCapture:
    r = row._mapping  # type: ignore[attr-defined]
    return PageCapture(
        url=r["url"],
        fetched_at=r["fetched_at"],
        outcome=PageKind(r["outcome"]),
        status_code=r["status_code"],
        etag=r["etag"],
        last_modified=r["last_modified"],
        content_type=r["content_type"],
        encoding=r["encoding"],
        next_url=r["next_url"],
        confidence=r["confidence"],
        error=r["error"],
    )
