"""The bare HTTP client: httpx fetching every listing page, no parsing, no storing.

Run as a script so its wall time, CPU and peak RSS are measured like the crawlers':
``python bench/floor_fetch.py BASE_URL PAGES CONCURRENCY`` prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx


def listing_urls(base: str, pages: int) -> list[str]:
    """Return the URLs of listing pages 1..pages."""
    return [base] + [f"{base}page/{n}/" for n in range(2, pages + 1)]


async def fetch_all(urls: list[str], concurrency: int) -> tuple[int, int]:
    """Fetch every URL with ``concurrency`` workers over one pooled client."""
    queue = list(reversed(urls))
    fetched = size = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal fetched, size
            while queue:
                response = await client.get(queue.pop())
                response.raise_for_status()
                fetched += 1
                size += len(response.content)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return fetched, size


def main() -> None:
    """Fetch the pages and print what was fetched and how long it took."""
    base, pages, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    started = time.perf_counter()
    fetched, size = asyncio.run(fetch_all(listing_urls(base, pages), concurrency))
    seconds = time.perf_counter() - started
    print(json.dumps({"pages": fetched, "bytes": size, "seconds": seconds}))


if __name__ == "__main__":
    main()
