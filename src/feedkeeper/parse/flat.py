"""Cards that are not one element each: flat runs of lines, and groups of several posts.

Some themes write ``<h2><a>Title</a></h2><p>date</p><p>excerpt</p><h2>…`` straight into
one container. The headings repeat, so detection finds them; the lines after each
heading, up to the next card heading (or the pager, a landmark, a heading of a higher
level), belong to its card: a whole post's own section headings stay in its body.
Each such run is wrapped in a ``<div>`` of its own, so that the card is one element.

Others group posts under a date header (``<div class="day"><h2>date</h2><div>post</div>
<div>post</div></div>``): a block that holds several titled posts is split into them.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.elements import HEADINGS
from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.dom import LANDMARK_TAGS, ancestors, element_children
from feedkeeper.parse.page import Page
from feedkeeper.parse.page_links import Link
from feedkeeper.parse.page_numbers import page_number
from feedkeeper.parse.pager_items import reads_pager_text

Groups = dict[int, list[LexborNode]]  # card heading id -> the elements that follow it
# A title line may show a few characters besides the title: a badge, a comment count.
MAX_TITLE_EXTRA_CHARS = 12


def heading_groups(page: Page, container: LexborNode, headings: list[LexborNode]) -> Groups:
    """Return the elements that follow each card heading in the container (empty if none)."""
    wanted = {node.mem_id for node in headings}
    top = min((node.tag or "h6") for node in headings)  # "h1" < "h2": the cards' level
    groups: Groups = {}
    current: list[LexborNode] | None = None
    heading = container  # the card heading the lines follow, once one is met
    for child in element_children(container):
        if child.mem_id in wanted:
            heading, current = child, groups.setdefault(child.mem_id, [])
        elif current is not None and _ends_card(page, child, top, heading):
            current = None
        elif current is not None:
            current.append(child)
    return groups if any(groups.values()) else {}


def _ends_card(page: Page, node: LexborNode, level: str, heading: LexborNode) -> bool:
    """Tell whether an element after a card's lines is no part of it: a heading, nav, pager.

    Only a heading above the cards' own level ends one: the post's body has headings of
    its own (``<h2>`` post titles over ``<h2>``/``<h3>`` sections), and they are no posts.
    """
    if node.tag in HEADINGS:
        return (node.tag or "") < level
    if node.tag in LANDMARK_TAGS or node.tag == "hr":
        return True
    anchors = [node] if node.tag == "a" else node.css("a[href]")
    links = [link for a in anchors if (link := page.link(a)) is not None and link.url is not None]
    if any(page_number(url) is not None for link in links if (url := link.url) is not None):
        return True
    return bool(links) and _is_pager_line(page, links, heading)


def _is_pager_line(page: Page, links: list[Link], heading: LexborNode) -> bool:
    """Tell whether links after a card are a pager's, in a numbering of the site's own
    (Pixnet's "2" and "»" to ``/blog/2``): each shows a number, an arrow or a pager's word,
    and none leads to the card's post (its comment count "3", its "→" do)."""
    if not all(reads_pager_text(page.text_of(link.node)) for link in links):
        return False
    own = {link.target.key for link in page.links_under(heading)}
    if heading.tag == "a" and (link := page.link(heading)) is not None:
        own.add(link.target.key)
    return own.isdisjoint(link.target.key for link in links)


def wrap_groups(page: Page, heading: LexborNode, lines: list[LexborNode]) -> LexborNode:
    """Move a card heading and its lines into a new ``<div>`` in their place; return it.

    The page's links keep their old ancestors until ``page.forget_ancestry()``: a caller
    wrapping many groups calls it once, after the last.
    """
    wrapper = page.tree.create_node("div")
    heading.insert_before(wrapper, move=True)
    for node in [heading, *lines]:
        wrapper.insert_child(node, move=True)
    return wrapper


def split_groups(page: Page, blocks: list[Block]) -> tuple[list[Block], bool]:
    """Split blocks that hold several titled posts into one block per post; say whether
    the tree was restructured (posts laid out as runs of siblings are wrapped)."""
    found: list[Block] = []
    wrapped = False
    for block in blocks:
        titles = _post_titles(block)
        if len(titles) < 2:
            found.append(block)
            continue
        roots = _own_roots(block, titles)
        if _is_flat_run(page, block.node, roots, titles):
            roots = _wrap_runs(page, block.node, roots)  # the title alone: its lines follow it
            wrapped = True
        inside = _links_by_root(block, roots)
        found += [
            Block(root, inside[root.mem_id], title)
            for root, title in zip(roots, titles, strict=True)
        ]
    return found, wrapped


def _links_by_root(block: Block, roots: list[LexborNode]) -> dict[int, list[PostLink]]:
    """Map each root to the block's links inside it: each link walks up once to its root."""
    inside: dict[int, list[PostLink]] = {root.mem_id: [] for root in roots}
    for link in block.links:
        node: LexborNode | None = link.node
        while node is not None and node.mem_id != block.node.mem_id:
            if node.mem_id in inside:
                inside[node.mem_id].append(link)
                break
            node = node.parent
    return inside


def _post_titles(block: Block) -> list[PostLink]:
    """Return the title links of the posts a block holds, one a post, in order.

    Titles in headings, else links to different posts that sit as the block's title link
    sits (the same tag and classes, and the same parent's): cnblogs writes a day's posts
    as ``div.postTitle > a`` each. A link to another post in an excerpt's prose sits
    otherwise, and splits nothing.
    """
    first: dict[str, PostLink] = {}
    for link in block.links:
        if link.in_heading and link.key not in first:
            first[link.key] = link
    if len(first) >= 2:
        return list(first.values())
    if block.main is None or all(link.key == block.main.key for link in block.links):
        return []  # most cards: one post
    shape = _shape(block.main.node)
    alike: dict[str, PostLink] = {}
    for link in block.links:
        if link.key not in alike and link.text and _shape(link.node) == shape:
            alike[link.key] = link
    return list(alike.values()) if len(alike) >= 2 else []


def _shape(node: LexborNode) -> tuple[str, ...]:
    parent = node.parent
    names = (node.tag or "", node.attributes.get("class") or "")
    if parent is None:
        return names
    return (*names, parent.tag or "", parent.attributes.get("class") or "")


def _own_roots(block: Block, titles: list[PostLink]) -> list[LexborNode]:
    """Return, for each title, the highest element around it that holds no other title.

    Each title's ancestors (up to the block) are walked once and counted: an element that
    holds two titles is above the posts. Linear in the block, however many posts it holds."""
    chains = [[title.node, *ancestors(title.node, block.node)] for title in titles]
    holds: dict[int, int] = {}
    for chain in chains:
        for node in chain:
            holds[node.mem_id] = holds.get(node.mem_id, 0) + 1
    roots = []
    for chain in chains:
        root = chain[0]
        for node in chain[1:]:
            if holds[node.mem_id] > 1:
                break
            root = node
        roots.append(root)
    return roots


def _is_flat_run(
    page: Page, block: LexborNode, roots: list[LexborNode], titles: list[PostLink]
) -> bool:
    """Tell whether each post of ``block`` is a title line of its own, among the block's
    children, with its other lines after it: no element holds a post whole."""
    key = block.mem_id
    return all(
        root.parent is not None
        and root.parent.mem_id == key
        and len(page.text_of(root)) <= len(title.text) + MAX_TITLE_EXTRA_CHARS
        for root, title in zip(roots, titles, strict=True)
    )


def _wrap_runs(page: Page, block: LexborNode, roots: list[LexborNode]) -> list[LexborNode]:
    """Wrap each title line of ``block`` with the lines after it, up to the next title."""
    starts = {root.mem_id for root in roots}
    runs: list[list[LexborNode]] = []
    for child in element_children(block):
        if child.mem_id in starts:
            runs.append([child])
        elif runs:
            runs[-1].append(child)
    return [wrap_groups(page, run[0], run[1:]) for run in runs]
