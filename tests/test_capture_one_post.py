"""A capture of one post, whatever place its meta line takes among the post's lines."""

from __future__ import annotations

import pytest

from feedkeeper.parse import parse_capture

TITLE = "Understanding DDP"
EXCERPT = "Distributed data parallel runs one process per GPU, and each keeps a copy of the model."


def _read(text: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """Each card as (title, category, published, excerpt)."""
    cards = parse_capture(text).cards
    return [(card.title, card.category, card.published, card.excerpt) for card in cards]


@pytest.mark.parametrize(
    "text",
    [
        f"Python · 2026-01-10\n{TITLE}\n{EXCERPT}\n",
        f"{TITLE}\nPython · 2026-01-10\n{EXCERPT}\n",
        f"{TITLE}\n{EXCERPT}\nPython · 2026-01-10\n",
        f"{TITLE}\n{EXCERPT}\n2026-01-10 | Python\n\n",
        f"LATEST UPDATES\n\n{TITLE}\n{EXCERPT}\nPython · 2026-01-10\n1\n",
        f"{TITLE}\n{EXCERPT}\nPython · 2026-01-10\n\n© 2026 Notes on GPUs\n",
        f"{TITLE}\n{EXCERPT}\nPython · 2026-01-10\nPowered by Hexo\n",
    ],
    ids=[
        "opens",
        "inside",
        "closes",
        "closes-date-first",
        "closes-with-header-and-pager",
        "closes-with-copyright",
        "closes-with-engine-line",
    ],
)
def test_one_post_reads_wherever_its_meta_line_stands(text: str) -> None:
    assert _read(text) == [(TITLE, "Python", "2026-01-10", EXCERPT)]


def test_one_post_closed_by_its_date_alone() -> None:
    text = f"{TITLE}\n{EXCERPT}\n2026-01-10\n"
    assert _read(text) == [(TITLE, None, "2026-01-10", EXCERPT)]


def test_one_post_whose_meta_line_opens_it_keeps_the_text_after_it() -> None:
    """A meta line with the excerpt after it opens the card: the text above it is a header."""
    text = f"A Blog About Training Models, Mostly.\nPython · 2026-01-10\n{TITLE}\n{EXCERPT}\n"
    assert _read(text) == [(TITLE, "Python", "2026-01-10", EXCERPT)]


def test_posts_closed_by_their_meta_lines_above_the_page_s_footer() -> None:
    """Excerpts as short as titles, the footer after the last meta line: it is the page's,
    not the last card's text (the meta lines read as opening each card)."""
    text = (
        "标题一\n这是第一篇的摘要。\nPython · 2026-01-10\n"
        "标题二\n这是第二篇的摘要。\nPyTorch · 2026-01-11\n"
        "© 2026 某某的博客 版权所有\n"
    )
    assert _read(text) == [
        ("标题一", "Python", "2026-01-10", "这是第一篇的摘要。"),
        ("标题二", "PyTorch", "2026-01-11", "这是第二篇的摘要。"),
    ]
