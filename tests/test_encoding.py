"""Bytes to text: BOM, then the HTTP header, then <meta>, then detection."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedkeeper.encoding import (
    charset_from_header,
    charset_from_meta,
    decode_body,
    looks_binary,
)

TITLE = "深度学习笔记：分布式训练入门"


def page(head: str = "") -> str:
    return f"<html><head>{head}<title>{TITLE}</title></head><body><p>{TITLE}</p></body></html>"


def test_gbk_declared_only_in_the_header() -> None:
    body = page().encode("gbk")
    text, encoding = decode_body(body, "text/html; charset=GBK")
    assert TITLE in text
    assert encoding == "gb18030"


def test_gbk_declared_only_in_meta_charset() -> None:
    body = page('<meta charset="gbk">').encode("gbk")
    text, encoding = decode_body(body, "text/html")
    assert TITLE in text
    assert encoding == "gb18030"


def test_gb2312_declared_only_in_meta_http_equiv() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    text, _ = decode_body(page(head).encode("gb2312"), None)
    assert TITLE in text


def test_http_equiv_with_content_first() -> None:
    head = "<meta content='text/html;charset=GB2312' http-equiv='content-type'>"
    assert charset_from_meta(page(head).encode("gbk")) == "GB2312"


def test_gb2312_label_decodes_characters_only_gb18030_has() -> None:
    # 𠮷 (U+20BB7) is outside GB2312 and GBK; GB18030 encodes it in four bytes.
    body = "<p>𠮷野家 €</p>".encode("gb18030")
    text, _ = decode_body(body, "text/html; charset=gb2312")
    assert text == "<p>𠮷野家 €</p>"


def test_header_beats_meta() -> None:
    body = page('<meta charset="gbk">').encode("utf-8")
    text, encoding = decode_body(body, "text/html; charset=utf-8")
    assert TITLE in text
    assert encoding == "utf-8"


def test_unknown_header_label_falls_back_to_meta() -> None:
    body = page('<meta charset="gbk">').encode("gbk")
    text, _ = decode_body(body, "text/html; charset=no-such-charset")
    assert TITLE in text


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf-16be"])
def test_a_utf16_header_over_bytes_without_a_nul_gives_way(label: str) -> None:
    """Read as UTF-16, a UTF-8 page was CJK-looking mojibake with no card in it."""
    body = "<html><body><p>梯度同步 gradient</p></body></html>".encode()
    assert decode_body(body, f"text/html; charset={label}") == (
        "<html><body><p>梯度同步 gradient</p></body></html>",
        "utf-8",
    )
    gbk = '<meta charset="gbk"><p>梯度同步</p>'.encode("gbk")
    assert decode_body(gbk, f"text/html; charset={label}") == (
        '<meta charset="gbk"><p>梯度同步</p>',
        "gb18030",
    )


def test_undeclared_utf8_is_detected() -> None:
    text, encoding = decode_body(page().encode("utf-8"), "text/html")
    assert TITLE in text
    assert encoding == "utf-8"


def test_undeclared_gbk_is_detected() -> None:
    text, encoding = decode_body(page().encode("gbk"), None)
    assert TITLE in text
    assert encoding == "gb18030"


def test_undeclared_latin1_is_not_mistaken_for_chinese() -> None:
    # "été" in Latin-1 (E9 74 E9) also forms a valid GB18030 sequence.
    text, encoding = decode_body("<p>Un été à Paris, déjà</p>".encode("latin-1"), None)
    assert text == "<p>Un été à Paris, déjà</p>"
    assert encoding == "cp1252"


def test_byte_order_mark_beats_the_header() -> None:
    body = codecs.BOM_UTF8 + page().encode("utf-8")
    text, encoding = decode_body(body, "text/html; charset=gbk")
    assert text.startswith("<html>")
    assert TITLE in text
    assert encoding == "utf-8"


def test_utf16_with_bom() -> None:
    body = codecs.BOM_UTF16_LE + page().encode("utf-16-le")
    text, _ = decode_body(body, None)
    assert TITLE in text


def test_meta_claiming_utf16_is_read_as_utf8() -> None:
    body = page('<meta charset="utf-16">').encode("utf-8")
    text, encoding = decode_body(body, None)
    assert TITLE in text
    assert encoding == "utf-8"


def test_bytes_no_charset_reads_are_replaced_not_raised() -> None:
    text, encoding = decode_body(b"<p>\x81 ok</p>", "text/html; charset=utf-8")
    assert text == "<p>\ufffd ok</p>"
    assert encoding == "utf-8"


_LONG = (
    "<html><body><h2>深度学习入门：卷积神经网络</h2>"
    "<p>本文介绍显存占用与梯度同步。</p></body></html>"
)


@pytest.mark.parametrize(
    ("body", "content_type", "expected", "encoding"),
    [
        # The server's default header over a page its author saved as GBK.
        (_LONG.encode("gbk"), "text/html; charset=utf-8", _LONG, "gb18030"),
        # ... and the page says so itself.
        (
            _LONG.replace("<body>", '<meta charset="gbk"><body>').encode("gbk"),
            "text/html; charset=UTF-8",
            _LONG.replace("<body>", '<meta charset="gbk"><body>'),
            "gb18030",
        ),
        # A template's stale <meta charset="gbk"> over a page now written in UTF-8.
        (
            _LONG.replace("<body>", '<meta charset="gbk"><body>').encode("utf-8"),
            None,
            _LONG.replace("<body>", '<meta charset="gbk"><body>'),
            "utf-8",
        ),
        # Apache's default ISO-8859-1 over UTF-8 text.
        (
            "<p>Un été à Paris, déjà</p>".encode(),
            "text/html; charset=ISO-8859-1",
            "<p>Un été à Paris, déjà</p>",
            "utf-8",
        ),
        # A Latin-1 page behind a UTF-8 header.
        (
            "<p>Un été à Paris, déjà</p>".encode("latin-1"),
            "text/html; charset=utf-8",
            "<p>Un été à Paris, déjà</p>",
            "cp1252",
        ),
    ],
    ids=[
        "gbk-behind-utf8",
        "gbk-meta-behind-utf8",
        "utf8-behind-meta",
        "utf8-behind-latin1",
        "latin1-behind-utf8",
    ],
)
def test_a_charset_the_bytes_belie_gives_way(
    body: bytes, content_type: str | None, expected: str, encoding: str
) -> None:
    """A declaration the bytes cannot be is not followed into mojibake."""
    assert decode_body(body, content_type) == (expected, encoding)


def test_a_few_stray_bytes_do_not_overturn_the_declaration() -> None:
    body = _LONG.encode("utf-8").replace("入门".encode(), b"\xe9a\xe9b")
    text, encoding = decode_body(body, "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert "卷积神经网络" in text


def test_a_utf8_page_cut_inside_a_character_stays_utf8() -> None:
    body = _LONG.encode("utf-8")
    cut = body[: body.index("卷".encode()) + 1]
    text, encoding = decode_body(cut, "text/html; charset=iso-8859-1")
    assert encoding == "utf-8"
    assert text.startswith("<html><body><h2>深度学习入门：")


@pytest.mark.parametrize("content_type", ["text/html", "text/plain", None])
def test_undeclared_utf8_with_a_stray_byte_or_a_cut_character_stays_utf8(
    content_type: str | None,
) -> None:
    """A pasted Windows dash, a file cut by ``head -c``: the rest is still Chinese."""
    body = _LONG.encode("utf-8")
    for broken in (
        body.replace("入门".encode(), b"\x96\xe5\x85\xa5"),
        body[:-1] + "卷".encode()[:2],
    ):
        text, encoding = decode_body(broken, content_type)
        assert encoding == "utf-8"
        assert "卷积神经网络" in text and text.count("\ufffd") == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/html; charset=gbk", "gbk"),
        ('text/html; charset="UTF-8"', "UTF-8"),
        ("text/html;charset=gb2312;format=flowed", "gb2312"),
        ("text/html", None),
        (None, None),
    ],
)
def test_charset_from_header(header: str | None, expected: str | None) -> None:
    assert charset_from_header(header) == expected


@given(st.binary(max_size=512), st.sampled_from([None, "text/html", "text/html; charset=gbk"]))
def test_any_bytes_decode_without_raising(body: bytes, content_type: str | None) -> None:
    text, encoding = decode_body(body, content_type)
    assert isinstance(text, str)
    assert codecs.lookup(encoding)


_CARDS = "".join(
    f'<article><h2><a href="/p/{n}/">梯度同步第{n}篇</a></h2><p>显存占用的摘要 {n}。</p></article>'
    for n in (1, 2, 3)
)
_PAGE = f"<html><body><main>{_CARDS}</main></body></html>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (codecs.BOM_UTF16_LE + _PAGE.encode("utf-16-le"), "text/html"),
        (codecs.BOM_UTF16_BE + _PAGE.encode("utf-16-be"), "text/html"),
        (_PAGE.encode("utf-16-le"), "text/html; charset=UTF-16LE"),
        (_PAGE.encode("utf-16-le"), "text/html"),
        (("\n " + _PAGE).encode("utf-16-be"), "text/html"),
        (_PAGE.encode("utf-16-be"), None),
    ],
)
def test_a_utf16_page_is_text_though_half_its_bytes_are_nul(body: bytes, content_type: str) -> None:
    """UTF-16 (by its BOM, its header or the NULs beside its markup) is a page like any other."""
    from feedkeeper.page_reader import read_page

    assert not looks_binary(body, content_type)
    titles = [card.title for card in read_page(body, content_type, "https://b.example/").cards]
    assert titles[0] == "梯度同步第1篇"


def test_a_stray_nul_does_not_make_a_page_binary_but_an_image_is() -> None:
    page = _PAGE.replace("第2篇", "第\x002篇").encode()
    assert not looks_binary(page, "text/html")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64) + b"\x08\x06\x00\x00\x00"
    assert looks_binary(png, "text/html")
    assert looks_binary(b"\x00\x01binary\x00", None)


def test_a_utf16_capture_reads_as_its_utf8_twin(seeds: list[Path]) -> None:
    """Windows Notepad saves text as UTF-16 with a BOM: a capture so saved reads the same."""
    from feedkeeper.page_reader import read_page

    text = seeds[0].read_text(encoding="utf-8")
    utf16 = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    as_utf8 = read_page(text.encode(), "text/plain", "file:///capture.txt").cards
    as_utf16 = read_page(utf16, "text/plain", "file:///capture.txt").cards
    assert as_utf16 == as_utf8 and len(as_utf8) >= 5
