"""Score one container as a page's listing: how alike its blocks are, what they show, where.

A listing's blocks each carry their own post URL, share one shape and carry text
besides the link (titles, dates, excerpts); menus, tag clouds and "hot posts" widgets
are lists of bare links, and sidebars, navs and footers are penalised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.elements import HEADINGS
from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.containers import LinkTree
from feedkeeper.parse.dom import classes, describe, nearest
from feedkeeper.parse.flat import Groups, heading_groups
from feedkeeper.parse.frame import has_sidebar_token, is_landmark, widget_title
from feedkeeper.parse.main_links import DATE_HINT_RE, main_link
from feedkeeper.parse.node_text import stripped_text
from feedkeeper.parse.page import Page

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
# Cards of these elements may be title lines whose other lines follow them: headings, and
# a definition list's terms (``<dt><a>title</a></dt><dd>excerpt</dd>``).
_TITLE_LINE_TAGS = HEADINGS | {"dt"}
BARE_REASON = "a list of bare links: little text besides each link"
# A card showing a date scores this much more; no card scores more than this.
DATE_BONUS = 1.2
# Containers whose blocks could not score this share of the best listing found so far
# decide nothing. The least share a choice looks at is a parallel's: 0.3 of an outer
# listing taken at 0.5 of the best, 0.15 (a close runner-up is 0.8 of it, 0.4).
PRUNE_SHARE = 0.14
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
    # Each card wrapped with the meta block before it: cards no selector can name either.
    with_metas: bool = False


def score_containers(page: Page, tree: LinkTree, complete: bool = True) -> list[Candidate]:
    """Score each container that may be the listing; return the candidates in page order.

    With ``complete`` False, containers are scored from the most blocks down, and once
    even perfect cards could not reach ``PRUNE_SHARE`` of the best listing so far the
    rest are passed over (their blocks are never gathered).
    """
    around = Surroundings(page.tree)
    containers = tree.containers
    order = list(range(len(containers)))
    if not complete:
        order.sort(key=lambda index: tree.count(containers[index]), reverse=True)
    found: dict[int, Candidate] = {}
    best = 0.0
    for index in order:
        key = containers[index]
        if not complete and DATE_BONUS * tree.count(key) < PRUNE_SHARE * best:
            break
        candidate = evaluate(page, tree.node(key), tree.blocks(key), around)
        if candidate is not None:
            found[index] = candidate
            if candidate.reason is None:
                best = max(best, candidate.score)
    return [found[index] for index in sorted(found)]


def evaluate(
    page: Page, container: LexborNode, blocks: list[Block], around: Surroundings
) -> Candidate | None:
    """Score a container as the listing; None when its blocks are no cards at all."""
    if len(blocks) < 2:
        return None
    many = sorted(len({link.key for link in block.links}) for block in blocks)
    if many[len(many) // 2] > MAX_URLS_PER_CARD and _median_own_urls(blocks) > MAX_URLS_PER_CARD:
        return None  # each block holds several posts: an outer wrapper of the listing
    distinct, title_lines = _distinct_cards(blocks)
    cards = _same_kind(distinct)
    if len(cards) < 2:
        return None
    candidate = Candidate(container, cards)
    if title_lines or _most_common([card.node.tag for card in cards])[0] in _TITLE_LINE_TAGS:
        candidate.groups = heading_groups(page, container, [card.node for card in cards])
    _measure(candidate, around)
    _apply_penalties(candidate, around)
    return candidate


def _median_own_urls(blocks: list[Block]) -> int:
    """Return how many posts the median block links of its own: a URL most blocks link
    (the journal's icons, its profile) is furniture, and a URL that is another's with a
    query of its own (``/284113.html?mode=reply``) is that post's action (Dreamwidth)."""
    shared: dict[str, int] = {}
    for block in blocks:
        for key in {link.key for link in block.links}:
            shared[key] = shared.get(key, 0) + 1
    least = max(FURNITURE_REPEATS, len(blocks) // 2 + 1)
    own = sorted(_own_urls(block, shared, least) for block in blocks)
    return own[len(own) // 2]


def _own_urls(block: Block, shared: dict[str, int], least: int) -> int:
    keys = {link.key for link in block.links if shared[link.key] < least}
    return sum(1 for key in keys if "?" not in key or key.split("?", 1)[0] not in keys)


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


def _distinct_cards(blocks: list[Block]) -> tuple[list[Block], bool]:
    """Return the blocks that are cards (one a post, no site furniture), and whether they
    are title lines whose posts' other lines follow them (see ``_headed_runs``)."""
    for block in blocks:
        block.main = main_link(block)
    blocks, lines = _headed_runs(blocks)
    counts: dict[str, int] = {}  # blocks by post URL (a block's key is its main link's)
    for block in blocks:
        main = block.main
        if main is not None and main.key:
            counts[main.key] = counts.get(main.key, 0) + 1
    # A post shown twice (pinned teaser, then its card) keeps both: their fields are merged.
    kept = [
        block
        for block in blocks
        if block.main is not None
        and counts.get(block.main.key, FURNITURE_REPEATS) < FURNITURE_REPEATS
    ]
    return kept, lines


def _headed_runs(blocks: list[Block]) -> tuple[list[Block], bool]:
    """Drop the lines that link a title line's post again right after it (a "Read more", a
    comment count): in a flat listing they are the post's lines, not cards of their own
    (emlog writes ``h2``, ``p.date``, the excerpt, ``p.readmore``, ``p.count`` a post;
    cnblogs ``div.postTitle``, ``div.postCon``, ``div.postDesc``). Say whether a line
    that is no heading titled such a run: its lines are then grouped with it too."""
    kept: list[Block] = []
    lines = False
    for block in blocks:
        last = kept[-1] if kept else None
        if (
            last is not None
            and last.main is not None
            and block.main is not None
            and last.main.key == block.main.key
        ):
            if last.node.tag in HEADINGS:
                continue
            if _is_title_line(last):
                lines = True
                continue
        kept.append(block)
    return kept, lines


def _is_title_line(block: Block) -> bool:
    """Tell whether a block shows its post's title and little else (``div.postTitle``)."""
    main = block.main
    return main is not None and len(stripped_text(block.node)) <= len(main.text) + 12


def _measure(candidate: Candidate, around: Surroundings) -> None:
    cards = candidate.cards
    candidate.signature, top = _most_common([shape_of(block.node) for block in cards])
    candidate.shape = top / len(cards)
    extras, quality, bare, headed = [], 0.0, 0, 0
    groups, timed = candidate.groups, around.holders_of("time")
    for block in cards:
        node, main = block.node, block.main
        text = stripped_text(node)
        lines = groups.get(node.mem_id) if groups else None
        if lines:
            text = "".join([text, *(stripped_text(line) for line in lines)])
        extra = max(0, len(text) - len(main.text if main else ""))
        has_heading = any([link.in_heading for link in block.links]) or around.holds(
            node, _HEADING_CSS
        )
        # A <time> is looked up before the text is searched: the lookup costs less.
        has_date = node.mem_id in timed or DATE_HINT_RE.search(text) is not None
        extras.append(extra)
        bare += extra <= BARE_LINK_CHARS
        headed += has_heading
        card_quality = 0.15 + 0.85 * min(1.0, extra / RICH_TEXT_CHARS)
        card_quality *= (1.0 if has_heading else 0.7) * (DATE_BONUS if has_date else 1.0)
        if main is not None and not main.in_heading and _is_inline_mention(main):
            card_quality *= 0.3
        quality += card_quality
    candidate.bare = bare / len(cards)
    candidate.headings = headed / len(cards)
    candidate.richness = sum(extras) / len(extras)
    candidate.score = quality * candidate.shape


_HEADING_CSS = "h1, h2, h3, h4, h5, h6"


def shape_of(node: LexborNode) -> str:
    """Return the element's shape: its tag and first class, digits left out; a class
    saying what the card holds (``has-image``, ``is-featured``) is no shape of its own."""
    tokens = classes(node)
    if tokens and _STATE_CLASS_RE.match(tokens[0]):
        tokens = [token for token in tokens if not _STATE_CLASS_RE.match(token)]
    if not tokens:
        return node.tag or ""
    first = tokens[0]
    if not first.isalpha():  # letters alone hold no digit: most shapes need no substitution
        first = _DIGITS_RE.sub("", first)
    return f"{node.tag or ''}.{first}"


# Hugo Stack's ``article.has-image`` beside a plain ``article``, jianshu's ``li.have-img``
# beside ``li``: one shape.
_STATE_CLASS_RE = re.compile(r"(?:has|have|is|no|with|without)[-_]", re.I)


def _is_inline_mention(link: PostLink) -> bool:
    """Tell whether a post link is a mention inside running text (a paragraph): text of
    the link's parent's own runs around it, not elements of their own (DedeCMS's
    ``<li>`` of a thumbnail, a title link, a meta line and an intro)."""
    parent = link.node.parent
    if parent is None or parent.tag not in ("p", "li", "td", "blockquote", "dd"):
        return False
    if len(stripped_text(parent)) <= 3 * max(1, len(link.text)) + 20:
        return False
    running = sum(
        len((child.text_content or "").strip())
        for child in parent.iter(include_text=True)
        if child.tag == "-text"
    )
    return running > _RUNNING_TEXT_CHARS


# Characters of its own a link's parent holds, at least, around a mention in running text.
_RUNNING_TEXT_CHARS = 20


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
        return node.mem_id in self.holders_of(selector)

    def holders_of(self, selector: str) -> set[int]:
        """Return the ids of the elements that match ``selector`` or hold one that does."""
        found = self.holders.get(selector)
        if found is None:
            found = self.holders[selector] = _holders(self.tree, selector)
        return found


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
    landmark = nearest(node, is_landmark, around.landmarks)
    if landmark is not None:
        candidate.penalties.append(f"inside <{landmark.tag}> ({describe(landmark)})")
        candidate.score *= 0.25
    sidebar = nearest(node, has_sidebar_token, around.sidebars)
    if sidebar is not None:
        candidate.penalties.append(f"inside a sidebar or widget area ({describe(sidebar)})")
        candidate.score *= 0.5
    title = widget_title(node) if candidate.richness < RICH_TEXT_CHARS else None
    if title:
        candidate.penalties.append(f"titled like a widget ({title!r})")
        candidate.score *= 0.5
    if candidate.shape < MIN_SHAPE_SHARE:
        candidate.reason = f"no repeated structure: blocks differ in shape ({candidate.shape:.0%})"
    elif candidate.bare >= 0.6:
        candidate.reason = BARE_REASON
        candidate.score *= 0.5
