"""Find the post cards of a listing page with no site rules: repeated blocks, one post each.

Every same-site link that could lead to a post is followed up through its ancestors.
Each ancestor is a *container* whose children (the *blocks*) hold post links. The
listing is the container whose blocks each carry their own post URL, share one shape,
and carry text besides the link (titles, dates, excerpts); menus, tag clouds and "hot
posts" widgets are lists of bare links, and sidebars, navs and footers are penalised.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.elements import HEADINGS
from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.cardlink import title_node
from feedkeeper.parse.dom import (
    LANDMARK_ROLES,
    LANDMARK_TAGS,
    attr,
    classes,
    contains,
    describe,
    element_children,
    first_element_child,
    nearest,
)
from feedkeeper.parse.flat import Groups, heading_groups, split_groups, wrap_groups
from feedkeeper.parse.page import Link, Page
from feedkeeper.parse.urls import is_post_candidate, strip_fragment, taxonomy_kind
from feedkeeper.parse.vocab import SIDEBAR_TOKEN_RE, WIDGET_TITLE_RE, is_read_more

# A post URL held by this many blocks of one container is site furniture (an author
# page, "about"), not a post; two is a pinned post shown twice, whose cards are merged.
FURNITURE_REPEATS = 3
# Blocks holding more distinct post URLs than this are groups of cards, not cards.
MAX_URLS_PER_CARD = 3
# Text besides the title link, in characters, at which a block counts as fully "rich".
RICH_TEXT_CHARS = 60
# A block with at most this much text besides its link is a bare link (menus, widgets).
BARE_LINK_CHARS = 3
# Below this share of blocks with the majority shape there is no repeated structure.
MIN_SHAPE_SHARE = 0.5
# When this share of the cards are one element (say <article>), other elements are no cards.
MIN_SAME_KIND = 0.6
BARE_REASON = "a list of bare links: little text besides each link"
# Every form starts with a digit: the lookahead lets the other positions fail at once.
_DATE_HINT_RE = re.compile(
    r"(?=\d)(?:\d{4}\s*[-/.年]\s*\d{1,2}|\b\d{1,2},?\s+\d{4}\b|\d{1,2}\s*月)"
)
_DIGITS_RE = re.compile(r"\d+")
Item = TypeVar("Item", str, str | None)


@dataclass(slots=True)
class Candidate:
    """A container considered as the listing, with the figures that scored it."""

    container: LexborNode
    cards: list[Block]
    signature: str = ""  # the majority shape of the cards: tag.class
    shape: float = 0.0  # share of cards with that shape
    bare: float = 0.0  # share of cards that are bare links
    headings: float = 0.0  # share of cards with a heading
    richness: float = 0.0  # mean text besides the title link, in characters
    score: float = 0.0
    penalties: list[str] = field(default_factory=list)
    reason: str | None = None  # why it was not taken
    groups: Groups = field(default_factory=dict)  # a flat listing: each heading's lines


@dataclass(slots=True)
class Detection:
    """The outcome of card detection: the cards, and the candidates that lost."""

    cards: list[Block]
    chosen: list[Candidate]
    rejected: list[Candidate]
    skipped: int = 0


def detect_cards(page: Page) -> Detection:
    """Find the listing's cards among the repeated blocks of the page."""
    containers = _group_by_container(_post_links(page))
    around = Surroundings(page.tree)
    candidates = [
        c for node, blocks in containers for c in [_evaluate(page, node, blocks, around)] if c
    ]
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    viable = [c for c in ranked if c.reason is None] or [
        c for c in ranked if c.reason == BARE_REASON and not c.penalties
    ]  # a plain list of titles is a listing too, when nothing richer is there
    if not viable:
        return Detection([], [], ranked)
    best = _prefer_outer(viable[0], viable)
    chosen = _rows_of_groups(best, viable) or [best, *_parallel(best, viable)]
    best = chosen[0]
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
        candidate.cards = split_groups(candidate.cards)
        for block in candidate.cards:
            lines = candidate.groups.get(block.node.mem_id)
            if lines:
                block.node = wrap_groups(page, block.node, lines)
    cards: list[Block] = []
    seen: set[int] = set()
    for block in sorted((b for c in chosen for b in c.cards), key=lambda b: b.links[0].order):
        if block.node.mem_id not in seen:  # the same element chosen by two candidates
            seen.add(block.node.mem_id)
            cards.append(block)
    return cards


def block_for(page: Page, root: LexborNode, inside: list[Link]) -> Block:
    """Return the card block of an element a profile names as a card, with its post links."""
    ids = {link.node.mem_id for link in inside}
    links = _post_links(page, lambda link: link.node.mem_id in ids)
    block = Block(root, [link for link, _ in links])
    block.main = _main_link(block)
    return block


