"""A stop that lands at a command's edges (as it loads, as it reads its command line, just
after it put its signal handlers back) ends it as one in the middle does: "interrupted" and
exit 130, or, once the command is over, nothing at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from feedkeeper.cli import common, main

# The command loads with a finder that sends the process a signal as the CLI's module is
# looked for: the moment a Ctrl-C in the first second of a command lands in.
WHILE_LOADING = """
import os, signal, sys

class SignalAsTheCliLoads:
    def find_spec(self, name, path=None, target=None):
        if name == "feedkeeper.cli":
            os.kill(os.getpid(), signal.{signal})
        return None

sys.meta_path.insert(0, SignalAsTheCliLoads())
sys.argv = ["feedkeeper", "config"]
from feedkeeper.__main__ import main
main()
"""

# SIGTERM sent just after the command put back the signal handlers it had replaced.
AFTER_THE_COMMAND = """
import os, signal, sys
import feedkeeper.cli as cli

stop_on_sigterm = cli._stop_on_sigterm

def then_sigterm():
    restore = stop_on_sigterm()

    def restore_then_stop():
        restore()
        os.kill(os.getpid(), signal.SIGTERM)

    return restore_then_stop

cli._stop_on_sigterm = then_sigterm
sys.argv = ["feedkeeper", "config"]
from feedkeeper.__main__ import main
main()
"""


def _run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")}
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, timeout=60, check=False, cwd=cwd, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_stop_while_the_command_loads_says_interrupted(stop: str, tmp_path: Path) -> None:
    """Ctrl-C as the CLI loaded ended the command with 130 and nothing said; SIGTERM and
    SIGHUP killed it (143, 129)."""
    done = _run(WHILE_LOADING.replace("{signal}", stop), tmp_path)
    assert (done.returncode, done.stderr) == (130, "interrupted\n")
    assert done.stdout == ""


def test_sigterm_just_after_the_command_ends_changes_nothing(tmp_path: Path) -> None:
    """The command had put SIGTERM back to the system's answer, which killed the process
    (143) though the command had done its work."""
    done = _run(AFTER_THE_COMMAND, tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert "db = " in done.stdout


@pytest.mark.parametrize("reader", [common.Group, common.Command])
def test_a_ctrl_c_while_the_command_line_is_read_says_interrupted(
    reader: type, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Typer answered a Ctrl-C outside the command's own function (reading the options,
    the settings they name) with exit 130 and not a word."""

    def ctrl_c(*_args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(reader, "parse_args", ctrl_c)
    assert main(["config"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
