"""Read plain-text captures of a listing (what a reader copied off the page) into cards.

A capture is a sequence of lines: header lines, then cards, then a pager line. A card
is its meta lines and one excerpt line:

- a **date line** (``2024-03-01``, ``Mar 1, 2024``, ``3 天前``), with the category on the
  line before it (``Python`` then ``2024-03-01``), or a **meta line** that labels its
  date (``发表于 2024-03-01 | 分类于 PyTorch``, ``Posted on March 1, 2024 by Alice``),
  with the post's title on the line before it;
- a title may also follow a date line, when the excerpt follows it;
- a pin line (``置顶``, ``Sticky``) before any of them pins the card;
- after the excerpt, "read more" lines and term lines (``Categories: NLP | Tags: a, b``,
  ``#PyTorch #NLP``) belong to the card;
- a meta line naming the category beside its date (``Python · 2024-03-01``) above the
  title, between title and excerpt or below the excerpt: where it stands is read off the
  capture's pattern (``meta_layout``), as it is where every card ends with its meta line;
- a row of tab-separated cells holding a date is a card of its own (a table copied off
  an archive page): its date, its category (a short cell) and its excerpt (the longest).

An excerpt without any meta before it must read as prose: a header or a nav line is
none. There are no URLs, so captured cards are identified by their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from feedkeeper.cards import (
    Card,
    ParsedPage,
    find_placeholders,
    is_pinned_throughout,
    with_plain_tokens,
)
from feedkeeper.errors import ParseError
from feedkeeper.parse.badges import BADGE_RE, PIN_RE
from feedkeeper.parse.meta_layout import CardLines, Kind, Line, assign_lines, find_place
from feedkeeper.parse.meta_lines import (
    MAX_CATEGORY_CHARS,
    Meta,
    one_meta_a_card,
    read_meta_line,
)
from feedkeeper.parse.vocab import (
    CATEGORY_LABEL_RE,
    HASHTAGS_RE,
    NEXT_RE,
    PREV_RE,
    TAG_LABEL_RE,
    is_control,
    is_read_more,
)
from feedkeeper.parse.wrapped import join_wrapped
from feedkeeper.text import drop_invisible, normalize_space, split_ellipsis

# Shorter lines without an ellipsis or the end of a sentence are headers, pager or category
# lines: every excerpt in real captures runs to dozens of characters.
MIN_EXCERPT_CHARS = 24
# A title is a line; a longer one is text.
MAX_TITLE_CHARS = 120
# The most cards one capture may hold: about what the largest HTML page parsed gives (the
# 60,000-element limit). Each card costs some kilobytes on its way into the archive; a
# larger capture is refused before it is read further, and splits into smaller files.
MAX_CAPTURE_CARDS = 20_000
_PAGER_RE = re.compile(
    r"^(?:\d+\s*)+$|^(?:上一页|下一页|next|prev|previous|«|»|…|\.\.\.|\s|\d)+$", re.I
)
_TERM_SPLIT_RE = re.compile(r"\s*[,，、;；/]\s*|\s+#")
_SENTENCE_RE = re.compile(r"[,.;:!?。，；：！？、…]|\.\.\.")
_SENTENCE_END = ("。", "！", "？", ".", "!", "?", "…")
# The words a site's menu is made of, and what parts its items.
_MENU_WORDS = frozenset(
    {"首页", "主页", "归档", "分类", "标签", "关于", "关于我", "搜索", "友链", "友情链接", "留言"}
    | {"留言板", "订阅", "rss", "博客", "文章", "随笔", "home", "blog", "archive", "archives"}
    | {"categories", "tags", "about", "contact", "search", "subscribe", "links", "posts"}
)
_MENU_SPLIT_RE = re.compile(r"\s*[|·•/]\s*|\s+")
# The lines a page's footer shows: its copyright, its engine and theme.
_FOOTER_RE = re.compile(
    r"^(?:©|\(c\)\s*\d|copyright\b|版权所有)|\bpowered\s+by\b|由\s*\S+\s*强力驱动", re.I
)


@dataclass(slots=True)
class _Pending:
    """What the lines before a card's excerpt said of it."""

    category: str | None = None
    date: str | None = None
    dated: bool = False  # a date line came (a date no calendar reads leaves ``date`` None)
    title: str | None = None
    pinned: bool = False
    categories: tuple[str, ...] = ()  # all a meta line names, the category first
    tags: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return self.dated or self.category is not None or self.title is not None