def _post_links(
    page: Page, wanted: Callable[[Link], bool] | None = None
) -> list[tuple[PostLink, list[LexborNode]]]:
    found: list[tuple[PostLink, list[LexborNode]]] = []
    base_url, url_key = page.base_url, page.url_key
    for order, link in enumerate(page.links):
        url = link.url
        if url is None or not link.visible or not is_post_candidate(url, base_url):
            continue
        key = strip_fragment(url)
        if key == url_key or taxonomy_kind(url, link.rel) or (wanted and not wanted(link)):
            continue
        in_heading = any(a.tag in HEADINGS for a in link.chain[:4])
        title = title_node(page, link.node)
        text = page.text_of(title)
        found.append((PostLink(link.node, url, key, order, in_heading, text, title), link.chain))
    return found


def _group_by_container(
    links: list[tuple[PostLink, list[LexborNode]]],
) -> list[tuple[LexborNode, list[Block]]]:
    containers: dict[int, tuple[LexborNode, dict[int, Block]]] = {}
    for link, chain in links:
        child = link.node
        for parent in chain:
            held = containers.get(parent.mem_id)
            if held is None:
                held = containers[parent.mem_id] = (parent, {})
            blocks = held[1]
            block = blocks.get(child.mem_id)
            if block is None:
                block = blocks[child.mem_id] = Block(child)
            block.links.append(link)
            child = parent
    return [(node, list(blocks.values())) for node, blocks in containers.values()]


