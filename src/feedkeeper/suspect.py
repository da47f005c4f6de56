"""Suspect pages: a parse that looks like garbage next to the last good parse of its URL.

A suspect page is kept (for ``reparse``) but none of its cards are archived.
"""

from __future__ import annotations

from feedkeeper.cards import ParsedPage
from feedkeeper.records import Validators

# A page is suspect, and its cards are not archived, when they collapsed to under half
# of what the last good parse of the same URL held, or the parser went from sure to unsure.
COLLAPSE_RATIO = 0.5
MIN_CARDS_FOR_COLLAPSE = 4
UNSURE = 0.4
SUSPECT = "the parse looks wrong, cards not archived: "


def suspect_parse(parsed: ParsedPage, previous: Validators | None) -> str | None:
    """Say why a page's parse looks like garbage next to the last good one, or None."""
    if previous is None or not previous.cards:
        return None
    was, now = previous.cards, len(parsed.cards)
    # A last page may legitimately shrink; a page with a next link should not.
    if parsed.next_url and was >= MIN_CARDS_FOR_COLLAPSE and now < was * COLLAPSE_RATIO:
        return f"{now} cards where the last crawl found {was}"
    if parsed.confidence < UNSURE <= (previous.confidence or 0.0):
        reasons = "; ".join(parsed.warnings) or "no clear listing"
        before = previous.confidence or 0.0
        now_conf = f"{parsed.confidence:.2f}"
        return f"the parser is unsure (confidence {now_conf}, was {before:.2f}): {reasons}"
    return None
