"""Site profiles: CSS selectors that name a site's cards and fields outright.

A profile is a small TOML file with any of the keys ``card``, ``title``, ``link``,
``category``, ``date``, ``excerpt`` and ``next``. Field selectors apply inside each
card; a field without a selector falls back to the heuristics, and without ``card``
the cards themselves are found by the heuristics.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from feedkeeper.cards import find_placeholders
from feedkeeper.errors import ConfigError
from feedkeeper.parse.badges import title_without_badges
from feedkeeper.parse.date_context import published_date
from feedkeeper.parse.detect import block_for
from feedkeeper.parse.dom import ancestors, attr, is_visible
from feedkeeper.parse.excerpt import clean_excerpt
from feedkeeper.parse.fields import CardParts, group_of, read_card
from feedkeeper.parse.link_markup import bracketed_name
from feedkeeper.parse.link_roles import is_cut_mark, is_ellipsis, is_more_link
from feedkeeper.parse.machine_dates import url_date
from feedkeeper.parse.page import Page
from feedkeeper.parse.terms import split_names
from feedkeeper.parse.titles import title_not_cut
from feedkeeper.parse.vocab import CATEGORY_LABEL_RE
from feedkeeper.parse.when import date_of
from feedkeeper.setting_files import read_setting_file
from feedkeeper.text import split_ellipsis


@dataclass(frozen=True, slots=True)
class Profile:
    """CSS selectors for one site's listing pages; None leaves a field to the heuristics."""

    card: str | None = None
    title: str | None = None
    link: str | None = None
    category: str | None = None
    date: str | None = None
    excerpt: str | None = None
    next: str | None = None

    def __post_init__(self) -> None:
        for key in PROFILE_KEYS:
            selector = getattr(self, key)
            if selector is not None:
                _check_selector(key, selector, "profile")


PROFILE_KEYS = ("card", "title", "link", "category", "date", "excerpt", "next")


def load_profile(path: Path) -> Profile:
    """Read a profile from a TOML file; raise ConfigError naming what is wrong with it."""
    try:
        data = tomllib.loads(read_setting_file(path, "profile"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"profile {path} is not valid TOML: {exc}") from exc
    except RecursionError as exc:  # arrays or tables nested thousands deep
        raise ConfigError(f"profile {path} is not valid TOML: nested too deeply") from exc
    return profile_from(data, str(path))


def profile_from(data: dict[str, object], source: str = "profile") -> Profile:
    """Build a profile from parsed TOML, checking every key and selector."""
    unknown = sorted(set(data) - set(PROFILE_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in {source}; expected some of: {', '.join(PROFILE_KEYS)}"
        )
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{key!r} in {source} must be a non-empty CSS selector string")
        _check_selector(key, value, source)
    return Profile(**{key: str(value).strip() for key, value in data.items()})


def _check_selector(key: str, selector: str, source: str) -> None:
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except (SelectolaxError, ValueError) as exc:
        raise ConfigError(f"invalid CSS selector for {key!r} in {source}: {selector!r}") from exc


def read_with_profile(page: Page, profile: Profile) -> list[CardParts]:
    """Read the cards a profile's ``card`` selector names, fields by selector or heuristics."""
    parts: list[CardParts] = []
    roots = _outer(page, page.tree.css(profile.card or "none"))
    links = page.links_in(roots)
    for root in roots:
        inside = links[root.mem_id]
        own = page.link(root)  # a card that is itself the link
        if own is not None:
            inside = [own, *inside]
        part = override(page, read_card(page, block_for(page, root, inside), inside), profile)
        if part.card.url:
            parts.append(part)
    return parts


def _outer(page: Page, matches: list[LexborNode]) -> list[LexborNode]:
    """Return the visible matches that are not inside another match (a card holds no card)."""
    ids = {node.mem_id for node in matches}
    return [
        node
        for node in matches
        if is_visible(node, page.hidden) and not any(a.mem_id in ids for a in ancestors(node))
    ]


def override(page: Page, part: CardParts, profile: Profile) -> CardParts:
    """Replace the fields the profile has selectors for with what those selectors find."""
    card, root = part.card, part.root
    found: dict[str, Any] = {}  # the card's new fields, put in at once
    if profile.title and (node := root.css_first(profile.title)) is not None:
        title, pinned = title_without_badges(page, node)
        title = title_not_cut(title, node, node.css_first("a[title]")) if title else title
        found.update(title=title or None, pinned=pinned or card.pinned)
        part.title = node
        found["url"] = _href(page, node) or card.url
    if profile.link and (node := root.css_first(profile.link)) is not None:
        found["url"] = _href(page, node) or found.get("url", card.url)
    if profile.category:
        names = tuple(dict.fromkeys(_term_names(page, root.css(profile.category))))
        found.update(categories=names, category=names[0] if names else None)
    if profile.date and (node := root.css_first(profile.date)) is not None:
        part.date = hit = date_of(page, node)
        url = found.get("url", card.url)
        found.update(
            published=published_date(hit, url, group_of(page, root, hit)) or url_date(url),
            published_at=hit.stamp if hit else None,
        )
    if profile.excerpt and (node := root.css_first(profile.excerpt)) is not None:
        skip = {a.mem_id for a in node.css("a") if is_more_link(page, a)}
        excerpt, truncated = split_ellipsis(clean_excerpt(page.text_of(node, skip)) or "")
        truncated = truncated or any(
            is_ellipsis(page.text_of(a)) or is_cut_mark(page, a)
            for a in root.css("a")
            if is_more_link(page, a)
        )  # a "more" link that says where the post was cut
        found.update(
            excerpt=excerpt or None, truncated=truncated and bool(excerpt),
            placeholders=find_placeholders(excerpt),
        )  # fmt: skip
    part.card = replace(card, **found) if found else card
    return part


# The parts of a meta line, as themes set them apart.
_META_PARTS_RE = re.compile(r"\s*[|｜·•]\s*")


def _term_names(page: Page, nodes: list[LexborNode]) -> Iterator[str]:
    """The names the nodes show: a link's text whole, other text without its label
    ("分类: ") and split where it lists several ("A / B")."""
    for node in nodes:
        text = page.text_of(node)
        if node.tag == "a":
            if text:
                yield bracketed_name(node, text) or text  # "[技术文章]": the section's name
            continue
        # A meta line of labelled parts ("作者:老王 | 分类:技术笔记 | 浏览:128"): the
        # category's part alone.
        parts = _META_PARTS_RE.split(text)
        labelled = [part for part in parts if CATEGORY_LABEL_RE.match(part) is not None]
        for part in labelled if len(parts) > 1 and labelled else [text]:
            yield from split_names(CATEGORY_LABEL_RE.sub("", part, count=1))


def _href(page: Page, node: LexborNode) -> str | None:
    link = node if node.tag == "a" else node.css_first("a[href]")
    return page.resolve(attr(link, "href")) if link is not None else None
