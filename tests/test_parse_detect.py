"""Detection that passes over hopeless containers finds what scoring them all finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedkeeper.cards import Card
from feedkeeper.parse.detect import Detection, detect_cards
from feedkeeper.parse.html import assess, read_cards
from feedkeeper.parse.page import load_page

ROOT = Path(__file__).parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
PAGES = sorted(
    [
        *(ROOT / "tests" / "data" / "parse").glob("*.html"),
        *(ROOT / "fixtures" / "site" / "snapshots").rglob("*.html"),
        *SHARED.glob("listings*/*/*.html"),
    ]
)
BASE = "https://blog.example/list/"
Outcome = tuple[list[Card], int, tuple[float, list[str]] | None, list[tuple[str, float, str]]]


def _outcome(html: str, complete: bool) -> tuple[Outcome, Detection]:
    page = load_page(html, BASE)
    detection = detect_cards(page, complete=complete)
    cards = [part.card for part in read_cards(page, detection)]
    chosen = [(c.signature, c.score, "; ".join(c.penalties)) for c in detection.chosen]
    judged = assess(detection, cards) if cards else None
    return (cards, detection.skipped, judged, chosen), detection


@pytest.mark.parametrize("path", PAGES, ids=lambda path: str(path.relative_to(path.parents[2])))
def test_passing_over_changes_no_card_and_no_confidence(path: Path) -> None:
    html = path.read_text(encoding="utf-8", errors="replace")
    complete, everything = _outcome(html, complete=True)
    pruned, some = _outcome(html, complete=False)
    assert pruned == complete
    scored = {(c.signature, c.score, c.reason) for c in everything.rejected}
    assert {(c.signature, c.score, c.reason) for c in some.rejected} <= scored


def _row(n: int) -> str:
    return (
        f'<article class="post"><h2><a href="/posts/{n}/">Post {n}</a></h2>'
        f"<p>What post {n} is about, in a sentence or two, with enough words.</p></article>"
    )


def test_containers_far_below_the_listing_are_not_scored() -> None:
    # Each card's header and footer link its post: a two-block container per card (the
    # header shows more than the title line, so the footer is no line of its).
    cards = "".join(
        f'<article class="post"><header><h2><a href="/posts/{n}/">Post {n}</a></h2>'
        "<span>by Ada, with a subtitle</span></header>"
        f"<p>What post {n} is about, in a sentence or two, with enough words.</p>"
        f'<footer><a href="/posts/{n}/#more">Read more</a></footer></article>'
        for n in range(30)
    )
    html = f"<html><body><main>{cards}</main></body></html>"
    (complete, everything), (pruned, some) = _outcome(html, True), _outcome(html, False)
    assert pruned == complete
    assert len(complete[0]) == 30
    assert len(everything.rejected) == 30  # every card, scored as a listing of two blocks
    assert some.rejected == []


def test_rows_under_many_groups_are_found_with_every_container_scored() -> None:
    # The listing's "cards" are groups of two rows: each group's rows, a candidate far
    # below the listing, are what must be taken.
    groups = "".join(
        f'<section class="month"><h2>{2025 - g // 12}-{g % 12 + 1:02}</h2><ul>'
        + "".join(
            f'<li><a href="/posts/{g}-{n}/">Post {g}-{n}</a> <span>2025-01-0{n + 1}</span></li>'
            for n in range(2)
        )
        + "</ul></section>"
        for g in range(40)
    )
    html = f"<html><body><main>{groups}</main></body></html>"
    (complete, _), (pruned, _) = _outcome(html, True), _outcome(html, False)
    assert pruned == complete
    assert len(complete[0]) == 80


def _cards(kind: str, count: int, dated: bool) -> str:
    date = "<time datetime='2025-01-02'>2025-01-02</time>" if dated else ""
    text = "A summary of the post that runs well past sixty characters of plain text."
    return "".join(
        f'<div class="{kind}"><h3><a href="/{kind}/{n}/">{kind} {n}</a></h3>'
        f"{date}<p>{text}</p></div>"
        for n in range(count)
    )


def test_a_runner_up_close_to_the_listing_is_scored_and_warned_about() -> None:
    # Ten cards without dates score 10; seven with dates score 8.4, past 0.8 of that.
    html = (
        f'<html><body><main><section class="list">{_cards("post", 10, False)}</section>'
        f'<section class="more">{_cards("note", 7, True)}</section></main></body></html>'
    )
    (complete, _), (pruned, _) = _outcome(html, True), _outcome(html, False)
    assert pruned == complete
    assert complete[2] is not None
    assert "another list of links scored almost as high" in complete[2][1]
