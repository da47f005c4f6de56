"""A small hand-made archive for export, view, search, status and show tests.

Four crawls of one listing page, at fixed times, written through the store
(no parser involved). What it holds, by post id:

1. /p/flash: three versions (title and excerpt edited twice), also seen as /p/flash-v2
   (a repost, in the third crawl, which shows nothing else), placeholders code+formula
   in version 1, code in versions 2 and 3.
2. /p/formula: cells that spreadsheets read as formulas; seen in every crawl.
3. /p/hostile: control characters, emoji, quotes, commas, a newline, in run 1 only.
4. no URL: known by its excerpt; two-character Chinese words.
5. /p/long: a 20,000-character excerpt, first seen in run 2.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from feedkeeper.cards import Card, find_placeholders
from feedkeeper.pipeline import archive_page
from feedkeeper.records import PageCapture, RunCounts, RunStatus
from feedkeeper.store import Store
from feedkeeper.store.sites import ensure_site

PAGE = "https://blog.example/page/1"
RUN_TIMES = (
    "2026-01-10T08:00:00.000000Z",
    "2026-01-12T09:30:00.000000Z",
    "2026-01-13T07:00:00.000000Z",
    "2026-01-14T10:00:00.000000Z",
)

FLASH_V1 = "FlashAttention的关键创新在于分块计算自注意力 [代码] 以及 [公式]"
FLASH_V2 = "FlashAttention的关键创新在于分块计算自注意力,显存占用更低 [代码]"
FLASH_V3 = "FlashAttention的核心创新在于分块计算自注意力,显存占用更低 [代码]"
HOSTILE_EXCERPT = (
    'line one\nline two\ttab "quoted", comma 🎉 \x1f unit \u2028 sep \x85 nel \x00nul end'
)
GRADIENT_EXCERPT = "梯度检查点 Gradient Checkpointing 用计算换显存,训练大模型必备"
LONG_EXCERPT = ("长文" * 5000) + ("abcdefghij" * 1000)


def card(url: str | None, title: str | None, excerpt: str, **fields: object) -> Card:
    """A card as a parser would hand it over, placeholders found in the excerpt."""
    return Card(
        url=url, title=title, excerpt=excerpt, placeholders=find_placeholders(excerpt), **fields
    )  # type: ignore[arg-type]


FLASH = {
    "category": "NLP",
    "categories": ("NLP", "Deep Learning"),
    "tags": ("attention", "gpu"),
    "published": "2026-01-05",
}
FORMULA = card(
    "https://blog.example/p/formula",
    "=SUM(A1:A9)",
    "-1 is a number; @mention +plus",
    category="Excel",
    categories=("Excel",),
    tags=("csv", "=cmd|x"),
    published="2026-01-08",
)
HOSTILE = card(
    "https://blog.example/p/hostile",
    'Emoji 🎉 and "quotes", commas',
    HOSTILE_EXCERPT,
    category="Misc",
    categories=("Misc",),
    published="2025-12-31",
    truncated=True,
)
GRADIENT = card(None, None, GRADIENT_EXCERPT)
LONG = card(
    "https://blog.example/p/long",
    "Long",
    LONG_EXCERPT,
    category="Python",
    categories=("Python",),
    published="2026-01-12",
)

PAGES: tuple[list[Card], ...] = (
    [
        card(
            "https://blog.example/p/flash", "FlashAttention 详解", FLASH_V1, truncated=True, **FLASH
        ),  # type: ignore[arg-type]
        FORMULA,
        HOSTILE,
        GRADIENT,
    ],
    [
        card("https://blog.example/p/flash", "FlashAttention 详解(修订)", FLASH_V2, **FLASH),  # type: ignore[arg-type]
        FORMULA,
        LONG,
    ],
    [
        card(
            "https://blog.example/p/flash-v2?utm_source=feed",
            "FlashAttention 详解(修订)",
            FLASH_V2,
            **FLASH,
        ),  # type: ignore[arg-type]
    ],
    [
        card("https://blog.example/p/flash", "FlashAttention 详解(修订)", FLASH_V3, **FLASH),  # type: ignore[arg-type]
        FORMULA,
    ],
)


def build(store: Store) -> None:
    """Write the three crawls into ``store``."""
    site = ensure_site(store.engine, PAGE)
    for fetched_at, cards in zip(RUN_TIMES, PAGES, strict=True):
        run_id = store.start_run("crawl", PAGE, site.id)
        capture = PageCapture(
            PAGE, fetched_at, "parsed", 200, body=f"page at {fetched_at}".encode()
        )
        counts = RunCounts()
        counts.add(archive_page(store, site.id, run_id, capture, cards))
        store.finish_run(run_id, counts, RunStatus.OK)


_template: Path | None = None


def open_copy(path: Path) -> Store:
    """Open a copy of the sample archive at ``path`` (built once per test session)."""
    global _template
    if _template is None:
        folder = tempfile.mkdtemp(prefix="feedkeeper-sample-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _template = Path(folder) / "sample.db"
        store = Store.open(_template)
        build(store)
        store.close()
    shutil.copyfile(_template, path)
    return Store.open(path)
