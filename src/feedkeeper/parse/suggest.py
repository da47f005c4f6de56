"""Write a site profile from what the heuristics found: selectors that reproduce the cards.

Each selector is the shortest chain of ``tag#id.class`` steps that picks out, in every
card, the element the heuristics read the field from. A field with no such chain is
left out of the profile, so the heuristics keep reading it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from selectolax.lexbor import LexborNode

from feedkeeper.errors import ParseError
from feedkeeper.parse.dom import ancestors, attr, classes
from feedkeeper.parse.fields import CardParts
from feedkeeper.parse.html import detect_listing
from feedkeeper.parse.page import Page
from feedkeeper.parse.pager import find_pager
from feedkeeper.parse.profile import Profile, read_with_profile
from feedkeeper.text import normalize_space

_IDENT_RE = re.compile(r"^-?[_a-zA-Z][\w-]*$")
# Steps of context a selector may take before giving up on a field.
MAX_STEPS = 6

Pair = tuple[LexborNode, list[LexborNode]]  # a card root and the field's nodes in it


def suggest_profile(html: str, base_url: str) -> str:
    """Return a TOML profile whose selectors reproduce the cards the heuristics find."""
    page, detection, parts = detect_listing(html, base_url)
    if not parts:
        raise ParseError("no post cards found on the page, so there is nothing to describe")
    # A flat listing's cards are wrappers the parser makes: no selector can name them.
    is_flat = any(candidate.groups or candidate.with_metas for candidate in detection.chosen)
    found: dict[str, str | None] = {"card": None if is_flat else _card_selector(page, parts)}
    found["title"] = _field(parts, _title_nodes)
    if found["title"] is None or not _title_gives_link(parts):
        found["link"] = _field(parts, lambda p: [p.link] if p.link is not None else [])
    found["category"] = _field(parts, lambda p: p.categories, every=True)
    found["date"] = _field(parts, lambda p: [p.date.node] if p.date is not None else [])
    found["excerpt"] = _field(parts, lambda p: p.excerpt[:1] if len(p.excerpt) == 1 else [])
    found["next"] = _next_selector(page, [part.root for part in parts])
    lines = [f"{key} = {_toml_string(value)}" for key, value in found.items() if value]
    return "\n".join(lines) + "\n"


def _title_nodes(part: CardParts) -> list[LexborNode]:
    """Return the element whose text is the title: the link itself when it holds the title."""
    if part.link is not None and normalize_space(part.link.text()) == part.card.title:
        return [part.link]
    return [part.title] if part.title is not None else []


def _title_gives_link(parts: list[CardParts]) -> bool:
    return all(
        part.link is not None and bool(nodes) and nodes[0].mem_id == part.link.mem_id
        for part in parts
        for nodes in [_title_nodes(part)]
    )


def _card_selector(page: Page, parts: list[CardParts]) -> str | None:
    """Return the shortest selector whose matches read as exactly the page's cards."""
    roots = [part.root for part in parts]
    wanted = [part.card.url for part in parts]
    # The cards' roots may differ in shape (a date's group of one post is its card, where
    # the posts of the other dates are theirs): each shape is tried, the commonest first.
    shapes = Counter(_step(root) for root in roots)
    bases = {_step(root): root for root in reversed(roots)}
    for shape, _ in shapes.most_common():
        base = bases[shape]
        alike = [root for root in roots if _step(root) == shape]
        selector = _step(base, common=alike)
        for ancestor in [None, *ancestors(base)][:MAX_STEPS]:
            if ancestor is not None:
                selector = f"{_step(ancestor)} > {selector}"
            found = read_with_profile(page, Profile(card=selector))
            if [part.card.url for part in found] == wanted:
                return selector
    return _common_selector(page, roots, wanted) if len(shapes) > 1 else None


def _common_selector(page: Page, roots: list[LexborNode], wanted: list[str | None]) -> str | None:
    """Return the selector the roots' shared shape gives, if it reads the cards."""
    selector = _step(roots[0], common=roots)
    for ancestor in [None, *ancestors(roots[0])][:MAX_STEPS]:
        if ancestor is not None:
            selector = f"{_step(ancestor)} > {selector}"
        found = read_with_profile(page, Profile(card=selector))
        if [part.card.url for part in found] == wanted:
            return selector
    return None


def _field(
    parts: list[CardParts],
    nodes_of: Callable[[CardParts], Sequence[LexborNode]],
    every: bool = False,
) -> str | None:
    """Return the shortest selector that finds each card's field nodes (the first, or all),
    and nothing in a card that shows none (an untitled post's image link is no title)."""
    pairs: list[Pair] = [(p.root, list(nodes_of(p))) for p in parts]
    shown = [(root, nodes) for root, nodes in pairs if nodes]
    if not shown:
        return None
    root, nodes = shown[0]
    chain = [nodes[0], *ancestors(nodes[0], root)]
    for length in range(1, min(len(chain), MAX_STEPS) + 1):
        selector = " > ".join(_step(node) for node in reversed(chain[:length]))
        if all(_matches(root, nodes, selector, every) for root, nodes in pairs):
            return selector
    return None


def _matches(root: LexborNode, nodes: list[LexborNode], selector: str, every: bool) -> bool:
    found = [n.mem_id for n in root.css(selector) if n.mem_id != root.mem_id]
    wanted = [n.mem_id for n in nodes]
    return found == wanted if every else found[:1] == wanted[:1]


def _next_selector(page: Page, roots: list[LexborNode]) -> str | None:
    """Return a selector for the next link: ``rel=next`` when the page has one that works."""
    pager = find_pager(page, roots)
    next_url = pager.next_url
    if next_url is None or pager.numbered:
        return None  # "the number after the current one" has no fixed selector
    selectors = ["a[rel~='next']"]
    for link in page.links:
        if link.url == next_url and link.visible:
            parent = link.node.parent
            selectors.append(_step(link.node))
            if parent is not None:
                selectors.append(f"{_step(parent)} > {_step(link.node)}")
    for selector in selectors:
        first = page.tree.css_first(selector)
        chosen = page.link(first) if first is not None else None
        if chosen is not None and chosen.url == next_url:
            return selector
    return None


def _step(node: LexborNode, common: list[LexborNode] | None = None) -> str:
    """Return ``tag#id`` or ``tag.class...``, using only what every node of ``common`` shares."""
    others = common or []
    node_id = attr(node, "id").strip()
    if node_id and _IDENT_RE.match(node_id) and all(attr(o, "id") == node_id for o in others):
        return f"{_tag(node)}#{node_id}"
    tokens = [t for t in classes(node) if _IDENT_RE.match(t)]
    for other in others:
        tokens = [t for t in tokens if t in classes(other)]
    return _tag(node) + "".join(f".{token}" for token in tokens)


def _tag(node: LexborNode) -> str:
    """Return the node's tag as a selector step; ``*`` for names CSS cannot spell."""
    tag = node.tag or ""
    return tag if _IDENT_RE.match(tag) else "*"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
