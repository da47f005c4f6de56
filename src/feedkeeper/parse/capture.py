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
- a row of tab-separated cells holding a date is a card of its own (a table copied off
  an archive page): its date, its category (a short cell) and its excerpt (the longest).

An excerpt without any meta before it must read as prose: a header or a nav line is
none. There are no URLs, so captured cards are identified by their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from feedkeeper.cards import Card, ParsedPage, find_placeholders, with_plain_tokens
from feedkeeper.errors import ParseError
from feedkeeper.parse.badges import BADGE_RE, PIN_RE
from feedkeeper.parse.dates import (
    DATE_RE,
    chinese_numerals_in_digits,
    parse_date,
    parse_month_day,
)
from feedkeeper.parse.vocab import (
    CATEGORY_LABEL_RE,
    HASHTAGS_RE,
    NEXT_RE,
    PREV_RE,
    PUBLISHED_RE,
    RELATIVE_DATE_RE,
    TAG_LABEL_RE,
    is_control,
    is_read_more,
)
from feedkeeper.parse.wrapped import join_wrapped
from feedkeeper.text import drop_invisible, normalize_space, split_ellipsis

# Shorter lines without an ellipsis or the end of a sentence are headers, pager or category
# lines: every excerpt in real captures runs to dozens of characters.
MIN_EXCERPT_CHARS = 24
# Category names are short labels; anything longer is text.
MAX_CATEGORY_CHARS = 40
# A title is a line; a longer one is text.
MAX_TITLE_CHARS = 120
# A date line or a meta line is short: a longer line mentioning a date is text.
MAX_META_CHARS = 120
# The most cards one capture may hold: about what the largest HTML page parsed gives (the
# 60,000-element limit). Each card costs some kilobytes on its way into the archive; a
# larger capture is refused before it is read further, and splits into smaller files.
MAX_CAPTURE_CARDS = 20_000
_PAGER_RE = re.compile(
    r"^(?:\d+\s*)+$|^(?:上一页|下一页|next|prev|previous|«|»|…|\.\.\.|\s|\d)+$", re.I
)
# What a date line holds besides its date: a time, separators, a weekday.
_DATE_LINE_REST_RE = re.compile(
    r"^[\s,，·|/\-–—:：()（）]*(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm)?)?"
    r"(?:\s*(?:星期|周|週)[一二三四五六日天])?[\s,，·|/\-–—()（）]*$",
    re.I,
)
# A date the capture shows that no calendar reads (``2024-13-45``, ``03-11``): a date line
# still, and its card is undated.
_DATE_SHAPE_RE = re.compile(r"^\s*\d{1,4}\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{1,4})?\s*$")
# A labelled date line's category: "分类于 PyTorch", "Category: NLP", up to the next "|".
_META_CATEGORY_RE = re.compile(
    rf"(?:{CATEGORY_LABEL_RE.pattern.removeprefix('^')}|\bin)\s*[:：]?\s*([^|·,，]+)", re.I
)
# Fields of a meta line after its date, apart.
_META_FIELDS_RE = re.compile(r"[·|•]")
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

    @property
    def any(self) -> bool:
        return self.dated or self.category is not None or self.title is not None


# A capture's lines end as a text file's do (or at a page break): the separators of Unicode
# that ``str.splitlines`` also breaks at (U+2028, U+0085, ...) come inside a site's text.
_LINE_BREAK_RE = re.compile(r"\r\n|[\r\n\f]")


def parse_capture(text: str) -> ParsedPage:
    """Parse a text capture into cards; raise ParseError when it holds none."""
    if "\x00" in text:
        raise ParseError("not a text capture: it contains binary data")
    raws = _LINE_BREAK_RE.split(text)
    raws = join_wrapped(raws, lambda index: _stands_alone(raws, index))
    lines = [_clean(raw) for raw in raws]
    kept = [(line, _cells(raw)) for line, raw in zip(lines, raws, strict=True) if line]
    # Each line read as a date line once: the loop asks it of the line and of the line after.
    metas = [_meta_line(line) for line, _ in kept] + [None]
    if _dates_last(kept, metas):
        return _checked(_parse_dates_last([line for line, _ in kept], metas))
    page = ParsedPage()
    pending = _Pending()
    for index, (line, cells) in enumerate(kept):
        following = kept[index + 1][0] if index + 1 < len(kept) else ""
        meta, next_meta = metas[index], metas[index + 1]
        if len(cells) > 1 and (row := _row_card(cells)) is not None:
            _add(page, row)
            pending = _Pending()
        elif PIN_RE.match(line):
            pending.pinned = True
        elif meta is not None:
            date, category, _ = meta
            pending.date, pending.dated = date, True
            if category:
                pending.category = category
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
    if PIN_RE.match(line) or _is_control(line) or _meta_line(line) is not None:
        return True
    after = next((text for raw in raws[index + 1 :] if (text := _clean(raw))), "")
    ends_text = line.endswith(_SENTENCE_END) or split_ellipsis(line)[1]
    return not ends_text and _meta_line(after) is not None


