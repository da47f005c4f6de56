"""A site's text cannot drive the terminal it is shown on: escape sequences and other
control characters in titles, excerpts, categories and URLs are shown as their pictures
(␛, ␇) by every command that prints archive values, and in the logs."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from feedkeeper.cards import Card
from feedkeeper.cli import main
from feedkeeper.cli.progress import progress_bar
from feedkeeper.clock import now_iso
from feedkeeper.logs import TextFormatter, printable
from feedkeeper.pipeline import archive_page
from feedkeeper.records import PageCapture, RunCounts
from feedkeeper.store import Store
from feedkeeper.store.sites import ensure_site

ESC, BEL = "\x1b", "\x07"
TITLE = f"梯度 {ESC}]0;pwned{BEL} {ESC}[31m红色{ESC}[0m"
EXCERPT = f"摘要{ESC}[2J清屏{chr(0x9B)}之后"


def test_printable_shows_each_control_character_as_one_picture() -> None:
    assert printable(TITLE) == "梯度 ␛]0;pwned␇ ␛[31m红色␛[0m"
    assert printable(EXCERPT) == "摘要␛[2J清屏\ufffd之后"
    assert printable("行一\n\t行二") == "行一\n\t行二"  # line breaks and tabs stay
    assert printable("\u3000全角空格") == "\u3000全角空格"


@pytest.fixture
def hostile_archive(db_path: Path) -> Path:
    store = Store.open(db_path)
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    card = Card(
        url=f"https://b.example/p/{ESC}[2J/", title=TITLE, excerpt=EXCERPT,
        category=f"分类{ESC}[5m", categories=(f"分类{ESC}[5m",), published="2026-01-11",
    )  # fmt: skip
    capture = PageCapture("https://b.example/", now_iso(), "parsed", body=b"<html></html>")
    archive_page(store, site.id, run, capture, [card])
    store.finish_run(run, RunCounts(), "ok")
    store.close()
    return db_path


@pytest.mark.parametrize("argv", [["show", "1"], ["search", "梯度"], ["status"], ["sites", "list"]])
def test_no_command_prints_a_site_s_control_characters(
    hostile_archive: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--db", str(hostile_archive)]) == 0
    out, err = capsys.readouterr()
    assert not any(code in out + err for code in (ESC, BEL, chr(0x9B))), out
    if argv[0] == "show":
        assert "梯度 ␛]0;pwned␇ ␛[31m红色␛[0m" in out
        assert "摘要␛[2J清屏\ufffd之后" in out


RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


def test_bidirectional_controls_are_shown_not_obeyed() -> None:
    """A terminal that honours U+202E shows the rest of the line reversed."""
    shown = printable(f"梯度{RLO}exe.txt{PDF} {LRI}x{PDI}")
    assert shown == "梯度\ufffdexe.txt\ufffd \ufffdx\ufffd"
    assert printable("\u200fעברית\u200e") == "\u200fעברית\u200e"  # marks reverse nothing


def test_show_prints_no_bidirectional_override_of_a_title(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(db_path)
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    card = Card(url="https://b.example/p/1/", title=f"梯度{RLO}gnp.exe", excerpt="摘要")
    capture = PageCapture("https://b.example/", now_iso(), "parsed", body=b"<html></html>")
    archive_page(store, site.id, run, capture, [card])
    store.finish_run(run, RunCounts(), "ok")
    store.close()
    assert main(["show", "1", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert RLO not in out
    assert "title: 梯度\ufffdgnp.exe" in out


def test_log_lines_show_control_characters() -> None:
    record = logging.LogRecord("feedkeeper", logging.WARNING, "", 0, "%s", (TITLE,), None)
    assert TextFormatter().format(record).endswith("梯度 ␛]0;pwned␇ ␛[31m红色␛[0m")


def test_the_progress_bar_shows_a_url_as_it_is() -> None:
    """A URL beside the bar is text, not rich markup (``[/]`` once ended the crawl)."""
    from rich.console import Console

    for url, seen in (
        ("https://b.example/a[/]b", "b.example/a[/]b"),
        (f"https://b.example/[bold]{ESC}[2J", "b.example/[bold]␛[2J"),
    ):
        shown = io.StringIO()
        console = Console(file=shown, force_terminal=True, width=200)
        with progress_bar("crawl", total=2, console=console) as advance:
            assert advance is not None
            advance(url)  # the last item: drawn when the bar stops
        assert seen in shown.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_an_export_shown_on_a_terminal_shows_control_characters(
    hostile_archive: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["export", "--format", fmt, "--db", str(hostile_archive)]) == 0
    shown = terminal.getvalue()
    assert not any(code in shown for code in (ESC, BEL, chr(0x9B), "\r")), shown
    if fmt == "csv":
        assert "梯度 ␛]0;pwned␇ ␛[31m红色␛[0m" in shown
        assert shown.startswith("id,site,url,") and "\n" in shown
    else:  # JSON's own escapes: already safe to show, left as they are
        assert "\\u001b]0;pwned\\u0007" in shown


def test_an_export_into_a_pipe_keeps_the_site_s_text_as_it_is(
    hostile_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--format", "csv", "--db", str(hostile_archive)]) == 0
    out = capsys.readouterr().out
    assert TITLE in out and EXCERPT in out and out.endswith("\r\n")


def test_json_output_escapes_c1_control_codes_and_keeps_their_value(
    hostile_archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON escapes C0 codes itself but leaves C1 raw: U+009B is a terminal's ESC [, and
    `cat export.jsonl` or `feedkeeper parse` on a terminal would obey it. Escaped, the JSON
    value is the same."""
    import json

    out = tmp_path / "posts.jsonl"
    argv = ["export", "--format", "jsonl", "--out", str(out), "--db", str(hostile_archive)]
    assert main(argv) == 0
    raw = out.read_text(encoding="utf-8")
    assert chr(0x9B) not in raw and "\\u009b" in raw
    assert json.loads(raw)["excerpt"] == EXCERPT
    page = _listing_titled(tmp_path, f"标题{chr(0x9B)}31m")
    capsys.readouterr()
    assert main(["parse", str(page), "--base-url", "https://b.example/"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and not any(chr(0x9B) in line for line in lines)
    assert json.loads(lines[0])["title"] == f"标题{chr(0x9B)}31m 1"


def test_json_output_escapes_bidirectional_controls_and_keeps_their_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`feedkeeper parse` on a terminal printed a title's U+202E raw: the rest of the line
    showed reversed where the terminal honours it."""
    import json

    title = f"标题{RLO}gnp.exe{PDF}{LRI}x{PDI}"
    page = _listing_titled(tmp_path, title)
    assert main(["parse", str(page), "--base-url", "https://b.example/"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert not any(char in line for line in lines for char in (RLO, PDF, LRI, PDI))
    assert "标题\\u202egnp.exe\\u202c\\u2066x\\u2069 1" in lines[0]
    assert json.loads(lines[0])["title"] == f"{title} 1"


def _on_a_terminal(*argv: str) -> tuple[int, bytes]:
    """Run ``feedkeeper ARGV`` on a pseudo-terminal, as a user runs it; return its exit code
    and what the terminal showed."""
    import os
    import subprocess
    import sys

    primary, secondary = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "feedkeeper", *argv],
            stdin=secondary, stdout=secondary, stderr=secondary, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal's other end is closed: all was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    return done.returncode, shown


def test_progress_bars_draw_on_a_real_terminal(hostile_archive: Path, tmp_path: Path) -> None:
    """Every long command draws its bar on stderr when that is a terminal: the bar once got
    the lazily made console, which rich cannot enter, and the command ended in an internal
    error on every terminal."""
    out = tmp_path / "posts.csv"
    code, shown = _on_a_terminal(
        "export", "--format", "csv", "--out", str(out), "--db", str(hostile_archive)
    )
    assert code == 0, shown
    assert b"internal error" not in shown and b"exported 1 posts" in shown
    assert out.read_text(encoding="utf-8").startswith("id,site,url,")


def test_an_export_shown_on_the_terminal_has_no_bar_drawn_over_it(
    hostile_archive: Path,
) -> None:
    code, shown = _on_a_terminal(
        "export", "--format", "csv", "--fields", "id", "--db", str(hostile_archive)
    )
    assert code == 0, shown
    assert shown.splitlines()[0] == b"id"  # the data first, with no bar before it
    assert b"exporting" not in shown


def test_a_failed_page_s_huge_url_is_cut_as_log_lines_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A hostile next link of 100 KB failed every run: its line was printed whole each time.
    from feedkeeper.cli.summary import print_summary
    from feedkeeper.records import RunCounts, RunKind, RunStatus
    from feedkeeper.run_summary import RunSummary

    counts = RunCounts()
    counts.fail("https://b.example/page/3/?q=" + "a" * 100_000, "HTTP 404")
    print_summary(RunSummary(1, RunKind.CRAWL, RunStatus.PARTIAL, counts, []))
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("failed: https://b.example/page/3/?q=aaa")
    assert "more characters)" in line and len(line) < 700


def test_a_file_name_holding_a_line_break_is_said_on_one_line(
    hostile_archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A message is one line, whatever the file name it quotes holds (a name with a line
    break, or an escape sequence, was printed as it was: two lines, a terminal's command)."""
    out = tmp_path / f"new\nline{ESC}[2J.csv"
    assert main(["export", "--format", "csv", "--db", str(hostile_archive), "--out", str(out)]) == 0
    assert out.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("exported ")
    assert err.endswith(f"{tmp_path}/new\u2424line\u241b[2J.csv\n")


def _listing_titled(folder: Path, title: str) -> Path:
    """A listing page of three posts titled ``title`` and their number."""
    page = folder / "page.html"
    page.write_text(
        "<html><body>"
        + "".join(
            f'<article><h2><a href="/p/{n}">{title} {n}</a></h2>'
            f"<time>2026-01-1{n}</time><p>摘要的文字足够长 {n}</p></article>"
            for n in range(1, 4)
        )
        + "</body></html>",
        encoding="utf-8",
    )
    return page
