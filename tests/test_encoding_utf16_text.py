"""Text captures saved as UTF-16 without a byte-order mark, known by where their NULs fall."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from feedkeeper.encoding import looks_binary, utf16_text_by_shape
from feedkeeper.errors import ParseError
from feedkeeper.page_reader import read_page

CAPTURE = (
    "LATEST UPDATES\n"
    "Python\n2026-01-11\n"
    "一个最简单的DDP例子：环境准备 PyTorch(gpu)=1.5，推荐使用官方打好的 docker 镜像。\n"
    "NLP\n2026-01-09\n"
    "自注意力的时间复杂度是 [Math] ，线性注意力先算 [公式] 再复用，省下一半显存。\n"
)
EXPECTED = [
    ("Python", "2026-01-11", "一个最简单的DDP例子：环境准备 PyTorch(gpu)=1.5，"),
    ("NLP", "2026-01-09", "自注意力的时间复杂度是 [Math] ，线性注意力先算"),
]


def _cards(body: bytes) -> list[tuple[str | None, str | None, str]]:
    """Each card as (category, published, excerpt), excerpts as long as expected."""
    cards = read_page(body, "text/plain", "file:///capture.txt").cards
    return [
        (card.category, card.published, card.excerpt[: len(want[2])])
        for card, want in zip(cards, EXPECTED, strict=True)
    ]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_capture_in_utf16_without_a_bom_reads_as_its_text(codec: str, newline: str) -> None:
    """``iconv -t UTF-16LE`` and PowerShell's ``>`` write no BOM."""
    body = CAPTURE.replace("\n", newline).encode(codec)
    assert _cards(body) == EXPECTED


def test_a_character_whose_low_byte_is_nul_does_not_hide_the_order() -> None:
    """ "一" (U+4E00) puts a NUL on the other side of its code unit."""
    text = CAPTURE.replace("一个", "一一一个")
    assert _cards(text.encode("utf-16-le"))[0][0] == "Python"


# Two posts whose lines are long runs of Chinese, each date with a single ASCII digit: one
# code unit in about eighty holds a NUL (the line breaks and the digits).
_DDP = "分布式数据并行在每张卡上启动单独进程，各进程在反向传播时同步梯度。"
_AMP = "混合精度训练用半精度做前向和反向，再用单精度保存主权重以免下溢。"
FEW_ASCII = f"随笔\n3天前\n{_DDP * 10}\n笔记\n5天前\n{_AMP * 10}\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_capture_in_utf16_with_almost_no_ascii_reads_as_its_text(codec: str) -> None:
    """It was refused as binary data: too few of its code units hold a NUL to tell."""
    body = FEW_ASCII.encode(codec)
    assert 0 < body.count(0) * 64 < len(body) // 2
    cards = read_page(body, "text/plain", "file:///capture.txt").cards
    assert [(card.category, card.excerpt[:12]) for card in cards] == [
        ("随笔", "分布式数据并行在每张卡上"),
        ("笔记", "混合精度训练用半精度做前"),
    ]


def test_a_few_nuls_in_a_utf8_capture_do_not_make_it_utf16() -> None:
    """A UTF-8 file with a stray NUL after each line break, every NUL at an odd offset as
    UTF-16LE's would be (a line padded with a space to get there): it stays UTF-8 (read as
    UTF-16, its pairs of ASCII characters include code points no text holds)."""
    excerpt = "Decorators are functions that return functions, with closures inside. " * 8
    lines = ["Python", "2026-01-11", excerpt, "Generators pause at each yield and go on."]
    body = b""
    for line in lines:
        body += line.encode() + b" " * ((len(body) + len(line.encode())) % 2) + b"\n\x00"
    assert {at % 2 for at in range(len(body)) if body[at] == 0} == {1}
    assert body.count(0) * 64 < len(body) // 2
    assert utf16_text_by_shape(body) is None


def test_the_seeds_in_utf16_without_a_bom_read_as_in_utf8(seeds: list[Path]) -> None:
    for seed in seeds:
        text = seed.read_text(encoding="utf-8")
        as_utf8 = read_page(text.encode(), "text/plain", "file:///c.txt").cards
        assert read_page(text.encode("utf-16-le"), "text/plain", "file:///c.txt").cards == as_utf8


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("capture.txt", CAPTURE)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "body",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64) + b"\x08\x06\x00\x00\x00",
        _zip(),
        CAPTURE.encode("utf-32-le"),
    ],
    ids=["png", "zip", "utf-32"],
)
def test_binary_files_stay_binary_and_say_to_save_text_as_utf8(body: bytes) -> None:
    assert looks_binary(body, "text/plain")
    with pytest.raises(ParseError, match="save it as UTF-8"):
        read_page(body, "text/plain", "file:///capture.txt")
