"""The archive `feedkeeper demo` builds, made once per test module that needs it."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from feedkeeper.cli import main

DEMO_DB = "feedkeeper-demo.db"


def build(folder: Path, name: str = DEMO_DB) -> Path:
    """Run `feedkeeper demo` into ``folder``/``name`` and return the archive's path."""
    db = folder / name
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--db", str(db)]) == 0
    return db
