"""Every runnable shell example of the README and docs/ runs as written on the demo archive.

A runnable example is a fenced ``console`` block: lines starting with ``$ `` are commands,
run from a folder holding ``feedkeeper-demo.db``; the lines after a command, when there are
any, are its documented output, compared once ports and times are masked (``...`` stands
for any number of lines). Examples that need a real blog or Docker are ``sh`` blocks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import demo_archive

from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)
_MASKS = (
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?Z?(?: UTC)?"), "TIME"),
)


def examples() -> list[tuple[str, str, list[str] | None]]:
    """(where, command, documented output lines or None) for every runnable example."""
    found: list[tuple[str, str, list[str] | None]] = []
    for document in DOCUMENTS:
        for block in _BLOCK.findall(document.read_text(encoding="utf-8")):
            for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
                command, *shown = chunk.rstrip("\n").split("\n")
                where = f"{document.name}: {command}"
                found.append((where, command, shown or None))
    return found


def _mask(text: str) -> str:
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


def _matches(shown: list[str], actual: list[str]) -> bool:
    """Whether the documented lines match the output, ``...`` matching any lines."""
    if not shown:
        return not actual
    if shown[0] == "...":
        return any(_matches(shown[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and shown[0] == actual[0] and _matches(shown[1:], actual[1:])


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clone")
    demo_archive.build(folder)
    shutil.copytree(FIXTURES / "captures", folder / "fixtures" / "captures")
    return folder


def test_there_are_runnable_examples() -> None:
    where = {w.split(":")[0] for w, _, _ in examples()}
    assert {"README.md", "schema.md"} <= where
    assert len(examples()) >= 10


@pytest.mark.parametrize(("where", "command", "shown"), examples(), ids=lambda v: None)
def test_the_example_runs_as_written(
    where: str, command: str, shown: list[str] | None, demo_folder: Path
) -> None:
    if command.startswith("sqlite3") and shutil.which("sqlite3") is None:
        pytest.skip("no sqlite3 shell on this machine")
    python = f"{sys.executable} -m feedkeeper"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")}
    done = subprocess.run(
        ["bash", "-c", command.replace("uv run feedkeeper", python)],
        cwd=demo_folder,
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "100", "NO_COLOR": "1"},
        timeout=120,
    )
    assert done.returncode == 0, (where, done.stderr)
    if shown is not None:
        actual = _mask(done.stdout).rstrip("\n").split("\n")
        assert _matches([_mask(line) for line in shown], actual), (where, done.stdout)
