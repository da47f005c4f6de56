"""The archive in real Datasette: every page opens, search finds words of any length."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

import demo_archive
from feedkeeper.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

# Chinese words of two, three and four characters, and how many demo posts hold each.
WORDS = {"梯度": 7, "显存": 5, "卷积": 2, "注意力": 2, "大模型": 3, "检查点": 1, "自注意力": 1,
         "反向传播": 1, "损失函数": 1}  # fmt: skip


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Any name: the metadata follows the archive.
    return demo_archive.build(tmp_path_factory.mktemp("demo"), "blog.db")


@pytest.fixture(scope="module")
def metadata(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("meta") / "metadata.json"
    with path.open("w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        assert main(["datasette-metadata", "--db", str(archive)]) == 0
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _get(archive: Path, metadata: dict[str, Any], paths: list[str]) -> list[tuple[int, Any]]:
    async def fetch_all() -> list[tuple[int, Any]]:
        datasette = Datasette([str(archive)], metadata=metadata)
        results = []
        for path in paths:
            response = await datasette.client.get(path)
            body = response.json() if ".json" in path else response.text
            results.append((response.status_code, body))
        return results

    return asyncio.run(fetch_all())


def test_the_metadata_is_for_the_archive_whatever_its_name(metadata: dict[str, Any]) -> None:
    assert list(metadata["databases"]) == ["blog"]
    assert metadata["databases"]["blog"]["tables"]["posts_current"]["fts_table"] == "post_words"


def test_every_view_table_and_query_opens_with_and_without_parameters(
    archive: Path, metadata: dict[str, Any]
) -> None:
    described = metadata["databases"]["blog"]
    shown = [n for n, entry in described["tables"].items() if not entry.get("hidden")]
    paths = ["/blog"]
    for name in shown:
        paths += [f"/blog/{name}", f"/blog/{name}.json", f"/blog/{name}?_search=梯度"]
    for name in described["queries"]:
        paths += [f"/blog/{name}", f"/blog/{name}.json", f"/blog/{name}.json?q=梯度"]
    answers = _get(archive, metadata, paths)
    failed = [(p, status) for p, (status, _) in zip(paths, answers, strict=True) if status != 200]
    assert failed == []
    assert len(shown) >= 6


def _feedkeeper_search(archive: Path, word: str, capsys: pytest.CaptureFixture[str]) -> set[int]:
    main(["search", word, "--json", "--limit", "1000", "--db", str(archive)])
    return {hit["post_id"] for hit in json.loads(capsys.readouterr().out)}


def test_datasette_search_finds_the_posts_feedkeeper_search_finds(
    archive: Path, metadata: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [f"/blog/posts_current.json?_search={w}&_shape=array&_size=max" for w in WORDS]
    paths += [f"/blog/search.json?q={w}&_shape=array" for w in WORDS]
    answers = _get(archive, metadata, paths)
    table, canned = answers[: len(WORDS)], answers[len(WORDS) :]
    for word, (status, found), (_, queried) in zip(WORDS, table, canned, strict=True):
        assert status == 200, word
        in_datasette = {row["id"] for row in found}
        assert len(in_datasette) == WORDS[word], word
        assert in_datasette == _feedkeeper_search(archive, word, capsys), word
        assert {row["post_id"] for row in queried} == in_datasette, word


def test_every_short_chinese_word_of_the_titles_finds_the_same_posts_both_ways(
    archive: Path, metadata: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(archive) as conn:
        titles = [row[0] for row in conn.execute("SELECT title FROM post_version")]
    words = sorted(
        {run[i : i + size] for title in titles for run in re.findall(r"[\u4e00-\u9fff]+", title)
         for size in (2, 3, 4) for i in range(len(run) - size + 1)}
    )[::6]  # fmt: skip
    assert len(words) > 50
    paths = [f"/blog/posts_current.json?_search={w}&_shape=array&_size=max" for w in words]
    for word, (status, found) in zip(words, _get(archive, metadata, paths), strict=True):
        assert status == 200, word
        assert {row["id"] for row in found} == _feedkeeper_search(archive, word, capsys), word


# Longer than the word index's four characters, or Chinese run into Latin letters: the
# canned query finds them through the substring index, as `feedkeeper search` does.
LONG_WORDS = ["大模型训练", "梯度检查点", "GPU显存"]


def test_the_canned_search_finds_longer_words_and_mixed_scripts(
    archive: Path, metadata: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [f"/blog/search.json?q={w}&_shape=array" for w in LONG_WORDS]
    paths.append("/blog/post_search.json?_search=梯度&_shape=array&_size=max")
    *answers, (status, searched) = _get(archive, metadata, paths)
    for word, (code, found) in zip(LONG_WORDS, answers, strict=True):
        assert code == 200, word
        expected = _feedkeeper_search(archive, word, capsys)
        assert expected and {row["post_id"] for row in found} == expected, word
    # the view's own search box searches too (it listed every post)
    assert status == 200 and {row["post_id"] for row in searched} == _feedkeeper_search(
        archive, "梯度", capsys
    )
