"""The number of the listing page a URL names (``/page/2/``, ``?page=2``), and the listing's
first page."""

from __future__ import annotations

import re
from urllib.parse import SplitResult

from feedkeeper.kept import keep_short
from feedkeeper.parse.urls import KEPT_URL_CHARS, split_url

# Listing pages: /page/2/, /page2/, /page-2.html, ?page=2, ?paged=2.
PAGE_PATH_RE = re.compile(r"(?:^|/)page[/_-]?(\d{1,5})(?:/|\.html?)?$", re.I)
# (Not ``?p=``: WordPress's plain links name a post so, ``/?p=412``.)
# (Naver's ``currentPage=3``, ``pageNo=3`` and ``page_no=3`` elsewhere.)
_PAGE_PARAMS = r"(?:page|paged|pg|currentpage|current_page|pageno|page_no|pagenum|pagenumber)"
_PAGE_QUERY_RE = re.compile(rf"(?:^|&){_PAGE_PARAMS}=(\d{{1,5}})(?:&|$)", re.I)
_PAGE_PARAM_RE = re.compile(rf"{_PAGE_PARAMS}=\d{{1,5}}$", re.I)
_P_QUERY_RE = re.compile(r"(?:^|&)p=(\d{1,5})(?:&|$)")
# A listing's offset in the query: LiveJournal's and Dreamwidth's ``?skip=20``.
OFFSET_PARAMS = frozenset({"skip", "offset", "start"})


def is_offset_query(query: str) -> bool:
    """Tell whether a query names only the listing's offset (``?skip=20``): a page of the
    listing, no post."""
    names = [pair.partition("=")[0].lower() for pair in query.split("&") if pair]
    return bool(names) and all(name in OFFSET_PARAMS for name in names)


@keep_short(maxsize=4096, chars=KEPT_URL_CHARS)
def page_number(url: str) -> int | None:
    """Return the listing-page number a URL names (``/page/2/``, ``?page=2``), or None."""
    parts = split_url(url)
    return _page_number(parts) if parts is not None else None


def _page_number(parts: SplitResult) -> int | None:
    match = PAGE_PATH_RE.search(parts.path) or query_page(parts)
    return int(match.group(1)) if match else None


def with_page_number(url: str, number: int) -> str | None:
    """Return the URL naming listing page ``number`` where ``url`` names its own
    (``/page/3/`` for ``/page/2/``), or None where ``url`` names none."""
    parts = split_url(url)
    if parts is None:
        return None
    found = PAGE_PATH_RE.search(parts.path)
    if found is not None:
        return parts._replace(path=_renumbered(parts.path, found, number)).geturl()
    found = query_page(parts)
    if found is not None:
        return parts._replace(query=_renumbered(parts.query, found, number)).geturl()
    return None


def _renumbered(text: str, found: re.Match[str], number: int) -> str:
    return text[: found.start(1)] + str(number) + text[found.end(1) :]


def query_page(parts: SplitResult) -> re.Match[str] | None:
    """Return the page number's match in a query: ``?page=2``, and ``?p=2`` below the root
    (``/list/?p=2``; WordPress's ``/?p=412`` names a post)."""
    if not parts.query:
        return None
    found = _PAGE_QUERY_RE.search(parts.query)
    if found is None and parts.path.strip("/"):
        found = _P_QUERY_RE.search(parts.query)
    return found


def first_page(url: str) -> str:
    """Return the listing's first page for a URL of one of its pages (``/blog/page/3/``
    gives ``/blog/``); the URL itself where it names no page number."""
    parts = split_url(url)
    if parts is None:
        return url
    path = PAGE_PATH_RE.sub("/", parts.path) if "page" in parts.path.lower() else parts.path
    query = "&".join(pair for pair in parts.query.split("&") if not _PAGE_PARAM_RE.match(pair))
    return parts._replace(path=path.replace("//", "/"), query=query, fragment="").geturl()
