"""The page numbers a listing's pager links lead to.

Most sites number their listing pages in a pattern ``page_number`` knows (``/page/2/``,
``?page=2``). Others keep one of their own (Sina's ``articlelist_1234_0_3.html``, 51CTO's
``/p_3``, DedeCMS's ``list_1_3.html``, Astro's ``/3/``), and their pager shows it: links of
one block that read page numbers, their URLs the same but for one run of digits that is
the number read, the numbers running on (2 3; or 4 and 6 around the current 5). Some
show an offset instead (Joomla's ``?start=20`` reading "3", ExpressionEngine's ``/P20``), or
count from 0 (Drupal's ``?page=2``): one run of digits grows by one step from a page to the
next. A calendar's days (``/2026/01/15/`` reading "15") and a list of years are no pager.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice, pairwise

from selectolax.lexbor import LexborNode

from feedkeeper.cards import PagePattern
from feedkeeper.parse.dom import ancestors
from feedkeeper.parse.link_targets import is_site_root
from feedkeeper.parse.page_labels import label_number
from feedkeeper.parse.page_numbers import page_number, with_page_number
from feedkeeper.parse.urls import strip_fragment

# A year, and perhaps a month, just before the number: ``/2026/01/15``, ``/date/2026-01-15``.
_DATE_BEFORE_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}[-/_.](?:\d{1,2}[-/_.])?$")
_DIGITS_RE = re.compile(r"\d+")
# An offset has at most this many digits (``?start=1000000``, a million posts on).
_MAX_VALUE_DIGITS = 7


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
        """Return the page number a URL names, by these patterns or by ``page_number``.

        The patterns come first: Drupal's ``?page=2`` is its page 3.
        """
        if self.patterns:
            matched = self._digits_of(strip_fragment(url))
            if matched is not None:
                return _page_of(*matched)
        return page_number(url)

    def url_of(self, url: str, number: int) -> str | None:
        """Return the URL of page ``number`` in the pattern that numbers ``url``, or None."""
        matched = self._digits_of(strip_fragment(url)) if self.patterns else None
        if matched is None:
            return with_page_number(url, number) if page_number(url) is not None else None
        pattern, digits = matched
        # "list_02.html": the next is "list_03.html"
        width = len(digits) if digits.startswith("0") else 0
        value = pattern.first + pattern.step * (number - 1)
        return pattern.before + str(value).zfill(width) + pattern.after

    def _digits_of(self, key: str) -> tuple[PagePattern, str] | None:
        """Return the first pattern a URL without fragment is in, and its number's digits."""
        for pattern in self.patterns:
            digits = key[len(pattern.before) : len(key) - len(pattern.after)]
            if (
                key.startswith(pattern.before)
                and key.endswith(pattern.after)
                and 0 < len(digits) <= _MAX_VALUE_DIGITS
                and digits.isascii()
                and digits.isdigit()
                and _page_of(pattern, digits) is not None
            ):
                return pattern, digits
        return None


def _page_of(pattern: PagePattern, digits: str) -> int | None:
    """Return the page number a pattern's digits name, or None where they name none."""
    steps, off = divmod(int(digits) - pattern.first, pattern.step)
    return steps + 1 if off == 0 and steps >= 0 else None


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
    unplaced = [link for link in links if link.shown is not None and link.number is None]
    if len(unplaced) > 1:
        numbering.patterns.extend(_strided(unplaced, here))
    numbering.here = numbering.number(here)
    return numbering


def _strided(links: list[PagerLink], here: str) -> list[PagePattern]:
    """Return the patterns of links reading page numbers whose URLs show other digits
    (``?start=20`` reading "3", Drupal's ``?page=2``), setting the numbers of their links."""
    runs: dict[tuple[str, str], list[tuple[PagerLink, int]]] = {}
    for link in links:
        key = strip_fragment(link.url)
        path_at = key.find("/", key.find("//") + 2)
        for run in _DIGITS_RE.finditer(key, max(path_at, 0)):
            if path_at > 0 and len(run[0]) <= _MAX_VALUE_DIGITS:
                around = (key[: run.start()], key[run.end() :])
                runs.setdefault(around, []).append((link, int(run[0])))
    found: list[PagePattern] = []
    for (before, after), group in runs.items():
        stride = _stride_of([(link.shown or 0, value) for link, value in group])
        if stride is None:
            continue
        pattern = PagePattern(before, after, *stride)
        if _is_pager(pattern, [link for link, _ in group], here):
            found.append(pattern)
            for link, _ in group:
                link.number = link.shown
    return found


def _stride_of(pairs: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Return the step and the first page's value that give each page shown its value,
    counting from 0 or from 1, or None where none does (or the number is the value)."""
    for first in (0, 1):
        steps = {
            (value - first) // (shown - 1)
            for shown, value in pairs
            if shown > 1 and (value - first) % (shown - 1) == 0
        }
        if len(steps) != 1 or (step := steps.pop()) < 1 or (step, first) == (1, 1):
            continue
        if all(value == first + step * (shown - 1) for shown, value in pairs):
            return step, first
    return None


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
    """Tell whether links reading numbers in one URL pattern are a pager's: the numbers of
    one block of them run on (a forum shows its pager above the topics and below them)."""
    if _DATE_BEFORE_RE.search(pattern.before):  # a calendar's days, a year's months
        return False
    # (Where ``page_number`` reads this page, a pattern of plain numbers is another one's;
    # one counting otherwise may read it: Drupal's ``?page=1``, its page 2.)
    plain = (pattern.step, pattern.first) == (1, 1)
    current = Numbering([pattern]).number(here) if not plain or page_number(here) is None else None
    return any(_runs_on(block, current) for block in _blocks(group))


def _runs_on(block: list[PagerLink], current: int | None) -> bool:
    """Tell whether a block's numbers, with the current page's, run on as a pager's."""
    numbers = {link.shown for link in block if link.shown is not None}
    if current is not None:
        numbers.add(current)
    elif min(numbers) != 2:
        # This page is none of them: the first page, unnumbered, before a 2. Links from
        # 1 on are another sequence (a series' parts 1 2 3 in the sidebar).
        return False
    ordered = sorted(numbers)
    runs_on = any(later - earlier == 1 for earlier, later in pairwise(ordered))
    return runs_on and not all(1900 <= number <= 2100 for number in ordered)  # years


def _blocks(group: list[PagerLink]) -> list[list[PagerLink]]:
    """Split links into the blocks they stand in: each link shares one of its three
    nearest wrappers with its block's first."""
    blocks: list[tuple[set[int], list[PagerLink]]] = []
    for link in group:
        near = {node.mem_id for node in islice(ancestors(link.node), 3)}
        for wrappers, members in blocks:
            if not wrappers.isdisjoint(near):
                members.append(link)
                break
        else:
            blocks.append((near, [link]))
    return [members for _, members in blocks]
