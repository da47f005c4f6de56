"""A ``TZ`` that names no zone the machine knows (a POSIX rule such as ``CST-8``, a misspelt
``Asia/Beijing``) is no reason for a command to fail: cron times follow the offset the C
library applies, and one line says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sample_archive

PROBE = (
    "from datetime import datetime; from feedkeeper.triggers import parse_cron;"
    "t = parse_cron('0 3 * * *');"
    "print(t.get_next_fire_time(None, datetime(2026, 1, 10, 12, 0, tzinfo=t.timezone)))"
)


def _run(tz: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv], env={**os.environ, "TZ": tz},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("tz", "offset"), [("Asia/Beijing", "UTC"), ("CST-8", "UTC+08:00"), ("Not/AZone", "UTC")]
)
def test_a_time_zone_the_machine_does_not_know_is_one_line(
    tmp_path: Path, tz: str, offset: str
) -> None:
    sample_archive.open_copy(tmp_path / "a.db").close()
    done = _run(tz, "-m", "feedkeeper", "status", "--db", str(tmp_path / "a.db"))
    assert done.returncode == 0
    [line] = done.stderr.splitlines()  # one line, a warning as the command's log writes them
    assert line.endswith(
        f"WARNING TZ={tz} names no time zone this machine knows: cron times follow {offset}"
        " all year"
    )
    # -q prints only errors; JSON log lines stay JSON
    quiet = _run(tz, "-m", "feedkeeper", "status", "-q", "--db", str(tmp_path / "a.db"))
    assert quiet.returncode == 0 and quiet.stderr == ""
    as_json = _run(
        tz, "-m", "feedkeeper", "status", "--log-format", "json", "--db", str(tmp_path / "a.db")
    )
    assert json.loads(as_json.stderr)["message"].startswith(f"TZ={tz} names no time zone")


def test_cron_times_follow_the_c_library_offset_of_a_posix_rule() -> None:
    done = _run("CST-8", "-c", PROBE)
    assert done.stdout.strip() == "2026-01-11 03:00:00+08:00"
