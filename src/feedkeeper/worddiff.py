"""A word diff of two texts, for showing what changed between versions of a post.

Words of Latin script stay whole; every other character is its own token, which suits
Chinese, written without spaces. Unchanged runs can be shortened to the context around
each change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from rapidfuzz.distance import Indel

# Unchanged characters kept on each side of a change in an excerpt diff.
DIFF_CONTEXT = 20
# difflib's matcher gives the most readable diffs, but its work grows faster than the
# product of the texts' lengths (in tokens; periodic text is its worst case): it matches
# texts up to this product, which an excerpt's edit stays under. Longer texts keep their
# common start and end, and the part between is aligned by rapidfuzz's bit-parallel LCS
# (a 100,000-token part in about a second), or, longer still, shown deleted and inserted.
MAX_MATCHED = 250_000
MAX_ALIGNED = 10_000_000_000
_TOKEN_RE = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)

Segment = tuple[str, str]  # ("=" | "-" | "+", text)
Opcode = tuple[str, int, int, int, int]  # difflib's (tag, i1, i2, j1, j2)


def diff_segments(old: str, new: str) -> list[Segment]:
    """Return the edit from ``old`` to ``new`` as kept, deleted and inserted runs of text."""
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    if len(a) * len(b) <= MAX_MATCHED:
        return _segments(a, b, difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    start = _common_start(a, b)
    end = _common_start(a[start:][::-1], b[start:][::-1])  # never into the common start
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    segments: list[Segment] = [("=", "".join(a[:start]))] if start else []
    if len(middle_a) * len(middle_b) <= MAX_ALIGNED:
        aligned = Indel.opcodes(middle_a, middle_b)
        opcodes = [(o.tag, o.src_start, o.src_end, o.dest_start, o.dest_end) for o in aligned]
        segments += _deleted_first(_segments(middle_a, middle_b, opcodes))
    else:
        segments += [(op, "".join(part)) for op, part in (("-", middle_a), ("+", middle_b)) if part]
    if end:
        segments.append(("=", "".join(a[len(a) - end :])))
    return segments


def _segments(a: list[str], b: list[str], opcodes: Iterable[Opcode]) -> list[Segment]:
    """Turn difflib-style opcodes over two token lists into runs of text."""
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            segments.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("+", "".join(b[j1:j2])))
    return segments


def _deleted_first(segments: list[Segment]) -> list[Segment]:
    """Put a deleted run before the inserted run beside it, as a replacement reads."""
    for index in range(len(segments) - 1):
        if segments[index][0] == "+" and segments[index + 1][0] == "-":
            segments[index], segments[index + 1] = segments[index + 1], segments[index]
    return segments


def _common_start(a: list[str], b: list[str]) -> int:
    """Return how many tokens ``a`` and ``b`` share from their start."""
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared


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
