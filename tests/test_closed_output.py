"""Output read by a reader that stops early (`feedkeeper status | head -1`): the command ends
quietly with exit code 0, as when everything was read, whatever prints its output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import sample_archive

from conftest import DATA


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],  # rich
        ["search", "FlashAttention"],  # rich, a line a post
        ["export", "--format", "jsonl"],  # its own writer
        ["parse", str(DATA / "parse" / "div-grid.html"), "--base-url", "https://b.example/"],
        ["--version"],  # printed before any command runs
        ["--help"],
        ["export", "--help"],
    ],
)
def test_a_reader_that_went_away_ends_the_command_quietly(tmp_path: Path, argv: list[str]) -> None:
    sample_archive.open_copy(tmp_path / "a.db").close()
    read, write = os.pipe()
    os.close(read)  # the reader is gone before a byte is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "feedkeeper", *argv, "--db", str(tmp_path / "a.db")]
            if argv[0] in ("status", "search", "export") and "--help" not in argv
            else [sys.executable, "-m", "feedkeeper", *argv],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["status"], ["export", "--format", "jsonl"]])
def test_output_into_a_full_disk_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    sample_archive.open_copy(tmp_path / "a.db").close()
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "feedkeeper", *argv, "--db", str(tmp_path / "a.db")],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: cannot write the output: No space left on device"
    ], done.stderr


@pytest.mark.parametrize(
    ("argv", "code", "err"),
    [
        (["export", "--format", "jsonl"], 1, "error: cannot write the output: standard output"
         " is closed\n"),
        (["status", "--json"], 1, "error: cannot write the output: standard output is closed\n"),
        (["export", "--format", "jsonl", "--out", "posts.jsonl", "-q"], 0, ""),  # prints nothing
    ],
)  # fmt: skip
def test_output_closed_before_the_command_started(
    tmp_path: Path, argv: list[str], code: int, err: str
) -> None:
    """``feedkeeper export >&-``: Python leaves no standard output at all."""
    sample_archive.open_copy(tmp_path / "a.db").close()
    done = subprocess.run(
        [sys.executable, "-m", "feedkeeper", *argv, "--db", str(tmp_path / "a.db")],
        stdout=None, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        cwd=tmp_path, pass_fds=(), close_fds=True,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (code, err)
