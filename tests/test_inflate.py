"""Content-Encoding undone a bounded piece at a time: every layer, never all at once."""

from __future__ import annotations

import gzip
import itertools
import zlib

import pytest

from feedkeeper.encoding import decode_body, is_text_encoding
from feedkeeper.inflate import PIECE, CutShortError, Inflater
from hostile import gzip_bomb

TEXT = "梯度同步的细节 gradient sync ".encode() * 5000


def decode(raw: bytes, coding: str | None, chunk: int = 1000) -> bytes:
    inflater = Inflater(coding)
    out = bytearray()
    for start in range(0, len(raw), chunk):
        for piece in inflater.feed(raw[start : start + chunk]):
            out += piece
    for piece in inflater.feed(b""):
        out += piece
    return bytes(out)


@pytest.mark.parametrize(
    ("raw", "coding"),
    [
        (gzip.compress(TEXT), "gzip"),
        (gzip.compress(gzip.compress(TEXT)), "gzip, gzip"),
        (zlib.compress(TEXT), "deflate"),
        (zlib.compress(TEXT)[2:-4], "deflate"),  # raw deflate, as some servers send it
        (gzip.compress(zlib.compress(TEXT)), "deflate, gzip"),
        (TEXT, None),
        (TEXT, "identity"),
        (TEXT, "br-unknown"),  # a coding we never asked for is passed through
        # members one after another, as ``cat a.gz b.gz`` makes: the page was cut after the
        # first, silently
        (gzip.compress(TEXT[:70_000]) + gzip.compress(TEXT[70_000:]), "gzip"),
        (b"".join(gzip.compress(TEXT[i : i + 999]) for i in range(0, len(TEXT), 999)), "gzip"),
    ],
)
def test_every_layer_is_undone(raw: bytes, coding: str | None) -> None:
    assert decode(raw, coding) == TEXT


def test_a_bomb_comes_out_in_bounded_pieces_and_can_be_stopped() -> None:
    pieces = Inflater("gzip, gzip").feed(gzip_bomb())  # 1 GiB of zeros inside
    first = list(itertools.islice(pieces, 50))
    assert len(first) == 50
    assert all(0 < len(piece) <= PIECE for piece in first)


@pytest.mark.parametrize(
    ("raw", "coding"),
    [
        (gzip.compress(TEXT)[:-300], "gzip"),  # no last block, no checksum
        (gzip.compress(TEXT)[:-4], "gzip"),  # the checksum's length missing
        (zlib.compress(TEXT)[:-100], "deflate"),
        (gzip.compress(gzip.compress(TEXT)[:-300]), "gzip, gzip"),  # the inner layer cut
    ],
)
def test_a_stream_cut_short_is_no_body(raw: bytes, coding: str) -> None:
    """A connection cut inside the gzip stream, its HTTP framing whole: the part of a page
    made false versions of its posts."""
    with pytest.raises(CutShortError, match="cut short"):
        decode(raw, coding)


def test_an_empty_body_is_no_stream_cut_short() -> None:
    assert decode(b"", "gzip") == b""


def test_a_broken_layer_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="cannot decode its gzip encoding"):
        decode(b"not gzip at all", "gzip")


@pytest.mark.parametrize(
    "codec",
    ["rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri", "idna", "punycode", "undefined",
     "unicode_escape", "raw_unicode_escape", "utf-7", "utf-32", "cp037"],
)  # fmt: skip
def test_codecs_that_are_not_web_charsets_are_refused(codec: str) -> None:
    assert not is_text_encoding(codec)
    text, used = decode_body("<p>中文页面</p>".encode(), f"text/html; charset={codec}")
    assert (text, used) == ("<p>中文页面</p>", "utf-8")


@pytest.mark.parametrize(
    "codec", ["utf-8", "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr", "cp1252", "koi8-r",
              "iso8859-2", "utf-16-le", "utf-16-be", "mac-roman", "iso2022_jp"],
)  # fmt: skip
def test_web_charsets_are_accepted(codec: str) -> None:
    assert is_text_encoding(codec)


def test_data_after_a_deflate_stream_is_refused() -> None:
    with pytest.raises(ValueError, match="data follows the end of its deflate stream"):
        decode(zlib.compress(TEXT) + b"<p>more</p>", "deflate")


@pytest.mark.parametrize("layers", [5, 3000])
def test_more_layers_than_a_server_applies_are_refused(layers: int) -> None:
    """Thousands of "gzip" in one header ended the crawl with a RecursionError, exit 70."""
    with pytest.raises(ValueError, match=f"lists {layers} layers"):
        decode(gzip.compress(TEXT), ", ".join(["gzip"] * layers))


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, br", "ZSTD"])
def test_a_compression_never_asked_for_is_refused(coding: str) -> None:
    """Its bytes were read as the page: 'not a text page (text/html)', or mojibake."""
    with pytest.raises(ValueError, match="was not asked for"):
        decode(b"\x28\xb5\x2f\xfd compressed bytes", coding)


@pytest.mark.parametrize("coding", ["br", "utf-8", "none", "binary"])
def test_no_body_or_a_misnamed_coding_is_read_as_it_is(coding: str) -> None:
    """A 304 may name the coding of the page it stands for; a name no compression has is a
    server's slip."""
    assert decode(b"", coding) == b""
    if coding != "br":
        assert decode(TEXT, coding) == TEXT
