"""A signal that lands in the middle of work: the command unwinds cleanly and the run is
recorded as interrupted, whatever the process was doing at that moment."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from feedkeeper import words
from feedkeeper.importer import import_captures
from feedkeeper.parse_worker import ParseWorker
from feedkeeper.pipeline import archive_page, write_page
from feedkeeper.records import RunCounts, RunKind, RunStatus
from feedkeeper.store import Store
from feedkeeper.store.rebuild import freed_pages_left_as_they_are
from feedkeeper.store.sites import ensure_site
from feedkeeper.store.write import PageWriter
from test_index_queue import _page

from conftest import rows

# A task busy computing when SIGTERM arrives, beside the main task that awaits.
BUSY_WHEN_SIGNALLED = """
import asyncio, contextlib, os, signal
from feedkeeper.cli import _stop_on_sigterm

_stop_on_sigterm()

async def busy():
    os.kill(os.getpid(), signal.SIGTERM)
    total = 0
    for number in range(2_000_000):  # the signal is handled while this task computes
        total += number
    await asyncio.sleep(10)

async def main():
    helper = asyncio.create_task(busy())
    try:
        await asyncio.sleep(10)
    finally:
        helper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await helper
        print("cleaned up", flush=True)

try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


# How a script's background job starts: Ctrl-C ignored.
IGNORE_CTRL_C = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n"


@pytest.mark.parametrize("ctrl_c", ["as usual", "ignored"])
def test_sigterm_on_an_event_loop_cancels_the_main_task_and_lets_it_clean_up(ctrl_c: str) -> None:
    script = (IGNORE_CTRL_C if ctrl_c == "ignored" else "") + BUSY_WHEN_SIGNALLED
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.stdout == "cleaned up\ninterrupted\n"
    assert "Traceback" not in done.stderr
    assert "never retrieved" not in done.stderr


IGNORED_CTRL_C_STAYS_IGNORED = """
import os, signal
from feedkeeper.cli import _stop_on_sigterm

signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a script's background job starts
restore = _stop_on_sigterm()
os.kill(os.getpid(), signal.SIGINT)  # held back while the command runs
restore()  # and dropped when it ends: Ctrl-C is ignored again
print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN, signal.SIGINT in signal.sigpending())
os.kill(os.getpid(), signal.SIGINT)
print("still running", flush=True)
"""


def test_ctrl_c_that_was_ignored_is_still_ignored_during_and_after_a_command() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IGNORED_CTRL_C_STAYS_IGNORED],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "True False\nstill running\n"
    assert done.returncode == 0


class _Interrupting:
    """A value whose conversion for SQLite is where Ctrl-C lands."""

    def __conform__(self, protocol: object) -> str:
        raise KeyboardInterrupt


def test_a_writer_interrupted_inside_a_statement_is_recorded_as_interrupted(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "a.db")
    run_id = store.start_run(RunKind.REPARSE, "test")
    try:
        with store.closing_run(run_id, RunCounts()), store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE scratch (value TEXT)")
            conn.exec_driver_sql(
                "INSERT INTO scratch VALUES (?)", [("a",), ("b",), (_Interrupting(),)]
            )
    except KeyboardInterrupt:
        pass
    # The run is closed, without waiting for the lock the interrupted statement held.
    with store.engine.connect() as conn:
        status = conn.exec_driver_sql("SELECT status FROM run WHERE id = ?", (run_id,)).scalar()
        has_scratch = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'scratch'"
        ).scalar()
    assert status == RunStatus.INTERRUPTED
    assert has_scratch == 0  # the interrupted transaction was rolled back
    store.close()


def test_answers_left_by_a_run_cut_short_are_not_reported_as_lost() -> None:
    reported: list[dict[str, object]] = []

    async def cut_short() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: reported.append(context))
        worker = ParseWorker(None)
        answers = [
            await worker.submit(b"<html><body><p>x</p></body></html>", "text/html", f"http://a/{n}")
            for n in range(3)
        ]
        os.kill(worker.pid or 0, signal.SIGKILL)  # as the run's signal kills its worker too
        await asyncio.wait(answers)  # each now holds WorkerGoneError, and no one will ask
        await worker.stop()
        answers.clear()
        gc.collect()
        await asyncio.sleep(0)

    asyncio.run(cut_short())
    assert reported == []


def test_an_interrupted_rebuild_ends_as_interrupted_not_as_a_database_error(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "a.db")
    # Ctrl-C inside a statement drops the connection: the setting a rebuild changed for the
    # block has nothing left to be restored on, and the interrupt must come out as it was.
    with (
        pytest.raises(KeyboardInterrupt),
        store.engine.begin() as conn,
        freed_pages_left_as_they_are(conn),
    ):
        conn.exec_driver_sql("CREATE TABLE scratch (value TEXT)")
        conn.exec_driver_sql("INSERT INTO scratch VALUES (?)", [("a",), (_Interrupting(),)])
    store.close()


def test_ctrl_c_inside_the_word_segmenter_comes_out_as_an_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite calls the segmenter for each post it indexes; sqlite3 would turn an interrupt
    # raised there into "user-defined function raised exception", a database error.
    store = Store.open(tmp_path / "a.db")
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)

    def ctrl_c_lands_here(_run: str) -> list[str]:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), store.writer(site.id) as writer:
        write_page(writer, run, *_page(1))
        monkeypatch.setattr(words, "run_words", ctrl_c_lands_here)
    monkeypatch.undo()
    # Nothing of the interrupted transaction was kept, and the archive takes the page again.
    assert rows(store, "SELECT count(*) AS n FROM post") == [{"n": 0}]
    archive_page(store, site.id, run, *_page(1))
    assert rows(store, "SELECT count(*) AS n FROM post_words") == [{"n": 3}]
    store.close()