def _evaluate(
    page: Page, container: LexborNode, blocks: list[Block], around: Surroundings
) -> Candidate | None:
    if len(blocks) < 2:
        return None
    many = sorted(len({link.key for link in block.links}) for block in blocks)
    if many[len(many) // 2] > MAX_URLS_PER_CARD:
        return None  # each block holds several posts: an outer wrapper of the listing
    cards = _same_kind(_distinct_cards(blocks))
    if len(cards) < 2:
        return None
    candidate = Candidate(container, cards)
    if _most_common([card.node.tag for card in cards])[0] in HEADINGS:
        candidate.groups = heading_groups(page, container, [card.node for card in cards])
    _measure(candidate, around)
    _apply_penalties(candidate, around)
    return candidate


def _same_kind(cards: list[Block]) -> list[Block]:
    """Drop the odd blocks out (an intro, a notice) when most cards are one kind of element."""
    if not cards:
        return cards
    tag, count = _most_common([card.node.tag for card in cards])
    if count < len(cards) and count >= 2 and count / len(cards) >= MIN_SAME_KIND:
        return [card for card in cards if card.node.tag == tag]
    return cards


def _most_common(items: list[Item]) -> tuple[Item, int]:
    """Return the most frequent item, the first seen among equals, and its count."""
    counts: dict[Item, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return max(counts.items(), key=lambda pair: pair[1])


def _distinct_cards(blocks: list[Block]) -> list[Block]:
    for block in blocks:
        block.main = _main_link(block)
    counts = Counter(block.key for block in blocks if block.key)
    # A post shown twice (pinned teaser, then its card) keeps both: their fields are merged.
    return [block for block in blocks if block.key and counts[block.key] < FURNITURE_REPEATS]


def _main_link(block: Block) -> PostLink | None:
    """Return the link naming the block's post: heading link, else the most prominent one."""
    if not block.links:
        return None
    for link in block.links:
        if link.in_heading:
            return link
    titled = [link for link in block.links if link.text and not is_read_more(link.text)]
    titled = [link for link in titled if not _DATE_HINT_RE.fullmatch(link.text)]
    if titled:
        return max(titled, key=lambda link: len(link.text))
    return block.links[0]


def _measure(candidate: Candidate, around: Surroundings) -> None:
    cards = candidate.cards
    candidate.signature, top = _most_common([_shape(block.node) for block in cards])
    candidate.shape = top / len(cards)
    extras, quality, bare, headed = [], 0.0, 0, 0
    for block in cards:
        lines = candidate.groups.get(block.node.mem_id)
        text = block.node.text(strip=True)
        if lines:
            text = "".join([text, *(line.text(strip=True) for line in lines)])
        extra = max(0, len(text) - len(block.main.text if block.main else ""))
        has_heading = any(link.in_heading for link in block.links) or around.holds(
            block.node, _HEADING_CSS
        )
        has_date = _DATE_HINT_RE.search(text) is not None or around.holds(block.node, "time")
        extras.append(extra)
        bare += extra <= BARE_LINK_CHARS
        headed += has_heading
        card_quality = 0.15 + 0.85 * min(1.0, extra / RICH_TEXT_CHARS)
        card_quality *= (1.0 if has_heading else 0.7) * (1.2 if has_date else 1.0)
        quality += card_quality * (0.3 if _is_inline_mention(block) else 1.0)
    candidate.bare = bare / len(cards)
    candidate.headings = headed / len(cards)
    candidate.richness = sum(extras) / len(extras)
    candidate.score = quality * candidate.shape


_HEADING_CSS = "h1, h2, h3, h4, h5, h6"


def _shape(node: LexborNode) -> str:
    tokens = classes(node)
    return (node.tag or "") + ("." + _DIGITS_RE.sub("", tokens[0]) if tokens else "")


def _is_inline_mention(block: Block) -> bool:
    """Tell whether the block's post link is a mention inside running text (a paragraph)."""
    link = block.main
    if link is None or link.in_heading:
        return False
    parent = link.node.parent
    if parent is None or parent.tag not in ("p", "li", "td", "blockquote", "dd"):
        return False
    return len(parent.text(strip=True)) > 3 * max(1, len(link.text)) + 20


@dataclass(slots=True)
class Surroundings:
    """What candidates ask of the elements around them, found once per detection.

    The tree must not change meanwhile: the answers are kept by element.
    """

    tree: LexborHTMLParser
    landmarks: dict[int, LexborNode | None] = field(default_factory=dict)  # nearest above
    sidebars: dict[int, LexborNode | None] = field(default_factory=dict)
    holders: dict[str, set[int]] = field(default_factory=dict)  # by selector

    def holds(self, node: LexborNode, selector: str) -> bool:
        """Tell whether the node or an element inside it matches ``selector``."""
        if selector not in self.holders:
            self.holders[selector] = _holders(self.tree, selector)
        return node.mem_id in self.holders[selector]


def _holders(tree: LexborHTMLParser, selector: str) -> set[int]:
    """Return the ids of the elements matching ``selector`` and of all their ancestors."""
    found: set[int] = set()
    for match in tree.css(selector):
        current: LexborNode | None = match
        while current is not None and current.mem_id not in found:
            found.add(current.mem_id)
            current = current.parent
    return found


def _apply_penalties(candidate: Candidate, around: Surroundings) -> None:
    node = candidate.container
    landmark = nearest(node, _is_landmark, around.landmarks)
    if landmark is not None:
        candidate.penalties.append(f"inside <{landmark.tag}> ({describe(landmark)})")
        candidate.score *= 0.25
    sidebar = nearest(node, _has_sidebar_token, around.sidebars)
    if sidebar is not None:
        candidate.penalties.append(f"inside a sidebar or widget area ({describe(sidebar)})")
        candidate.score *= 0.5
    title = _widget_title(node) if candidate.richness < RICH_TEXT_CHARS else None
    if title:
        candidate.penalties.append(f"titled like a widget ({title!r})")
        candidate.score *= 0.5
    if candidate.shape < MIN_SHAPE_SHARE:
        candidate.reason = f"no repeated structure: blocks differ in shape ({candidate.shape:.0%})"
    elif candidate.bare >= 0.6:
        candidate.reason = BARE_REASON
        candidate.score *= 0.5


def _is_landmark(node: LexborNode) -> bool:
    return node.tag in LANDMARK_TAGS or attr(node, "role").lower() in LANDMARK_ROLES


def _has_sidebar_token(node: LexborNode) -> bool:
    return SIDEBAR_TOKEN_RE.search(attr(node, "id") + " " + attr(node, "class")) is not None


def _widget_title(container: LexborNode) -> str | None:
    """Return the title of a widget-like list ("热门文章") right before or atop the container."""
    previous = container.prev
    while previous is not None and (previous.tag or "-").startswith("-"):
        previous = previous.prev
    heads = [previous] if previous is not None else []
    parent = container.parent
    first = first_element_child(parent) if parent is not None else None
    if first is not None:
        heads.append(first)
    for head in heads:
        text = head.text(strip=True) if head.tag in HEADINGS or head.tag == "div" else ""
        if text and len(text) <= 30 and WIDGET_TITLE_RE.search(text):
            return text
    return None


def _prefer_outer(best: Candidate, viable: list[Candidate]) -> Candidate:
    """Return the listing that holds ``best`` inside one of its cards, if a fair one does."""
    for other in viable:
        if other is best or other.score < 0.5 * best.score:
            continue
        if any(contains(card.node, best.container) for card in other.cards):
            return other
    return best


def _rows_of_groups(best: Candidate, viable: list[Candidate]) -> list[Candidate]:
    """Return the rows of a listing whose "cards" are groups of rows (posts under a year).

    Each group's rows are a candidate of their own, nested in one of the groups and
    naming every post of it, none by a heading; their parallels in the other groups
    come along, and a group of a single row stays a card as it is.
    """
    keys = [{link.key for link in card.links} for card in best.cards]
    if sorted(len(k) for k in keys)[len(keys) // 2] < 2:
        return []
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
        single = [c for c, k in zip(best.cards, keys, strict=True) if len(k) == 1 and not k & taken]
        if single:
            chosen.append(replace(best, cards=single, groups={}))
        return chosen
    return []


def _parallel(best: Candidate, viable: list[Candidate]) -> list[Candidate]:
    """Return other containers of the same shape as the listing's (a listing split in groups)."""
    same = describe(best.container)
    found: list[Candidate] = []
    for other in viable:
        if other is best or other.penalties or other.signature != best.signature:
            continue
        if describe(other.container) != same or other.score < 0.3 * best.score:
            continue
        nested = contains(best.container, other.container) or contains(
            other.container, best.container
        )
        if not nested:
            found.append(other)
    return found


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
    inner = [other.container for other in chosen if other is not candidate]
    return sum(
        1
        for child in element_children(candidate.container)
        if child.mem_id not in taken
        and _shape(child) == candidate.signature
        and not any(contains(child, node) for node in inner)  # a group of rows taken
    )