# A capture's lines end as a text file's do (or at a page break): the separators of Unicode
# that ``str.splitlines`` also breaks at (U+2028, U+0085, ...) come inside a site's text.
_LINE_BREAK_RE = re.compile(r"\r\n|[\r\n\f]")


def parse_capture(text: str) -> ParsedPage:
    """Parse a text capture into cards; raise ParseError when it holds none."""
    if "\x00" in text:
        raise ParseError(
            "not a text capture: it contains binary data (NUL characters); if it is text,"
            " save it as UTF-8"
        )
    raws = _LINE_BREAK_RE.split(text)
    raws = join_wrapped(raws, lambda index: _stands_alone(raws, index))
    lines = [_clean(raw) for raw in raws]
    kept = [(line, _cells(raw)) for line, raw in zip(lines, raws, strict=True) if line]
    # Each line read as a date line once: the loop asks it of the line and of the line after.
    metas = [*one_meta_a_card([read_meta_line(line) for line, _ in kept]), None]
    if (laid := _read_by_layout(kept, metas)) is not None:
        return _checked(laid)
    page = ParsedPage()
    pending = _Pending()
    for index, (line, cells) in enumerate(kept):
        following = kept[index + 1][0] if index + 1 < len(kept) else ""
        meta, next_meta = metas[index], metas[index + 1]
        if _is_row(cells, meta) and (row := _row_card(cells)) is not None:
            _add(page, row)
            pending = _Pending()
        elif PIN_RE.match(line):
            pending.pinned = True
        elif meta is not None:
            pending.date, pending.dated = meta.date, True
            if meta.category:
                pending.category = meta.category
                pending.categories, pending.tags = meta.categories, meta.tags
        elif page.cards and not pending.any and _add_terms(page, line):
            pass  # the last card's categories or tags, after its excerpt
        elif not pending.dated and _is_title_before(line, next_meta):
            pending.title = line
        elif _is_category_line(line, next_meta):
            pending = _Pending(category=line, pinned=pending.pinned)  # a dated card before
            # it showed no excerpt: the next card starts here
        elif pending.dated and pending.title is None and _is_title(line, following, next_meta):
            pending.title = line
        elif _is_excerpt_line(line, after_meta=pending.any):
            _add(page, _card_from(line, pending))
            pending = _Pending()
        elif not is_read_more(line):
            pending = _Pending(pinned=pending.pinned)  # a header or pager line ends its meta
    return _checked(page)


def _clean(raw: str) -> str:
    return drop_invisible(normalize_space(raw))


def _stands_alone(raws: list[str], index: int) -> bool:
    """Tell whether a line is one of a card's own lines, which no wrapped line runs on
    into: a date or meta line, a pin, a "read more", pager or menu line, or a category or
    title above a date line (a line ending as a sentence or an excerpt does is neither:
    the last line of an excerpt its meta line closes)."""
    line = _clean(raws[index])
    if PIN_RE.match(line) or _is_control(line) or read_meta_line(line) is not None:
        return True
    # The next line with text, read in place (a slice of what follows, a line at a time,
    # would copy the capture's rest for each line: quadratic on a long capture).
    after = next((text for i in range(index + 1, len(raws)) if (text := _clean(raws[i]))), "")
    ends_text = line.endswith(_SENTENCE_END) or split_ellipsis(line)[1]
    return not ends_text and read_meta_line(after) is not None