LEFTOVERS = """
import gc
from feedkeeper.cli import _quiet_closed_loop_leftovers

class Leftover:  # stands for asyncio's transport: its __del__ meets a closed loop
    def __del__(self):
        raise RuntimeError("Event loop is closed")

class Other:
    def __del__(self):
        raise RuntimeError("something else is closed")

Leftover.__del__.__module__ = "asyncio.base_subprocess"
_quiet_closed_loop_leftovers()
_quiet_closed_loop_leftovers()  # once is enough, however many commands a process runs
Leftover()
gc.collect()
Other()  # anything else is still reported
gc.collect()
"""


def test_a_transport_left_to_a_closed_loop_prints_no_traceback() -> None:
    """After Ctrl-C, a worker's pipe transport collected once the loop was closed made Python
    print "Exception ignored in BaseSubprocessTransport.__del__ … Event loop is closed"."""
    done = subprocess.run(
        [sys.executable, "-c", LEFTOVERS], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Event loop is closed" not in done.stderr
    assert "something else is closed" in done.stderr


@pytest.mark.parametrize("delay", [0.1, 0.2, 0.3])
def test_ctrl_c_while_the_command_loads_or_stops_ends_it_without_a_traceback(delay: float) -> None:
    """Two signals a moment apart (a service manager's SIGTERM to the process group, an
    impatient Ctrl-C): whichever lands while the command loads, or while it is stopped by
    the first, ends it with 130 and no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "feedkeeper", "config"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")},
    )  # fmt: skip
    for _ in range(2):
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    # The command may finish before either lands. An interrupt that left code Python compiled
    # from text (a dataclass's methods, built as the CLI loads) makes Python 3.11 end by the
    # signal itself after the command's exit: a shell's $? is 130 all the same.
    assert proc.returncode in (0, 130, -signal.SIGINT)


LOST_INTERRUPT = """
import sys, time, weakref
from feedkeeper.__main__ import _raise_lost_interrupts_again
_raise_lost_interrupts_again()
class Lock: pass
lock = Lock()
def callback(_):
    raise KeyboardInterrupt  # what a Ctrl-C landing in the import system's lock callback does
ref = weakref.ref(lock, callback)
try:
    del lock
    time.sleep(5)
    print("went on")
except KeyboardInterrupt:
    print("stopped")
"""


def test_a_ctrl_c_landing_in_a_callback_python_runs_for_itself_still_stops_the_command() -> None:
    """A Ctrl-C landing in the import system's module-lock callback as the command loaded was
    printed as "Exception ignored in … Traceback … KeyboardInterrupt", and lost."""
    done = subprocess.run(
        [sys.executable, "-c", LOST_INTERRUPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.stdout.strip() == "stopped"


def _writer_interrupted(store: Store, interrupt: Callable[[PageWriter], None]) -> int:
    """Write page 1 and commit, write page 2, then ``interrupt``; return the posts kept."""
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    with pytest.raises(KeyboardInterrupt), store.writer(site.id) as writer:
        write_page(writer, run, *_page(1))
        writer.commit()
        write_page(writer, run, *_page(2))
        interrupt(writer)
    return int(rows(store, "SELECT count(*) AS n FROM post")[0]["n"])


def test_a_ctrl_c_between_a_writer_s_statements_undoes_what_it_did_not_commit(
    store: Store,
) -> None:
    """A KeyboardInterrupt may land between two statements of one page: what the writer
    wrote since its last commit is undone (it was committed, half a page with it)."""

    def ctrl_c(_writer: PageWriter) -> None:
        raise KeyboardInterrupt

    assert _writer_interrupted(store, ctrl_c) == 3


def test_a_ctrl_c_inside_a_writer_s_statement_comes_out_as_the_interrupt(store: Store) -> None:
    """SQLAlchemy drops a connection a KeyboardInterrupt cut short; the writer's end must
    not use it (a PendingRollbackError took the interrupt's place: exit 70)."""

    def ctrl_c_in_a_statement(writer: PageWriter) -> None:
        writer.conn.exec_driver_sql("SELECT ?", (_Interrupting(),))

    assert _writer_interrupted(store, ctrl_c_in_a_statement) == 3


def test_a_signal_during_an_import_stops_it_between_two_whole_files(
    store: Store, seeds: list[Path]
) -> None:
    """Ctrl-C or SIGTERM as a capture is being archived: that file is archived whole, the
    import stops before the next, and its run is recorded as interrupted."""

    def signal_at_the_second(path: str) -> None:
        if path == str(seeds[1]):
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        import_captures(store, seeds, progress=signal_at_the_second)
    assert rows(store, "SELECT kind, status FROM run") == [
        {"kind": "import", "status": "interrupted"}
    ]
    assert rows(store, "SELECT count(*) AS n FROM page_fetch") == [{"n": 2}]


def test_an_error_raised_as_a_ctrl_c_unwinds_the_command_is_the_interrupt() -> None:
    """Ending a run cut short by Ctrl-C may meet what the interrupt broke (a lock a cut
    statement still held): the command was interrupted, and says so."""
    from feedkeeper.cli import _raised_while_interrupted
    from feedkeeper.errors import StoreError

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise StoreError("cannot write to a.db: database is locked") from None
    except StoreError as exc:
        assert _raised_while_interrupted(exc)
    assert not _raised_while_interrupted(StoreError("database is locked"))
