"""`feedkeeper demo`: the whole job on the bundled fixture blog, served on loopback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rich.table import Table

from feedkeeper.cli.common import out
from feedkeeper.cli.summary import print_recovery, print_summary
from feedkeeper.config import Settings
from feedkeeper.errors import ConfigError
from feedkeeper.fixture_site import FixtureServer, snapshot_names
from feedkeeper.pipeline import crawl
from feedkeeper.recover import recover
from feedkeeper.store import Store, exclusive_lock
from feedkeeper.store.engine import maker_of
from feedkeeper.store.read import PostFilter, iter_posts
from feedkeeper.store.status import status_report

# The demo's archive and its companions; the lock file stays: another run may wait on it.
DEMO_FILES = ("", "-wal", "-shm")
# Written in the header of every archive the demo makes ("demo" in ASCII): the demo
# replaces only a file that carries it, never an archive of the user's.
DEMO_MARK = 0x64656D6F
# Seconds the demo waits for a command that holds the archive.
LOCK_TIMEOUT = 5.0


def run_demo(db: Path) -> None:
    """Crawl every snapshot of the fixture site into a fresh ``db`` and show the archive."""
    with exclusive_lock(db, LOCK_TIMEOUT):  # never pull the archive from under a running crawl
        _clear_previous_demo(db)
        with FixtureServer() as server:
            _run(db, server)


def _clear_previous_demo(db: Path) -> None:
    """Remove the archive a previous demo made at ``db``; refuse any other file."""
    if not db.exists() and not db.is_symlink():
        return
    if maker_of(db) != DEMO_MARK:
        raise ConfigError(
            f"--db: {db} is not an archive the demo made; the demo replaces only its own"
            " (choose another --db)"
        )
    for suffix in DEMO_FILES:
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _run(db: Path, server: FixtureServer) -> None:
    store = Store.open(db)
    try:
        store.set_maker(DEMO_MARK)
        _crawl_snapshots(db, server, store)
    finally:
        store.close()
    out.print(f"\nThe archive is {db}. Try:\n{next_steps(db)}", markup=False, highlight=False)


def next_steps(db: Path) -> str:
    """Commands to try next, as they run here: through uv from a clone, and sqlite3 if present."""
    command = "uv run feedkeeper" if os.environ.get("UV") else "feedkeeper"
    steps = [
        f"{command} status --db {db}",
        f"{command} export --db {db} --format jsonl --history",
    ]
    if shutil.which("sqlite3"):
        steps.append(
            f"sqlite3 -readonly {db} 'SELECT title, version, sightings FROM posts_current'"
        )
    return "\n".join(f"  {step}" for step in steps)


def _crawl_snapshots(db: Path, server: FixtureServer, store: Store) -> None:
    out.print(f"serving the fixture blog at {server.base_url}", markup=False, highlight=False)
    for name in snapshot_names(server.site):
        server.snapshot = name
        out.print(f"snapshot {name}:", end=" ", markup=False, highlight=False)
        # Our own server on loopback: no need to pace requests.
        settings = Settings(url=server.base_url, db=db, full=True, rate=0)
        print_summary(crawl(store, settings))
    out.print("recovering placeholders from the article pages:", end=" ", markup=False)
    print_recovery(recover(store, Settings(db=db, rate=0)))
    _show(store)


def _show(store: Store) -> None:
    table = Table(title="posts in the archive", box=None)
    table.add_column("id", justify="right")
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=26)
    table.add_column("category", no_wrap=True, overflow="ellipsis", max_width=12)
    # Short headers keep the table within 80 columns when piped: versions, sightings, aliases.
    for name in ("ver", "seen", "alias", "recovered"):
        table.add_column(name, justify="right")
    for post in iter_posts(store.engine, PostFilter()):
        settled = sum(p["status"] == "recovered" for p in post.placeholders)
        recovered = f"{settled}/{len(post.placeholders)}" if post.placeholders else ""
        table.add_row(
            str(post.id),
            post.title or post.excerpt or "",
            post.category or "",
            str(post.version),
            str(post.sightings),
            str(len(post.aliases)),
            recovered,
        )
    out.print(table)
    totals = status_report(store.engine).totals
    summary = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in totals.items())
    out.print(summary, markup=False, highlight=False)
