"""Card extraction on the same listing pages, three ways (runs in bench/.venv):

- floor: selectolax/lexbor parse plus the fewest CSS queries that read the same fields
  (url, title, date, category, tags, excerpt, truncation, next link), knowing the theme;
- feedkeeper: ``parse_listing`` with no configuration;
- BeautifulSoup with the lxml parser and the same CSS queries as the floor.

    python bench/parsebench.py SITE_DIR PAGES ROUNDS

prints one JSON line: milliseconds per page for each, and how many cards each read.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from feedkeeper.parse import parse_listing

_WS = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.{3,}|…+)\s*$")
Card = dict[str, Any]


def clean(text: str) -> str:
    """Collapse whitespace as a reader sees it."""
    return _WS.sub(" ", text.replace("\xa0", " ")).strip()


def _card(url: str, title: str, date: str, category: str, tags: list[str], summary: str) -> Card:
    excerpt = clean(summary)
    stripped = _ELLIPSIS.sub("", excerpt)
    return {
        "url": url,
        "title": clean(title),
        "published": date.strip(),
        "category": clean(category),
        "tags": tags,
        "excerpt": stripped,
        "truncated": stripped != excerpt,
    }


def floor(html: str, base: str) -> tuple[list[Card], str | None]:
    """selectolax with the theme's selectors: the least work that yields the fields."""
    tree = LexborHTMLParser(html)
    cards = []
    for node in tree.css("li.entry"):
        link = node.css_first("h3.entry-title a")
        time_node = node.css_first("time")
        category = node.css_first(".cat-links a")
        summary = node.css_first(".entry-summary")
        cards.append(
            _card(
                urljoin(base, link.attributes.get("href") or "") if link else "",
                link.text() if link else "",
                time_node.text() if time_node else "",
                category.text() if category else "",
                [tag.text() for tag in node.css(".tags-links a")],
                summary.text() if summary else "",
            )
        )
    nxt = tree.css_first(".nav-links a.next")
    return cards, urljoin(base, nxt.attributes.get("href") or "") if nxt else None


def soup(html: str, base: str) -> tuple[list[Card], str | None]:
    """BeautifulSoup(lxml) with the same selectors."""
    from bs4 import BeautifulSoup  # bench/.venv's: the module imports without it

    tree = BeautifulSoup(html, "lxml")
    cards = []
    for node in tree.select("li.entry"):
        link = node.select_one("h3.entry-title a")
        time_node = node.select_one("time")
        category = node.select_one(".cat-links a")
        summary = node.select_one(".entry-summary")
        cards.append(
            _card(
                urljoin(base, str(link.get("href") or "")) if link else "",
                link.get_text() if link else "",
                time_node.get_text() if time_node else "",
                category.get_text() if category else "",
                [tag.get_text() for tag in node.select(".tags-links a")],
                summary.get_text() if summary else "",
            )
        )
    nxt = tree.select_one(".nav-links a.next")
    return cards, urljoin(base, str(nxt.get("href") or "")) if nxt else None


def feedkeeper(html: str, base: str) -> tuple[list[Card], str | None]:
    """feedkeeper's zero-configuration parser."""
    page = parse_listing(html, base)
    return [
        {
            "url": c.url,
            "title": c.title,
            "published": c.published,
            "category": c.category,
            "tags": list(c.tags),
            "excerpt": c.excerpt,
            "truncated": c.truncated,
        }
        for c in page.cards
    ], page.next_url


Parser = Callable[[str, str], tuple[list[Card], str | None]]


def bench(parse: Parser, pages: list[tuple[str, str]], rounds: int) -> tuple[float, int]:
    """Return the best-of-``rounds`` CPU milliseconds per page, and the cards read in one pass.

    CPU time, not wall time: the figure should not depend on what else the machine runs.
    """
    best = float("inf")
    cards = 0
    for _ in range(rounds):
        started = time.process_time()
        cards = sum(len(parse(html, base)[0]) for html, base in pages)
        best = min(best, time.process_time() - started)
    return best / len(pages) * 1000, cards


def agreement(pages: list[tuple[str, str]]) -> float:
    """Share of the floor's cards (one per post and page) that feedkeeper reads identically."""
    same = total = 0
    for html, base in pages:
        mine = {card["url"]: card for card in feedkeeper(html, base)[0]}
        theirs: dict[str, Card] = {}
        for card in floor(html, base)[0]:
            theirs.setdefault(card["url"], card)  # a pinned post shown twice is one card
        total += len(theirs)
        same += sum(1 for url, card in theirs.items() if mine.get(url) == card)
    return same / total if total else 0.0


def load_pages(site: Path, count: int) -> list[tuple[str, str]]:
    """Return (HTML, base URL) of the first ``count`` listing pages of one generation."""
    pages = []
    for number in range(1, count + 1):
        path = site / ("index.html" if number == 1 else f"page/{number}/index.html")
        base = "http://127.0.0.1/" + ("" if number == 1 else f"page/{number}/")
        pages.append((path.read_text(encoding="utf-8"), base))
    return pages


def main() -> None:
    """Time the three parsers on the first PAGES listing pages of SITE_DIR."""
    site, count, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    pages = load_pages(site, count)
    report: dict[str, Any] = {"pages": len(pages)}
    for name, parse in (("floor", floor), ("feedkeeper", feedkeeper), ("bs4_lxml", soup)):
        ms, cards = bench(parse, pages, rounds if name != "bs4_lxml" else 1)
        report[name] = {"ms_per_page": ms, "cards": cards}
    report["agreement"] = agreement(pages[:50])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
