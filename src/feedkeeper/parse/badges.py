"""Pinned and status badges: ``置顶``, ``[Pinned]``, ``原创``, ``翻译`` shown in or beside a title.

A badge is no part of the title. It is found by structure (an element of the title
whose whole text is a badge word) or as a bracketed word at either end of the title
text; a plain ``置顶`` leading the title counts too, being no word a title begins with.
A pin badge anywhere among a card's short meta elements marks the post as pinned, and
so does a section headed as pinned ("置顶文章", "Pinned posts") holding the card.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from selectolax.lexbor import LexborNode

from feedkeeper.elements import previous_element
from feedkeeper.parse.dom import (
    ancestors,
    collapse,
    first_element_child,
    has_element_sibling,
    is_visible,
)
from feedkeeper.parse.page import PIN_MARK_RE, Page
from feedkeeper.parse.vocab import phrases

# Pin words in the languages blogs are written in too ("공지": a Tistory notice, kept on top).
OTHER_PIN_WORDS = (
    "공지", "고정됨", "angepinnt", "épinglé", "fijado", "fixado", "fissato", "vastgezet",
    "закреплено", "закреплённая", "przypięty", "sabitlenmiş", "připnuto", "disematkan",
)  # fmt: skip
# WordPress's "Featured post" (its sticky posts) as its themes translate it.
FEATURED_POST_WORDS = (
    "hervorgehobener beitrag", "article mis en avant", "entrada destacada", "post em destaque",
    "articolo in evidenza", "uitgelicht bericht", "избранная запись", "wyróżniony wpis",
)  # fmt: skip
_PIN_WORDS_ELSEWHERE = phrases(OTHER_PIN_WORDS)
# The pushpin emoji: a theme's or an author's pin, before the title or as a badge of its own.
_PIN_EMOJI = "\U0001f4cc"
_PIN_WORDS = rf"已?置顶|置頂|pinned|sticky|top|{_PIN_EMOJI}|{_PIN_WORDS_ELSEWHERE}"
# Japanese pins, as a badge of their own (note.com's "固定された記事"): "固定" alone is a word.
_JA_PIN_WORDS = "固定(?:された)?記事|ピン留め(?:された記事)?|固定表示"
_STATUS_WORDS = r"精华?|原创|转载"
# In an element of their own, shorter and other status words are badges too (OSChina's
# "原", a "推荐" chip, a "顶"); written into the title's text they are the author's.
_ELEMENT_STATUS_WORDS = r"原|转|推荐|荐|精选|顶"
_OPEN, _CLOSE = r"[\[【［(（<《]", r"[\]】］)）>》]"
# An element of the title showing only "翻译" is a badge too (CSDN's article type); written
# into the title text ("【翻译】…"), the word is the author's own.
BADGE_RE = re.compile(
    rf"^\s*{_OPEN}?\s*(?:{_PIN_WORDS}|{_STATUS_WORDS}|{_ELEMENT_STATUS_WORDS}|翻译)\s*{_CLOSE}?"
    r"\s*[:：]?\s*$",
    re.I,
)
PIN_RE = re.compile(rf"^\s*{_OPEN}?\s*(?:{_PIN_WORDS})\s*{_CLOSE}?\s*[:：]?\s*$", re.I)
# A badge of the title's own pins with "顶" too (OSChina's "顶"): out of the title's place
# the word is a vote's ("顶 12"), as "Top" is a "back to top" link's.
_TITLE_PIN_RE = re.compile(rf"^\s*{_OPEN}?\s*(?:{_PIN_WORDS}|顶)\s*{_CLOSE}?\s*[:：]?\s*$", re.I)
# Outside a title only unmistakable pin words count: "Top" there is a "back to top" link.
_MARK_RE = re.compile(
    rf"^\s*{_OPEN}?\s*(?:已?置顶|置頂|{_PIN_EMOJI}|pinned(?:\s+post)?|sticky|featured\s+post|{_PIN_WORDS_ELSEWHERE}"
    rf"|{_JA_PIN_WORDS}|{phrases(FEATURED_POST_WORDS)})\s*{_CLOSE}?\s*[:：]?\s*$",
    re.I,
)
_LEADING_RE = re.compile(
    rf"^\s*(?:{_OPEN}\s*(?:{_PIN_WORDS}|{_STATUS_WORDS})\s*{_CLOSE}|已?置顶(?=[\s:：|｜\-—·])|{_PIN_EMOJI}"
    r"|(?:sticky|pinned)\s*[:：])"  # WordPress themes' "Sticky: " before a sticky post's title
    r"[\s:：|｜\-—·]*",
    re.I,
)
_TRAILING_RE = re.compile(
    rf"[\s|｜\-—·]*{_OPEN}\s*(?:{_PIN_WORDS}|{_STATUS_WORDS})\s*{_CLOSE}\s*$", re.I
)
# What a trailing badge ends with (before spaces): a title ending otherwise is not
# searched for one, a search from every position of the title being the costly part.
_CLOSERS = frozenset("]】］)）>》")
# Letters that case-insensitive matching takes for "i", "s" or "k" though they are no ASCII
# (the Kelvin sign K is one that str.lower() turns into "k").
_ODD_FOLDS = "İıſ\u212a"
# Pin words in Chinese and Japanese, written once: the pattern and the quick look below are
# both made from them.
_CJK_PIN_WORDS = ("置顶", "置頂", "固定された", "固定記事", "ピン留め", "固定表示")
_CJK_PIN_RE = re.compile("|".join(map(re.escape, [*_CJK_PIN_WORDS, _PIN_EMOJI])))
# The words by their first character: str's search for one character passes over a page's
# CJK text several times faster than the regex, and meets only the few "置" ("位置", "设置")
# and "固" there, each then asked for the words it may start.
_CJK_PIN_STARTS = tuple(
    (first, tuple(w for w in _CJK_PIN_WORDS if w[0] == first))
    for first in dict.fromkeys(w[0] for w in _CJK_PIN_WORDS)
)
# Past this many of one character the regex searches the text (a bound on the loop's work).
_MAX_CJK_PIN_TRIES = 64
_SEPARATORS = " :：|｜-—·"
# Marks a theme puts after a title that links elsewhere (with a text or emoji selector).
_LINK_MARKS = ("↗", "\ufe0e", "\ufe0f")
# Code and quotes: a word in them is text, not a badge.
_TEXT_TAGS = frozenset({"pre", "code", "kbd", "samp", "blockquote"})
# A meta element this short may be a badge; longer text is a sentence that mentions one.
MAX_BADGE_CHARS = 8
# A pin that marks a place, not a pinned post: ``fa-map-pin``, ``location-pin``.
_PLACE_PIN_RE = re.compile(r"map|location|geo|place|marker", re.I)
# A card's own class marking it pinned: WordPress's ``sticky``, Z-Blog's ``istop-post``.
_CARD_PIN_RE = re.compile(
    r"(?:^|\s)(?:[\w-]*[-_])?(?:sticky|pinned)(?:[-_][\w-]*)?(?:\s|$)"  # node--sticky, sticky-entry
    r"|(?:^|\s)(?:is-?top(?:-?post)?|top-?post)(?:\s|$)",
    re.I,
)
# A section's heading naming its posts pinned ("置顶文章", "📌 Pinned posts").
_PIN_SECTION_RE = re.compile(
    r"^\W*(?:(?:已?置顶|置頂)(?:文章|博文|帖子|内容)?|固定(?:された)?記事|ピン留め(?:された記事)?|(?:pinned|sticky)"
    r"(?:\s+(?:posts?|articles?|stories|entries))?)\W*$",
    re.I,
)
MAX_SECTION_HEADING = 16
# How far above a card's parent the section's heading may sit.
_SECTION_LEVELS = 3


def title_without_badges(
    page: Page, title: LexborNode, skip: Collection[int] = ()
) -> tuple[str, bool]:
    """Return the title's text without its badges (and the elements ``skip`` names), and
    whether one of the badges is a pin."""
    text = page.text_of(title, skip)
    # The title itself is among the elements tested (``traverse`` starts at it).
    badges = [title] if BADGE_RE.match(text) else []
    if first_element_child(title) is not None:  # only then can a badge be a part of it
        walk = title.traverse()
        next(walk)
        badges += [node for node in walk if BADGE_RE.match(page.text_of(node))]
    if badges:
        text = page.text_of(title, {*skip, *(node.mem_id for node in badges)})
    pinned = bool(badges) and any(
        _says_pinned(page, node) and is_visible(node, page.hidden) for node in badges
    )  # a theme's badge kept hidden on posts that are not pinned pins nothing
    read = text  # as text_of gives it: collapsed already
    for pattern in (_LEADING_RE, _TRAILING_RE):
        while (
            (pattern is _LEADING_RE or text.rstrip()[-1:] in _CLOSERS)
            and (match := pattern.search(text))
            and len(match.group(0)) < len(text)
        ):
            pinned = pinned or PIN_RE.match(match.group(0).strip(_SEPARATORS)) is not None
            text = text[: match.start()] + text[match.end() :]
    shown = text if text is read else collapse(text)  # most titles: no badge written in
    if shown.endswith(_LINK_MARKS):  # Blowfish's "Homelab 2024 ↗": the link leaves the site
        shown = shown.rstrip("".join(_LINK_MARKS)).rstrip() or shown
    return shown, pinned


def _says_pinned(page: Page, badge: LexborNode) -> bool:
    """Tell a pin badge by its text, or by the title or label it explains a shorter text
    with (OSChina's "顶" titled "置顶")."""
    attrs = badge.attributes
    return any(
        _TITLE_PIN_RE.match(said)
        for said in (page.text_of(badge), attrs.get("title") or "", attrs.get("aria-label") or "")
    )


def pin_marks(page: Page, root: LexborNode) -> list[LexborNode]:
    """Return what shows the card pinned: a pin badge as a short text of its own ("置顶",
    "Pinned", WordPress's "Featured post"), an icon marked as a pin, or the card itself
    marked ``sticky`` as WordPress marks a sticky post's card (``class="post sticky"``).

    Words in running text or code (``position: <code>sticky</code>``) are no badge. A
    badge's element is no part of the excerpt.
    """
    found = page.marks_under(root)
    marks = [node for node in found if _is_pin_mark(node)]
    if _classed_pinned(root, found):
        marks.append(root)  # and its badge, if it shows one, is no excerpt either
    elif marks:
        return marks
    if not page.mentions(may_hold_pin_word) and (
        page.lang()[:2] in _PIN_WORDS_CHECKED or not page.mentions(may_hold_other_pin_word)
    ):
        return marks
    for node in root.traverse(include_text=True):
        if node.tag != "-text":
            continue
        text = node.text_content or ""
        if len(text) > 4 * MAX_BADGE_CHARS or not _MARK_RE.match(text):
            continue
        lineage = list(ancestors(node, root))
        if not any(a.tag in _TEXT_TAGS for a in lineage) and is_visible(node, page.hidden):
            return [*marks, node.parent or root]
    return marks


def title_pin_marks(page: Page, root: LexborNode, title: LexborNode) -> list[LexborNode]:
    """Return the pin badges at the title's place: in the title's element (its heading
    beside its link, or inside the link), or in the element just before it. There a short
    word ("顶", "TOP", "[顶]") or a bare icon classed as a top (``iconfont icon-top``) is a
    pin, which elsewhere in a card is a vote or a "back to top"."""
    found: list[LexborNode] = []
    if first_element_child(title) is not None:
        walk = title.traverse()
        next(walk)  # the title itself: its text is the post's
        found += [node for node in walk if _is_title_pin(page, node)]
    before = previous_element(title) if title.mem_id != root.mem_id else None
    if before is not None and _is_title_pin(page, before):
        found.append(before)
    return found


def _is_title_pin(page: Page, node: LexborNode) -> bool:
    """Tell a pin badge of the title: an element of its own showing a pin word, or an icon
    (an element without text) classed as a pin or as a top; never a link or a button."""
    if node.tag in _CONTROL_TAGS:
        return False
    text = page.text_of(node)
    if not text:
        return any(_is_top_icon(icon) for icon in node.traverse())
    return (
        len(text) <= MAX_BADGE_CHARS
        and _TITLE_PIN_RE.match(text) is not None
        and node.css_first("a[href]") is None
        and is_visible(node, page.hidden)
    )


def _is_top_icon(node: LexborNode) -> bool:
    names = node.attributes.get("class") or ""
    return _TOP_ICON_RE.search(names) is not None and _PLACE_PIN_RE.search(names) is None


# What a title's badge never is: a vote's "顶" and a "back to top" are links or buttons.
_CONTROL_TAGS = frozenset({"a", "button"})
# An icon at the title's place pinning it: named as a pin, or as a top by an icon font's
# class (``iconfont icon-top``; not Bootstrap's ``card-img-top``, ``rounded-top``).
_TOP_ICON_RE = re.compile(rf"{PIN_MARK_RE.pattern}|(?:^|\s)icon[-_]?top(?:$|\s)", re.I)


def _classed_pinned(root: LexborNode, marks: list[LexborNode]) -> bool:
    """Tell whether the card, or the one element it wraps (Drupal's ``div.views-row >
    article.node--sticky``), is classed as pinned; ``marks`` are the card's marked elements
    (a ``sticky`` class among them), so that most cards need no look below."""
    if _is_classed_pinned(root.attributes.get("class") or ""):
        return True
    key = root.mem_id
    return bool(marks) and any(  # most cards mark nothing: no generator set up for them
        node.parent is not None
        and node.parent.mem_id == key
        and _is_classed_pinned(node.attributes.get("class") or "")
        and not has_element_sibling(node)
        for node in marks
    )


def _is_classed_pinned(names: str) -> bool:
    """Tell whether classes mark a card pinned. Each way ``_CARD_PIN_RE`` has holds "sticky",
    "pinned" or "top", which classes in ASCII (most) show lowered as well: those without
    are not searched (a WordPress card's dozen classes cost a search from each place)."""
    if names.isascii():
        lowered = names.lower()
        if "sticky" not in lowered and "pinned" not in lowered and "top" not in lowered:
            return False
    return _CARD_PIN_RE.search(names) is not None


# A pin icon's alternative text: a pin word, a few words of where it pins at most (Discuz's
# "全局置顶" and "本版置顶", vBulletin's "Sticky Thread"); a picture's longer caption is none.
_PIN_ALT_RE = re.compile(
    r"^\s*\w{0,4}(?:置顶|置頂)\s*$|^\s*sticky(?:\s+(?:thread|topic|post))?\s*$", re.I
)


def _is_pin_mark(node: LexborNode) -> bool:
    """Tell whether an element marks its card pinned by its class, title or label (an icon
    with no text: ``<span class="post-sticky-flag" title="置顶"><i class="fa-thumbtack">``),
    or a picture by its alternative text (``<img alt="本版置顶">``)."""
    attrs = node.attributes
    if node.tag == "img" and _PIN_ALT_RE.match(attrs.get("alt") or ""):
        return True
    names = f"{attrs.get('class') or ''} {attrs.get('title') or ''} {attrs.get('aria-label') or ''}"
    if PIN_MARK_RE.search(names) is None or _PLACE_PIN_RE.search(names) is not None:
        return False  # no pin, or a place's (fa-map-pin beside a travel post's town)
    return not node.text(strip=True)


# Pages in these languages write pin words ``may_hold_pin_word`` finds; the others are
# looked through for the pin words of theirs too.
_PIN_WORDS_CHECKED = frozenset({"zh", "ja", "en"})
# A word of each of the other languages' pin words, lowered (the longest: a phrase's words
# may stand a line apart in the page's source): a text without any holds none of them.
_OTHER_PIN_KEYS = tuple(
    max(word.lower().split(), key=len) for word in OTHER_PIN_WORDS + FEATURED_POST_WORDS
)


def may_hold_pin_word(text: str) -> bool:
    """Tell whether ``text`` may hold a pin word, in any case: a cheap test that misses none."""
    if _holds_cjk_pin(text) or any(letter in text for letter in _ODD_FOLDS):
        return True
    # The ASCII letters alone, lowered: a word of them stays whole when the rest is dropped,
    # and dropping it is cheaper than lowering a page of CJK text.
    letters = text.encode("ascii", "ignore").lower()
    return b"pinned" in letters or b"sticky" in letters or b"featured" in letters


def _holds_cjk_pin(text: str) -> bool:
    """Tell whether ``_CJK_PIN_RE`` finds a pin word in ``text``."""
    if _PIN_EMOJI in text:
        return True
    for first, words in _CJK_PIN_STARTS:
        at = text.find(first)
        for _ in range(_MAX_CJK_PIN_TRIES):
            if at == -1:
                break
            if text.startswith(words, at):
                return True
            at = text.find(first, at + 1)
        else:
            return _CJK_PIN_RE.search(text) is not None
    return False


def may_hold_other_pin_word(text: str) -> bool:
    """Tell whether ``text`` may hold a pin word of another language ("Angepinnt", "공지")."""
    lowered = text.lower()
    return any(key in lowered for key in _OTHER_PIN_KEYS)


def in_pinned_section(page: Page, root: LexborNode, verdicts: dict[int, bool]) -> bool:
    """Tell whether the card sits in a section headed as pinned (Shoka's "置顶文章").

    The nearest heading tells: the first element of the cards' parent when it is no card,
    else the element just before the parent or one of its nearest ancestors. ``verdicts``
    keeps each parent's answer, for the cards that share it.
    """
    parent = root.parent
    if parent is None:
        return False
    key = parent.mem_id
    if key not in verdicts:
        verdicts[key] = _section_pinned(page, root, parent)
    return verdicts[key]


def _section_pinned(page: Page, root: LexborNode, parent: LexborNode) -> bool:
    first = first_element_child(parent)
    if first is not None and first.mem_id != root.mem_id:
        verdict = _section_heading(page, first)
        if verdict is not None:
            return verdict
    node: LexborNode | None = parent
    for _ in range(_SECTION_LEVELS):
        if node is None:
            return False
        before = previous_element(node)
        if before is not None:
            return _section_heading(page, before) is True
        node = node.parent
    return False


def _section_heading(page: Page, node: LexborNode) -> bool | None:
    """Tell whether a short text names its section pinned (None: too long for a heading).

    The pin words are asked first: the test for a link costs a query.
    """
    text = page.text_of(node)
    if len(text) > MAX_SECTION_HEADING:
        return None
    return (
        _PIN_SECTION_RE.match(text) is not None
        and node.css_first("a[href]") is None
        and is_visible(node, page.hidden)
    )
