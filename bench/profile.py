"""Where a feedkeeper crawl spends its time: py-spy samples of one crawl, summed by stage.

    uv run python -m bench profile [--pages 2000] [--concurrency 16]

Writes bench/out/profile-crawl.txt (py-spy's collapsed stacks, for flame-graph tools)
and prints the share of samples under each stage and the busiest functions.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

STAGES = {
    "startup": ("<frozen importlib", "alembic/"),
    "fetch": (
        "feedkeeper/fetch.py", "feedkeeper/prefetch.py", "feedkeeper/inflate.py", "httpx/",
        "httpcore/", "anyio/", "h11/",
    ),
    "parse": (
        "feedkeeper/parse/", "feedkeeper/page_reader.py", "feedkeeper/parse_worker.py",
        "feedkeeper/card_words.py", "feedkeeper/markup.py", "feedkeeper/encoding.py",
    ),
    "dedupe": ("feedkeeper/dedupe.py",),
    "write": ("feedkeeper/store/", "sqlalchemy/"),
}  # fmt: skip
# The indexes' upkeep runs inside the store's statements (SQLite calls the segmenter back):
# a stack with any of these frames is theirs, whatever its innermost frame.
INDEX_MARKS = ("feedkeeper/words.py", "rjieba", "refresh_indexes", "_refresh_words")
PAGES = 600


def profile_crawl(python: Path, base_url: str, args: argparse.Namespace) -> None:
    """Record a crawl of ``PAGES`` pages under py-spy and print the summary."""
    out = args.out / "profile-crawl.txt"
    db = args.out / "profile.db"
    for path in args.out.glob("profile.db*"):
        path.unlink()
    pyspy = python.parent / "py-spy"
    pages = str(min(args.pages, PAGES))
    cmd = [
        str(pyspy),
        "record",
        "--subprocesses",
        "--format",
        "raw",
        "--rate",
        "250",
        "--output",
        str(out),
        "--",
        sys.executable,
        "-m",
        "bench.fkrun",
        "crawl",
        base_url,
        str(db),
        str(args.concurrency),
        pages,
    ]
    subprocess.run(cmd, check=True, cwd=Path(__file__).resolve().parents[1], capture_output=True)
    print(summarize(out))


def summarize(path: Path, top: int = 25) -> str:
    """Return stage shares and the functions with the most samples (self and inclusive)."""
    stages: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = stack.split(";")
        stages[_stage(frames)] += count
        for frame in set(frames):
            inclusive[_short(frame)] += count
        own[_short(frames[-1])] += count
    lines = [f"{total} samples", "", "| stage | share |", "| --- | ---: |"]
    lines += [f"| {name} | {n / total:.1%} |" for name, n in stages.most_common()]
    lines += ["", "| function (inclusive) | share |", "| --- | ---: |"]
    lines += [f"| `{name}` | {n / total:.1%} |" for name, n in _feedkeeper_first(inclusive, top)]
    lines += ["", "| function (self) | share |", "| --- | ---: |"]
    lines += [f"| `{name}` | {n / total:.1%} |" for name, n in own.most_common(top)]
    return "\n".join(lines)


def _stage(frames: list[str]) -> str:
    """Name the stage of a stack: the indexes' upkeep anywhere in it, else its innermost
    frame that belongs to a stage."""
    if any(mark in frame for frame in frames for mark in INDEX_MARKS):
        return "full-text indexes"
    for frame in reversed(frames):
        for stage, marks in STAGES.items():
            if any(mark in frame for mark in marks):
                return stage
    return "other (event loop, pipeline)"


def _short(frame: str) -> str:
    """``func (path/to/file.py:12)`` -> ``func (file.py)``."""
    name, _, where = frame.partition(" (")
    file = where.split(":")[0].rsplit("/", 2)
    return f"{name} ({'/'.join(file[-2:])})"


def _feedkeeper_first(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    mine = [
        (k, v)
        for k, v in counts.most_common()
        if "feedkeeper" in k or "store/" in k or "parse/" in k
    ]
    return mine[:top]


if __name__ == "__main__":
    print(summarize(Path(sys.argv[1])))
