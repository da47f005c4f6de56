"""A "Read more" written as plain text at the end of an excerpt, and what dresses it."""

from __future__ import annotations

import re

from feedkeeper.parse.vocab import READ_MORE_PHRASES

# The phrases, the longest first (so that "baca selengkapnya" goes whole, not its last word).
_TRAILING_READ_MORE = tuple(sorted(READ_MORE_PHRASES, key=len, reverse=True))
_LONGEST_READ_MORE = len(_TRAILING_READ_MORE[0])
# Their last characters: a text ending otherwise (lowered) ends with none of them.
_READ_MORE_ENDS = frozenset(phrase[-1] for phrase in _TRAILING_READ_MORE)
_ARROWS = "»›→>"
# Brackets a theme writes round its read-more text: "（阅读全文）", "[阅读全文]", "【阅读全文】".
_BUTTON_OPENERS, BUTTON_CLOSERS = "(（[【", ")）]】"
# A "more" button's word when it follows the excerpt's ellipsis: "...more", "……更多".
_MORE_WORDS = ("more", "更多")


def strip_read_more(text: str) -> str:
    """Drop a trailing "Read more" written as plain text rather than as a link, with what
    dresses it: arrows ("阅读全文 »"), brackets ("（阅读全文）"), an ellipsis of the button's
    own ("Read More..."); a bare "more" after the excerpt's ellipsis ("...more")."""
    kept = text.rstrip().rstrip(_ARROWS).rstrip()
    core, bracketed = kept, kept[-1:] in BUTTON_CLOSERS
    if bracketed:
        core = core[:-1].rstrip()
    button_ellipsis = core.endswith(("...", "…")) and not bracketed
    if button_ellipsis:
        core = core.rstrip(".…").rstrip()
    head = _before_read_more(core)
    if head is None:
        return _without_more_after_ellipsis(text, kept)
    if bracketed:
        if head[-1:] not in _BUTTON_OPENERS:
            return text
        head = head[:-1]
    if head[-1:].isascii() and head[-1:].isalpha():
        return text  # a word that ends so ("bread more"), not the button
    return head.rstrip()


# Brackets left round nothing at the end: a read-more link's, its text read apart
# (Dreamwidth's cut, ``<b>( <a>Read more...</a> )</b>``).
_EMPTY_BRACKETS_RE = re.compile(r"\s*[(（\[【]\s*[)）\]】]$")


def without_empty_brackets(text: str) -> str:
    """Drop the brackets a read-more link left at the excerpt's end, holding nothing now."""
    return _EMPTY_BRACKETS_RE.sub("", text)


def _before_read_more(text: str) -> str | None:
    """Return the text before a read-more phrase it ends with, else None."""
    if text[-1:].lower() not in _READ_MORE_ENDS:  # most texts: asked of 63 endings at once
        return None
    tail = text[-_LONGEST_READ_MORE:]
    end = tail.lower()
    if not end.endswith(_TRAILING_READ_MORE) or len(end) != len(tail):
        return None
    words = next(words for words in _TRAILING_READ_MORE if end.endswith(words))
    return text[: len(text) - len(words)].rstrip()


def _without_more_after_ellipsis(text: str, kept: str) -> str:
    """Return "…[公式]..." for "…[公式]...more" and "…[公式]... »": the excerpt's own ellipsis
    with the button's word or arrow after it."""
    end = kept[-4:].lower()
    for word in _MORE_WORDS:
        if end.endswith(word) and kept[: -len(word)].rstrip().endswith(("...", "…")):
            return kept[: -len(word)].rstrip()
    if len(kept) != len(text.rstrip()) and kept.endswith(("...", "…")):
        return kept  # the arrow after the ellipsis: "... »"
    return text