def _checked(page: ParsedPage) -> ParsedPage:
    """The page, unless it holds no card a listing would show; a pin line before every
    card pins none of them."""
    if not page.cards:
        raise ParseError("not a text capture of a listing: no post cards found")
    if not any(card.published or card.category for card in page.cards):
        # A listing shows when its posts were published; lines of any text file do not.
        raise ParseError("not a text capture of a listing: no card shows a date or category")
    if is_pinned_throughout(page.cards):
        page.cards = [replace(card, pinned=False) for card in page.cards]
    return page


def _read_by_layout(
    kept: list[tuple[str, list[str]]], metas: list[Meta | None]
) -> ParsedPage | None:
    """Read a capture whose cards each show one meta line by where those lines stand in
    its pattern (``meta_layout``); None for a capture of another layout."""
    roles = [_role(line, cells, meta) for (line, cells), meta in zip(kept, metas, strict=False)]
    shown = [meta for meta in metas if meta is not None]
    named = sum(1 for meta in shown if meta.categories or meta.tags)
    place = find_place(roles, one_line_metas=2 * named >= len(shown) > 0)
    if place is None:
        return None
    page = ParsedPage()
    for card in assign_lines(roles, place):
        _add(page, _card_of(kept, metas, card))
    return page


def _role(line: str, cells: list[str], meta: Meta | None) -> Line:
    """A line's role in a capture's pattern, by its look."""
    if meta is not None:
        return Line(Kind.META)
    if _is_row(cells, meta):
        return Line(Kind.ROW)
    if _is_control(line) or _FOOTER_RE.search(line):  # the footer's lines are no card's
        return Line(Kind.CONTROL)
    if PIN_RE.match(line):
        return Line(Kind.PIN)
    if BADGE_RE.match(line):
        return Line(Kind.BADGE)
    prose = _reads_as_prose(line)
    return Line(
        Kind.PROSE if prose else Kind.TEXT,
        long=len(line) >= MIN_EXCERPT_CHARS,
        title_sized=len(line) <= MAX_TITLE_CHARS,
    )


def _card_of(kept: list[tuple[str, list[str]]], metas: list[Meta | None], card: CardLines) -> Card:
    meta = metas[card.meta]
    assert meta is not None
    pending = _Pending(
        category=meta.category, date=meta.date, dated=True, pinned=card.pinned,
        title=kept[card.title][0] if card.title is not None else None,
        categories=meta.categories, tags=meta.tags,
    )  # fmt: skip
    return _card_from(kept[card.excerpt][0], pending)


def _is_row(cells: list[str], meta: Meta | None) -> bool:
    """A row of a table's cells, unless its cells are a meta line's fields."""
    return len(cells) > 1 and not (meta is not None and (meta.categories or meta.tags))


def _add(page: ParsedPage, card: Card) -> None:
    if len(page.cards) == MAX_CAPTURE_CARDS:
        raise ParseError(
            f"the capture holds more than the {MAX_CAPTURE_CARDS} cards a page may hold:"
            " split it into smaller files"
        )
    page.cards.append(card)


def _cells(raw: str) -> list[str]:
    """The cells of a row copied off a table (tab-separated), or the line as one cell."""
    if "\t" not in raw:
        return [raw]
    return [cell for part in raw.split("\t") if (cell := drop_invisible(normalize_space(part)))]


def _row_card(cells: list[str]) -> Card | None:
    """A table row's card: a cell that is a date, a short one its category, the longest
    its excerpt; None for a row without a date (the table's header)."""
    dates = [cell for cell in cells if read_meta_line(cell) is not None]
    if not dates:
        return None
    date = read_meta_line(dates[0])
    rest = [cell for cell in cells if cell is not dates[0]]
    if not rest:
        return None
    excerpt = max(rest, key=len)
    short = [cell for cell in rest if cell is not excerpt and len(cell) <= MAX_CATEGORY_CHARS]
    category = short[-1] if short else None
    assert date is not None
    return _card_from(excerpt, _Pending(category=category, date=date.date, dated=True))


