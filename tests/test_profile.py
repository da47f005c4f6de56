"""Site profiles: loading and checking them, parsing with them, suggesting them."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from feedkeeper.errors import ConfigError, ParseError
from feedkeeper.parse import Profile, load_profile, parse_listing, suggest_profile
from feedkeeper.parse.profile import profile_from

PAGES = Path(__file__).parent / "data" / "parse"
CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus" / "listings"


def _page(name: str) -> tuple[str, str, list[object]]:
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    return html, str(expected["base_url"]), expected["cards"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_profile_reads_every_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'card = "div.card"\ntitle = "h3"\nlink = "a.button"\n'
        'category = "a[rel~=\'category\']"\ndate = "time"\nexcerpt = "div.text"\n'
        'next = "a.next"\n',
    )
    assert load_profile(path) == Profile(
        card="div.card",
        title="h3",
        link="a.button",
        category="a[rel~='category']",
        date="time",
        excerpt="div.text",
        next="a.next",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('card = "div.card"\ncolour = "red"\n', "unknown key 'colour'"),
        ('title = "h3[" \n', "invalid CSS selector for 'title'"),
        ("date = 3\n", "'date' in"),
        ('excerpt = "  "\n', "'excerpt' in"),
        ("card = \n", "not valid TOML"),
    ],
)
def test_bad_profiles_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_profile(path)
    assert message in caught.value.message
    assert str(path) in caught.value.message


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read profile"):
        load_profile(tmp_path / "absent.toml")


def test_profile_reads_the_cards_it_names() -> None:
    html, base, cards = _page("read-more")
    profile = Profile(
        card="div.card",
        title="h3",
        link="a.button",
        category="a[rel~='category']",
        date="time",
        excerpt="div.text",
        next="a.next",
    )
    page = parse_listing(html, base, profile)
    assert [card.to_json() for card in page.cards] == cards
    assert page.next_url == "https://blog.example/j/page/2/"


def test_field_selector_without_card_selector_overrides_the_heuristics() -> None:
    html, base, _ = _page("ul-list")
    page = parse_listing(html, base, Profile(excerpt="span.meta"))
    assert [card.excerpt for card in page.cards] == [
        "Jan 11, 2026 · Rust",
        "Jan 5, 2026 · Rust",
        "Dec 30, 2025",
    ]
    assert page.cards[0].title == "First steps with Rust"


def test_card_selector_matching_nothing_is_a_parse_error() -> None:
    html, base, _ = _page("ul-list")
    with pytest.raises(ParseError):
        parse_listing(html, base, Profile(card="article.nowhere"))


@pytest.mark.parametrize("name", sorted(path.stem for path in PAGES.glob("*.json")))
def test_suggested_profile_reproduces_the_cards(name: str) -> None:
    html, base, cards = _page(name)
    profile = profile_from(tomllib.loads(suggest_profile(html, base)))
    flat = name in (
        "flat-headings",
        "sibling-posts",
        "day-runs",
        "loose-lines",
        "cnblogs-home-link",
        "cnblogs-last-page-sidebar",
        "day-archive-lines",
        "section-all-posts-link",
        "definition-list",
        "zola-tabi-meta-before-card",
        "hexo-matery-pinned-apart",  # the pinned card apart is shaped unlike the others
        "al-folio-featured-pin",  # likewise, a pinned copy of a listed post
        "obsidian-date-dot-summary",
    )  # no element holds a flat card, or one shape holds not every card
    assert (profile.card is None) == flat
    page = parse_listing(html, base, profile)
    assert [card.to_json() for card in page.cards] == cards


def test_suggested_profile_for_a_grid_names_its_parts() -> None:
    html, base, _ = _page("div-grid")
    suggested = tomllib.loads(suggest_profile(html, base))
    assert suggested["card"] == "div.item"
    assert suggested["excerpt"] == "div.summary"


def test_nothing_to_suggest_without_cards() -> None:
    with pytest.raises(ParseError):
        suggest_profile("<html><body><p>Nothing.</p></body></html>", "https://a.example/")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the labelled corpus is not checked out")
def test_suggested_profiles_reproduce_the_corpus_cards() -> None:
    for labels_path in sorted(CORPUS.glob("*/labels.json")):
        source = json.loads(labels_path.read_text(encoding="utf-8"))["source"]
        host = source["repo"].rsplit("/", 1)[-1].lower()
        html = (labels_path.parent / "page1.html").read_text(encoding="utf-8")
        base = f"https://{host}/"
        profile = profile_from(tomllib.loads(suggest_profile(html, base)))
        plain, profiled = parse_listing(html, base), parse_listing(html, base, profile)
        assert profile.card is not None, labels_path.parent.name
        assert profiled.cards == plain.cards, labels_path.parent.name


def test_a_profile_built_in_code_checks_its_selectors_too() -> None:
    with pytest.raises(ConfigError, match="invalid CSS selector for 'card'"):
        Profile(card="article[")
