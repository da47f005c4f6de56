"""Helpers over a parsed lexbor tree: visibility, classes and text as a browser renders it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.elements import (
    BLOCK_TAGS,
    GUTTER_SELECTOR,
    HEADINGS,
    HIDDEN_SELECTOR,
    is_gutter,
    is_hidden,
)

# Elements whose content a reader never sees as text.
UNRENDERED_TAGS = frozenset(
    {"script", "style", "template", "noscript", "-comment", "svg", "iframe", "object",
     "head", "title", "select", "textarea", "canvas", "video", "audio"}
)  # fmt: skip
# An excerpt is text to read: a card's buttons ("赞同 128", "Share") are controls.
UNREAD_IN_EXCERPT = UNRENDERED_TAGS | {"button"}
LANDMARK_TAGS = frozenset({"nav", "aside", "header", "footer"})
LANDMARK_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo"})


def collapse(text: str) -> str:
    """Collapse whitespace runs to one space and trim, as ``normalize_space`` does, fast.

    ``str.split`` treats every Unicode space (the no-break space included) as a separator.
    """
    return " ".join(text.split())


def attr(node: LexborNode, name: str) -> str:
    """Return the attribute's value, or "" when it is absent or valueless."""
    value = node.attributes.get(name)
    return value or ""


def classes(node: LexborNode) -> list[str]:
    """Return the node's class tokens."""
    return attr(node, "class").split()


# A hidden block this near the top of the body that holds most of the page's links and most
# of its text is a guard against a flash of unstyled content: Vue's ``class="hide"`` until
# the app mounts, ``style="visibility:hidden"`` on an app's root. The page's scripts show
# it, and its readers see what it holds (a hidden menu holds links, not the page's text). At
# most this many such blocks are weighed (a bound on the work).
_WRAPPER_DEPTH = 4
_MIN_WRAPPED_LINKS = 10
_MAX_WRAPPERS_WEIGHED = 16


def find_hidden(tree: LexborHTMLParser, links: int) -> frozenset[int]:
    """Return the ids of every hidden element in the document (descendants not included),
    but for a wrapper of most of the page (of its ``links``) that the page's scripts show,
    and of every code block's line-number gutter: no reader reads its numbers as text."""
    hidden = [node for node in tree.css(HIDDEN_SELECTOR) if is_hidden(node)]
    shown = _shown_wrappers(tree, hidden, links) if links >= _MIN_WRAPPED_LINKS else set()
    return frozenset(node.mem_id for node in hidden if node.mem_id not in shown).union(
        _gutters(tree)
    )


def _gutters(tree: LexborHTMLParser) -> list[int]:
    """Return the ids of the code blocks' line-number gutters (a page without code: none)."""
    if tree.css_first("pre") is None:  # every gutter sits beside or in a <pre>
        return []
    return [node.mem_id for node in tree.css(GUTTER_SELECTOR) if is_gutter(node)]


def _shown_wrappers(tree: LexborHTMLParser, hidden: list[LexborNode], links: int) -> set[int]:
    near_top = [node for node in hidden if node.tag in BLOCK_TAGS and _is_near_top(node)]
    wrappers = [
        node for node in near_top[:_MAX_WRAPPERS_WEIGHED] if 2 * len(node.css("a[href]")) > links
    ]
    if not wrappers or tree.body is None:  # most pages: no hidden block holds most links
        return set()
    text = len(tree.body.text())
    return {node.mem_id for node in wrappers if 2 * len(node.text()) > text}


def _is_near_top(node: LexborNode) -> bool:
    current: LexborNode | None = node
    for _ in range(_WRAPPER_DEPTH + 1):
        if current is None or current.tag in ("body", "html"):
            return True
        current = current.parent
    return False


def ancestors(node: LexborNode, stop: LexborNode | None = None) -> Iterator[LexborNode]:
    """Yield the node's ancestors from its parent up, ending before ``stop`` or the root."""
    stop_id = stop.mem_id if stop is not None else None
    parent = node.parent
    while parent is not None and parent.tag not in ("html", "-document"):
        if parent.mem_id == stop_id:
            return
        yield parent
        parent = parent.parent


