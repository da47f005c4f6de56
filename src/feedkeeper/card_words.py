"""The cards' text segmented for the word index before the writer needs it.

While most cards of a crawl bring new posts, the parse worker segments each page's card
titles and excerpts (``segment_words``) and hands the words on with the page, so the
process that writes never loads the segmenter. A worker remembers the texts it segmented,
so that a post shown on every page is segmented once; a page with too much text leaves it
to the writer's index refresh, which segments a text at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from feedkeeper.dedupe import KeyedCard
from feedkeeper.words import segment_words

# Texts a worker keeps segmented, so that a post shown on every page is segmented once;
# forgotten all at once past this many texts (about 1.3 KB each, some 5 MB) or characters.
SEGMENTED_MEMORY = 4096
SEGMENTED_MEMORY_CHARS = 4_000_000
# Card text a page may have for the worker to segment it ahead (a listing page has a few
# thousand characters): the words are six times the text, and a page with more (a hostile
# one, say) leaves its text to the writer's index refresh, which segments a text at a time.
SEGMENT_AHEAD_MAX_CHARS = 100_000


class SegmentedTexts:
    """The texts a worker has segmented, by text: bounded, and forgotten all at once."""

    def __init__(self) -> None:
        self.words: dict[str, str] = {}
        self.chars = 0

    def of(self, text: str) -> str:
        """Return ``segment_words(text)``, kept from an earlier page when it was there."""
        found = self.words.get(text)
        if found is None:
            if len(self.words) >= SEGMENTED_MEMORY or self.chars >= SEGMENTED_MEMORY_CHARS:
                self.words.clear()
                self.chars = 0
            found = self.words[text] = segment_words(text) or ""
            self.chars += len(text) + len(found)
        return found


def card_texts(cards: list[KeyedCard]) -> list[str]:
    """The cards' titles and excerpts: the text the word index holds of them."""
    return [text for keyed in cards for text in (keyed.card.title, keyed.card.excerpt) if text]


def segment_texts(texts: Sequence[str], segmented: SegmentedTexts) -> dict[str, str]:
    """Return ``texts`` segmented for the word index (text -> words); none when they hold
    more than ``SEGMENT_AHEAD_MAX_CHARS`` characters."""
    if sum(map(len, texts)) > SEGMENT_AHEAD_MAX_CHARS:
        return {}
    return {text: segmented.of(text) for text in texts}


def segment_cards(cards: list[KeyedCard], segmented: SegmentedTexts) -> dict[str, str]:
    """Return the cards' titles and excerpts segmented (``segment_texts``)."""
    return segment_texts(card_texts(cards), segmented)


def segment_page_texts(
    cards: list[KeyedCard], later: Sequence[str], segmented: SegmentedTexts
) -> dict[str, str]:
    """The cards' text segmented, and the texts sent with their page (each bounded apart)."""
    words = segment_cards(cards, segmented)
    if later:
        words.update(segment_texts(later, segmented))
    return words
