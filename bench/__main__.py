"""Run every benchmark end to end: ``uv run python -m bench`` (see BENCHMARKS.md).

    python -m bench [--pages 2000] [--concurrency 16] [--growth 1000,10000,100000,1000000]
                    [--export-posts 200000] [--out bench/out]
    python -m bench profile [--pages 600]

Writes bench/out/results.json (raw figures) and bench/out/report.md (the tables).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from bench import env, measure, report, sitegen
from bench.measure import Measured
from bench.prefill import prefill
from bench.score import score_feedkeeper, score_scrapy
from bench.server import Nginx
from feedkeeper.store import Store

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
# Pages of the first crawl after each growth fill, not part of the measured range.
WARM_UP_PAGES = 10
# Paired measurements of the largest archive beyond the first (each on pages of its own).
PAIRS_AT_LARGEST = 1


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run the suite or the profile."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("what", nargs="?", default="all", choices=["all", "profile"])
    parser.add_argument("--pages", type=int, default=2000, help="listing pages of the site")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="requests in flight, every tool"
    )
    parser.add_argument("--growth", default="1000,10000,100000,1000000", help="archive sizes")
    parser.add_argument("--growth-pages", type=int, default=100, help="pages crawled per size")
    parser.add_argument("--export-posts", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    python = env.ensure_venv()
    env.compile_bytecode()
    site_dir = _site(args.out, args.pages)
    if args.what == "profile":
        from bench.profile import profile_crawl

        with Nginx(site_dir, args.out).serving("gen1") as server:
            profile_crawl(python, server.base_url, args)
        return
    results: dict[str, Any] = {"machine": _machine(), "args": _jsonable(vars(args))}
    with Nginx(site_dir, args.out).serving("gen1") as server:
        results["crawl"] = crawl_comparison(python, server, site_dir, args)
        results["parse"] = _json(
            measure.run(
                [
                    str(python),
                    str(BENCH / "parsebench.py"),
                    str(site_dir / "gen2"),
                    str(min(args.pages, 200)),
                    "3",
                ]
            )
        )
        results["reparse"] = reparse_run(args)
        results["stages"] = stage_costs(site_dir)
        results["recrawl"] = recrawl_runs(server, args)
        server.serve("gen1")
        results["growth"], results["export"] = growth_and_export(server, args)
    results["machine"]["load_after"] = os.getloadavg()
    results["total_seconds"] = time.perf_counter() - started
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    text = report.render(results)
    (args.out / "report.md").write_text(text, encoding="utf-8")
    print(text)


def _site(out: Path, pages: int) -> Path:
    """Generate the site unless the same one is already on disk."""
    site = out / "site"
    stamp = f"{pages} {hashlib.sha256((BENCH / 'sitegen.py').read_bytes()).hexdigest()}"
    if (site / "stamp").exists() and (site / "stamp").read_text() == stamp:
        return site
    print(f"generating a blog of {pages} listing pages ...", flush=True)
    sitegen.write_site(sitegen.build(pages), site)
    (site / "stamp").write_text(stamp)
    return site


def crawl_comparison(
    python: Path, server: Nginx, site: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Measurement 1: the bare client, feedkeeper and Scrapy on generation 1, then 2; scores."""
    out, c = args.out, str(args.concurrency)
    fk_db, scrapy_db = out / "feedkeeper.db", out / "scrapy.db"
    for path in [*out.glob("feedkeeper.db*"), *out.glob("scrapy.db*")]:
        path.unlink()
    fk_cmd = [
        sys.executable,
        "-m",
        "feedkeeper",
        "crawl",
        "--url",
        server.base_url,
        "--db",
        str(fk_db),
        "--full",
        "--rate",
        "0",
        "--concurrency",
        c,
        "--max-pages",
        str(args.pages),  # the default (1000) would stop half way
        "--no-recover",  # the crawl alone, as Scrapy's job does
    ]
    scrapy_cmd = [str(python), str(BENCH / "scrapy_job.py"), server.base_url, str(scrapy_db), c]
    result: dict[str, Any] = {}
    print("crawl: bare httpx, feedkeeper, Scrapy on generation 1 ...", flush=True)
    result["httpx"] = _json(
        measure.run(
            [sys.executable, str(BENCH / "floor_fetch.py"), server.base_url, str(args.pages), c]
        )
    )
    result["feedkeeper"] = _json(measure.run(fk_cmd))
    result["scrapy"] = _json(measure.run(scrapy_cmd))
    _copy_archive(fk_db, out / "feedkeeper-gen1.db")
    print("crawl: feedkeeper and Scrapy on generation 2 (5 % of posts edited) ...", flush=True)
    server.serve("gen2")
    result["feedkeeper_gen2"] = _json(measure.run(fk_cmd))
    result["scrapy_gen2"] = _json(measure.run(scrapy_cmd))
    truth = sitegen.load_truth(site)
    result["score"] = {
        "feedkeeper": score_feedkeeper(fk_db, server.base_url, truth).as_dict(),
        "scrapy": score_scrapy(scrapy_db, server.base_url, truth).as_dict(),
    }
    return result


