"""The tree of post links' paths: containers, their blocks and the links each block holds."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.parse.blocks import PostLink
from feedkeeper.parse.containers import LinkTree
from feedkeeper.parse.page import load_page

PAGE = """<html><body>
<main><ul class="list">
  <li id="one"><h2><a href="/p/1/">One</a></h2> text <p><a href="/p/1/#more">more</a></p></li>
  <li id="two"><div><h2><a href="/p/2/">Two</a></h2></div></li>
</ul></main>
<aside><a href="/p/3/">Three</a></aside>
</body></html>"""


def _tree() -> LinkTree:
    page = load_page(PAGE, "https://blog.example/")
    links = [
        PostLink(link.node, link.url or "", link.target.key, order, False, "", link.node)
        for order, link in enumerate(page.links)
    ]
    return LinkTree(links)


def _label(node: LexborNode) -> str:
    return node.attributes.get("id") or node.tag or ""


def test_containers_are_the_elements_of_two_linked_children_first_reached_first() -> None:
    tree = _tree()
    assert [_label(tree.node(key)) for key in tree.containers] == ["one", "ul", "body"]
    assert [tree.count(key) for key in tree.containers] == [2, 2, 2]


def test_each_block_holds_the_links_inside_it_in_document_order() -> None:
    tree = _tree()
    found = {
        _label(tree.node(key)): [
            (
                _label(block.node),
                [link.url.removeprefix("https://blog.example") for link in block.links],
            )
            for block in tree.blocks(key)
        ]
        for key in tree.containers
    }
    assert found == {
        "one": [("h2", ["/p/1/"]), ("p", ["/p/1/#more"])],
        "ul": [("one", ["/p/1/", "/p/1/#more"]), ("two", ["/p/2/"])],
        "body": [("main", ["/p/1/", "/p/1/#more", "/p/2/"]), ("aside", ["/p/3/"])],
    }


def test_no_links_make_no_containers() -> None:
    tree = LinkTree([])
    assert tree.containers == []


def test_a_link_is_visible_unless_it_or_an_element_above_it_is_hidden() -> None:
    markup = (
        '<html hidden><body><div class="hidden"><p><a href="/a/">a</a></p></div>'
        '<p><a href="/b/">b</a><a href="/c/" hidden>c</a></p>'
        '<div style="display:none"><a href="/d/">d</a></div><a href="/e/">e</a></body></html>'
    )
    page = load_page(markup, "https://blog.example/")
    shown = {link.url: link.visible for link in page.links}
    assert shown == {
        "https://blog.example/a/": False,
        "https://blog.example/b/": True,
        "https://blog.example/c/": False,
        "https://blog.example/d/": False,
        "https://blog.example/e/": True,  # a hidden <html> hides nothing, as for the readers
    }
