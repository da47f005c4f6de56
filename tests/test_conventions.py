"""The command line's manners: shared options, JSON output, refused conflicts, plain help."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import sample_archive
from feedkeeper.cli import main
from feedkeeper.cli.demo import next_steps
from feedkeeper.fixture_site import FixtureServer

from conftest import FIXTURES, ROOT


def _commands() -> list[str]:
    """Every command the app has, groups walked into (``sites add``, ``db upgrade``)."""
    import typer

    from feedkeeper.cli import app

    found: list[str] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):  # a group (Typer keeps its own Click's classes)
            for name, sub in sorted(command.commands.items()):
                walk(sub, [*path, name])
        else:
            found.append(" ".join(path))

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def test_the_commands_are_all_found() -> None:
    assert {"crawl", "export", "sites add", "sites list", "db upgrade", "demo"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_the_output_options_and_shows_no_python_types(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command.split(), "-h"]) == 0
    text = capsys.readouterr().out
    for option in ("--log-format", "--quiet", "--verbose", "-h, --help"):
        assert option in text, (command, option)
    for python in ("list[", "range>", "<str>", "<Path>", "<float>"):
        assert python not in text, (command, python)


def test_quiet_and_verbose_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--quiet", "--verbose"]) == 2
    assert capsys.readouterr().err == "error: --quiet and --verbose: choose one\n"


@pytest.mark.parametrize("command", ["schedule", "health"])
def test_cron_and_every_together_are_refused(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, "--every", "1m", "--cron", "*/5 * * * *", "--url", "https://blog.example/"]
    assert main(argv if command == "schedule" else argv[:-2]) == 2
    assert capsys.readouterr().err == "error: --cron and --every: give one of them, not both\n"


def test_cron_on_the_command_line_beats_an_interval_from_the_environment(
    fast_site: FixtureServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = str(tmp_path / "blog.db")
    assert main(["crawl", "--url", fast_site.base_url, "--db", db, "--no-recover", "-q"]) == 0
    monkeypatch.setenv("FEEDKEEPER_EVERY", "10m")
    assert main(["health", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["reason"].endswith("runs every 10m")
    assert main(["health", "--json", "--db", db, "--cron", "0 3 * * *"]) == 0
    assert json.loads(capsys.readouterr().out)["reason"].endswith("runs cron '0 3 * * *'")


def test_explain_with_a_profile_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "site.toml"
    profile.write_text('card = "article"\n', encoding="utf-8")
    page = FIXTURES / "site" / "snapshots" / "01" / "index.html"
    assert main(["parse", str(page), "--explain", "--profile", str(profile)]) == 2
    assert capsys.readouterr().err.startswith("error: --explain and --profile:")


def test_datasette_metadata_needs_an_archive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasette-metadata", "--db", "/nonexistent/blog.db"]) == 2
    assert capsys.readouterr().err.startswith("error: no archive at /nonexistent/blog.db")


def test_a_bad_log_format_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--log-format", "xml"]) == 2
    assert capsys.readouterr().err == "error: --log-format: must be text or json, got 'xml'\n"


def test_the_output_options_may_come_before_the_command(
    fast_site: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``feedkeeper --log-format json crawl …`` was refused: "No such option"."""
    assert main(["--log-format", "xml", "status"]) == 2
    assert capsys.readouterr().err == "error: --log-format: must be text or json, got 'xml'\n"
    db = str(tmp_path / "blog.db")
    args = ["crawl", "--url", fast_site.base_url, "--db", db, "--no-recover"]
    assert main(["--log-format", "json", *args]) == 0
    events = [json.loads(line)["event"] for line in capsys.readouterr().err.splitlines()]
    assert "run_finished" in events
    assert main(["-q", *args]) == 0  # quiet: the summary is not printed
    assert capsys.readouterr().out == ""


