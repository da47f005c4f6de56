"""One parsed listing page: the tree, the URL links resolve against, and what is hidden."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.errors import ParseError
from feedkeeper.parse.dom import attr, find_hidden, render_text
from feedkeeper.parse.urls import resolve, strip_fragment


@dataclass(frozen=True, slots=True)
class Page:
    """A listing page parsed once, with everything the stages below share."""

    tree: LexborHTMLParser
    url: str  # the page's own URL
    base_url: str  # what relative links resolve against (the page URL or <base href>)
    hidden: frozenset[int]

    @property
    def url_key(self) -> str:
        """Return the page URL without fragment."""
        return strip_fragment(self.url)

    def text_of(self, node: LexborNode, skip: Collection[int] = ()) -> str:
        """Return the node's visible text, leaving out hidden elements and ``skip``."""
        return render_text(node, self.hidden.union(skip) if skip else self.hidden)

    def resolve(self, href: str) -> str | None:
        """Return ``href`` made absolute against the page's base."""
        return resolve(href, self.base_url)


def load_page(html: str, url: str) -> Page:
    """Parse ``html`` once; raise ParseError when it cannot be read as a document."""
    if "\x00" in html:
        html = html.replace("\x00", "\ufffd")
    try:
        tree = LexborHTMLParser(html)
    except (ValueError, RuntimeError) as exc:
        raise ParseError(f"not an HTML page: {exc}") from exc
    if tree.body is None:
        raise ParseError("not an HTML page: it has no body")
    base_node = tree.css_first("base[href]")
    base_url = url
    if base_node is not None:
        base_url = resolve(attr(base_node, "href"), url) or url
    return Page(tree, url, base_url, find_hidden(tree))
