"""The per-page lookups of the parser answer what a plain walk over the tree answers."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.parse.dom import ancestors, following_shown_id, nearest
from feedkeeper.parse.link_targets import taxonomy_kind
from feedkeeper.parse.page import load_page
from feedkeeper.parse.score import Surroundings

PAGE = """<html><body>
<nav class="menu"><ul><li><a href="/about/">About</a></li>
  <li><a href="/tags/x/">x</a></li></ul></nav>
<main><div class="list">
  <article><h2><a href="/p/1/">One</a></h2> <time datetime="2025-01-02">Jan 2</time>
    <p>Text&nbsp;<span hidden>no</span> <em>2025-01-02</em> <!-- c --> tail</p></article>
  <article><h3><a href="/p/2/">Two</a></h3><div><span class="sr-only">x</span>&nbsp;</div>
    <p><a href="/p/2/#more">Read more</a></p></article>
</div>
<aside class="widget"><section><ul><li><a href="/p/1/">One</a></li></ul></section></aside>
</main></body></html>"""


def _elements(tree: LexborHTMLParser) -> list[LexborNode]:
    assert tree.body is not None
    return list(tree.body.traverse())


def test_nearest_matches_a_walk_up_and_tests_each_element_once() -> None:
    tree = LexborHTMLParser(PAGE)
    known: dict[int, LexborNode | None] = {}
    tested: list[int] = []

    def is_list(node: LexborNode) -> bool:
        tested.append(node.mem_id)
        return node.tag in ("ul", "nav")

    for node in _elements(tree):
        expected = next((a for a in [node, *ancestors(node)] if a.tag in ("ul", "nav")), None)
        found = nearest(node, is_list, known)
        assert (found.mem_id if found else None) == (expected.mem_id if expected else None)
    assert len(tested) == len(set(tested))


def test_following_shown_id_names_what_the_traversal_yields_after_a_subtree() -> None:
    tree = LexborHTMLParser(PAGE)
    assert tree.body is not None
    root = tree.body
    walk = list(root.traverse(include_text=True, skip_empty=True))
    order = [node.mem_id for node in walk]
    for position, node in enumerate(walk):
        if node.mem_id == root.mem_id:
            continue
        inside = {n.mem_id for n in node.traverse(include_text=True)}
        after = next((n for n in walk[position + 1 :] if n.mem_id not in inside), None)
        while after is not None and after.tag == "-text" and not (after.text_content or "").strip():
            after = walk[order.index(after.mem_id) + 1] if after is not walk[-1] else None
        assert following_shown_id(node, root.mem_id) == (after.mem_id if after else None)


def test_holds_answers_as_a_query_inside_each_element_does() -> None:
    tree = LexborHTMLParser(PAGE)
    around = Surroundings(tree)
    for selector in ("time", "h1, h2, h3, h4, h5, h6", "a[href]"):
        for node in _elements(tree):
            assert around.holds(node, selector) == (node.css_first(selector) is not None)


def test_link_chains_are_the_ancestors_before_and_after_a_restructure() -> None:
    page = load_page(PAGE, "https://blog.example/")
    for link in page.links:
        assert [a.mem_id for a in link.chain] == [a.mem_id for a in ancestors(link.node)]
    heading = page.tree.css_first("h3")
    assert heading is not None
    wrapper = page.tree.create_node("div")
    heading.insert_before(wrapper, move=True)
    wrapper.insert_child(heading, move=True)
    page.forget_ancestry()
    for link in page.links:
        assert [a.mem_id for a in link.chain] == [a.mem_id for a in ancestors(link.node)]


def test_links_in_gives_each_root_its_links_and_a_nested_root_the_nearest() -> None:
    page = load_page(PAGE, "https://blog.example/")
    cards = page.tree.css("article")
    found = page.links_in(cards)
    hrefs = {key: [link.node.attributes["href"] for link in links] for key, links in found.items()}
    assert hrefs == {cards[0].mem_id: ["/p/1/"], cards[1].mem_id: ["/p/2/", "/p/2/#more"]}
    main = page.tree.css_first("main")
    assert main is not None
    nested = page.links_in([main, cards[1]])
    assert [link.url for link in nested[cards[1].mem_id]] == [
        "https://blog.example/p/2/",
        "https://blog.example/p/2/#more",
    ]
    assert [link.url for link in nested[main.mem_id]] == [
        "https://blog.example/p/1/",
        "https://blog.example/p/1/",
    ]


def test_a_links_kind_is_what_its_url_and_rel_say() -> None:
    markup = (
        '<body><a href="/categories/rust/">Rust</a> <a href="/p/1/" rel="Tag">t</a>'
        '<a href="/p/2/">Post</a> <a href="javascript:void(0)">menu</a></body>'
    )
    page = load_page(markup, "https://blog.example/")
    assert [link.kind for link in page.links] == ["category", "tag", None, None]
    for link in page.links:
        expected = taxonomy_kind(link.url, link.rel) if link.url is not None else None
        assert link.kind == expected
