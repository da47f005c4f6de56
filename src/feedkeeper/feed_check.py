"""The blog's feed as a second opinion on the cards' titles and dates (``use_feed``)."""

from __future__ import annotations

import logging

from feedkeeper.cards import Card
from feedkeeper.errors import FetchError, ParseError
from feedkeeper.fetch import Fetcher
from feedkeeper.parse.feed import FeedEntry, confirm_cards, find_feed_url, parse_feed
from feedkeeper.scope import is_in_scope

log = logging.getLogger(__name__)


async def load_feed(
    fetcher: Fetcher, start_url: str, warnings: list[str]
) -> list[FeedEntry] | None:
    """Read the feed the listing links to; a missing or broken feed is a warning, not a failure."""
    try:
        listing = await fetcher.fetch(start_url)
        feed_url = find_feed_url(listing.text()[0], listing.url)
        if feed_url is None:
            warnings.append("use_feed: the listing links to no RSS or Atom feed")
            return None
        if not is_in_scope(start_url, feed_url):
            warnings.append(f"use_feed: the feed {feed_url} is outside the site: not read")
            return None
        feed = await fetcher.fetch(feed_url)
        return parse_feed(feed.text()[0], feed.url)
    except (FetchError, ParseError) as exc:
        warnings.append(f"use_feed: cannot read the feed: {exc.message}")
        return None


def confirm_with_feed(cards: list[Card], entries: list[FeedEntry]) -> list[Card]:
    """Return the cards with what the feed says of them; log where the two disagree."""
    confirmed, disagreements = confirm_cards(cards, entries)
    for note in disagreements:
        log.warning("feed disagrees: %s", note, extra={"event": "feed_disagrees", "detail": note})
    return confirmed
