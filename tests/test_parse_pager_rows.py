"""A pager's row of numbers and arrows ("1 2 3 … 9 →") beside the cards gives no card,
in whatever markup it stands: its links wrapped or bare, the row classed as the cards are."""

from __future__ import annotations

import pytest

from feedkeeper.parse import parse_listing

SITE = "https://b.example"
POSTS = [f"{SITE}/posts/post-number-{n}.html" for n in range(1, 6)]


def _cards(tag: str = "article") -> str:
    return "".join(
        f'<{tag} class="post"><h2><a href="/posts/post-number-{n}.html">Post number {n}</a>'
        f"</h2><p>What post {n} is about, in a sentence or two.</p><span>2026-01-0{n}</span>"
        f"</{tag}>"
        for n in range(1, 6)
    )


def _links(arrow: str, ellipsis: str) -> list[str]:
    # The pager's pages lead to /blog/N, URLs shaped as posts' are.
    return [
        '<span class="current">1</span>',
        '<a href="/blog/2">2</a>',
        '<a href="/blog/3">3</a>',
        ellipsis,
        '<a href="/blog/9">9</a>',
        f'<a href="/blog/2">{arrow}</a>',
    ]


MARKUPS = {
    "a div of links": lambda links: f'<div class="pagination">{" ".join(links)}</div>',
    "a list": lambda links: (
        '<ul class="pagination">' + "".join(f"<li>{x}</li>" for x in links) + "</ul>"
    ),
    "links bare among the cards": " ".join,
    "a row classed as the cards": lambda links: (
        f'<article class="post pagination">{" ".join(links)}</article>'
    ),
}
ARROWS = [
    *("→", "❯", "⟶", "▶", "＞", "<i class='icon-arrow-right'></i>", "第2页", "二"),
    *("Older posts →", "Nächste Seite »"),  # longer than a number, and pager's words
]
ELLIPSES = ["<span>…</span>", '<a href="/blog/5">…</a>', '<a href="/blog/5">...</a>']


@pytest.mark.parametrize("markup", list(MARKUPS))
@pytest.mark.parametrize("arrow", ARROWS)
@pytest.mark.parametrize("ellipsis", ELLIPSES)
def test_a_row_of_numbers_and_arrows_is_no_card(markup: str, arrow: str, ellipsis: str) -> None:
    row = MARKUPS[markup](_links(arrow, ellipsis))
    page = parse_listing(f"<html><body><main>{_cards()}{row}</main></body></html>", SITE + "/blog")
    assert [card.url for card in page.cards] == POSTS
    assert page.next_url == SITE + "/blog/2"


@pytest.mark.parametrize("markup", list(MARKUPS))
@pytest.mark.parametrize("word", ["Next page →", "Older posts"])
def test_a_short_row_leading_to_one_page_is_no_card(markup: str, word: str) -> None:
    # The first page's "1", then "2" and a word, both to page 2.
    links = ['<span class="current">1</span>', '<a href="/blog/2">2</a>']
    row = MARKUPS[markup]([*links, f'<a href="/blog/2">{word}</a>'])
    page = parse_listing(f"<html><body><main>{_cards()}{row}</main></body></html>", SITE + "/blog")
    assert [card.url for card in page.cards] == POSTS
    assert page.next_url == SITE + "/blog/2"


def _flat(n: int, after_excerpt: str = "") -> str:
    return (
        f'<h2><a href="/posts/post-number-{n}.html">Post number {n}</a></h2>'
        f"<p>What post {n} is about, in a sentence or two.</p>{after_excerpt}"
    )


def test_a_pager_after_flat_cards_is_none_of_the_last_card_s_lines() -> None:
    # Headings and lines straight in one container, then the pager's bare links.
    cards = "".join(_flat(n) for n in range(1, 6))
    row = '<span class="current">1</span> <a href="/blog/2">2</a> <a href="/blog/2">»</a>'
    page = parse_listing(f"<html><body><main>{cards}{row}</main></body></html>", SITE + "/blog")
    assert [card.url for card in page.cards] == POSTS
    assert page.next_url == SITE + "/blog/2"


def test_a_flat_card_s_own_arrow_and_count_are_its_lines() -> None:
    # "→" and a comment count "3" lead to the card's own post: no pager, no next page.
    own = (
        '<a href="/posts/post-number-{n}.html">→</a> <a href="/posts/post-number-{n}.html#c">3</a>'
    )
    cards = "".join(_flat(n, own.format(n=n)) for n in range(1, 6))
    page = parse_listing(f"<html><body><main>{cards}</main></body></html>", SITE + "/blog")
    assert [card.url for card in page.cards] == POSTS
    assert page.next_url is None


def test_cards_showing_an_image_alone_are_cards() -> None:
    # A photo blog: each card's one link shows its picture, no text.
    cards = "".join(
        f'<div class="photo"><a href="/photos/{n}.html"><img src="/i/{n}.jpg" alt=""></a>'
        f"<p>Taken at the lake on a morning in spring, number {n}.</p></div>"
        for n in range(1, 5)
    )
    page = parse_listing(f"<html><body><main>{cards}</main></body></html>", SITE + "/")
    assert [card.url for card in page.cards] == [f"{SITE}/photos/{n}.html" for n in range(1, 5)]