def reparse_run(args: argparse.Namespace) -> dict[str, Any]:
    """Measurement 3: reparse every stored page of the generation-1 archive."""
    print("reparse ...", flush=True)
    return _json(
        measure.run(
            [sys.executable, "-m", "bench.fkrun", "reparse", str(args.out / "feedkeeper-gen1.db")],
            cwd=ROOT,
        )
    )


def stage_costs(site: Path) -> dict[str, Any]:
    """Measurement 7: CPU per page of parse, dedupe and write; the full-text indexes' share."""
    print("stages: parse, dedupe, write with and without the full-text indexes ...", flush=True)
    pages = str(min(500, len(list((site / "gen1" / "page").iterdir())) + 1))
    return _json(measure.run([sys.executable, "-m", "bench.stages", str(site), pages], cwd=ROOT))


def recrawl_runs(server: Nginx, args: argparse.Namespace) -> dict[str, Any]:
    """Measurement 5: the unchanged site again, answered 304, then with validators ignored."""
    print("re-crawl of the unchanged site ...", flush=True)
    db = str(args.out / "feedkeeper.db")
    c = str(args.concurrency)
    cmd = [sys.executable, "-m", "bench.fkrun", "crawl", server.base_url, db, c]
    result = {"not_modified": _json(measure.run(cmd, cwd=ROOT))}
    server.set_conditional(False)
    try:
        result["no_validators"] = _json(measure.run([*cmd, str(min(args.pages, 500))], cwd=ROOT))
    finally:
        server.set_conditional(True)
    return result


