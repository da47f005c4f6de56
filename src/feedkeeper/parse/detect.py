"""Find the post cards of a listing page with no site rules: repeated blocks, one post each.

Every same-site link that could lead to a post is followed up through its ancestors.
Each ancestor is a *container* whose children (the *blocks*) hold post links. The
listing is the container whose blocks each carry their own post URL, share one shape,
and carry text besides the link (titles, dates, excerpts); menus, tag clouds and "hot
posts" widgets are lists of bare links, and sidebars, navs and footers are penalised.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from selectolax.lexbor import LexborNode

from feedkeeper.elements import previous_element
from feedkeeper.parse.blocks import Block
from feedkeeper.parse.containers import LinkTree
from feedkeeper.parse.dates import parse_date
from feedkeeper.parse.dom import (
    ancestors,
    attr,
    contains,
    describe,
    element_children,
    in_heading,
    text_pieces,
)
from feedkeeper.parse.flat import split_groups, wrap_groups
from feedkeeper.parse.frame import are_columns, is_frame, is_landmark
from feedkeeper.parse.lead import lead_card, lone_card
from feedkeeper.parse.main_links import main_link
from feedkeeper.parse.page import Page
from feedkeeper.parse.page_links import Link
from feedkeeper.parse.pager_items import is_pager_item
from feedkeeper.parse.post_links import post_links
from feedkeeper.parse.score import BARE_REASON, Candidate, score_containers, shape_of

LONE_REASON = "the one post the page shows, titled by a heading, no listing around it"
FRAME_REASON = "the page's frame (its main content beside its header or footer), not a listing"
COLUMNS_REASON = "the page's columns (a listing beside a sidebar), not a listing"
# A page's columns are this few: a listing of more blocks is not asked whether it is one.
_MAX_COLUMNS = 4
# The frame of a page around its content.
_PAGE_FRAME_TAGS = frozenset({"header", "nav", "footer"})


@dataclass(slots=True)
class Detection:
    """The outcome of card detection: the cards, and the candidates that lost."""

    cards: list[Block]
    chosen: list[Candidate]
    rejected: list[Candidate]
    skipped: int = 0


def detect_cards(page: Page, complete: bool = True) -> Detection:
    """Find the listing's cards among the repeated blocks of the page.

    With ``complete`` False the cards, the chosen candidates and the runner-up are
    the same, but candidates that score far below the listing are not scored, so they
    are missing from the rejected ones.
    """
    links = post_links(page)
    candidates = score_containers(page, LinkTree(links), complete)
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    for candidate in ranked:
        if candidate.reason is None and _is_page_frame(candidate):
            candidate.reason = FRAME_REASON
        elif candidate.reason is None and _is_page_columns(candidate, ranked):
            candidate.reason = COLUMNS_REASON
    viable = [c for c in ranked if c.reason is None] or [
        c for c in ranked if c.reason == BARE_REASON and not c.penalties
    ]  # a plain list of titles is a listing too, when nothing richer is there
    if not viable:
        lone = lone_card(page, links)  # a page of one post: a blog's last page
        if lone is None:
            return Detection([], [], ranked)
        alone = Candidate(lone.node.parent or lone.node, [lone], shape=1.0, reason=LONE_REASON)
        return Detection([lone], [alone], ranked)
    best = _prefer_outer(viable[0], viable)
    if not complete and _median_urls(best) >= 2:
        return detect_cards(page)  # its rows may be among the candidates passed over
    chosen = _rows_of_groups(best, viable) or [best, *_parallel(best, viable)]
    best = chosen[0]
    taken = {card.key for c in chosen for card in c.cards if card.key}
    lead = lead_card(page, best.container, links, taken)
    if lead is not None:
        best.cards.insert(0, lead)
    for candidate in ranked:
        if all(candidate is not c for c in chosen) and candidate.reason is None:
            candidate.reason = _loss_reason(candidate, best)
    skipped = sum(_count_skipped(c, chosen) for c in chosen)
    rejected = [c for c in ranked if all(c is not x for x in chosen)]
    return Detection(_final_cards(page, chosen), chosen, rejected, skipped)


def _final_cards(page: Page, chosen: list[Candidate]) -> list[Block]:
    """Split grouped posts, wrap flat cards; return the cards in page order.

    A post shown twice keeps both blocks: the parse merges their fields afterwards.
    """
    for candidate in chosen:
        candidate.cards, wrapped = split_groups(page, candidate.cards)
        # A page's header, nav or footer beside the posts split out of its main content
        # (a short listing under <main>, beside a <header> linking "About") is no card.
        kept = [
            block
            for block in candidate.cards
            if block.node.tag not in _PAGE_FRAME_TAGS and not _is_site_header(block, candidate)
        ]
        if kept:
            _keep_cards(candidate, kept)
        # A pager beside the cards ("下一頁" or "2" leading to /blog/2) is no card either.
        _keep_cards(candidate, [b for b in candidate.cards if not is_pager_item(page, b)])
        for block in candidate.cards:
            lines = candidate.groups.get(block.node.mem_id)
            if lines:
                block.node = wrap_groups(page, block.node, lines)
                wrapped = True
        metas = _metas_before(page, candidate.cards)
        for block, meta in zip(candidate.cards, metas, strict=False):
            block.node = wrap_groups(page, meta, [block.node])  # the meta, then its card
            wrapped = candidate.with_metas = True
        if wrapped:
            page.forget_ancestry()  # once for them all: each forgetting walks every link
    cards: list[Block] = []
    seen: set[int] = set()
    for block in sorted((b for c in chosen for b in c.cards), key=lambda b: b.links[0].order):
        if block.node.mem_id not in seen:  # the same element chosen by two candidates
            seen.add(block.node.mem_id)
            cards.append(block)
    return cards


def _keep_cards(candidate: Candidate, kept: list[Block]) -> None:
    """Keep these of the candidate's cards, its shape measured again over them."""
    if len(kept) < len(candidate.cards):
        candidate.cards = kept
        shapes = [shape_of(block.node) for block in kept]
        candidate.shape = shapes.count(candidate.signature) / len(kept) if kept else 0.0


