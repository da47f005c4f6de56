"""A terminal whose encoding lacks Chinese (an ASCII or Latin-1 locale) still gets every
command's output: characters it cannot show are escaped, JSON lines stay valid JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sample_archive

PAGE = "".join(
    f'<article><h2><a href="/p/{n}/">表情 😀 标题 {n}</a></h2><p>摘要：梯度 {n}</p></article>'
    for n in (1, 2)
)


def _run(*argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "feedkeeper", *argv],
        capture_output=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_json_lines_are_escaped_for_an_ascii_terminal(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><main>{PAGE}</main></body></html>", encoding="utf-8")
    done = _run("parse", str(page), "--base-url", "https://b.example/")
    assert (done.returncode, done.stderr) == (0, b"")
    lines = done.stdout.decode("ascii").splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["表情 😀 标题 1", "表情 😀 标题 2"]


def test_chinese_text_is_shown_escaped_on_an_ascii_terminal(tmp_path: Path) -> None:
    sample_archive.open_copy(tmp_path / "a.db").close()
    for argv in (["show", "1"], ["search", "FlashAttention"], ["status", "--json"]):
        done = _run(*argv, "--db", str(tmp_path / "a.db"))
        assert (done.returncode, done.stderr) == (0, b""), argv
        assert done.stdout.isascii() and done.stdout, argv
    shown = _run("show", "1", "--db", str(tmp_path / "a.db")).stdout.decode("ascii")
    assert "FlashAttention \\u8be6\\u89e3" in shown  # 详解
