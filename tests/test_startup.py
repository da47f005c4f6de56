"""The command line starts fast: importing it loads no heavy library until a command needs it."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

from feedkeeper.cli import main

HEAVY = ("sqlalchemy", "sqlmodel", "httpx", "selectolax", "rich", "alembic", "apscheduler")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = {name.split(".")[0] for name in _modules_after("import feedkeeper.cli")}
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_help_and_version_load_no_heavy_library() -> None:
    for argv in (["--help"], ["--version"], ["crawl", "--help"], ["export", "-h"]):
        code = f"from feedkeeper.cli import main\nmain({argv!r})"
        loaded = {name.split(".")[0] for name in _modules_after(code)}
        assert loaded.isdisjoint(HEAVY), (argv, sorted(loaded & set(HEAVY)))


def test_version_and_short_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "feedkeeper 0.1.0\n"
    assert main(["-h"]) == 0
    assert "Usage: feedkeeper [OPTIONS] COMMAND" in capsys.readouterr().out
    assert main(["status", "-h"]) == 0
    assert "Show recent runs" in capsys.readouterr().out


def test_help_can_be_asked_for_again_and_again(capsys: pytest.CaptureFixture[str]) -> None:
    # A help that grew the stack by a frame a call would overflow a lowered limit soon: the
    # limit leaves a help the 90 frames it needs (about 80), and more calls are made than
    # frames left above this one, so that a frame kept a call would overflow it.
    limit, headroom = sys.getrecursionlimit(), 90
    sys.setrecursionlimit(len(inspect.stack()) + headroom)
    try:
        for _ in range(headroom + 1):
            assert main(["status", "-h"]) == 0
    finally:
        sys.setrecursionlimit(limit)
    assert "--runs <int>" in capsys.readouterr().out
