"""A meta line that names its post: one date and, beside it, a few short names.

Many themes show a card's category (or its categories and tags) and its date on one line,
in either order, parted by a mark or by spaces: ``Python · 2026-01-10``, ``2026-01-10 |
Python``, ``[Python] 2026-01-10``, ``Python 2026-01-10``, ``2026-01-10 10:23 / NLP,
PyTorch · #ddp``. Such a line is known by its shape alone: around its one date stand only
names (a word or a few, without a sentence's punctuation) and counts (``1.2k 阅读``, which
name nothing). A sentence that mentions a date ("2026-01-10 发布的新版本支持…") is text,
and so is a line with separators but no date ("Python 3.13 · 新特性"): the caller finds
the date, this module reads what stands around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from feedkeeper.parse.vocab import (
    CATEGORY_LABEL_RE,
    RELATIVE_DATE_RE,
    STATS_WORDS,
    TAG_LABEL_RE,
)

# A category or a tag is a short label: a word or a few.
MAX_NAME_CHARS = 24
MAX_NAME_WORDS = 3
# Written without spaces (Chinese, Japanese), a name is a word or two; a longer run is a
# clause of a sentence ("发布的新版本支持新特性").
MAX_CJK_NAME_CHARS = 10
# A meta line names a post's few categories and tags; more names are a list of something else.
MAX_NAMES = 6
# What parts a meta line's fields: the marks themes put between them, brackets around a
# name, a comma, a dash between spaces, the space before a hashtag; a run of spaces
# (``normalize_space`` made a tab or two spaces one) parts a date from its names.
_FIELD_SPLIT_RE = re.compile(r"\s*(?:[·|｜•丨/、,\[\]【】()（）]|(?<!\S)[-–—](?!\S))\s*|\s+(?=#)")
# A time after the date (``10:23``, ``10:23:45 pm``) and a weekday: no names.
_TIME_RE = re.compile(
    r"^\s*(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm)?)?\s*(?:(?:星期|周|週)[一二三四五六日天])?",
    re.I,
)
# A sentence's marks, which no label holds: CJK punctuation, an ellipsis, and Latin
# punctuation ending a word (``Node.js`` and ``C++`` are names).
_SENTENCE_MARK_RE = re.compile(r"[。，；：！？…~～]|\.\.\.|[,.;:!?](?:\s|$)")
_CJK_RUN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]+")
_LETTER_RE = re.compile(r"[^\W\d_]")
_NUMBER_RE = re.compile(r"\d[\d.,]*[^\W\d_]*\+?")


@dataclass(frozen=True, slots=True)
class MetaNames:
    """The names a meta line shows beside its date: categories, then tags (``#ddp``)."""

    categories: tuple[str, ...]
    tags: tuple[str, ...]


def read_meta_names(before: str, after: str) -> MetaNames | None:
    """Read the text before and after a line's one date as the post's names, or None when
    it is anything else (a sentence, a second date, more names than a post shows)."""
    fields = _fields(before) + _fields(_TIME_RE.sub("", after, count=1))
    names = [_unlabelled(field) for field in fields if not _is_count(field)]
    if not names or len(names) > MAX_NAMES or not all(_is_name(name) for name in names):
        return None
    tags = tuple(name.lstrip("#") for name in names if name.startswith("#"))
    categories = tuple(name for name in names if not name.startswith("#"))
    return MetaNames(categories=categories, tags=tags)


def read_relative_meta(line: str) -> MetaNames | None:
    """Read a meta line whose date is said relative to the day it was read ("Python · 3
    天前", "2 days ago | NLP") as its names, or None."""
    fields = _fields(line)
    when = [at for at, field in enumerate(fields) if RELATIVE_DATE_RE.fullmatch(field)]
    if len(when) != 1:
        return None
    at = when[0]
    return read_meta_names(" · ".join(fields[:at]), " · ".join(fields[at + 1 :]))


def _fields(text: str) -> list[str]:
    return [field for part in _FIELD_SPLIT_RE.split(text) if (field := part.strip())]


def _unlabelled(field: str) -> str:
    """A field without its label ("分类：Python", "Tags: ddp" name Python and ddp)."""
    for label in (CATEGORY_LABEL_RE, TAG_LABEL_RE):
        match = label.match(field)
        if match is not None and match.group(0).rstrip().endswith((":", "：")):
            rest = field[match.end() :].strip()
            return f"#{rest}" if label is TAG_LABEL_RE and rest else rest
    return field


def _is_count(field: str) -> bool:
    """A field of counts ("1.2k 阅读", "3 评论", "5 min read"): numbers and their words
    (a second date, "~ 2024-03-10", is none)."""
    words = field.split()
    numbers = [word for word in words if _NUMBER_RE.fullmatch(word)]
    return bool(numbers) and all(
        word in numbers or word.casefold() in STATS_WORDS for word in words
    )


def _is_name(name: str) -> bool:
    """Tell whether a field reads as a category's or a tag's name: short, a letter in it,
    no sentence's mark, no long run of CJK text."""
    if len(name) > MAX_NAME_CHARS or len(name.split()) > MAX_NAME_WORDS:
        return False
    if _LETTER_RE.search(name) is None or _SENTENCE_MARK_RE.search(name):
        return False
    return all(len(run) <= MAX_CJK_NAME_CHARS for run in _CJK_RUN_RE.findall(name))
