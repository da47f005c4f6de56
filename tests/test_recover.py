"""Recovering placeholders from the fixture blog's articles, against hand-written expectations."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from feedkeeper.cards import fill_placeholders
from feedkeeper.config import Settings
from feedkeeper.fixture_site import FixtureServer, snapshot_names
from feedkeeper.importer import import_captures
from feedkeeper.pipeline import crawl
from feedkeeper.recover import REASON_NO_URL, RecoverOptions, recover
from feedkeeper.store import Store

from conftest import FIXTURES, load_json, rows

EXPECTED = load_json(FIXTURES / "expected" / "crawl.json")
PLACEHOLDERS = """SELECT p.url, v.version, ph.kind, ph.ordinal, ph.status, ph.text, ph.reason,
    ph.attempts FROM placeholder ph JOIN post_version v ON v.id = ph.version_id
    JOIN post p ON p.id = v.post_id ORDER BY p.id, v.version, ph.position"""


def _crawl_snapshots(store: Store, server: FixtureServer, names: list[str]) -> None:
    for name in names:
        server.snapshot = name
        crawl(store, Settings(url=server.base_url, db=store.path, full=True, rate=0))


def _settings(store: Store, server: FixtureServer) -> Settings:
    return Settings(url=server.base_url, db=store.path, rate=0)


@pytest.fixture(scope="module")
def recovered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, FixtureServer]]:
    """All five snapshots crawled, then recovered against the site as it is at the last one."""
    store = Store.open(tmp_path_factory.mktemp("recover") / "fixture.db")
    with FixtureServer() as server:
        _crawl_snapshots(store, server, snapshot_names(server.site))
        recover(store, _settings(store, server))
        yield store, server
    store.close()


def test_every_placeholder_as_expected(recovered: tuple[Store, FixtureServer]) -> None:
    store, _ = recovered
    got = {
        (urlsplit(r["url"]).path, r["kind"], r["ordinal"]): (r["status"], r["text"], r["reason"])
        for r in rows(
            store, PLACEHOLDERS.replace("ORDER BY", "WHERE v.version = p.current_version ORDER BY")
        )
    }
    wanted = {
        (post["url"], ph["kind"], ph["ordinal"]): (
            ph["status"],
            ph["text"] if ph["status"] == "recovered" else None,
            ph["reason"],
        )
        for post in EXPECTED["posts"]
        for ph in post["placeholders"]
    }
    assert got == wanted


def test_recovered_excerpt_is_derived_and_the_original_kept(
    recovered: tuple[Store, FixtureServer],
) -> None:
    store, _ = recovered
    [post] = [p for p in EXPECTED["posts"] if p["url"] == "/posts/ddp-quickstart/"]
    [row] = [
        r for r in rows(store, "SELECT * FROM posts_current") if r["url"].endswith(post["url"])
    ]
    assert row["excerpt"] == post["versions"][-1]["excerpt"]
    first_code = post["placeholders"][0]["text"]
    assert row["excerpt_recovered"].count("```") == 6
    assert f"\n```\n{first_code}\n```\n" in row["excerpt_recovered"]
    assert "[代码]" not in row["excerpt_recovered"]


def test_unrecoverable_ones_stay_visible_in_the_recovered_excerpt(
    recovered: tuple[Store, FixtureServer],
) -> None:
    store, _ = recovered
    [row] = [
        r
        for r in rows(store, "SELECT * FROM posts_current")
        if r["url"].endswith("/lmms-engine-packing/")
    ]
    assert row["excerpt_recovered"].count("[代码]") == 1  # the one whose text no longer matches


def test_running_recover_twice_changes_nothing(recovered: tuple[Store, FixtureServer]) -> None:
    store, server = recovered
    before = (
        rows(store, PLACEHOLDERS),
        rows(store, "SELECT id, excerpt_recovered FROM post_version"),
    )
    requests = len(server.requests)
    summary = recover(store, _settings(store, server))
    assert summary.counts.pages == 0 and len(server.requests) == requests
    assert (
        rows(store, PLACEHOLDERS),
        rows(store, "SELECT id, excerpt_recovered FROM post_version"),
    ) == before


def test_a_later_version_with_the_same_text_carries_recoveries_over(db_path: Path) -> None:
    store = Store.open(db_path)
    with FixtureServer() as server:
        names = snapshot_names(server.site)
        _crawl_snapshots(store, server, names[:-1])
        recover(store, _settings(store, server))
        _crawl_snapshots(store, server, names[-1:])  # the DDP post's category changes: version 2
        server.requests.clear()
        summary = recover(store, _settings(store, server))
    assert "/posts/ddp-quickstart/" not in server.requests
    assert summary.carried_over == 3
    ddp = [r for r in rows(store, PLACEHOLDERS) if r["url"].endswith("/posts/ddp-quickstart/")]
    assert [(r["version"], r["status"], r["attempts"]) for r in ddp] == [
        (1, "recovered", 1), (1, "recovered", 1), (1, "recovered", 1),
        (2, "recovered", 0), (2, "recovered", 0), (2, "recovered", 0),
    ]  # fmt: skip
    assert [r["text"] for r in ddp[:3]] == [r["text"] for r in ddp[3:]]


def _crawled_once(db_path: Path) -> Store:
    """An archive of the fixture blog's first snapshot, its placeholders pending."""
    store = Store.open(db_path)
    with FixtureServer() as server:
        _crawl_snapshots(store, server, snapshot_names(server.site)[:1])
    return store


