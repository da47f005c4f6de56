"""A pager beside the cards, among the blocks a listing's container holds: Pixnet's "下一頁"
and "2" leading to ``/blog/2``, Douban's "<前页 1 2 3 … 13 后页>", none of them a post."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.dates import parse_date
from feedkeeper.parse.page import Page
from feedkeeper.parse.page_labels import label_number
from feedkeeper.parse.vocab import MAX_PAGER_TEXT, reads_pager_word

# What stands beside a pager's lone link is this short ("…", "Page 2 of 9", "共 9 页").
MAX_PAGER_WORD = 12


def is_pager_item(page: Page, block: Block) -> bool:
    """Tell a pager beside the cards, or one of its items, from a card: its post links all
    show a number, an arrow or a pager's word (an icon showing nothing beside them), and it
    shows nothing a card does besides them. A post titled "2023" or "42" keeps its card:
    its number is a heading's, or stands beside a date or an excerpt."""
    shown = False
    for link in block.links:  # a loop: asked of every card, most of them at their first link
        if link.text and _reads_pager_link(link):
            shown = True
        elif link.text or link.in_heading:
            return False
    if not shown:
        return False  # a photo's card: its links show images alone
    if len({link.key for link in block.links}) > 1 or _leads_to_pages(page, block.node):
        return True  # a card's links lead to its one post, a pager's to several pages
    # What a pager's lone link stands beside: the current page's number, "…", "Page 2 of 9".
    besides = page.text_of(block.node)
    for link in block.links:  # "2" and "Next page →", both to page 2
        besides = besides.replace(link.text, "", 1)
    besides = besides.strip()
    return len(besides) <= MAX_PAGER_WORD and parse_date(besides) is None


def _leads_to_pages(page: Page, node: LexborNode) -> bool:
    """Tell whether every link of an element shows a number or a pager's word, and they
    lead to several pages: Douban's "<前页 1 2 3 … 13 后页> (共126篇)", whose numbers are
    no post links."""
    shown = page.links_under(node)
    return len({link.target.key for link in shown}) > 1 and all(
        reads_pager_text(page.text_of(link.node)) for link in shown
    )


def _reads_pager_link(link: PostLink) -> bool:
    """Tell whether a post link shows what a pager's link does, out of any heading (a pager
    is never one)."""
    return not link.in_heading and reads_pager_text(link.text)


def reads_pager_text(text: str) -> bool:
    """Tell whether a link's text is a pager's: a page number ("2", "第二页"), a pager's
    word ("Older posts →", "Articles plus anciens"), or arrows and dots alone ("❯", "⟶",
    "…"); a longer text is read as a title without asking."""
    return len(text) <= MAX_PAGER_TEXT and (
        label_number(text) is not None
        or reads_pager_word(text)
        or (bool(text) and not any(char.isalnum() for char in text))
    )
