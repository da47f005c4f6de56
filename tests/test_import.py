"""Importing the five real captures: 35 posts, 55 sightings, every placeholder and nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feedkeeper.cli import main
from feedkeeper.errors import ParseError
from feedkeeper.importer import import_captures
from feedkeeper.parse import parse_capture
from feedkeeper.parse.capture import MAX_CAPTURE_CARDS
from feedkeeper.store import Store
from feedkeeper.store.write import PageWriter

from conftest import DATA, load_json, rows

EXPECTED = load_json(DATA / "seeds_expected.json")


def test_each_capture_parses_into_its_cards(seeds: list[Path]) -> None:
    counts = [len(parse_capture(path.read_text(encoding="utf-8")).cards) for path in seeds]
    assert counts == EXPECTED["cards_per_capture"]


def test_importing_all_seeds(store: Store, seeds: list[Path]) -> None:
    summary = import_captures(store, seeds)
    totals = EXPECTED["totals"]
    assert summary.status == "ok"
    assert summary.counts.new_posts == totals["posts"]
    assert summary.counts.cards == totals["sightings"]
    assert summary.counts.filled_in == totals["filled_in"]
    assert summary.counts.reposts == totals["reposts"]
    assert len(rows(store, "SELECT * FROM post_version")) == totals["versions"]
    assert len(rows(store, "SELECT * FROM sighting")) == totals["sightings"]
    by_kind = rows(store, "SELECT kind, count(*) AS n FROM placeholder GROUP BY kind ORDER BY kind")
    assert {r["kind"]: r["n"] for r in by_kind} == EXPECTED["placeholders"]


def test_imported_posts_match_the_captures(store: Store, seeds: list[Path]) -> None:
    import_captures(store, seeds)
    posts = rows(store, "SELECT * FROM posts_current")
    for expected in EXPECTED["posts"]:
        [post] = [p for p in posts if p["excerpt"].startswith(expected["starts"])]
        assert post["category"] == expected["category"], expected["starts"]
        assert post["published"] == expected["published"], expected["starts"]
        assert post["sightings"] == expected["sightings"], expected["starts"]
        assert bool(post["truncated"]) == expected["truncated"], expected["starts"]
        kinds = rows(
            store,
            "SELECT ph.kind FROM placeholder ph JOIN post_version v ON v.id = ph.version_id"
            " WHERE v.post_id = :id ORDER BY ph.position",
            id=post["id"],
        )
        assert [k["kind"] for k in kinds] == expected["placeholders"], expected["starts"]


def test_decoy_brackets_stay_text(store: Store, seeds: list[Path]) -> None:
    import_captures(store, seeds)
    excerpts = " ".join(p["excerpt"] for p in rows(store, "SELECT excerpt FROM posts_current"))
    for decoy in EXPECTED["decoys"]:
        assert decoy in excerpts


def test_reimport_changes_nothing(store: Store, seeds: list[Path]) -> None:
    import_captures(store, seeds)
    again = import_captures(store, seeds)
    assert (again.counts.new_posts, again.counts.new_versions, again.counts.filled_in) == (0, 0, 0)
    assert len(rows(store, "SELECT * FROM post")) == 35


SERIES = (
    "本文是《从零实现 Transformer》系列的一部分，完整代码见文末仓库，"
    "建议按顺序阅读。本篇的内容是 ..."
)


def test_one_teaser_shown_for_three_dates_is_three_posts_and_a_reimport_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    """The parts of a series: no fingerprint tells them apart, their dates do."""
    capture = tmp_path / "series.txt"
    days = ("2024-03-08", "2024-03-01", "2024-02-23")
    capture.write_text(
        "LATEST UPDATES\n" + "".join(f"Deep Learning\n{day}\n{SERIES}\n" for day in days),
        encoding="utf-8",
    )
    first = import_captures(store, [capture])
    assert (first.counts.new_posts, first.counts.new_versions) == (3, 0)
    for _ in range(2):
        again = import_captures(store, [capture])
        assert (again.counts.new_posts, again.counts.new_versions) == (0, 0)
    listed = rows(store, "SELECT published, version, sightings FROM posts_current ORDER BY id")
    assert listed == [{"published": day, "version": 1, "sightings": 3} for day in days]


def test_a_file_that_is_not_a_capture(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "photo.txt"
    bogus.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert main(["import", str(bogus), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "photo.txt" in err and "Traceback" not in err
    kept = rows(Store.open(db_path), "SELECT outcome, body_sha256 FROM page_fetch")
    assert kept[0]["outcome"] == "unparseable" and kept[0]["body_sha256"]


def test_a_capture_that_does_not_exist_is_named_so(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "nope.txt"), "--db", str(db_path)]) == 1
    assert f"{tmp_path / 'nope.txt'} does not exist" in capsys.readouterr().err


def test_empty_capture_is_refused() -> None:
    with pytest.raises(ParseError, match="no post cards"):
        parse_capture("INCOMING TRANSMISSION\n\nLATEST UPDATES\n1 2")


def _capture_of(cards: int) -> str:
    lines = [
        f"Python\n2026-01-{1 + n % 28:02d}\n第{n}篇 关于模型训练与部署的一些笔记和说明"
        for n in range(cards)
    ]
    return "LATEST UPDATES\n" + "\n".join(lines) + "\n1 2\n"


def test_a_capture_holds_at_most_as_many_cards_as_a_page(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each card costs kilobytes on its way in: a 10 MB capture of short lines (200,000
    cards) once took 760 MB. Past the bound it is refused with one line, its body kept."""
    assert len(parse_capture(_capture_of(MAX_CAPTURE_CARDS)).cards) == MAX_CAPTURE_CARDS
    with pytest.raises(ParseError, match=f"more than the {MAX_CAPTURE_CARDS} cards"):
        parse_capture(_capture_of(MAX_CAPTURE_CARDS + 1))
    huge = tmp_path / "huge.txt"
    huge.write_text(_capture_of(MAX_CAPTURE_CARDS + 1), encoding="utf-8")
    assert main(["import", str(huge), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "split it into smaller files" in err and "Traceback" not in err
    kept = rows(Store.open(db_path), "SELECT outcome, body_sha256 FROM page_fetch")
    assert kept[0]["outcome"] == "unparseable" and kept[0]["body_sha256"]
    assert rows(Store.open(db_path), "SELECT count(*) AS n FROM post")[0]["n"] == 0


def test_stored_pages_load_in_the_order_asked_with_their_bodies_as_imported(
    store: Store, seeds: list[Path]
) -> None:
    import_captures(store, seeds)
    fetches = rows(store, "SELECT id, url FROM page_fetch ORDER BY id DESC")
    assert len(fetches) == len(seeds)
    with store.engine.connect() as conn:
        stored = store.load_captures(PageWriter(conn, None), [f["id"] for f in fetches])
    assert [s.capture.url for s in stored] == [f["url"] for f in fetches]
    assert all(s.capture.body is None for s in stored)  # left compressed for the workers
    bodies = {path.read_bytes() for path in seeds}
    assert {s.body() for s in stored} == bodies


SOFTMAX = (
    "摘掉Softmax 制约Attention性能的关键因素,其实是定义里边的Softmax!事实上,简单地推导一下"
    "就可以得到这个结论。 [Math] 这一步我们得到一个 [Math] 的矩阵,就是这一步决定了Attention的"
    "复杂度是 [Math] ;如果没有Softmax,那么就是三个矩阵连乘"
)


def _write_captures(folder: Path, cards: dict[str, list[tuple[str, str]]]) -> list[Path]:
    """One capture a name, each card a (date, excerpt) under the category NLP."""
    paths = []
    for name, shown in cards.items():
        path = folder / f"{name}.txt"
        body = "".join(f"NLP\n{day}\n{text}\n阅读更多\n" for day, text in shown)
        path.write_text(f"LATEST UPDATES\n{body}1 2\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("reverse", [False, True])
def test_captures_of_one_post_cut_at_other_lengths_are_that_post(
    store: Store, tmp_path: Path, reverse: bool
) -> None:
    """A featured block cuts at 40 characters with "…", the listing at 80 with "...",
    a copy at 60 with no mark: one post, one version, its longest excerpt kept."""
    day = "2026-01-11"
    paths = _write_captures(
        tmp_path,
        {
            "featured": [(day, SOFTMAX[:40] + "…")],
            "listing": [(day, SOFTMAX[:80] + "...")],
            "copy": [(day, SOFTMAX[:60])],
        },
    )
    summary = import_captures(store, paths[::-1] if reverse else paths)
    assert (summary.counts.new_posts, summary.counts.new_versions) == (1, 0)
    [post] = rows(store, "SELECT version, sightings, excerpt, truncated FROM posts_current")
    assert post == {
        "version": 1, "sightings": 3, "excerpt": SOFTMAX[:80], "truncated": 1
    }  # fmt: skip
    again = import_captures(store, paths)
    assert (again.counts.new_posts, again.counts.new_versions, again.counts.filled_in) == (0, 0, 0)


def test_cut_captures_of_a_series_with_one_teaser_stay_its_parts(
    store: Store, tmp_path: Path
) -> None:
    """The parts of a series begin alike: a cut capture is the part of its date, a cut no
    longer than what two parts of one day share is neither of them, and an excerpt that
    ends its sentence is whole, not the cut of a longer one of its day."""
    part = [SERIES.removesuffix(" ...") + end for end in ("多头注意力的实现。", "位置编码的写法。")]
    paths = _write_captures(
        tmp_path,
        {
            "whole": [("2024-03-08", part[0]), ("2024-03-01", part[1])],
            "cut": [("2024-03-08", part[0][:40] + "…"), ("2024-03-01", part[1][:40] + "…")],
            "same_day": [("2024-03-15", part[0]), ("2024-03-15", part[1])],
            "same_day_cut": [("2024-03-15", part[0][:40] + "…")],
            "teaser_alone": [("2024-03-22", SERIES.split("本篇")[0])],
            "teaser_and_more": [("2024-03-22", part[1])],
        },
    )
    import_captures(store, paths)
    listed = rows(store, "SELECT published, sightings, excerpt FROM posts_current ORDER BY id")
    assert listed == [
        {"published": "2024-03-08", "sightings": 2, "excerpt": part[0]},
        {"published": "2024-03-01", "sightings": 2, "excerpt": part[1]},
        {"published": "2024-03-15", "sightings": 1, "excerpt": part[0]},
        {"published": "2024-03-15", "sightings": 1, "excerpt": part[1]},
        {"published": "2024-03-15", "sightings": 1, "excerpt": part[0][:40]},
        {"published": "2024-03-22", "sightings": 1, "excerpt": SERIES.split("本篇")[0]},
        {"published": "2024-03-22", "sightings": 1, "excerpt": part[1]},
    ]


def test_the_latest_capture_shows_the_current_version_whatever_the_order_given(
    store: Store, tmp_path: Path
) -> None:
    """A post filed under NLP in January and under Deep Learning in March: given the March
    capture first, it is still March's category that is current."""
    january, march = _write_captures(
        tmp_path, {"january": [("2026-01-11", SOFTMAX)], "march": [("2026-01-11", SOFTMAX)]}
    )
    march.write_text(march.read_text(encoding="utf-8").replace("NLP", "Deep Learning"), "utf-8")
    os.utime(january, (1_768_118_400, 1_768_118_400))  # 2026-01-11 08:00 UTC
    os.utime(march, (1_772_352_000, 1_772_352_000))  # 2026-03-01 08:00 UTC
    summary = import_captures(store, [march, january])
    assert (summary.counts.new_posts, summary.counts.new_versions) == (1, 1)
    versions = rows(store, "SELECT version, category FROM post_version ORDER BY version")
    assert versions == [
        {"version": 1, "category": "NLP"},
        {"version": 2, "category": "Deep Learning"},
    ]
    assert rows(store, "SELECT version, category FROM posts_current") == [versions[1]]
    saved = rows(store, "SELECT url, last_modified FROM page_fetch ORDER BY id")
    assert saved == [
        {"url": january.as_uri(), "last_modified": "Sun, 11 Jan 2026 08:00:00 GMT"},
        {"url": march.as_uri(), "last_modified": "Sun, 01 Mar 2026 08:00:00 GMT"},
    ]
