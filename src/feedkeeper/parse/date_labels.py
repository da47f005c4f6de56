"""Which date a label names: published, updated, or neither.

A card may show two dates; the nearest label tells them apart. The date's own marks
first (WordPress's ``class="entry-date published updated"`` is a post never edited),
then its text and title, then a label closing its own element (Icarus's
``<time>…</time>更新``), then a label ending the text before it ("更新于：", "Updated").
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.parse.dates import DayFirst, parse_date
from feedkeeper.parse.vocab import LABEL_END_RE, PUBLISHED_RE, UPDATED_MARK_RE, UPDATED_RE

# A date's label ends the text before it ("更新于：", "… · Updated", "Posted on"): the
# end of that text this long is read for one.
MAX_LABEL_TEXT = 24
# A line of a published and an updated date, labelled ("Published: March 5, 2024 · Last
# updated: March 9, 2024"), is at most this long.
MAX_DATES_LINE = 80
# Where a label starts in a line of dates: each date's label is what stands between it
# and the date before it.
_LABEL_START_RE = re.compile(f"{PUBLISHED_RE.pattern}|{UPDATED_RE.pattern}", re.I)
# A label closing the date's own element ("<span><time>…</time>发表</span>") is a word.
MAX_CLOSING_LABEL = 12


def date_labels(
    node: LexborNode, text: str, attrs: dict[str, str | None] | None = None
) -> tuple[bool, bool]:
    """Tell whether the date is labelled as updated, and whether as published.

    The nearest label tells: the element's own marks (WordPress writes
    ``class="entry-date published updated"`` for a post never edited: published), then its
    text and title (NexT's "创建时间：… / 修改时间：…": published), then the text just before
    it, where a label ends ("更新于：", "Updated"), not a title that mentions an update
    ("脚本合集（长期更新）").
    """
    attrs = node.attributes if attrs is None else attrs
    marks = f"{attrs.get('class') or ''} {attrs.get('itemprop') or ''} {attrs.get('id') or ''}"
    if PUBLISHED_RE.search(marks) is not None:
        return False, True
    if UPDATED_MARK_RE.search(marks) is not None:
        return True, False
    shown = f"{text} {attrs.get('title') or ''}"  # made only where the marks tell nothing
    if PUBLISHED_RE.search(shown) is not None:
        return False, True
    if UPDATED_RE.search(shown) is not None:
        return True, False
    after = _closing_text(node)  # Icarus's "<span><time>…</time>发表</span>"
    if after and len(after) <= MAX_CLOSING_LABEL:
        if PUBLISHED_RE.match(after) is not None:
            return False, True
        if UPDATED_RE.match(after) is not None:
            return True, False
    said = label_before(node)
    return said == "updated", said == "published"


def labelled_dates(text: str, day_first: DayFirst | None = None) -> list[tuple[str, bool, bool]]:
    """Return the dates of a line that shows two or more and labels one as updated ("Mar 5,
    2024 · Updated Mar 9, 2024", "更新于 2024-03-09 发布于 2024-03-05"), each as its ISO date
    and whether the text since the date before labels it as updated, and as published;
    nothing for any other line, whose one date its whole text labels."""
    if len(text) > MAX_DATES_LINE or UPDATED_RE.search(text) is None:  # most lines
        return []
    cuts = sorted({0, *(match.start() for match in _LABEL_START_RE.finditer(text))})
    pieces = [text[start:end] for start, end in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    found = [(seen, piece) for piece in pieces if (seen := parse_date(piece, day_first))]
    if len(found) < 2:
        return []
    return [
        (seen, PUBLISHED_RE.search(piece) is None and UPDATED_RE.search(piece) is not None,
         PUBLISHED_RE.search(piece) is not None)
        for seen, piece in found
    ]  # fmt: skip


def label_before(node: LexborNode) -> str | None:
    """Return "published" or "updated" where a label ends the text before the date."""
    for before in _previous_texts(node):
        before = before[-MAX_LABEL_TEXT:]
        if LABEL_END_RE.search(before) is None:  # a label ends the text before a date
            continue
        if PUBLISHED_RE.search(before) is not None:
            return "published"
        if UPDATED_RE.search(before) is not None:
            return "updated"
    return None


def _closing_text(node: LexborNode) -> str:
    """Return the text after the node that ends its parent ("发表" in ``<span><time>…
    </time>发表</span>``), or "" where more follows: a label closing the date's element
    is the date's, where one between two dates ("Posted A Updated B") is the next's."""
    after = node.next
    while after is not None and after.tag == "-comment":
        after = after.next
    if after is None or after.tag != "-text" or after.next is not None:
        return ""
    return (after.text_content or "").strip()


def _previous_texts(node: LexborNode) -> list[str]:
    """Return the text of up to three siblings before the node (where labels sit)."""
    texts: list[str] = []
    for _ in range(2):  # the label of a date opening its element may sit before that
        sibling = node.prev
        while sibling is not None and len(texts) < 3:
            text = (sibling.text_content if sibling.tag == "-text" else sibling.text()) or ""
            if text.strip():
                texts.append(text.strip())
                if _has_date(text):
                    return texts
            sibling = sibling.prev
        parent = node.parent
        if texts or parent is None:  # AstroPaper: "Updated:" <span><time>…</time> | 2 PM</span>
            return texts
        node = parent
    return texts


def _has_date(text: str) -> bool:
    return parse_date(text) is not None