def _checked(page: ParsedPage) -> ParsedPage:
    """The page, unless it holds no card a listing would show."""
    if not page.cards:
        raise ParseError("not a text capture of a listing: no post cards found")
    if not any(card.published or card.category for card in page.cards):
        # A listing shows when its posts were published; lines of any text file do not.
        raise ParseError("not a text capture of a listing: no card shows a date or category")
    return page


# A date line read: its date, the category it labels, whether it labels its date.
Meta = tuple[str | None, str | None, bool]


def _dates_last(kept: list[tuple[str, list[str]]], metas: list[Meta | None]) -> bool:
    """Tell whether each card's meta line closes it (CSDN: title, excerpt, then "2024-03-01
    10:23 · 1.2k 阅读"): text reads as excerpts before the first, none after the last."""
    read = zip(kept, metas[: len(kept)], strict=True)
    lines = [(line, meta) for (line, cells), meta in read if len(cells) == 1]
    dated = [i for i, (_, meta) in enumerate(lines) if meta is not None]
    if len(dated) < 2:
        return False
    before = [line for line, _ in lines[: dated[0]]]
    after = [line for line, _ in lines[dated[-1] + 1 :]]
    if any(_is_excerpt_line(line, after_meta=False) for line in after):
        return False
    return any(
        len(line) >= MIN_EXCERPT_CHARS and _is_excerpt_line(line, after_meta=False)
        for line in before
    )


def _parse_dates_last(lines: list[str], metas: list[Meta | None]) -> ParsedPage:
    """Read cards that each end with their meta line: the line nearest before it that reads
    as an excerpt, the line before that its title, a pin line among them its pin."""
    page = ParsedPage()
    start = 0
    for end, meta in enumerate(metas[: len(lines)]):
        if meta is None:
            continue
        part = [text for text in lines[start:end] if not _is_control(text)]
        start = end + 1
        prose = [i for i, text in enumerate(part) if _is_excerpt_line(text, after_meta=False)]
        if not prose:
            continue
        at = prose[-1]
        heads = [text for text in part[:at] if not BADGE_RE.match(text)]
        title = heads[-1] if heads and len(heads[-1]) <= MAX_TITLE_CHARS else None
        pending = _Pending(
            category=meta[1], date=meta[0], dated=True, title=title,
            pinned=any(PIN_RE.match(text) for text in part[:at]),
        )  # fmt: skip
        _add(page, _card_from(part[at], pending))
    return page


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
    dates = [cell for cell in cells if _meta_line(cell) is not None]
    if not dates:
        return None
    date = _meta_line(dates[0])
    rest = [cell for cell in cells if cell is not dates[0]]
    if not rest:
        return None
    excerpt = max(rest, key=len)
    short = [cell for cell in rest if cell is not excerpt and len(cell) <= MAX_CATEGORY_CHARS]
    category = short[-1] if short else None
    assert date is not None
    return _card_from(excerpt, _Pending(category=category, date=date[0], dated=True))


def _meta_line(line: str) -> Meta | None:
    """Read a date line: (its date, the category it labels, whether it labels its date),
    or None for a line that is no date line (a sentence mentioning a date is text)."""
    if len(line) > MAX_META_CHARS:
        return None
    if RELATIVE_DATE_RE.match(line) or _DATE_SHAPE_RE.match(line):
        return parse_date(line), None, False
    date = parse_date(line)
    if date is None:
        return (None, None, False) if parse_month_day(line) and len(line) <= 12 else None
    text = chinese_numerals_in_digits(line)
    found = DATE_RE.search(text)
    if found is None:
        return None
    before, after = text[: found.start()], text[found.end() :]
    if not before.strip() and _DATE_LINE_REST_RE.match(after):
        return date, None, False  # the date alone, with its time or weekday
    # Else a meta line: its date labelled ("发表于", "Posted on"), or leading meta fields
    # ("2024-03-01 10:23 · 1.2k 阅读 · 10 点赞"); a sentence mentioning a date is text.
    labelled = PUBLISHED_RE.search(before) is not None
    if not labelled and (before.strip() or _META_FIELDS_RE.search(after) is None):
        return None
    category = _META_CATEGORY_RE.search(line)
    name = category.group(1).strip() if category else None
    return date, name if name and len(name) <= MAX_CATEGORY_CHARS else None, True


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
    labelled = next_meta is not None and next_meta[2]
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
        categories=(category,) if category else (),
        published=pending.date,
        excerpt=excerpt,
        truncated=truncated,
        placeholders=find_placeholders(excerpt),
        pinned=pending.pinned,
    )
