"""Many sites: one process over 200 local sites, 1/2/4 workers on PostgreSQL, the store's cost.

    uv run python -m bench.sites [--sites 200] [--worker-sites 40] [--pages 300]

Prints the tables of BENCHMARKS.md ("Many sites") and writes bench/out/sites.json.
The local sites are copies of the fixture blog (robots.txt and two listing pages),
served by a separate process that logs when each request started and ended.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from feedkeeper.cards import Card
from feedkeeper.clock import now_iso
from feedkeeper.config import Settings
from feedkeeper.pipeline import archive_page
from feedkeeper.records import PageCapture, PageKind, SiteState
from feedkeeper.sites_crawl import crawl_sites
from feedkeeper.store import Store
from feedkeeper.store.sites import NewSite, add_site, list_sites

OUT = Path(__file__).resolve().parent / "out"

# The server process: N ports, each a copy of the fixture blog's first snapshot.
SERVER = r"""
import sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from feedkeeper.fixture_site import FixtureServer
count, delay, log_path = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
files = FixtureServer()
log = open(log_path, "a", buffering=1)
lock = threading.Lock()
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        started = time.time()
        time.sleep(delay)
        path = files.resolve(self.path)
        body = path.read_bytes() if path else b"not found"
        self.send_response(200 if path else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with lock:
            log.write(f"{self.server.server_address[1]} {started:.6f} {time.time():.6f}\n")
    def log_message(self, *args):
        pass
servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(count)]
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
print(" ".join(str(s.server_address[1]) for s in servers), flush=True)
sys.stdin.read()
"""


class Sites:
    """The server process and its request log."""

    def __init__(self, count: int, delay: float, workdir: Path) -> None:
        self.log = workdir / f"requests-{count}-{delay}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(count), str(delay), str(self.log)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.urls = [f"http://127.0.0.1:{port}/" for port in self.proc.stdout.readline().split()]

    def requests(self) -> dict[str, list[tuple[float, float]]]:
        """(start, end) of every request, by port."""
        by_port: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for line in self.log.read_text().splitlines():
            port, start, end = line.split()
            by_port[port].append((float(start), float(end)))
        return by_port

    def close(self) -> None:
        """Stop the server process."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def one_process(count: int, workdir: Path) -> dict[str, Any]:
    """Crawl ``count`` sites in one run at the default politeness (1 request/s per host)."""
    sites = Sites(count, 0.01, workdir)
    store = Store.open(workdir / f"multi-{count}.db")
    for url in sites.urls:
        add_site(store.engine, NewSite(url))
    settings = Settings(db=store.path, rate=1.0, concurrency=2)
    started = time.monotonic()
    results = crawl_sites(store, list_sites(store.engine, SiteState.ACTIVE), settings)
    wall = time.monotonic() - started
    durations = [
        float(r[0])
        for r in _rows(store, "SELECT duration_seconds FROM crawl_runs WHERE kind = 'crawl'")
    ]
    store.close()
    sites.close()
    gaps, rates = [], []
    for spans in sites.requests().values():
        starts = sorted(s for s, _ in spans)
        gaps += [b - a for a, b in itertools.pairwise(starts)]
        if len(starts) > 1:
            rates.append((len(starts) - 1) / (starts[-1] - starts[0]))
    return {
        "sites": count,
        "ok": sum(1 for r in results if r.exit_code == 0),
        "wall_s": round(wall, 2),
        "slowest_site_s": round(max(durations), 2),
        "overhead_s": round(wall - max(durations), 2),
        "max_host_rate_per_s": round(max(rates), 3),
        "min_gap_s": round(min(gaps), 3),
    }


def with_workers(counts: list[int], sites_count: int, workdir: Path) -> list[dict[str, Any]]:
    """Sites crawled per minute by 1, 2, 4 worker processes on one PostgreSQL archive."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(workdir))
    import pgserver

    server = pgserver.get_server(workdir / "pg", cleanup_mode="stop")
    figures = []
    try:
        for n in counts:
            figures.append(_worker_run(server.get_uri(), n, sites_count, workdir))
    finally:
        server.cleanup()
    return figures


def _worker_run(server_url: str, workers: int, sites_count: int, workdir: Path) -> dict[str, Any]:
    import psycopg

    name = f"bench_{workers}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    db = server_url.replace("/postgres?", f"/{name}?", 1)
    sites = Sites(sites_count, 0.1, workdir)
    store = Store.open(db)
    for url in sites.urls:
        add_site(store.engine, NewSite(url, every="1h"))
    argv = [sys.executable, "-m", "feedkeeper", "worker", "--db", db, "--rate", "0",
            "--concurrency", "1"]  # fmt: skip
    procs = [subprocess.Popen(argv, stderr=subprocess.DEVNULL) for _ in range(workers)]
    deadline = time.monotonic() + 600
    try:
        while _count(store, "SELECT count(*) FROM run WHERE status = 'ok'") < sites_count:
            if time.monotonic() > deadline or all(p.poll() is not None for p in procs):
                raise RuntimeError(f"{workers} workers did not crawl {sites_count} sites")
            time.sleep(0.5)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    first, last = _rows(store, "SELECT min(started_at) AS a, max(finished_at) AS b FROM run")[0]
    span = _seconds(last) - _seconds(first)
    store.close()
    sites.close()
    return {
        "workers": workers,
        "sites": sites_count,
        "span_s": round(span, 2),
        "sites_per_minute": round(sites_count / span * 60, 1),
    }


def store_cost(pages: int, db: Path | str, label: str) -> dict[str, Any]:
    """Milliseconds to dedupe and write one listing page of 20 new cards, and of 20 known."""
    store = Store.open(db)
    site = add_site(store.engine, NewSite(f"https://{label}.example/"))
    run = store.start_run("crawl", site.url, site.id)
    figures: dict[str, Any] = {"store": label}
    for phase in ("new", "known"):
        started = time.perf_counter()
        for page in range(pages):
            cards = [_card(page * 20 + i) for i in range(20)]
            capture = PageCapture(f"{site.url}page/{page}", now_iso(), PageKind.PARSED, body=b"x")
            archive_page(store, site.id, run, capture, cards)
        figures[f"{phase}_ms_per_page"] = round((time.perf_counter() - started) / pages * 1000, 2)
    store.close()
    return figures


def _card(n: int) -> Card:
    return Card(
        url=f"https://site.example/p/{n}",
        title=f"文章 {n}",
        excerpt=f"第 {n} 篇的摘要,讲梯度下降与注意力。" * 4,
        category="ML",
    )


def _rows(store: Store, sql: str) -> list[Any]:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return list(conn.execute(text(sql)).all())


def _count(store: Store, sql: str) -> int:
    return int(_rows(store, sql)[0][0])


def _seconds(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp).timestamp()


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(prog="python -m bench.sites")
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--worker-sites", type=int, default=40)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results: dict[str, Any] = {"one_process": one_process(args.sites, workdir)}
        print(json.dumps(results["one_process"]), flush=True)
        results["workers"] = with_workers([1, 2, 4], args.worker_sites, workdir)
        print(json.dumps(results["workers"]), flush=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(workdir))
        import pgserver

        server = pgserver.get_server(workdir / "pg2", cleanup_mode="stop")
        try:
            results["store"] = [
                store_cost(args.pages, workdir / "cost.db", "sqlite"),
                store_cost(args.pages, server.get_uri(), "postgresql"),
            ]
        finally:
            server.cleanup()
        print(json.dumps(results["store"]), flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "sites.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