def nearest(
    node: LexborNode, test: Callable[[LexborNode], bool], known: dict[int, LexborNode | None]
) -> LexborNode | None:
    """Return the node or its nearest ancestor that passes ``test``, reusing and filling ``known``.

    ``known`` maps elements to their answer for this one ``test``: share it between
    calls on one tree, and the elements above an answered one are never tested again.
    """
    path: list[int] = []
    found: LexborNode | None = None
    current: LexborNode | None = node
    while current is not None and current.tag not in ("html", "-document"):
        key = current.mem_id
        if key in known:
            found = known[key]
            break
        if test(current):
            found = current
            known[key] = current
            break
        path.append(key)
        current = current.parent
    for key in path:
        known[key] = found
    return found


def is_visible(node: LexborNode, hidden: Collection[int]) -> bool:
    """Tell whether neither the node nor any ancestor is hidden or unrendered."""
    if node.mem_id in hidden:
        return False
    return not any(a.mem_id in hidden or a.tag in UNRENDERED_TAGS for a in ancestors(node))


def element_children(node: LexborNode) -> list[LexborNode]:
    """Return the node's child elements (no text or comment nodes)."""
    return [child for child in node.iter() if not (child.tag or "-").startswith("-")]


def has_element_sibling(node: LexborNode) -> bool:
    """Tell whether an element sits beside the node (cheaper than listing the parent's children)."""
    sibling = node.prev
    while sibling is not None:
        if not (sibling.tag or "-").startswith("-"):
            return True
        sibling = sibling.prev
    sibling = node.next
    while sibling is not None:
        if not (sibling.tag or "-").startswith("-"):
            return True
        sibling = sibling.next
    return False


def in_heading(node: LexborNode) -> bool:
    """Tell whether one of the node's four nearest ancestors is a heading."""
    return heading_above(node, 4) is not None


def heading_above(node: LexborNode, steps: int | None = None) -> LexborNode | None:
    """Return the nearest heading among the node's ancestors (its ``steps`` nearest, where
    given), as ``ancestors`` walks them: by hand, since every post link and card asks, and a
    generator costs more than the walk."""
    parent = node.parent
    taken = 0
    while parent is not None and (steps is None or taken < steps):
        tag = parent.tag
        if tag in HEADINGS:
            return parent
        if tag in ("html", "-document"):
            return None
        parent = parent.parent
        taken += 1
    return None


def first_element_child(node: LexborNode) -> LexborNode | None:
    """Return the node's first child element, if any."""
    child = node.child  # walked by hand: iter() would make a node object of every child
    while child is not None and (child.tag or "-").startswith("-"):
        child = child.next
    return child


def text_pieces(
    node: LexborNode, hidden: Collection[int], most: int, keep: Callable[[str], bool]
) -> list[str] | None:
    """Return the shown texts of the node's text nodes, each trimmed, in document order.

    None when there are more than ``most`` of them or one fails ``keep``: the walk stops
    there, so that an element holding much more than a few words costs little.
    """
    pieces: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        raw = current.text_content  # None unless a text node that holds some text
        if raw is not None:
            piece = raw.strip()
            if piece:
                if len(pieces) == most or not keep(piece):
                    return None
                pieces.append(piece)
            continue
        if current.tag in UNRENDERED_TAGS or current.mem_id in hidden:
            continue
        child = current.last_child
        while child is not None:
            stack.append(child)
            child = child.prev
    return pieces


def contains(outer: LexborNode, inner: LexborNode) -> bool:
    """Tell whether ``inner`` is ``outer`` or lies inside it."""
    outer_id = outer.mem_id
    if inner.mem_id == outer_id:
        return True
    parent = inner.parent  # the walk of ``ancestors``, without a generator
    while parent is not None and parent.tag not in ("html", "-document"):
        if parent.mem_id == outer_id:
            return True
        parent = parent.parent
    return False