def _articles_answer(answer: httpx.Response) -> RecoverOptions:
    """Recover against a site whose every article gets ``answer`` (and no robots.txt)."""

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404) if request.url.path == "/robots.txt" else answer

    return RecoverOptions(transport=httpx.MockTransport(reply))


def test_a_transient_failure_stays_pending(db_path: Path) -> None:
    store = _crawled_once(db_path)
    settings = Settings(db=db_path, rate=0, retries=2, backoff_base=0)
    summary = recover(store, settings, _articles_answer(httpx.Response(503)))
    assert summary.exit_code == 1
    statuses = {(r["status"], r["attempts"]) for r in rows(store, PLACEHOLDERS)}
    assert statuses == {("pending", 1)}
    assert all("503" in (r["reason"] or "") for r in rows(store, PLACEHOLDERS))


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(403), "the site refuses the article (HTTP 403)"),
        (httpx.Response(451), "the site refuses the article (HTTP 451)"),
        (
            httpx.Response(302, headers={"Location": "http://elsewhere.example/x/"}),
            "redirected off the site to http://elsewhere.example/x/ (refused)",
        ),
        (httpx.Response(200, content=b"<p>" + b"x" * 3000), "exceeds the 2048-byte limit"),
    ],
    ids=["403", "451", "redirect-off-site", "too-large"],
)
def test_an_article_refused_for_good_is_unrecoverable_at_once(
    db_path: Path, answer: httpx.Response, reason: str
) -> None:
    """A 403, a redirect off the site or a page over the size limit stayed pending: every
    later recovery fetched it again (megabytes each time) and exited 1."""
    store = _crawled_once(db_path)
    settings = Settings(db=db_path, rate=0, max_response_bytes=2048)
    summary = recover(store, settings, _articles_answer(answer))
    assert summary.exit_code == 0
    found = rows(store, PLACEHOLDERS)
    assert {(r["status"], r["attempts"]) for r in found} == {("unrecoverable", 1)}
    assert all(reason in r["reason"] for r in found), found[0]["reason"]


def test_an_article_that_never_answers_is_given_up_after_five_runs(db_path: Path) -> None:
    """A host gone for good left its placeholders pending for ever, each run failing."""
    store = _crawled_once(db_path)
    settings = Settings(db=db_path, rate=0, retries=1, backoff_base=0)
    options = _articles_answer(httpx.Response(503))
    for _ in range(4):
        assert recover(store, settings, options).exit_code == 1
    assert {(r["status"], r["attempts"]) for r in rows(store, PLACEHOLDERS)} == {("pending", 4)}
    assert recover(store, settings, options).exit_code == 1  # the run that gives up says so
    found = rows(store, PLACEHOLDERS)
    assert {(r["status"], r["attempts"]) for r in found} == {("unrecoverable", 5)}
    assert all(
        r["reason"].startswith("the article could not be fetched in 5 attempts: HTTP 503")
        for r in found
    )
    summary = recover(store, settings, options)  # nothing pending: nothing fetched
    assert summary.exit_code == 0 and summary.counts.pages_failed == 0


