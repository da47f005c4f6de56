"""What a link in a card is for, besides naming the post: a meta line's (the comments, a
person's page), the excerpt's (a word of its text, a link to a place in the post), or a
"more" button's."""

from __future__ import annotations

import re
from urllib.parse import unquote

from selectolax.lexbor import LexborNode

from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.excerpt import MAX_META_RESIDUAL
from feedkeeper.parse.page import PEOPLE_CSS, Page
from feedkeeper.parse.page_links import Link
from feedkeeper.parse.vocab import is_read_more, reads_comments
from feedkeeper.text import split_ellipsis


def meta_links(
    page: Page, block: Block, link: PostLink | None, links: list[Link]
) -> list[LexborNode]:
    """Return links that belong to meta lines: comment counts, people's pages (authors, a
    handle shown as "@tanaka_dev"), the post's anchors of its comments (``#comments``, "12
    条评论") and of its reply form (``?mode=reply#add_comment``). Its other anchors are
    the excerpt's: a read-more's ``#more-302`` ("[...]"), a link to a block of the post
    (``#code-1``)."""
    found: list[LexborNode] = []
    key = block.key
    path = key.split("?", 1)[0] if key else key
    for post_link in block.links:
        if (
            # the post's reply form, with a query of its own (``/284113.html?mode=reply``)
            (post_link.key == key or post_link.key.split("?", 1)[0] == path)
            and "#" in post_link.url
            and post_link is not link
            and _is_comments_anchor(post_link.url, page.text_of(post_link.node))
        ):
            found.append(post_link.node)
    avatars: set[str] | None = None  # the pages the card's avatar pictures lead to
    for other in links:
        rel = other.rel  # split only when the word may be there: most links have no rel
        author = "author" in rel and "author" in rel.split()
        person = author or other.target.person or _is_handle(page.text_of(other.node))
        if not person and other.kind is None and other.target.key and other.target.key != key:
            if avatars is None:
                avatars = _people_led_to(page, links, key)
            person = other.target.key in avatars  # dev.to's name beside the avatar: /priyar
        if person and not is_in_prose(page, other.node):  # "感谢 @someone 指出…"
            found.append(other.node)
    return found


def script_links(links: list[Link]) -> list[LexborNode]:
    """Return the links that run a script instead of leading anywhere (``javascript:``):
    a forum's "预览" (preview) or "更多操作" button, whose words are no text of the card."""
    return [
        link.node
        for link in links
        if link.url is None
        and (link.node.attributes.get("href") or "").lstrip()[:11].lower() == "javascript:"
    ]


def _people_led_to(page: Page, links: list[Link], key: str | None) -> set[str]:
    """Return the pages the card's people's links lead to: a link classed as the author's
    or an avatar's (``PEOPLE_CSS``), or holding an avatar's picture alone."""
    people = page.ids_of(PEOPLE_CSS)
    return {
        link.target.key
        for link in links
        if link.target.key != key and (link.node.mem_id in people or _is_avatar(page, link.node))
    }


# An avatar: a picture alone in its link, so named by a class or its alternative text.
_AVATAR_RE = re.compile(r"avatar|profile|gravatar|头像", re.I)


def _is_avatar(page: Page, node: LexborNode) -> bool:
    """Tell a link that holds a person's picture and nothing else."""
    if page.text_of(node):
        return False
    image = node.css_first("img")
    if image is None:
        return False
    attrs, own = image.attributes, node.attributes
    said = f"{own.get('class') or ''} {attrs.get('class') or ''} {attrs.get('alt') or ''}"
    return _AVATAR_RE.search(said) is not None


# A link in a paragraph that says more than a meta line besides it is a word of the text.
_PARAGRAPH_TAGS = frozenset({"p", "blockquote"})
_PROSE_LEVELS = 3
_LINKS_IN_PARAGRAPHS = "p a, blockquote a"
# A shorter paragraph is text, not a meta line, when it ends a sentence or holds a
# placeholder: "本文属于 <a>机器学习</a> 系列。", "用 <a>#PyTorch</a> 实现：[代码]".
_SENTENCE_RE = re.compile(r"[。！？]|\[(?:代码|公式|Math)\]")
# A sentence's end in a Latin script; with six words or more around it, a sentence, where a
# meta line has a few ("Filed under Python. 3 comments").
_LATIN_SENTENCE_RE = re.compile(r"[^\W\d_]{2}[.!?](?:\s|$)")


# A person's handle: "@tanaka_dev", one word (not an excerpt that opens with "@container").
_HANDLE_RE = re.compile(r"@[\w.-]{1,40}")


def _is_handle(text: str) -> bool:
    return text[:1] == "@" and _HANDLE_RE.fullmatch(text) is not None