def render_text(node: LexborNode, skip: Collection[int] = ()) -> str:
    """Return the node's text as a browser shows it, leaving out the elements in ``skip``."""
    child = node.child
    if child is not None and child.next is None:
        raw = child.text_content  # None unless a text node: the common case, one of them
        if raw is not None:
            return " ".join(raw.split())  # collapse(), inlined: text_of asks this most
    parts: list[str] = []
    render_into(node, skip, parts)
    return collapse("".join(parts))


def render_into(
    node: LexborNode,
    skip: Collection[int],
    parts: list[str],
    unread: Collection[str] = UNRENDERED_TAGS,
) -> None:
    """Append the node's rendered text to ``parts``, unnormalised (a text node renders as is).

    One pass in document order: a block element puts a space before itself, and text
    that follows a block puts one after it; skipped subtrees, and elements whose tag is
    in ``unread``, are jumped over.
    """
    tag = node.tag
    if tag == "-text":
        parts.append(node.text_content or "")
        return
    child = node.child
    if tag in BLOCK_TAGS and child is not None and child.tag == "-text" and child.next is None:
        # A paragraph of one text node, the usual excerpt: the walk below would put
        # a space before the block, its text as it is (after a space, never another
        # one) and a space after it.
        parts += (" ", child.text_content or "", " ")
        return
    root_id = node.mem_id
    resume: int | None = None  # inside a skipped subtree until this node comes up
    for current in node.traverse(include_text=True):
        if resume is not None:
            if current.mem_id != resume:
                continue
            resume = None
        content = current.text_content  # None unless a text node that holds some text
        if content is not None:
            if content and not content[0].isspace() and _needs_space(parts, current):
                parts.append(" ")
            parts.append(content)
            continue
        tag = current.tag
        if tag in ("-comment", "-text"):  # a comment, or a text node of no text
            continue
        if tag in unread or (current.mem_id in skip and current.mem_id != root_id):
            resume = following_id(current, root_id)
            if resume is None:
                break
        elif tag in BLOCK_TAGS:
            parts.append(" ")
    if node.tag in BLOCK_TAGS:
        parts.append(" ")


def _needs_space(parts: list[str], text: LexborNode) -> bool:
    """Tell whether text comes right after the end of a block, with no space between."""
    if not parts or parts[-1][-1:].isspace():
        return False
    current = text
    while True:
        previous = current.prev
        while previous is not None and previous.tag == "-comment":
            previous = previous.prev
        if previous is not None:
            return previous.tag in BLOCK_TAGS
        parent = current.parent
        if parent is None or parent.tag in BLOCK_TAGS:
            return False  # the start of a block: its opening already put a space
        current = parent


def following_id(node: LexborNode, root_id: int) -> int | None:
    """Return the id of the node after ``node``'s subtree, within the root; None at its end."""
    after = following(node, root_id)
    return after.mem_id if after is not None else None


def following(node: LexborNode, root_id: int) -> LexborNode | None:
    """Return the node after ``node``'s subtree, within the root; None at its end."""
    current: LexborNode | None = node
    while current is not None and current.mem_id != root_id:
        after = current.next
        if after is not None:
            return after
        current = current.parent
    return None


def following_shown_id(node: LexborNode, root_id: int) -> int | None:
    """Return the id of what ``traverse(skip_empty=True)`` yields after ``node``'s subtree.

    Text of whitespace alone is passed over (Unicode spaces too: a walk that meets one
    of those the traversal does yield just goes on to the next node).
    """
    after = following(node, root_id)
    while after is not None and after.tag == "-text" and not (after.text_content or "").strip():
        after = following(after, root_id)
    return after.mem_id if after is not None else None


def describe(node: LexborNode) -> str:
    """Return a short CSS-like label for the node: ``tag#id.class1.class2``."""
    label = node.tag or ""
    if node_id := attr(node, "id").strip():
        label += "#" + node_id.split()[0]
    for token in classes(node)[:2]:
        label += "." + token
    return label