def _metas_before(page: Page, cards: list[Block]) -> list[LexborNode]:
    """Return each card's meta block when the posts are laid out as a meta block before each
    card (Zola tabi's ``section.bloglist-meta`` with the date and the pin, then
    ``section.bloglist-content``): siblings of one shape of their own, each right before its
    card, showing a date and no link; none otherwise."""
    if len(cards) < 2:
        return []
    shape = shape_of(cards[0].node)
    found: list[LexborNode] = []
    shapes: set[str] = set()
    for block in cards:
        meta = previous_element(block.node)
        # Most listings end the look at once: nothing before the first card, or the card
        # before the next one.
        if meta is None or (meta_shape := shape_of(meta)) == shape:
            return []
        found.append(meta)
        shapes.add(meta_shape)
    if len(shapes) != 1:
        return []
    for meta in found:
        text = page.text_of(meta)
        if len(text) > _MAX_META_BEFORE or meta.css_first("a[href]") is not None:
            return []
        pieces = text_pieces(meta, page.hidden, _MAX_META_PIECES, lambda piece: True) or []
        if parse_date(text) is None and not any(parse_date(piece) for piece in pieces):
            return []
    return found


# A meta block before its card is a line or two: a date, a pin, a reading time.
_MAX_META_BEFORE = 120
_MAX_META_PIECES = 12


def _is_site_header(block: Block, candidate: Candidate) -> bool:
    """Tell a site's header written as a div beside the posts (Gridea's ``div.site-header``:
    the site's name as the page's h1, a menu linking "/post/about"): the one block holding
    an h1 that names no post, where the others hold none."""
    if candidate.shape >= 1.0 or shape_of(block.node) == candidate.signature:
        return False  # a site's header is the odd one out among the posts
    heading = block.node.css_first("h1")
    if heading is None or heading.css_first("a[href]") is not None:
        return False
    if heading.parent is not None and heading.parent.tag == "a":
        return False  # a featured post's title in its link
    if block.main is None or in_heading(block.main.node):
        return False  # a post titled in its heading (and an h1 in its excerpt's text)
    others = [b for b in candidate.cards if b is not block]
    return len(others) >= 2 and all(b.node.css_first("h1") is None for b in others)


def block_for(page: Page, root: LexborNode, inside: list[Link]) -> Block:
    """Return the card block of an element a profile names as a card, with its post links."""
    order = page.link_order()
    block = Block(root, post_links(page, [(order[link.node.mem_id], link) for link in inside]))
    block.main = main_link(block)
    return block


def _is_page_frame(candidate: Candidate) -> bool:
    """Tell whether a candidate's blocks are the page's frame (its ``main`` beside its
    header, nav or footer), not a listing: a page of one post is read so."""
    nodes = [block.node for block in candidate.cards]
    holds_main = any(node.tag == "main" or attr(node, "role") == "main" for node in nodes)
    return holds_main and any(is_landmark(node) for node in nodes)


def _is_page_columns(candidate: Candidate, ranked: list[Candidate]) -> bool:
    """Tell whether a candidate's few blocks are the page's columns, one of them holding a
    listing of its own: a page of few posts (a blog's last page) may score below them."""
    if len(candidate.cards) > _MAX_COLUMNS:
        return False
    listings = [
        other.container
        for other in ranked
        if other is not candidate and other.reason is None and not other.penalties
    ]
    return are_columns([block.node for block in candidate.cards], listings)


def _prefer_outer(best: Candidate, viable: list[Candidate]) -> Candidate:
    """Return the listing that holds ``best`` inside one of its cards, if a fair one does.

    A page's columns are no such listing: the main column holding the posts beside a
    sidebar listing other posts, named one (Dotclear's ``div#main`` beside
    ``div#sidebar``) or not (a grid's ``div.col-lg-9`` beside ``div.col-lg-3``, whose
    "hot posts" are bare list items): each group holds posts of the listing's shape, and
    none holds them as a widget does (SegmentFault's "热门文章" column, its list items
    classed as the listing's but titled as a widget's).
    """
    widgets = [c.container for c in viable if c.penalties and c.signature == best.signature]
    for other in viable:
        if other is best or other.score < 0.5 * best.score:
            continue
        if any(contains(card.node, best.container) for card in other.cards) and not any(
            is_frame(card.node)
            or not _holds_shape(card.node, best.signature)
            or any(contains(card.node, widget) for widget in widgets)
            for card in other.cards
        ):
            return other
    return best


