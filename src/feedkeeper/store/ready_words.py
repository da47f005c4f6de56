"""Texts segmented ahead for the word index, kept on a writer's connection until it refreshes.

The parse worker segments the new cards' titles and excerpts while the main process writes;
the writer offers them here, and the next refresh of the word index takes them instead of
segmenting the same texts again. What the refresh does not take is dropped with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from feedkeeper.words import segment_words

# On a connection's record: texts already segmented (by the parse worker), for the next
# refresh of the word index to take instead of segmenting them again.
_READY_WORDS = "feedkeeper_ready_words"
# Texts kept ready at most (about 1.3 KB each, some 10 MB): the titles and excerpts of a
# batch of new posts (``INDEX_BATCH_POSTS``), and of the pages written before the commit
# that indexes them; and characters at most, texts and words counted (some 16 MB).
READY_WORDS_MAX = 8192
READY_WORDS_MAX_CHARS = 8_000_000


class _ReadyWords(dict[str, str]):
    """Texts segmented ahead, by text, with the characters they hold."""

    chars = 0


def offer_words(conn: Connection, words: Mapping[str, str]) -> None:
    """Keep ``words`` (a text -> its ``segment_words``) for the next refresh of the word index.

    What the refresh does not take is dropped with it; past ``READY_WORDS_MAX`` texts or
    ``READY_WORDS_MAX_CHARS`` characters, the rest are segmented by the refresh itself.
    """
    if not words:
        return
    info = conn.connection.info
    ready: _ReadyWords | None = info.get(_READY_WORDS)
    if ready is None:
        ready = info[_READY_WORDS] = _ReadyWords()
    for text, cut in words.items():
        size = len(text) + len(cut)
        if len(ready) >= READY_WORDS_MAX or ready.chars + size > READY_WORDS_MAX_CHARS:
            return
        ready[text] = cut
        ready.chars += size


def segmented(ready: Mapping[str, str] | None, text: str | None) -> str | None:
    """Return ``segment_words(text)``, taken from ``ready`` when it holds the text."""
    if ready and text is not None:
        found = ready.get(text)
        if found is not None:
            return found
    return segment_words(text)


def ready_words(info: Mapping[str, Any]) -> Mapping[str, str] | None:
    """The texts offered on the connection whose record's ``info`` this is, if any."""
    return info.get(_READY_WORDS)


def drop_ready_words(info: dict[str, Any]) -> None:
    """Forget the texts offered: the refresh that could take them is over."""
    info.pop(_READY_WORDS, None)