def _add_terms(page: ParsedPage, line: str) -> bool:
    """Give the last card the categories or tags a term line after its excerpt names
    ("Categories: PyTorch, Distributed | Tags: ddp | 3 Comments", "#PyTorch #NLP")."""
    card = page.cards[-1]
    found: dict[str, tuple[str, ...]] = {}
    if HASHTAGS_RE.fullmatch(line) and len(line) <= MAX_TITLE_CHARS:
        found["tags"] = tuple(t for t in (p.strip("# ") for p in line.split()) if t)
    else:
        for part in re.split(r"\s*[|｜]\s*", line):
            for kind, label in (("categories", CATEGORY_LABEL_RE), ("tags", TAG_LABEL_RE)):
                match = label.match(part)
                if match is not None and match.group(0).rstrip().endswith((":", "：")):
                    names = _TERM_SPLIT_RE.split(part[match.end() :].strip())
                    found[kind] = tuple(n for n in names if n and len(n) <= MAX_CATEGORY_CHARS)
    if not found:
        return False
    categories = found.get("categories") or card.categories
    page.cards[-1] = replace(
        card,
        categories=categories,
        category=card.category or (categories[0] if categories else None),
        tags=found.get("tags", card.tags),
    )
    return True


def _is_title_before(line: str, next_meta: Meta | None) -> bool:
    """Tell whether a line titles the card whose labelled meta line follows it."""
    labelled = next_meta is not None and next_meta.labelled
    return labelled and len(line) <= MAX_TITLE_CHARS and not _is_control(line)


def _is_category_line(line: str, next_meta: Meta | None) -> bool:
    """Tell whether a short line names the category of the card whose date line follows."""
    if len(line) > MAX_CATEGORY_CHARS or _is_control(line) or find_placeholders(line):
        return False  # (placeholders alone are an excerpt)
    return next_meta is not None


def _is_control(line: str) -> bool:
    """A pager's line, a "read more", a comments or an "older posts" link, the site's menu."""
    return bool(
        _PAGER_RE.match(line)
        or is_control(line)
        or NEXT_RE.match(line)
        or PREV_RE.match(line)
        or _is_menu(line)
    )


def _is_menu(line: str) -> bool:
    """Tell whether a line is the site's menu ("首页 归档 分类 标签 关于", "Home | Blog |
    About"): three items or more, two of them the words menus are made of."""
    items = _MENU_SPLIT_RE.split(line.casefold())
    return len(items) >= 3 and sum(item in _MENU_WORDS for item in items) >= 2


def _is_title(line: str, following: str, next_meta: Meta | None) -> bool:
    """Tell whether a line after the date titles the card: a line, not a sentence, with
    the excerpt after it (a longer line, or one ending as sentences do)."""
    if len(line) > MAX_TITLE_CHARS or line.endswith(_SENTENCE_END) or split_ellipsis(line)[1]:
        return False
    if not following or next_meta is not None or PIN_RE.match(following):
        return False
    if _is_control(following):
        return False
    return len(following) > len(line) and _is_excerpt_line(following, after_meta=False)


def _is_excerpt_line(line: str, *, after_meta: bool) -> bool:
    if _is_control(line):
        return False
    return after_meta or _reads_as_prose(line)


def _reads_as_prose(line: str) -> bool:
    """Tell whether a line with nothing of a card before it reads as an excerpt: a site's
    name, a nav line, a header, a search box ("搜索...", "Search …") or the footer's
    copyright line is none."""
    if _FOOTER_RE.search(line):
        return False
    text, cut = split_ellipsis(line)
    if len(text) >= MIN_EXCERPT_CHARS:
        return cut or _SENTENCE_RE.search(text) is not None
    # A short line is a sentence when it ends as one; an ellipsis ends a search box's hint.
    return not cut and len(line) >= 8 and line.endswith(_SENTENCE_END)


def _card_from(line: str, pending: _Pending) -> Card:
    excerpt, truncated = split_ellipsis(with_plain_tokens(line))
    category = pending.category
    return Card(
        title=pending.title,
        category=category,
        categories=pending.categories or ((category,) if category else ()),
        tags=pending.tags,
        published=pending.date,
        excerpt=excerpt,
        truncated=truncated,
        placeholders=find_placeholders(excerpt),
        pinned=pending.pinned,
    )
