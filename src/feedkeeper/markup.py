"""How much markup a page may hold, and how long reading it may take, before it is refused.

The HTML parser takes time in proportion to the page times its nesting depth
(every block element looks up the stack of open elements), and the card
detection walks each link's ancestors. A hostile page of 100,000 nested
elements would take minutes; a page is therefore measured first, in one linear
pass over its tags, and refused with one line when it is too deep or too big.
What is left is bounded by a time budget the parser checks as it goes.

A page of few tags cannot cost much however it nests (10,000 tags parse in
milliseconds even nested all the way down), so ``parse_markup`` parses it first and
measures its depth on the tree, in C, instead of scanning the text in Python.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from feedkeeper.errors import ParseError

# Real pages nest a few dozen levels; browsers stop nesting at 512 (Chromium's limit).
MAX_DEPTH = 256
# A listing page holds a few thousand elements; 60,000 is a page of 10,000 cards.
MAX_ELEMENTS = 60_000
# Seconds the parser may spend on one page: a listing page takes a few milliseconds.
PARSE_SECONDS = 1.5

# A page with at most this many "<" is parsed before it is measured: 5,000 elements
# nested all the way down take some 20 ms to parse.
SMALL_PAGE_TAGS = 10_000
# Matches an element with MAX_DEPTH ancestors or more: one nested too deep. Compiling
# it costs more than matching it, so a short one that real pages pass goes first. Only
# last children are tried (every element's parent has one, as deep as the element): a
# page has fewer of them than elements.
_TOO_DEEP = "* > " * MAX_DEPTH + ":last-child"
_RATHER_DEEP = "* > " * 32 + ":last-child"

_deadline: ContextVar[_Budget | None] = ContextVar("parse_deadline", default=None)

# Whatever a tag-looking text inside a comment, script, style or textarea says, it
# opens nothing.
_OPAQUE_RE = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|textarea|title|xmp|noscript)\b.*?(?:</\1\s*>|\Z)",
    re.I | re.S,
)
# A tag ends at the next ">" or "<", so a tag never closed costs no rescan.
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*)>")
_START_RE = re.compile(r"<[a-zA-Z]")
# Elements that never hold children, and those a sibling of their kind closes
# (an unclosed <li> or <p> ends at the next one, so it does not deepen the tree).
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
_CLOSED_BY_SIBLING = frozenset(
    {"p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody"}
    | {"tfoot", "rb", "rt", "rp", "colgroup", "caption"}
)


def check_markup(html: str) -> None:
    """Raise ParseError when ``html`` nests deeper than MAX_DEPTH or has too many elements."""
    visible = _OPAQUE_RE.sub(" ", html)
    _, opened = _START_RE.subn("", visible)  # counted in C, without a list of millions
    if opened > MAX_ELEMENTS:
        raise ParseError(
            f"the page has {opened} elements, more than the {MAX_ELEMENTS} a page may hold"
        )
    if _depth(_TAG_RE.findall(visible)) > MAX_DEPTH:
        raise ParseError(f"the page nests elements deeper than {MAX_DEPTH} levels")


def parse_markup(html: str) -> LexborHTMLParser:
    """Parse ``html`` as a document within the markup limits; raise ParseError beyond them."""
    small = html.count("<") <= SMALL_PAGE_TAGS
    if not small:
        check_markup(html)
    try:
        # Most pages hold no NUL: looked for first, the text is not copied.
        tree = LexborHTMLParser(html.replace("\x00", "\ufffd") if "\x00" in html else html)
    except (ValueError, RuntimeError) as exc:
        raise ParseError(f"not an HTML page: {exc}") from exc
    if small and tree.root is not None and _is_too_deep(tree):
        raise ParseError(f"the page nests elements deeper than {MAX_DEPTH} levels")
    return tree


def _is_too_deep(tree: LexborHTMLParser) -> bool:
    return tree.css_matches(_RATHER_DEEP) and tree.css_matches(_TOO_DEEP)


def _depth(tags: list[tuple[str, str, str]]) -> int:
    """Return how deep the tags nest, counting only elements that stay open.

    ``<div/>`` opens a div like ``<div>`` (HTML ignores the slash); only inside
    SVG and MathML does ``/>`` close the element.
    """
    open_counts: dict[str, int] = {}
    depth = deepest = 0
    for closing, tag, attrs in tags:
        name = tag.lower()
        if name in _VOID or name in _CLOSED_BY_SIBLING:
            continue
        if closing:
            if open_counts.get(name):
                open_counts[name] -= 1
                depth -= 1
            continue
        if attrs.endswith("/") and (open_counts.get("svg") or open_counts.get("math")):
            continue
        open_counts[name] = open_counts.get(name, 0) + 1
        depth += 1
        deepest = max(deepest, depth)
    return deepest


@dataclass(slots=True)
class _Budget:
    """The parse in progress: when its budget would end if it never waited, and how much
    of this thread's CPU time it may use."""

    seconds: float
    cpu_start: float
    wall_end: float


@contextmanager
def time_budget(seconds: float = PARSE_SECONDS) -> Iterator[None]:
    """Let the parsing inside the block take ``seconds`` at most (see ``check_time``)."""
    token = _deadline.set(_Budget(seconds, time.thread_time(), time.monotonic() + seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time() -> None:
    """Raise ParseError once the parse in progress has worked for its time budget.

    What counts is the work, this thread's CPU time: a page is not refused because the
    machine was busy with other processes, or the process was stopped, while it parsed.
    The clock on the wall is read first (it is cheap): only once it says the budget may be
    spent is the CPU time asked, and the wall-clock end moved by the time spent waiting.
    """
    budget = _deadline.get()
    if budget is None or time.monotonic() <= budget.wall_end:
        return
    worked = time.thread_time() - budget.cpu_start
    if worked > budget.seconds:
        raise ParseError(f"the page takes more than {PARSE_SECONDS:g} s to parse (refused)")
    budget.wall_end = time.monotonic() + budget.seconds - worked