def test_with_json_logs_every_line_on_stderr_is_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-shot crawl's "failed: …" lines and the command's "error: …" were text among
    the JSON lines a log collector reads."""
    monkeypatch.setenv("FEEDKEEPER_RETRIES", "1")
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    db = str(tmp_path / "blog.db")
    crawl = ["--log-format", "json", "crawl", "--url", url, "--db", db, "--no-recover"]
    assert main([*crawl, "--ignore-robots"]) == 3
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    failed = [e for e in entries if e["event"] == "failed"]
    assert [(e["level"], e["url"]) for e in failed] == [("warning", url)]
    assert failed[0]["error"] == "cannot connect (gave up after 1 attempt)"
    assert main(crawl) == 3  # robots.txt unreachable: the command's error
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert (entries[-1]["event"], entries[-1]["level"], entries[-1]["exit_code"]) == (
        "command_failed",
        "error",
        3,
    )
    assert "robots.txt of" in entries[-1]["message"]


@pytest.fixture
def fast_site(monkeypatch: pytest.MonkeyPatch) -> FixtureServer:
    monkeypatch.setenv("FEEDKEEPER_RATE", "0")  # our own loopback server: no need to pace
    with FixtureServer() as server:
        server.snapshot = "03"  # three posts with placeholders whose articles are there
        yield server  # type: ignore[misc]


def test_a_one_shot_crawl_recovers_the_placeholders_it_found(
    fast_site: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "blog.db")
    code = main(
        ["crawl", "--url", fast_site.base_url, "--db", db, "--json", "--log-format", "json"]
    )
    assert code == 0
    printed = capsys.readouterr()
    report = json.loads(printed.out)
    events = [json.loads(line).get("event") for line in printed.err.splitlines()]
    assert events.index("run_finished") < events.index("recovery_finished")
    assert (report["kind"], report["status"]) == ("crawl", "ok")
    found = report["counts"]["placeholders_found"]
    assert found > 0
    recovery = report["recovery"]
    assert recovery["status"] == "ok" and recovery["still_pending"] == 0
    settled = recovery["counts"]["placeholders_recovered"]
    assert settled + recovery["counts"]["placeholders_unrecoverable"] == found
    assert main(["status", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["placeholders_pending"] == 0


def test_no_recover_leaves_the_placeholders_pending(
    fast_site: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "blog.db")
    assert main(["crawl", "--url", fast_site.base_url, "--db", db, "--no-recover", "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["status", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["placeholders_pending"] > 0


def test_health_show_and_search_speak_json(
    fast_site: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "blog.db")
    assert main(["crawl", "--url", fast_site.base_url, "--db", db, "--no-recover", "-q"]) == 0
    assert main(["health", "--json", "--db", db]) == 0
    health = json.loads(capsys.readouterr().out)
    assert health["healthy"] is True and health["reason"]
    assert main(["show", "1", "--json", "--db", db]) == 0
    post = json.loads(capsys.readouterr().out)
    assert post["id"] == 1 and post["versions"][0]["version"] == 1
    # the post as the export shows it: its site, current version, pin, recovered excerpt
    assert post["site"] == "127.0.0.1" and post["version"] == len(post["versions"])
    assert post["pinned"] in (True, False)
    first = post["versions"][0]
    assert first["excerpt_recovered"] == first["excerpt"]  # nothing recovered (--no-recover)
    assert main(["search", "no-such-word-anywhere", "--json", "--db", db]) == 1
    assert json.loads(capsys.readouterr().out) == []
    assert main(["search", post["versions"][-1]["title"].split()[0], "--json", "--db", db]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and all(hit["site"] == "127.0.0.1" for hit in hits)


def test_no_color_turns_off_every_style() -> None:
    probe = "from feedkeeper.cli.common import out\nout.print('[bold reverse]x[/]')\n"
    env = {"FORCE_COLOR": "1", "PATH": "/usr/bin:/bin"}  # FORCE_COLOR: style as on a terminal
    styled = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert "\x1b[1;7m" in styled.stdout
    plain = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={**env, "NO_COLOR": "1"}
    )
    assert plain.stdout == "x\n"


def test_with_no_color_search_marks_matches_with_text_not_styles(db_path: Path) -> None:
    sample_archive.open_copy(db_path).close()
    argv = ["search", "核心创新", "--db", str(db_path)]
    probe = f"from feedkeeper.cli import main\nmain({argv!r})"
    env = {"FORCE_COLOR": "1", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert "**核心创新**" in done.stdout and "\x1b[" not in done.stdout


def test_csv_formula_guard_is_on_by_default_and_can_be_turned_off(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_archive.open_copy(db_path).close()  # post 2 is titled =SUM(A1:A9)
    base = ["export", "--db", str(db_path), "--format", "csv", "--fields", "id,title"]
    assert main(base) == 0
    assert "\r\n2,'=SUM(A1:A9)\r\n" in capsys.readouterr().out
    assert main([*base, "--no-formula-guard"]) == 0
    assert "\r\n2,=SUM(A1:A9)\r\n" in capsys.readouterr().out


def test_no_formula_guard_is_for_csv_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "jsonl", "--no-formula-guard"]) == 2
    assert "--no-formula-guard: applies to CSV only" in capsys.readouterr().err


def test_a_saved_page_with_relative_links_asks_for_base_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = FIXTURES / "site" / "snapshots" / "01" / "index.html"
    for command in (["parse"], ["profile", "suggest"]):
        assert main([*command, str(page)]) != 0
        err = capsys.readouterr().err
        assert err.startswith("error: no post cards found on the page")
        assert "add --base-url" in err and err.count("\n") == 1
        assert main([*command, str(page), "--base-url", "https://blog.example/"]) == 0
        assert capsys.readouterr().out


def test_the_demo_hints_match_where_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UV", "/usr/local/bin/uv")
    assert "  uv run feedkeeper status --db x.db\n" in next_steps(Path("x.db"))
    monkeypatch.delenv("UV")
    monkeypatch.setenv("PATH", "/nonexistent")  # as in the image: no uv, no sqlite3
    assert next_steps(Path("x.db")) == (
        "  feedkeeper status --db x.db\n  feedkeeper export --db x.db --format jsonl --history"
    )


def test_every_log_event_is_in_the_documented_table() -> None:
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "src" / "feedkeeper").rglob("*.py")
    )
    events = set(re.findall(r'"event": "(\w+)"', source))
    running = (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)`(?:, `(\w+)`)? \|", running, re.MULTILINE))
    names = {name for pair in documented for name in pair if name}
    assert {"recovery_finished", "run_finished"} <= events
    assert events <= names, sorted(events - names)


def test_gitignore_covers_every_file_an_archive_makes() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert {"*.db", "*.db-wal", "*.db-shm", "*.db.lock", "*.db-reparse-words"} <= set(ignored)