def _holds_shape(node: LexborNode, signature: str) -> bool:
    """Tell whether an element holds a linking element of the given shape."""
    return any(
        shape_of(inner) == signature and inner.css_first("a[href]") is not None
        for inner in node.css(signature.split(".", 1)[0])
    )


def _rows_of_groups(best: Candidate, viable: list[Candidate]) -> list[Candidate]:
    """Return the rows of a listing whose "cards" are groups of rows (posts under a year).

    Each group's rows are a candidate of their own, nested in one of the groups and
    naming every post of it, none by a heading; their parallels in the other groups
    come along, and a group of a single row stays a card as it is.
    """
    if _median_urls(best) < 2:
        return []
    keys = [{link.key for link in card.links} for card in best.cards]
    for inner in viable:
        if inner is best or any(len({x.key for x in card.links}) > 1 for card in inner.cards):
            continue
        holder = next((c for c in best.cards if contains(c.node, inner.container)), None)
        rows = {card.key for card in inner.cards}
        if holder is None or any(link.in_heading for link in holder.links):
            continue  # a card titled by a heading is a post (split_groups handles several)
        if not {link.key for link in holder.links} <= rows:
            continue
        chosen = [inner, *_parallel(inner, viable)]
        taken = {card.key for c in chosen for card in c.cards}
        # A group of one row stays a card; a page's header or nav is no group.
        single = [
            _as_row(c, inner.signature)
            for c, k in zip(best.cards, keys, strict=True)
            if len(k) == 1 and not k & taken and not is_landmark(c.node)
        ]
        if single:
            chosen.append(replace(best, cards=single, groups={}))
        return chosen
    return []


def _as_row(group: Block, shape: str) -> Block:
    """A group of one row read as that row, when it holds one of the rows' shape (PaperMod's
    archive month of one post): the group's heading names the month, not the post."""
    rows = [node for node in group.node.traverse() if shape_of(node) == shape]
    if len(rows) != 1 or not all(contains(rows[0], link.node) for link in group.links):
        return group
    row = Block(rows[0], group.links)
    row.main = main_link(row)
    return row


def _parallel(best: Candidate, viable: list[Candidate]) -> list[Candidate]:
    """Return other containers of the same shape as the listing's (a listing split in groups)."""
    same = describe(best.container)
    share = best.score / len(best.cards)
    found: list[Candidate] = []
    for other in viable:
        if other is best or other.penalties or other.signature != best.signature:
            continue
        # Cards as good as the listing's, in a container like it: its twin elsewhere, or a
        # sibling section of the same page ("置顶文章" above "文章列表"), however few.
        if other.score < 0.3 * share * len(other.cards):
            continue
        if describe(other.container) != same and not _is_sibling_section(other, best):
            continue
        nested = contains(best.container, other.container) or contains(
            other.container, best.container
        )
        if not nested:
            found.append(other)
    return found


def _is_sibling_section(other: Candidate, best: Candidate) -> bool:
    """Tell whether two containers of the same tag sit side by side under one parent."""
    mine, theirs = other.container, best.container
    return (
        mine.tag == theirs.tag
        and mine.parent is not None
        and theirs.parent is not None
        and mine.parent.mem_id == theirs.parent.mem_id
    )


def _loss_reason(candidate: Candidate, best: Candidate) -> str:
    if contains(best.container, candidate.container):
        return "nested inside the listing's cards"
    if (
        contains(candidate.container, best.container)
        and best.groups == {}
        and any(contains(card.node, best.container) for card in candidate.cards)
    ):
        return "groups of the listing's rows, each nested under a heading"
    if candidate.penalties:
        return "; ".join(candidate.penalties)
    return f"scored lower than the listing ({candidate.score:.1f} vs {best.score:.1f})"


def _count_skipped(candidate: Candidate, chosen: list[Candidate]) -> int:
    """Count the container's blocks of the cards' shape that hold no usable post link."""
    taken = {card.node.mem_id for card in candidate.cards}
    # (a group of one row read as its row: the group, below the container, is taken too)
    box = candidate.container
    for card in candidate.cards:
        parent = card.node.parent
        if parent is None or parent.mem_id != box.mem_id:  # most cards: the box's children
            taken.update(a.mem_id for a in ancestors(card.node, box))
    inner = [other.container for other in chosen if other is not candidate]
    return sum(
        1
        for child in element_children(box)
        if child.mem_id not in taken
        and shape_of(child) == candidate.signature
        and not any(contains(child, node) for node in inner)  # a group of rows taken
    )


def _median_urls(candidate: Candidate) -> int:
    """Return how many post URLs the candidate's cards hold, the median card."""
    counts = sorted(len({link.key for link in card.links}) for card in candidate.cards)
    return counts[len(counts) // 2]
