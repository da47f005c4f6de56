"""The parser measured against the labelled corpus of real blogs: it must meet the targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedkeeper.evaluate import (
    FIELDS,
    Tally,
    evaluate_corpus,
    evaluate_site,
    main,
    page_base,
)

SHARED = Path(__file__).parents[1].parent / "shared" / "corpus"
CORPUS = SHARED / "listings"
# Harder shapes: whole-card links, badges in titles, rows under year headings, bare rows.
CORPUS2 = SHARED / "listings2"
TARGETS = {"url": 0.97, "title": 0.97, "date": 0.97, "categories": 0.95, "excerpt": 0.95}


@pytest.fixture(scope="module")
def results() -> dict[str, Tally]:
    if not CORPUS.is_dir():
        pytest.skip("the labelled corpus is not checked out")
    return evaluate_corpus(CORPUS)


def test_cards_are_found_and_only_cards(results: dict[str, Tally]) -> None:
    overall = results["overall"]
    assert overall.labelled == 223
    assert overall.recall >= 0.99
    assert overall.precision >= 0.99


@pytest.mark.parametrize(("field", "target"), sorted(TARGETS.items()))
def test_field_accuracy_meets_its_target(
    results: dict[str, Tally], field: str, target: float
) -> None:
    assert results["overall"].accuracy(field) >= target


def test_every_site_is_evaluated(results: dict[str, Tally]) -> None:
    sites = [name for name in results if name != "overall"]
    assert len(sites) == 10
    for name in sites:
        assert results[name].pages == 2


@pytest.fixture(scope="module")
def results2() -> dict[str, Tally]:
    if not CORPUS2.is_dir():
        pytest.skip("the second labelled corpus is not checked out")
    return evaluate_corpus(CORPUS2)


def test_harder_shapes_cards_are_found_and_only_cards(results2: dict[str, Tally]) -> None:
    overall = results2["overall"]
    assert overall.labelled == 170
    assert len(results2) == 6 + 1
    assert overall.recall >= 0.99
    assert overall.precision >= 0.99


@pytest.mark.parametrize(("field", "target"), sorted(TARGETS.items()))
def test_harder_shapes_field_accuracy_meets_its_target(
    results2: dict[str, Tally], field: str, target: float
) -> None:
    assert results2["overall"].accuracy(field) >= target


def test_both_corpora_evaluate_together(results: dict[str, Tally]) -> None:
    if not CORPUS2.is_dir():
        pytest.skip("the second labelled corpus is not checked out")
    both = evaluate_corpus(CORPUS, CORPUS2)
    assert both["overall"].labelled == 223 + 170


def test_page_base_takes_the_host_a_page_declares() -> None:
    html = '<head><meta property="og:url" content="https://blog.example.org/" /></head>'
    source = {"repo": "someone/blog_public"}
    assert page_base(source, "page/2/index.html", html) == "https://blog.example.org/page/2/"
    canonical = '<link rel="canonical" href="https://notes.example/posts/">'
    assert page_base(source, "index.html", canonical) == "https://notes.example/"


def test_page_base_uses_the_host_a_repository_is_named_after() -> None:
    source = {"repo": "0xnibbles/0xnibbles.github.io"}
    assert page_base(source, "index.html") == "https://0xnibbles.github.io/"
    assert page_base(source, "page/2/index.html") == "https://0xnibbles.github.io/page/2/"
    assert page_base({"repo": "8none1/old_whizzy"}, "page2/index.html") == (
        "https://example.test/page2/"
    )


def _site(tmp_path: Path, excerpt_start: str | None) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    cards = "".join(
        f'<article><h2><a href="/p/{n}/">Post {n}</a></h2><p>Excerpt {n}……</p></article>'
        for n in range(3)
    )
    (folder / "page1.html").write_text(f"<html><body><main>{cards}</main></body></html>")
    posts = [
        {
            "url": f"/p/{n}/",
            "title": f"Post {n}",
            "date": None,
            "categories": [],
            "tags": [],
            "excerpt_start": excerpt_start if n == 0 else f"Excerpt {n}……",
        }
        for n in range(3)
    ]
    labels = {
        "source": {"repo": "someone/tiny", "paths": ["index.html"]},
        "pages": {"page1.html": posts},
        "next_page": {"page1.html": None},
    }
    (folder / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    return folder


def test_a_short_labelled_excerpt_matches_without_its_ellipsis(tmp_path: Path) -> None:
    tally = evaluate_site(_site(tmp_path, "Excerpt 0……"))
    assert (tally.precision, tally.recall) == (1.0, 1.0)
    assert all(tally.accuracy(field) == 1.0 for field in FIELDS)
    assert tally.next_accuracy == 1.0


def test_a_wrong_excerpt_is_counted_and_listed(tmp_path: Path) -> None:
    tally = evaluate_site(_site(tmp_path, "Something else"))
    assert tally.correct["excerpt"] == 2
    assert any("excerpt of https://example.test/p/0/" in line for line in tally.mismatches)


def test_command_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _site(tmp_path, "Excerpt 0")
    assert main([str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["site", "cards", "prec", "recall", *FIELDS, "next"]
    assert lines[1].split()[:4] == ["tiny", "3", "100.0%", "100.0%"]
    assert lines[-1].startswith("overall")


def test_command_refuses_a_missing_folder(tmp_path: Path) -> None:
    assert main([str(tmp_path / "absent")]) == 2


def test_command_sums_several_corpus_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _site(first, "Excerpt 0")
    (second / "other").mkdir()
    for name in ("page1.html", "labels.json"):
        (second / "other" / name).write_bytes((first / "tiny" / name).read_bytes())
    assert main([str(first), str(second)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["tiny", "other", "overall"]
    assert lines[-1].split()[1] == "6"
