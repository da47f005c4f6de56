"""The word segmenter's shortcuts give exactly the words of the plain definition."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedkeeper import words
from feedkeeper.words import MAX_HAN_RUN, MAX_SEGMENTED_CHARS, long_words, segment_words

_HAN_RUN = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)")


def _reference(text: str) -> str:
    """segment_words as defined: the text, every 1-4 character substring of each Han run
    after it (singles, pairs, triples, quadruples), jieba's longer words at the end."""
    text = text[:MAX_SEGMENTED_CHARS]
    pieces = _HAN_RUN.split(text)
    out = [pieces[0]]
    for index in range(1, len(pieces), 2):
        run = pieces[index]
        for size in range(1, MAX_HAN_RUN + 1):
            out.extend(run[start : start + size] for start in range(len(run) - size + 1))
        out.append(pieces[index + 1])
    return " ".join(out + long_words(text))


_CHARS = st.one_of(
    st.sampled_from("梯度下降大模型的中华人民共和国成立了数据集向量结果流水线检索"),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),
    st.characters(min_codepoint=0x20000, max_codepoint=0x3134F),
    st.sampled_from("abcXYZ019 ,.，。、；：！？「」{}%カタカナひらがなé\t\n"),
    st.characters(exclude_categories=("Cs",)),
)
_LONG_RUNS = st.integers(min_value=1, max_value=12).map(lambda n: "流水线注意力的指标"[:9] * n)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.text(_CHARS, max_size=40), _LONG_RUNS), max_size=8))
def test_segment_words_is_the_plain_definition(parts: list[str]) -> None:
    text = "".join(parts)
    assert segment_words(text) == _reference(text)
    assert segment_words(text) == _reference(text)  # again: kept short runs answer alike


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 5, 6, 17, 63, 64, 65, 100, 10_001])
def test_runs_of_every_kind_of_length_segment_as_defined(length: int) -> None:
    run = ("中华人民共和国成立了梯度下降" * 800)[:length]
    for text in (run, f"x{run}", f"{run}y", f"a {run}，{run[:3]}。b"):
        assert segment_words(text) == _reference(text)


def test_short_run_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(words, "SHORT_RUN_MEMORY", 3)
    for char in "梯度下降大模型":
        assert segment_words(f"{char}{char}") == _reference(f"{char}{char}")
    assert len(words._short_run_words) <= 3
