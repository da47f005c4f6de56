"""The page numbers a listing's pager links lead to.

Most sites number their listing pages in a pattern ``page_number`` knows (``/page/2/``,
``?page=2``). Others keep one of their own (Sina's ``articlelist_1234_0_3.html``, 51CTO's
``/p_3``, DedeCMS's ``list_1_3.html``, Astro's ``/3/``), and their pager shows it: links of
one block that read page numbers, their URLs the same but for one run of digits that is
the number read, the numbers running on (2 3; or 4 and 6 around the current 5). A
calendar's days (``/2026/01/15/`` reading "15") and a list of years are no pager.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice, pairwise

from selectolax.lexbor import LexborNode

from feedkeeper.cards import PagePattern
from feedkeeper.parse.dom import ancestors
from feedkeeper.parse.link_targets import is_site_root
from feedkeeper.parse.page_labels import MAX_DIGITS, label_number
from feedkeeper.parse.page_numbers import page_number, with_page_number
from feedkeeper.parse.urls import strip_fragment

# A year, and perhaps a month, just before the number: ``/2026/01/15``, ``/date/2026-01-15``.
_DATE_BEFORE_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}[-/_.](?:\d{1,2}[-/_.])?$")


@dataclass(slots=True)  # not frozen: a page builds many, and frozen ones build slowly
class PagerLink:
    """A visible same-site link outside the cards, as the pager sees it."""

    node: LexborNode
    url: str
    text: str
    rel: tuple[str, ...]
    hint: str  # aria-label and title
    shown: int | None = None  # the page number its text shows ("2", "第二页"), if any
    number: int | None = None  # the page number it shows and leads to, if it is one


@dataclass(slots=True)
class Numbering:
    """How a listing numbers its pages: the patterns of its own that its pager shows."""

    patterns: list[PagePattern]
    here: int | None = None  # the number of the page itself, where its URL tells

    def number(self, url: str) -> int | None:
        """Return the page number a URL names, by ``page_number`` or by these patterns."""
        found = page_number(url)
        if found is not None or not self.patterns:
            return found
        matched = self._digits_of(strip_fragment(url))
        return int(matched[1]) if matched is not None else None

    def url_of(self, url: str, number: int) -> str | None:
        """Return the URL of page ``number`` in the pattern that numbers ``url``, or None."""
        if page_number(url) is not None:
            return with_page_number(url, number)
        matched = self._digits_of(strip_fragment(url))
        if matched is None:
            return None
        (before, after), digits = matched
        # "list_02.html": the next is "list_03.html"
        width = len(digits) if digits.startswith("0") else 0
        return before + str(number).zfill(width) + after

    def _digits_of(self, key: str) -> tuple[PagePattern, str] | None:
        """Return the first pattern a URL without fragment is in, and its number's digits."""
        for pattern in self.patterns:
            digits = key[len(pattern.before) : len(key) - len(pattern.after)]
            if (
                key.startswith(pattern.before)
                and key.endswith(pattern.after)
                and 0 < len(digits) <= MAX_DIGITS
                and digits.isascii()
                and digits.isdigit()
            ):
                return pattern, digits
        return None


def number_links(links: list[PagerLink], here: str) -> Numbering:
    """Set each link's ``number`` and return the listing's numbering; ``here`` is the
    page's URL without fragment."""
    unknown: dict[PagePattern, list[PagerLink]] = {}
    for link in links:
        link.shown = label_number(link.text)
        if link.shown is None:
            continue
        link.number = _known_number(link.url, link.shown, here)
        if link.number is None:
            pattern = _pattern_of(link.url, _digits_shown(link.text, link.shown))
            if pattern is not None:
                unknown.setdefault(pattern, []).append(link)
    numbering = Numbering([])
    for pattern, group in unknown.items():
        if _is_pager(pattern, group, here):
            numbering.patterns.append(pattern)
            for link in group:
                link.number = link.shown
    numbering.here = numbering.number(here)
    return numbering


def _digits_shown(text: str, shown: int) -> str:
    """Return the digits a link's URL shows its number in: its text's own ("02" leads to
    ``list_02.html``), else the number's ("第二页" to ``list_2.html``)."""
    return text if text.isascii() and text.isdigit() else str(shown)


def _known_number(url: str, number: int, here: str) -> int | None:
    """Return the page number a link shows where its URL names it as ``page_number``
    knows it (1 for the listing's first page), or None."""
    found = page_number(url)
    if found == number:
        return number
    is_first = is_site_root(url) or here.startswith(strip_fragment(url))
    return 1 if number == 1 and found is None and is_first else None


def _pattern_of(url: str, digits: str) -> PagePattern | None:
    """Return the URL around its last run of digits that is ``digits`` (in its path or
    query, not its host), or None."""
    key = strip_fragment(url)
    path_at = key.find("/", key.find("//") + 2)
    at = key.rfind(digits)
    while at > path_at > 0:
        end = at + len(digits)
        if not key[at - 1].isdigit() and not key[end : end + 1].isdigit():
            return PagePattern(key[:at], key[end:])
        at = key.rfind(digits, 0, at)
    return None


def _is_pager(pattern: PagePattern, group: list[PagerLink], here: str) -> bool:
    """Tell whether links reading numbers in one URL pattern are a pager's."""
    numbers = {link.shown for link in group if link.shown is not None}
    current = Numbering([pattern]).number(here) if page_number(here) is None else None
    if current is not None:
        numbers.add(current)
    elif min(numbers) != 2:
        # This page is none of them: the first page, unnumbered, before a 2. Links from
        # 1 on are another sequence (a series' parts 1 2 3 in the sidebar).
        return False
    ordered = sorted(numbers)
    runs_on = any(later - earlier == 1 for earlier, later in pairwise(ordered))
    if not runs_on or all(1900 <= number <= 2100 for number in ordered):  # years
        return False
    if _DATE_BEFORE_RE.search(pattern[0]):  # a calendar's days, a year's months
        return False
    return _is_one_block(group)


def _is_one_block(group: list[PagerLink]) -> bool:
    """Tell whether links stand in one block: each shares one of its three nearest
    wrappers with the first."""
    near = {node.mem_id for node in islice(ancestors(group[0].node), 3)}
    return all(
        not near.isdisjoint(node.mem_id for node in islice(ancestors(link.node), 3))
        for link in group[1:]
    )
