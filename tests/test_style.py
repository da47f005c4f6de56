"""The code stays linted and formatted: ruff over the package, migrations, tests and benchmarks."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

CHECKED = ["src", "migrations", "tests", "bench"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    paths = [p for p in CHECKED if (ROOT / p).is_dir()]
    command = [sys.executable, "-m", "ruff", *args, *paths]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    result = _ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout


def test_code_is_formatted() -> None:
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout
