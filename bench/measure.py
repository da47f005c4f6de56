"""Run one command as a child process and measure it: wall time, CPU seconds, peak RSS.

CPU seconds come from wait4() (the child and the children it waited for). Peak RSS is
the sum, over the child's process tree, of each process's own high-water mark (VmHWM),
read every 20 ms: a tool that starts helper processes is not measured smaller than it
is. (wait4's ru_maxrss is not used: a forked child inherits the parent's mark.)
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Measured:
    """What one run cost, and the JSON line it printed last (if any)."""

    wall: float
    cpu: float
    peak_rss_mb: float
    code: int
    report: dict[str, Any] = field(default_factory=dict)
    stderr: str = ""


def run(
    cmd: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900,
) -> Measured:
    """Run ``cmd`` to completion (killing it after ``timeout`` seconds) and measure it."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak: dict[int, int] = {}
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(proc.pid, peak, done), daemon=True)
    sampler.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [
        threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    timer.cancel()
    done.set()
    for reader in readers:
        reader.join()
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    report = _last_json("".join(out_chunks))
    rss_mb = sum(peak.values()) / 1024 / 1024
    return Measured(
        wall, usage.ru_utime + usage.ru_stime, rss_mb, proc.returncode, report, "".join(err_chunks)
    )


def _last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    return {}


def _sample(pid: int, peak: dict[int, int], done: threading.Event) -> None:
    while not done.is_set():
        for member, hwm in _tree_hwm(pid).items():
            peak[member] = max(peak.get(member, 0), hwm)
        done.wait(0.02)


def _tree_hwm(pid: int) -> dict[int, int]:
    """Return the peak resident bytes of ``pid`` and of each of its descendants."""
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        found[current] = int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return found