def growth_and_export(
    server: Nginx, args: argparse.Namespace
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Measurements 4 and 6: crawl cost as the archive grows; export of a large archive.

    Each size's crawl is paired with a crawl of the same pages into a copy of the smallest
    archive, run right after it: the two see the same machine, so their ratio is the cost
    of the archive's size, where two crawls minutes apart also differ by what else ran.
    """
    db = args.out / "growth.db"
    smallest = args.out / "growth-smallest.db"
    for path in [*args.out.glob("growth.db*"), *args.out.glob("growth-smallest.db*")]:
        path.unlink()
    Store.open(db).close()
    sizes = sorted(int(size) for size in args.growth.split(","))
    growth, exported = [], {}
    span = max(1, min(args.growth_pages, (args.pages - 1) // (len(sizes) + PAIRS_AT_LARGEST)))
    for index, size in enumerate(sizes):
        if not exported and size > args.export_posts:
            exported = export_runs(db, server, args)
        print(f"growth: {size} posts archived ...", flush=True)
        started = time.perf_counter()
        prefill(db, server.base_url, size)
        fill_seconds = time.perf_counter() - started
        # The first crawl after a bulk fill pays once for what the fill left (an archive in
        # use has been crawled before): it is a few pages at the far end of the site, and
        # reported apart. Then the measured range, one request at a time, all in one
        # process: the figure is the whole per-page cost.
        warm_from = args.pages - WARM_UP_PAGES * (index + 1) + 1
        first_crawl: dict[str, Any] = {}
        if warm_from > 1 + (len(sizes) + PAIRS_AT_LARGEST) * span:
            first_crawl = _growth_crawl(server, db, warm_from, WARM_UP_PAGES)
        if index == 0:  # the reference: the smallest archive, crawled once, as it now is
            _copy_archive(db, smallest)
        pairs = []
        ranges = [index] if index < len(sizes) - 1 else range(index, index + 1 + PAIRS_AT_LARGEST)
        for number, at in enumerate(ranges):
            first = 2 + at * span
            run = _growth_crawl(server, db, first, span)
            reference = _reference_crawl(server, smallest, first, span)
            pairs.append({"first": first, "sized": run, "smallest": reference})
            if number == 0:
                measured = run
        growth.append(
            {
                "archived": size,
                "prefill_seconds": fill_seconds,
                "first_crawl": first_crawl,
                **measured,
                "pairs": pairs if index else [],
            }
        )
    if not exported:
        exported = export_runs(db, server, args)
    return growth, exported


def _reference_crawl(server: Nginx, smallest: Path, first: int, pages: int) -> dict[str, Any]:
    """Crawl the pages of a paired measurement into a fresh copy of the smallest archive."""
    copy = smallest.with_name("growth-reference.db")
    for path in smallest.parent.glob("growth-reference.db*"):
        path.unlink()
    _copy_archive(smallest, copy)
    return _growth_crawl(server, copy, first, pages)


def _copy_archive(source: Path, target: Path) -> None:
    """Copy an archive with SQLite's backup, its write-ahead log included.

    The target's files go first: a write-ahead log left beside an earlier copy would be
    read into the new one as if it were its own, and corrupt it.
    """
    for path in (target, *(target.with_name(target.name + end) for end in ("-wal", "-shm"))):
        path.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _growth_crawl(server: Nginx, db: Path, first: int, pages: int) -> dict[str, Any]:
    """Crawl ``pages`` listing pages from page ``first`` into the growth archive, one at a time."""
    command = [
        sys.executable,
        "-m",
        "bench.fkrun",
        "crawl",
        f"{server.base_url}page/{first}/",
        str(db),
        "1",
        str(pages),
        server.base_url,  # the prefilled site's own listing
    ]
    return _json(measure.run(command, cwd=ROOT))


def export_runs(db: Path, server: Nginx, args: argparse.Namespace) -> dict[str, Any]:
    """Export ``args.export_posts`` posts (filled in first) to JSON Lines and CSV."""
    have = prefill(db, server.base_url, args.export_posts)
    print(f"export: {have} posts to jsonl and csv ...", flush=True)
    result: dict[str, Any] = {}
    for fmt in ("jsonl", "csv"):
        target = args.out / f"export.{fmt}"
        run = measure.run(
            [
                sys.executable,
                "-m",
                "feedkeeper",
                "export",
                "--format",
                fmt,
                "--out",
                str(target),
                "--db",
                str(db),
            ],
            cwd=ROOT,
        )
        result[fmt] = {**_json(run), "bytes": target.stat().st_size if target.exists() else 0}
        result[fmt]["lines"] = _count_lines(target)
    return result


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _json(run: Measured) -> dict[str, Any]:
    if run.code != 0:
        print(f"  exit {run.code}: {run.stderr[-2000:]}", file=sys.stderr)
    return {
        "wall": run.wall,
        "cpu": run.cpu,
        "peak_rss_mb": run.peak_rss_mb,
        "code": run.code,
        **run.report,
    }


def _machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        mem_kb = int(handle.readline().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "nginx": Nginx.version(),
        "tools": env.tool_versions(),
        "load_before": os.getloadavg(),
    }


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}


if __name__ == "__main__":
    main()
