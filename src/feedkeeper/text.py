"""Small text helpers shared by the parser, dedupe and recovery."""

from __future__ import annotations

import re
import unicodedata

_WS_RE = re.compile(r"\s+")
# Exactly the characters for which str.isalnum() is false (checked over all of Unicode).
_NOT_ALNUM_RE = re.compile(r"[\W_]+")


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (non-breaking spaces included) to one space."""
    return _WS_RE.sub(" ", text.replace("\u00a0", " ")).strip()


def split_ellipsis(text: str) -> tuple[str, bool]:
    """Return ``text`` without a trailing ``...``/``…`` and whether one was there.

    Read from the end with string methods: a regex anchored at the end still tries
    every starting position. ``str.rstrip`` and the regex ``\\s`` agree on whitespace.
    """
    body = text.rstrip()
    mark = body[-1:]
    if mark not in (".", "…"):
        return text, False
    kept = body.rstrip(mark)
    if mark == "." and len(body) - len(kept) < 3:
        return text, False
    stripped = kept.rstrip()
    return stripped, stripped != text


def fold_for_fingerprint(text: str) -> str:
    """Reduce text to what identifies it: NFKC, case-folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_ALNUM_RE.sub("", folded)
