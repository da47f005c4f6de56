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
    ("tz", "offset"),
    [
        ("Asia/Beijing", "UTC"),
        ("CST-8", "UTC+08:00"),
        ("Not/AZone", "UTC"),
        ("XXX+24", "UTC"),  # an offset of a day, which the C library takes and no zone has
    ],
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


def test_the_unknown_time_zone_warning_follows_the_log_options(tmp_path: Path) -> None:
    # -q prints only errors; JSON log lines stay JSON
    tz, db = "Not/AZone", str(tmp_path / "a.db")
    sample_archive.open_copy(tmp_path / "a.db").close()
    quiet = _run(tz, "-m", "feedkeeper", "status", "-q", "--db", db)
    assert quiet.returncode == 0 and quiet.stderr == ""
    as_json = _run(tz, "-m", "feedkeeper", "status", "--log-format", "json", "--db", db)
    assert json.loads(as_json.stderr)["message"].startswith(f"TZ={tz} names no time zone")


def test_cron_times_follow_the_c_library_offset_of_a_posix_rule() -> None:
    done = _run("CST-8", "-c", PROBE)
    assert done.stdout.strip() == "2026-01-11 03:00:00+08:00"


DST_PROBE = """
from datetime import datetime, timedelta
from types import SimpleNamespace
from feedkeeper.store.sites import Site
from feedkeeper.triggers import parse_cron, current_slot

def fires(expr, start, count):
    trigger = parse_cron(expr)
    due, found = None, []
    now = start.replace(tzinfo=trigger.timezone)
    for _ in range(count):
        due = trigger.get_next_fire_time(due, now)
        found.append(due.isoformat())
        now = due
    return found

print(fires('30 1 * * *', datetime(2026, 10, 31, 12), 2))
print(fires('*/30 * * * *', datetime(2026, 11, 1, 0, 50), 4))
print(fires('30 2 * * *', datetime(2026, 3, 7, 12), 2))
site = Site(1, 'a', 'https://a.example/', cron='30 1 * * *')
settings = SimpleNamespace(every=None, schedule='0 3 * * *')
zone = parse_cron('0 3 * * *').timezone
for fold in (0, 1):
    print(current_slot(site, settings, datetime(2026, 11, 1, 1, 45, tzinfo=zone, fold=fold)))
"""


def test_a_daily_cron_time_fires_once_in_the_hour_the_clocks_go_back_over() -> None:
    # New York's clocks went back from 02:00 EDT to 01:00 EST on 2026-11-01: 01:30 came twice
    done = _run("America/New_York", "-c", DST_PROBE)
    assert done.returncode == 0, done.stderr
    daily, half_hourly, spring, slot_first, slot_second = done.stdout.splitlines()
    assert daily == "['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00']"
    # a wildcard hour runs in both passes, as classic cron's runs of a repeating job do
    assert half_hourly == (
        "['2026-11-01T01:00:00-04:00', '2026-11-01T01:30:00-04:00',"
        " '2026-11-01T01:00:00-05:00', '2026-11-01T01:30:00-05:00']"
    )
    # 02:30 did not exist on 2026-03-08: the run comes at 03:30 EDT, once
    assert spring == "['2026-03-08T02:30:00-05:00', '2026-03-09T02:30:00-04:00']"
    # a site scheduled at 01:30 is in one crawl slot through both passes of the hour
    assert slot_first == slot_second
