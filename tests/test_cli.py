"""The command line as a user meets it: help for every command, one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from feedkeeper.cli import app, main

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [(*prefix, c.name or c.callback.__name__) for c in group.registered_commands]  # type: ignore[union-attr]
    for sub in group.registered_groups:
        found += _commands(sub.typer_instance, (*prefix, sub.name or ""))  # type: ignore[arg-type]
    return found


COMMANDS = _commands(app)


def test_the_commands_are_all_there() -> None:
    names = {" ".join(c) for c in COMMANDS}
    assert {"crawl", "import", "export", "status", "parse", "reparse", "db upgrade", "demo",
            "recover", "search", "show", "schedule", "health", "config",
            "profile suggest", "sites add", "sites list", "sites pause", "sites resume",
            "sites remove"} <= names  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^\s+\S.{10,}", text.split("Options:")[0], re.M), f"{command} has no help"
    assert f"feedkeeper {' '.join(command)}" in README


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["crawl", "--url", "not-a-url"], 2, "error: setting url: must be an absolute http(s) URL"),
        (["crawl"], 2, "error: crawl: the archive has no active site: pass --url URL"),
        (["crawl", "--site", "x", "--url", "https://b.example/"], 2, "give one or the other"),
        (["sites", "add", "ftp://x"], 2, "error: setting URL: must be an absolute http(s) URL"),
        (
            ["sites", "add", "https://b.example/", "--every", "soon"],
            2,
            "--every: 'soon' is not an interval",
        ),
        (["crawl", "--rate", "-1", "--url", "https://blog.example/"], 2, "setting rate"),
        (["export", "--format", "xml"], 2, "--format"),
        (["export", "--out", ""], 2, "error: --out: the file name is empty"),
        (["export", "--category", " "], 2, "error: --category: a category's name cannot be"),
        (["demo", "--db", "postgresql://u@localhost/a"], 2, "error: --db: the demo makes a SQLite"),
        (["demo", "--db", ""], 2, "error: --db: the file name is empty"),
        (["status", "--db", "/nonexistent/archive.db"], 2, "no archive at /nonexistent/archive.db"),
        (["parse", "/nonexistent/page.html"], 2, "no such file"),
        (["export", "--bogus"], 2, "No such option"),
    ],
)
def test_bad_input_is_one_clear_line(
    argv: list[str],
    code: int,
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("FEEDKEEPER_URL", "FEEDKEEPER_DB", "FEEDKEEPER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "feedkeeper.db").exists()  # a refused command creates no archive
