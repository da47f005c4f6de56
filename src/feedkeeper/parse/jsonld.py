"""Publication dates a page states in JSON-LD (``BlogPosting``, ``ItemList``, ``@graph``)."""

from __future__ import annotations

import json
from collections import deque

from selectolax.lexbor import LexborHTMLParser

from feedkeeper.parse.machine_dates import parse_machine_date, parse_timestamp
from feedkeeper.parse.urls import resolve, strip_fragment

# Enough for any real listing's structured data; bounds the walk over hostile input.
MAX_OBJECTS = 2000
_URL_KEYS = ("url", "@id", "mainEntityOfPage")
Stated = tuple[str, str | None]  # a post's ISO date and, when given, its full timestamp


def jsonld_dates(tree: LexborHTMLParser, base_url: str) -> dict[str, Stated]:
    """Map each post URL (no fragment) the page's JSON-LD describes to (date, timestamp)."""
    found: dict[str, Stated] = {}
    for script in tree.css("script[type='application/ld+json']"):
        try:
            data = json.loads(script.text() or "null")
        except (ValueError, RecursionError):
            continue
        for item in _objects(data):
            _record(item, base_url, found)
    return found


def _objects(data: object) -> list[dict[str, object]]:
    """Return every JSON object nested in ``data``, breadth first, at most MAX_OBJECTS."""
    found: list[dict[str, object]] = []
    queue: deque[object] = deque([data])
    while queue and len(found) < MAX_OBJECTS:
        item = queue.popleft()
        if isinstance(item, dict):
            found.append(item)
            queue.extend(item.values())
        elif isinstance(item, list):
            queue.extend(item)
    return found


def _record(item: dict[str, object], base_url: str, found: dict[str, Stated]) -> None:
    value = item.get("datePublished")
    if not isinstance(value, str) or (date := parse_machine_date(value)) is None:
        return
    for key in _URL_KEYS:
        target = item.get(key)
        if isinstance(target, dict):
            target = target.get("@id") or target.get("url")
        url = resolve(target, base_url) if isinstance(target, str) else None
        if url:
            found.setdefault(strip_fragment(url), (date, parse_timestamp(value)))
            return