def is_in_prose(page: Page, node: LexborNode) -> bool:
    """Tell whether a link stands in running text (``stands_in_prose``)."""
    if node.mem_id not in page.ids_of(_LINKS_IN_PARAGRAPHS):
        return False  # most links: found at once, without a walk up
    return stands_in_prose(page, node)


def stands_in_prose(page: Page, node: LexborNode) -> bool:
    """Tell whether an element stands in running text: a paragraph (at most a few levels
    up) with more than a meta line's worth of text besides it."""
    parent = node.parent
    for _ in range(_PROSE_LEVELS):
        if parent is None:
            return False
        if parent.tag in _PARAGRAPH_TAGS:
            text = page.text_of(parent)
            residual = len(text) - len(page.text_of(node))
            return (
                residual > MAX_META_RESIDUAL
                or _SENTENCE_RE.search(text) is not None
                or (_LATIN_SENTENCE_RE.search(text) is not None and text.count(" ") >= 5)
            )
        parent = parent.parent
    return False


def is_ellipsis(text: str) -> bool:
    """Tell whether a "more" link shows an ellipsis ("[...]", "…", WordPress's "(more…)",
    "Read more...", "阅读全文…"): the excerpt was cut where the link stands."""
    rest, is_cut = split_ellipsis(text)
    if is_cut or not rest:
        return is_cut
    # the ellipsis inside the link's dress: "(more…)", "[Read more...]", "阅读全文… »"
    return split_ellipsis(text.strip().strip(_MORE_DRESS))[1]


# What a "more" link's words are dressed in: brackets, arrows, guillemets.
_MORE_DRESS = " ()[]（）【】<>«»→›»"


def is_more_link(page: Page, node: LexborNode) -> bool:
    """Tell whether a link is the card's "Read more": by its words, or by leading to where
    the post was cut, whatever it says ("There is more: the stables …" to ``#more-205``)."""
    return is_read_more(page.text_of(node)) or is_cut_mark(page, node)


def reads_more(link: Link, text: str) -> bool:
    """Tell whether a link showing ``text`` is a "more" button: ``is_more_link`` or
    ``is_more_mark``, told from what the link already knows."""
    return is_read_more(text) or leads_to_cut(link.url) or is_more_mark(text)


def is_cut_mark(page: Page, node: LexborNode) -> bool:
    """Tell whether a "more" link leads to where the post was cut: WordPress's ``#more-31``,
    Hexo's, Blogger's and Movable Type's ``#more``, written only where a post goes on past
    its ``<!--more-->`` (its jump break), whatever the link says."""
    link = page.link(node)
    return link is not None and leads_to_cut(link.url)


def leads_to_cut(url: str | None) -> bool:
    """Tell whether a link's URL leads to where its post was cut (see ``is_cut_mark``)."""
    # Most URLs hold no "#more": the substring test spares them the search.
    return url is not None and "#more" in url and _CUT_AT_RE.search(url) is not None


# The anchor WordPress (``#more-31``), Hexo, Blogger and Movable Type (``#more``) give the
# place a post's listing excerpt stops.
_CUT_AT_RE = re.compile(r"#more(?:-\d+)?$")


def is_more_mark(text: str) -> bool:
    """Tell whether a link's text is a "more" mark with no word: "→", "»", "[...]", "…"."""
    # (A letter or a digit first, the most usual, fails the pattern at once: told without it.)
    return (
        0 < len(text) <= MAX_MORE_MARK
        and not text[0].isalnum()
        and _WORDLESS_RE.fullmatch(text) is not None
    )


# Text without a letter or a digit (an underscore counts as neither: no mark holds one).
_WORDLESS_RE = re.compile(r"[\W_]+")


# A link whose text is at most this long and holds no letter or digit is a "more" button.
MAX_MORE_MARK = 6
# The anchors of a post's comments: its own, and those of the comment systems themes embed.
_COMMENTS_FRAGMENT_RE = re.compile(
    r"comment|respond|repl(?:y|ies)|discuss|disqus|valine|waline|twikoo|gitalk|giscus"
    r"|utterances|livere|artalk|cusdis|remark42|isso|changyan|评论|留言",
    re.I,
)


def without_comments_anchor(url: str) -> str:
    """Return a post's URL without an anchor of its comments (V2EX's ``/t/1034567#reply12``):
    a place in the post, which moves as replies come, names no other page."""
    if "#" not in url:  # most
        return url
    address, _, fragment = url.partition("#")
    return address if _COMMENTS_FRAGMENT_RE.search(unquote(fragment)) else url


def _is_comments_anchor(url: str, text: str) -> bool:
    """Tell whether a link to a place in the post leads to its comments: by its anchor, or
    by its words ("12 条评论", "Comments (3)", a count alone)."""
    fragment = unquote(url.partition("#")[2])
    if _COMMENTS_FRAGMENT_RE.search(fragment):
        return True
    return text.strip().isdigit() or (len(text) <= 30 and reads_comments(text))