def test_a_recovery_stops_after_max_run_time_the_rest_left_pending(db_path: Path) -> None:
    """A crawl's recovery had no time limit: forty slow articles held the archive 42 s
    though max_run_time was 5."""
    store = _crawled_once(db_path)

    async def slow(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        await asyncio.sleep(0.6)
        return httpx.Response(503)

    settings = Settings(db=db_path, rate=0, retries=1, concurrency=1, max_run_time=0.5)
    started = time.monotonic()
    summary = recover(store, settings, RecoverOptions(transport=httpx.MockTransport(slow)))
    assert time.monotonic() - started < 1.1  # the article in flight, then no other
    assert summary.reason == (
        "stopped after max_run_time (0.5 s): the articles not asked yet stay pending for the"
        " next recovery"
    )
    attempts = [r["attempts"] for r in rows(store, PLACEHOLDERS)]
    assert 0 in attempts and 1 in attempts  # some asked, the others left for the next run
    assert summary.still_pending == len(attempts)


def test_imported_posts_have_no_article_to_read(store: Store, seeds: list[Path]) -> None:
    import_captures(store, seeds)
    recover(store, Settings(db=store.path, rate=0))
    reasons = {(r["status"], r["reason"]) for r in rows(store, PLACEHOLDERS)}
    assert reasons == {("unrecoverable", REASON_NO_URL)}


@pytest.mark.parametrize(
    ("excerpt", "found", "expected"),
    [
        ("a [代码] b", {("code", 1): "x = 1\n  y"}, "a \n```\nx = 1\n  y\n```\n b"),
        (
            "积分 [公式] 与 [Math] 。",
            {("formula", 1): "\\int f", ("math", 1): "x"},
            "积分 $$\\int f$$ 与 $x$ 。",
        ),
        ("E[X] 与 [Math] 和 [Math]", {("math", 2): "n^2"}, "E[X] 与 [Math] 和 $n^2$"),
        # Code showing a Markdown block is fenced by a longer fence, which it cannot close.
        (
            "写成 [代码] 即可",
            {("code", 1): "```python\nprint(1)\n```"},
            "写成 \n````\n```python\nprint(1)\n```\n````\n 即可",
        ),
    ],
)
def test_fill_placeholders(excerpt: str, found: dict[tuple[str, int], str], expected: Any) -> None:
    assert fill_placeholders(excerpt, found) == expected


def test_a_crawl_recovers_what_a_recovery_cut_short_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first crawl's recovery never ran (cut short, or --no-recover): the next crawl,
    # which finds nothing new, still recovers the placeholders no recovery has tried.
    from feedkeeper.cli import main

    db = str(tmp_path / "a.db")
    with FixtureServer() as server:
        assert (
            main(["crawl", "--url", server.base_url, "--db", db, "--rate", "0", "--no-recover"])
            == 0
        )
        capsys.readouterr()
        main(["crawl", "--url", server.base_url, "--db", db, "--rate", "0"])
    out = capsys.readouterr().out
    assert "recover run" in out
    store = Store.open(tmp_path / "a.db")
    try:
        left = rows(store, "SELECT count(*) AS n FROM placeholder WHERE attempts = 0")
    finally:
        store.close()
    assert left == [{"n": 0}]


def test_a_scheduled_recovery_tries_a_failed_article_again_hours_later(db_path: Path) -> None:
    """A crawl's recovery (and the daemon's) took only placeholders no recovery had tried:
    one whose article failed once stayed pending for ever unless `recover` was run by hand."""
    store = _crawled_once(db_path)
    settings = Settings(db=db_path, rate=0, retries=1, backoff_base=0)
    failing = _articles_answer(httpx.Response(503))
    assert recover(store, settings, failing).exit_code == 1
    scheduled = _articles_answer(httpx.Response(503))
    scheduled.only_new = True
    assert recover(store, settings, scheduled).counts.pages_failed == 0  # just tried: not due
    with store.engine.begin() as conn:  # the last try was long ago
        conn.exec_driver_sql("UPDATE placeholder SET updated_at = '2000-01-01T00:00:00.000000Z'")
    summary = recover(store, settings, scheduled)
    assert summary.counts.pages_failed > 0  # tried again
    assert {r["attempts"] for r in rows(store, PLACEHOLDERS)} == {2}


def test_a_paused_or_removed_site_s_articles_are_not_fetched(db_path: Path) -> None:
    """`recover` fetched the articles of a site paused (its owner asked for quiet) or
    removed, as if it were crawled."""
    store = _crawled_once(db_path)
    asked: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(404)

    options = RecoverOptions(transport=httpx.MockTransport(reply))
    for state in ("paused", "removed"):
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE site SET state = ?", (state,))
        summary = recover(store, Settings(db=db_path, rate=0), options)
        assert (summary.counts.pages, asked) == (0, [])
    assert {r["status"] for r in rows(store, PLACEHOLDERS)} == {"pending"}


def test_a_host_s_pause_is_told_as_what_it_does_to_the_recovery(db_path: Path) -> None:
    """Its articles were failed with "this crawl stops here, and the next one goes on after it"."""
    store = _crawled_once(db_path)
    settings = Settings(db=db_path, rate=0, retries=1)
    options = _articles_answer(httpx.Response(429, headers={"Retry-After": "3600"}))
    options.longest_pause = 30  # as `feedkeeper recover` waits
    summary = recover(store, settings, options)
    tail = "its articles stay pending, and the next recovery fetches them after it"
    first, *rest = [failure["error"] for failure in summary.counts.failures]
    assert first == f"the site asked for a pause of 3600 s (Retry-After): {tail}"
    assert rest and all(
        error.startswith("the site asked for a pause (Retry-After) with ")
        and error.endswith(f" s of it left: {tail}")
        for error in rest
    )
    assert {r["status"] for r in rows(store, PLACEHOLDERS)} == {"pending"}


def test_a_host_s_pause_kept_from_before_is_told_as_what_it_does_to_the_recovery(
    db_path: Path,
) -> None:
    store = _crawled_once(db_path)
    settings = Settings(db=db_path, rate=0, retries=1, max_retry_after=0.1)
    answer = httpx.Response(429, headers={"Retry-After": "3600"})
    recover(store, settings, _articles_answer(answer))
    summary = recover(store, settings, _articles_answer(answer))
    errors = {failure["error"].split(" (Retry-After): ")[1] for failure in summary.counts.failures}
    assert errors == {
        "this recovery asked it nothing; its articles stay pending: recover them after then"
    }
