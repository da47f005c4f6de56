"""A word diff of two texts, for showing what changed between versions of a post.

Words of Latin script stay whole; every other character is its own token, which suits
Chinese, written without spaces. Unchanged runs can be shortened to the context around
each change.
"""

from __future__ import annotations

import difflib
import re

# Unchanged characters kept on each side of a change in an excerpt diff.
DIFF_CONTEXT = 20
_TOKEN_RE = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)

Segment = tuple[str, str]  # ("=" | "-" | "+", text)


def diff_segments(old: str, new: str) -> list[Segment]:
    """Return the edit from ``old`` to ``new`` as kept, deleted and inserted runs of text."""
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("+", "".join(b[j1:j2])))
    return segments


def elide(segments: list[Segment], context: int = DIFF_CONTEXT) -> list[Segment]:
    """Shorten unchanged runs to ``context`` characters beside each change, with an ellipsis."""
    result: list[Segment] = []
    last = len(segments) - 1
    for index, (op, text) in enumerate(segments):
        if op == "=":
            keep_head = index > 0  # a change comes before: keep the start of this run
            keep_tail = index < last  # a change follows: keep its end
            text = _elide_run(text, context, keep_head, keep_tail)
        result.append((op, text))
    return result


def _elide_run(text: str, context: int, keep_head: bool, keep_tail: bool) -> str:
    head = text[: _word_end(text, context)] if keep_head else ""
    tail = text[_word_start(text, len(text) - context) :] if keep_tail else ""
    if len(text) <= len(head) + len(tail) + context:  # too little to leave out
        return text
    return f"{head}…{tail}"


def _word_end(text: str, end: int) -> int:
    """Move a cut at ``end`` back before the Latin word it would split, unless nothing is left."""
    cut = end
    while 0 < cut < len(text) and _is_word_char(text[cut - 1]) and _is_word_char(text[cut]):
        cut -= 1
    return cut or end


def _word_start(text: str, start: int) -> int:
    """Move a cut at ``start`` on past the Latin word it would split, unless nothing is left."""
    start = cut = max(start, 0)
    while 0 < cut < len(text) and _is_word_char(text[cut - 1]) and _is_word_char(text[cut]):
        cut += 1
    return cut if cut < len(text) else start


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")
