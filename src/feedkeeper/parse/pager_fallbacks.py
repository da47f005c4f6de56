"""The pager's last resorts: a link to a larger offset of the listing (``?skip=20``), a
script's "load more" button naming the next page in a ``data-`` attribute, a "next" button
whose click opens the next page (``onclick="location.href='/recent?p=2'"``), and a
``<select>`` of pages that a script opens the chosen one of."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.parse.dom import attr, is_visible
from feedkeeper.parse.page import Page
from feedkeeper.parse.page_numbers import OFFSET_PARAMS, page_number
from feedkeeper.parse.pager_numbers import PagerLink
from feedkeeper.parse.urls import is_same_site, split_url, strip_fragment
from feedkeeper.parse.vocab import MAX_PAGER_TEXT, NEXT_RE

# Where a script's "load more" button keeps the next page (Halo's ``data-url``).
_LOADS_FROM = ("data-url", "data-href", "data-next", "data-next-url", "data-next-page")
_LOADS_FROM_CSS = ", ".join(f"[{name}]" for name in _LOADS_FROM)
_LOAD_MORE_RE = re.compile(
    r"^\W*(?:加载更多|載入更多|加載更多|查看更多|点击加载更多|更多文章|load\s+more(?:\s+posts)?"
    r"|show\s+more(?:\s+posts)?|more\s+posts|more)\W*$",
    re.I,
)


def load_more(page: Page) -> tuple[str, str] | None:
    """Return the page, and why, that a visible "load more" button that is no link
    fetches by script: a numbered page or a cursor of this site, named by one of its
    ``data-`` attributes. A link leading nowhere (``<a href="javascript:;">``, ``#``, no
    ``href``) is such a button."""
    for node in page.tree.css(_LOADS_FROM_CSS):
        if _leads_somewhere(page, node) or not is_visible(node, page.hidden):
            continue
        hint = f"{page.text_of(node)} {attr(node, 'aria-label')}".strip()
        if not _LOAD_MORE_RE.match(hint):
            continue
        for name in _LOADS_FROM:
            url = page.resolve(attr(node, name))
            if (
                url
                and is_same_site(url, page.url)
                and strip_fragment(url) != page.url_key
                and (page_number(url) is not None or has_query(url))
            ):
                return url, f"button reading {hint!r} that loads {name}"
    return None


def _leads_somewhere(page: Page, node: LexborNode) -> bool:
    """Tell whether an element is a link to a page: its ``href`` is read as the pager's."""
    return node.tag == "a" and page.resolve(attr(node, "href")) is not None


# A click that opens a page: ``location.href='/recent?p=2'``, ``window.location = "…"``.
_OPENS_RE = re.compile(r"location(?:\.href)?\s*=\s*(['\"])([^'\"]+)\1")


def next_button(page: Page) -> tuple[str, str] | None:
    """Return the page, and why, that a visible button reading "next" opens by script
    (V2EX's ``<input type="button" value="下一页 ›" onclick="location.href='/recent?p=2'">``):
    a page of this site other than this one."""
    for node in page.tree.css("input[onclick], button[onclick]"):
        said = attr(node, "value") if node.tag == "input" else page.text_of(node)
        if len(said) > MAX_PAGER_TEXT or not NEXT_RE.match(said) or "disabled" in node.attributes:
            continue
        opened = _OPENS_RE.search(attr(node, "onclick"))
        if opened is None or not is_visible(node, page.hidden):
            continue
        url = page.resolve(opened.group(2))
        if url and is_same_site(url, page.url) and strip_fragment(url) != page.url_key:
            return strip_fragment(url), f"button reading {said.strip()!r} that opens the page"
    return None


def next_by_offset(page: Page, links: list[PagerLink]) -> tuple[str, str] | None:
    """Return the URL, and why, of the link to this listing further on by its offset
    alone ("Previous 20" on Dreamwidth leads to ``?skip=20``, the older entries): the
    same address with a larger offset, the nearest one."""
    here = _offset_of(page.url_key)
    if here is None:
        return None
    found = [
        (offset, link)
        for link in links
        if (there := _offset_of(link.url)) is not None
        and there[0] == here[0]
        and (offset := there[1]) > here[1]
    ]
    if not found:
        return None
    offset, link = min(found, key=lambda pair: pair[0])
    return link.url, f"link to offset {offset} of this listing ({link.text!r})"


def _offset_of(url: str) -> tuple[tuple[str, str], int] | None:
    """Return an address without its offset (path, other query) and the offset (0 when
    none), or None when it is no address."""
    parts = split_url(url)
    if parts is None:
        return None
    offset, rest = 0, []
    for pair in parts.query.split("&") if parts.query else []:
        name, _, value = pair.partition("=")
        if name.lower() in OFFSET_PARAMS and value.isdecimal():  # "²" is a digit, no number
            offset = int(value)
        else:
            rest.append(pair)
    return (f"{parts.netloc}{parts.path.rstrip('/')}", "&".join(sorted(rest))), offset


def has_query(url: str) -> bool:
    """Tell whether a URL has a query (a cursor: Blogger's ``?updated-max=``)."""
    parts = split_url(url)
    return parts is not None and bool(parts.query)


# An option naming a page: "3", "第 3 页", "Page 3", "3 / 10".
_PAGE_OPTION_RE = re.compile(
    r"^\s*(?:第\s*)?(?:page\s*)?(\d{1,5})\s*(?:页|頁)?\s*(?:/\s*\d{1,5}\s*(?:页|頁)?)?\s*$",
    re.I,
)


def select_next(page: Page) -> tuple[str, str] | None:
    """Return the page, and why, that follows the chosen one in a visible ``<select>`` of
    pages ("第 2 页", "Page 2") whose options name each page's URL."""
    for select in page.tree.css("select"):
        if not is_visible(select, page.hidden):
            continue
        options = select.css("option[value]")
        chosen = [index for index, o in enumerate(options) if "selected" in o.attributes]
        if not chosen or chosen[0] + 1 >= len(options):
            continue
        here, after = (_PAGE_OPTION_RE.match(o.text(strip=True)) for o in options[chosen[0] :][:2])
        if here is None or after is None or int(after.group(1)) != int(here.group(1)) + 1:
            continue
        url = page.resolve(attr(options[chosen[0] + 1], "value"))
        if url and is_same_site(url, page.url) and strip_fragment(url) != page.url_key:
            return strip_fragment(url), f"option {after.group(0).strip()!r} of a select of pages"
    return None
