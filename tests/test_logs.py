"""Log lines: readable text, or one JSON object per line; never credentials or page bodies."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedkeeper.config import Settings
from feedkeeper.fixture_site import FixtureServer
from feedkeeper.logs import JsonFormatter, TextFormatter, configure_logging
from feedkeeper.pipeline import crawl
from feedkeeper.store import Store

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def record(
    message: str, *args: object, level: int = logging.INFO, **extra: object
) -> logging.LogRecord:
    made = logging.LogRecord("feedkeeper.test", level, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_json_line_holds_the_message_and_the_extras() -> None:
    line = JsonFormatter().format(
        record(
            "run %d ok",
            7,
            run_id=7,
            url="https://blog.example/",
            status="ok",
            duration_s=1.25,
            counts={"pages": 2},
        )
    )
    entry = json.loads(line)
    assert TIME.match(entry.pop("time"))
    assert entry == {
        "level": "info",
        "logger": "feedkeeper.test",
        "message": "run 7 ok",
        "run_id": 7,
        "url": "https://blog.example/",
        "status": "ok",
        "duration_s": 1.25,
        "counts": {"pages": 2},
        "event": "log",  # a line that names no event of its own (a library's) has one
    }
    assert "\n" not in line


def test_credentials_in_urls_are_masked() -> None:
    line = JsonFormatter().format(
        record(
            "fetching %s",
            "https://ann:s3cret@blog.example/page/2/",
            url="http://bob:hunter2@blog.example/",
        )
    )
    entry = json.loads(line)
    assert entry["message"] == "fetching https://***@blog.example/page/2/"
    assert entry["url"] == "http://***@blog.example/"
    assert "s3cret" not in line and "hunter2" not in line


def test_long_strings_are_cut() -> None:
    body = "<html>" + "x" * 5000
    entry = json.loads(JsonFormatter().format(record("page", error=body)))
    assert entry["error"] == "<html>" + "x" * 494 + "… (4506 more characters)"


def test_exceptions_become_one_field() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        made = logging.LogRecord(
            "feedkeeper.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    line = JsonFormatter().format(made)
    entry = json.loads(line)
    assert entry["level"] == "error"
    assert entry["exception"] == "ValueError: boom"  # no traceback, unless FEEDKEEPER_DEBUG
    assert entry["event"] == "log"
    assert "\n" not in line


def test_a_traceback_is_logged_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDKEEPER_DEBUG", "1")
    try:
        raise ValueError("boom")
    except ValueError:
        made = logging.LogRecord(
            "procrastinate.worker", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(made))
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: boom")
    text = TextFormatter().format(made)
    assert "Traceback (most recent call last):" in text


def test_text_line() -> None:
    line = TextFormatter().format(record("run %d ok", 7, level=logging.WARNING, run_id=7))
    stamp, rest = line.split(" ", 1)
    assert TIME.match(stamp)
    assert rest == "WARNING run 7 ok"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Route logging to a buffer for the test, then put pytest's handlers back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    yield stream
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_configure_json_and_quiet_libraries(log_stream: io.StringIO) -> None:
    configure_logging("json", stream=log_stream)
    logging.getLogger("apscheduler.scheduler").info("Added job")
    logging.getLogger("httpx").info("HTTP Request: GET https://blog.example/")
    logging.getLogger("feedkeeper.schedule").info("hello", extra={"event": "test"})
    lines = log_stream.getvalue().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["hello"]


def test_a_crawl_logs_parseable_lines_with_counts_and_no_bodies(
    log_stream: io.StringIO, fixture_server: FixtureServer, db_path: Path
) -> None:
    configure_logging("json", stream=log_stream)
    store = Store.open(db_path)
    try:
        summary = crawl(store, Settings(url=fixture_server.base_url, db=db_path, rate=0, full=True))
    finally:
        store.close()
    text = log_stream.getvalue()
    entries = [json.loads(line) for line in text.splitlines()]
    assert [e["event"] for e in entries] == ["run_started", "page", "page", "run_finished"]
    pages = [(e["url"], e["outcome"], e["status_code"]) for e in entries if e["event"] == "page"]
    assert pages == [
        (fixture_server.base_url, "parsed", 200),
        (fixture_server.base_url + "page/2/", "parsed", 200),
    ]
    finished = entries[-1]
    assert (finished["run_id"], finished["url"], finished["status"]) == (
        summary.run_id,
        fixture_server.base_url,
        "ok",
    )
    assert finished["counts"]["pages"] == 2
    assert finished["counts"]["new_posts"] == 7  # snapshot 01 shows 4 + 3 posts
    assert isinstance(finished["duration_s"], float)
    assert "<" not in text  # no HTML made it into the log


def test_a_failed_page_and_a_run_short_of_ok_are_logged_as_warnings(
    log_stream: io.StringIO, db_path: Path
) -> None:
    """Failed pages and partial or failed runs were logged at level info: a collector
    watching warnings and errors saw no failure at all."""
    import httpx

    from feedkeeper.pipeline import CrawlOptions

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            page_2 = '<a rel="next" href="/page/2/">next</a>'
            cards = "".join(
                f'<article><h2><a href="/p/{n}/">Post {n} title</a></h2>'
                f"<p>Post {n} says something [代码] worth reading.</p></article>"
                for n in range(3)
            )
            return httpx.Response(
                200, html=f"<html><body><main>{cards}</main>{page_2}</body></html>"
            )
        return httpx.Response(503 if request.url.path == "/page/2/" else 404)

    configure_logging("json", stream=log_stream)
    store = Store.open(db_path)
    settings = Settings(url="https://blog.example/", db=db_path, rate=0, retries=1)
    try:
        crawl(store, settings, CrawlOptions(transport=httpx.MockTransport(answer)))
    finally:
        store.close()
    entries = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    levels = {(e["event"], e.get("outcome") or e.get("status")): e["level"] for e in entries}
    assert levels[("page", "parsed")] == "info"
    assert levels[("page", "failed")] == "warning"
    assert levels[("run_finished", "partial")] == "warning"
