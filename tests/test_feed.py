"""RSS and Atom feeds: found from the listing, read, and used to confirm cards."""

from __future__ import annotations

import pytest

from feedkeeper.cards import Card
from feedkeeper.errors import ParseError
from feedkeeper.parse.feed import FeedEntry, confirm_cards, find_feed_url, parse_feed

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>博客</title>
  <item><title>PyTorch DDP 快速上手</title><link>https://blog.example/posts/ddp/</link>
        <pubDate>Sun, 11 Jan 2026 08:00:00 +0800</pubDate></item>
  <item><title> Adam 与
      AdamW </title><link>/posts/adamw/</link>
      <pubDate>Mon, 12 Jan 2026 23:30:00 +0800</pubDate></item>
  <item><title>no link</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
  <entry><title>GBDT</title><link href="https://blog.example/posts/gbdt/"/>
    <published>2026-01-09T10:00:00+08:00</published><updated>2026-02-01T10:00:00Z</updated></entry>
  <entry><title>Only updated</title><link rel="alternate" href="/posts/xgb/"/>
    <link rel="edit" href="/edit/xgb"/><updated>2026-01-10T10:00:00Z</updated></entry>
</feed>"""


def test_rss() -> None:
    assert parse_feed(RSS, "https://blog.example/") == [
        FeedEntry("https://blog.example/posts/ddp/", "PyTorch DDP 快速上手", "2026-01-11"),
        FeedEntry("https://blog.example/posts/adamw/", "Adam 与 AdamW", "2026-01-12"),
    ]


def test_atom_prefers_published_over_updated() -> None:
    assert parse_feed(ATOM, "https://blog.example/") == [
        FeedEntry("https://blog.example/posts/gbdt/", "GBDT", "2026-01-09"),
        FeedEntry("https://blog.example/posts/xgb/", "Only updated", "2026-01-10"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<html><body>hi</body></html>", "not an RSS or Atom feed"),
        ("<rss><channel>", "not well-formed"),
    ],
)
def test_not_a_feed(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_feed(text, "https://blog.example/")


def test_entity_expansion_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]><rss><channel><item><title>&i;</title><link>/x</link></item></channel></rss>"
    )
    with pytest.raises(ParseError):
        parse_feed(bomb, "https://blog.example/")


def test_find_feed_url() -> None:
    html = """<html><head><link rel="stylesheet" href="/a.css">
      <link rel="alternate" type="application/atom+xml" href="/atom.xml"></head></html>"""
    assert find_feed_url(html, "https://blog.example/page/2/") == "https://blog.example/atom.xml"
    assert find_feed_url("<html><head></head></html>", "https://blog.example/") is None


def test_confirm_fills_missing_values_and_reports_disagreements() -> None:
    entries = parse_feed(RSS, "https://blog.example/")
    cards = [
        Card(url="https://blog.example/posts/ddp/?utm_source=x", title=None, excerpt="Quick Start"),
        Card(
            url="https://blog.example/posts/adamw/", title="Adam 与 AdamW", published="2026-01-13"
        ),
        Card(url="https://blog.example/posts/other/", title="Other"),
    ]
    confirmed, notes = confirm_cards(cards, entries)
    assert [(c.title, c.published) for c in confirmed] == [
        ("PyTorch DDP 快速上手", "2026-01-11"),
        ("Adam 与 AdamW", "2026-01-13"),
        ("Other", None),
    ]
    assert notes == [
        "https://blog.example/posts/adamw/: the card's published '2026-01-13'"
        " differs from the feed's '2026-01-12'"
    ]
