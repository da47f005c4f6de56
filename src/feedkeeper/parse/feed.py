"""A blog's RSS or Atom feed: where the listing links to it, and what it says of each post.

Used, when asked for, to confirm the titles and dates read from listing cards.
Pure functions over text; the standard library's XML parser (expat refuses
entity-expansion bombs) on a body the fetcher has already size-limited.
"""

from __future__ import annotations

import email.utils
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from feedkeeper.cards import Card
from feedkeeper.errors import ParseError
from feedkeeper.identity import canonical_url
from feedkeeper.markup import check_markup
from feedkeeper.parse.dates import parse_date
from feedkeeper.text import normalize_space

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One post as the feed describes it."""

    url: str
    title: str | None
    published: str | None  # YYYY-MM-DD


def find_feed_url(html: str, base_url: str) -> str | None:
    """Return the absolute URL of the first RSS/Atom feed the page links to, if any."""
    check_markup(html)
    tree = LexborHTMLParser(html)
    for link in tree.css("link[rel~=alternate][href]"):
        kind = (link.attributes.get("type") or "").lower()
        if kind in FEED_TYPES[:2]:
            return urljoin(base_url, link.attributes.get("href") or "")
    return None


def parse_feed(xml_text: str, base_url: str) -> list[FeedEntry]:
    """Read an RSS 2.0 or Atom feed into entries; raise ParseError when it is neither."""
    try:
        root = ET.fromstring(xml_text.lstrip("\ufeff"))
    except ET.ParseError as exc:
        raise ParseError(f"the feed is not well-formed XML: {exc}") from exc
    if root.tag == f"{_ATOM}feed":
        return [_atom_entry(e, base_url) for e in root.iter(f"{_ATOM}entry") if _atom_link(e)]
    if root.tag == "rss" or root.find("channel") is not None:
        return [
            _rss_item(i, base_url) for i in root.iter("item") if (i.findtext("link") or "").strip()
        ]
    raise ParseError(f"not an RSS or Atom feed (root element {root.tag!r})")


def _rss_item(item: ET.Element, base_url: str) -> FeedEntry:
    url = urljoin(base_url, (item.findtext("link") or "").strip())
    return FeedEntry(url, _text(item.findtext("title")), _date(item.findtext("pubDate")))


def _atom_entry(entry: ET.Element, base_url: str) -> FeedEntry:
    when = entry.findtext(f"{_ATOM}published") or entry.findtext(f"{_ATOM}updated")
    title = _text(entry.findtext(f"{_ATOM}title"))
    return FeedEntry(urljoin(base_url, _atom_link(entry)), title, _date(when))


def _atom_link(entry: ET.Element) -> str:
    for link in entry.findall(f"{_ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href", "")
    return ""


def _text(value: str | None) -> str | None:
    return normalize_space(value) or None if value else None


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:  # RFC 822 dates, as RSS writes them
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return parse_date(value)  # ISO 8601, as Atom writes them


def confirm_cards(cards: list[Card], entries: list[FeedEntry]) -> tuple[list[Card], list[str]]:
    """Fill titles and dates the cards lack from the feed; report where the two disagree."""
    by_url = {canonical_url(e.url): e for e in entries}
    confirmed: list[Card] = []
    disagreements: list[str] = []
    for card in cards:
        entry = by_url.get(canonical_url(card.url)) if card.url else None
        if entry is None:
            confirmed.append(card)
            continue
        confirmed.append(
            replace(
                card, title=card.title or entry.title, published=card.published or entry.published
            )
        )
        for name in ("title", "published"):
            shown, fed = getattr(card, name), getattr(entry, name)
            if shown and fed and shown != fed:
                disagreements.append(
                    f"{card.url}: the card's {name} {shown!r} differs from the feed's {fed!r}"
                )
    return confirmed, disagreements
