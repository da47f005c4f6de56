"""Which link of a block names its post: the heading's link, else the most prominent one
named a title; a link showing a date or a count names none."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.number_titles import names_its_post
from feedkeeper.parse.vocab import is_control

# A link showing a date with its month first ("Feb 27th, 2024", Tumblr's and Write.as's
# links to an untitled post) names no post either.
_MONTH_FIRST_RE = re.compile(r"[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}")
# A count, alone or with its unit ("21", "1,024 notes", "3 likes"), names no post.
_COUNT_RE = re.compile(r"\d[\d,.]*[kKwW万]?(?:\s*(?:[A-Za-z]{1,12}|次?阅读|浏览|评论|赞|喜欢))?")
# A date shown in text, found without being read (a card that shows one, a link that is one).
# Every form starts with a digit: the lookahead lets the other positions fail at once.
# (2026-01-11, 2026年1月, 2026년 1월, Jan 11, 2026, 11.01.2026, 01/11/2026, 11 de enero de 2026)
DATE_HINT_RE = re.compile(
    r"(?=\d)(?:\d{4}\s*[-/.年년]\s*\d{1,2}|\b\d{1,2},?\s+\d{4}\b|\d{1,2}\s*[月월]"
    r"|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{4}\b|\b\d{1,2}/\d{1,2}/\d{2}\b"
    r"|\b\d{1,2}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?[^\W\d_]{3,12}\.?,?\s+(?:de\s+)?\d{4}\b)"
)


def main_link(block: Block) -> PostLink | None:
    """Return the link naming the block's post: heading link, else the most prominent one."""
    if not block.links:
        return None
    for link in block.links:
        if link.in_heading:
            return link
    titled = [link for link in block.links if link.text and not is_control(link.text)]
    # A date, or a count ("21" comments), names no post.
    titled = [link for link in titled if not shows_date(link.text) and not _is_count(block, link)]
    if len(titled) > 1:  # a title link and a linked excerpt: the one named a title, if any
        titled = [link for link in titled if _is_named_title(link.node)] or titled
    if titled:
        return max(titled, key=lambda link: len(link.text))
    # An untitled post: the link showing its date leads to it, rather than an image's.
    dated = (link for link in block.links if link.text and not _COUNT_RE.fullmatch(link.text))
    return next(dated, block.links[0])


def _is_count(block: Block, link: PostLink) -> bool:
    """Tell whether a link shows a count ("21", "3 likes"), not a number titling its post."""
    # A number is a title ("2023", "42") where a class names it one, or where it comes
    # first in its card with no count's word, icon or class beside it.
    if _COUNT_RE.fullmatch(link.text) is None:
        return False
    if not link.text.isdigit():
        return True
    return not (_is_named_title(link.node) or names_its_post(block, link))


def without_counts(links: list[PostLink]) -> list[PostLink]:
    """Return the post links but those showing a count that lead, with a query of their
    own, to a post another link leads to (Medium's responses, ``?responsesOpen=true``):
    they name no post of their own."""
    counts = [
        link
        for link in links
        if "?" in link.key and not link.in_heading and _COUNT_RE.fullmatch(link.text)
    ]
    if not counts:
        return links  # most pages
    shown = {id(link) for link in counts}
    paths = {link.key.split("?", 1)[0] for link in links if id(link) not in shown}
    dropped = {id(link) for link in counts if link.key.split("?", 1)[0] in paths}
    return [link for link in links if id(link) not in dropped]


def shows_date(text: str) -> bool:
    """Tell whether a link's whole text is a date: it names no post."""
    return bool(DATE_HINT_RE.fullmatch(text) or _MONTH_FIRST_RE.fullmatch(text))


def _is_named_title(node: LexborNode) -> bool:
    """Tell whether a link (or its parent) is named as a title by its class or its test id
    (``a.title``, ``div.title-row > a``, Substack's ``data-testid="post-preview-title"``,
    a class for headings' font), not a subtitle."""
    for element in (node, node.parent):
        if element is None:
            continue
        attrs = element.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('data-testid') or ''}".lower()
        if ("title" in names or "heading" in names) and "subtitle" not in names:
            return True
    return False
