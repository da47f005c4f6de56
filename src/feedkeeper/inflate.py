"""Content-Encoding undone a bounded piece at a time, through every layer.

A few kilobytes of gzip inside gzip can inflate to gigabytes. Each layer here hands
on at most ``PIECE`` bytes per step, so the caller can count decoded bytes as they
stream and stop at its limit: memory never holds more than a few pieces per layer.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, Iterator

import httpx

# Decoded bytes handed on per step: small enough to bound memory, large enough to be quick.
PIECE = 64 * 1024
# The codings we announce in Accept-Encoding; a server should send no other.
ACCEPT_ENCODING = "gzip, deflate"
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
# Compressions we never announce and cannot undo: a body in one is no page. Other names a
# server puts there by mistake ("utf-8", "none", "binary") are read as no coding at all.
_UNASKED = frozenset({"br", "zstd", "compress", "x-compress"})
# Layers undone at most: a server compresses once, a proxy perhaps once more; thousands of
# "gzip" listed in one header are an attack (each layer costs a decoder and a frame).
MAX_LAYERS = 4


class CutShortError(ValueError):
    """A layer's stream ended before its end: the body was cut short on its way."""


class Layer:
    """One gzip or deflate layer, inflating at most ``PIECE`` bytes per step."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._raw_deflate = False  # some servers send deflate without its zlib header
        self._inflater = zlib.decompressobj(_WBITS[coding])
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Yield what ``data`` inflates to, a piece at a time (``b""`` flushes the rest).

        A gzip body may hold several members one after another (``cat a.gz b.gz``): each is
        read in turn. Anything else after a stream's end is refused: the page read so far
        would be a part of the page.
        """
        while True:
            piece = self._inflate(data)
            data = self._inflater.unconsumed_tail
            if piece:
                yield piece
            if self._inflater.eof and self._inflater.unused_data:
                data = self._next_member()
            elif not piece and not data:
                return

    def _next_member(self) -> bytes:
        """Start reading the gzip member after the one that ended; return its bytes."""
        rest = self._inflater.unused_data
        if self.coding == "deflate":
            raise ValueError("data follows the end of its deflate stream")
        self._inflater = zlib.decompressobj(_WBITS[self.coding])
        return rest

    def check_ended(self) -> None:
        """Raise CutShortError unless the stream this layer read came to its end (gzip's
        checksum, deflate's last block): the piece of a page is no page."""
        if self._started and not self._inflater.eof:
            raise CutShortError(f"its {self.coding} stream ends before its end: it was cut short")

    def _inflate(self, data: bytes) -> bytes:
        try:
            piece = self._inflater.decompress(data, PIECE)
        except zlib.error as exc:
            if self.coding == "deflate" and not self._started and not self._raw_deflate:
                self._raw_deflate = True
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._inflate(data)
            raise ValueError(f"cannot decode its {self.coding} encoding: {exc}") from exc
        self._started = self._started or bool(data)
        return piece


class Inflater:
    """Undoes a response's Content-Encoding layers, outermost first, piece by piece."""

    def __init__(self, content_encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        known = [c for c in codings if c in _WBITS]
        if len(known) > MAX_LAYERS:
            raise ValueError(
                f"its Content-Encoding lists {len(known)} layers (at most {MAX_LAYERS} are undone)"
            )
        # Codings are listed in the order they were applied: undo the last one first.
        self.layers = [Layer(c) for c in reversed(known)]
        self.unasked = next((c for c in codings if c in _UNASKED), None)

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """Yield the decoded pieces of a chunk of the raw body (``b""`` at its end, which
        raises CutShortError when a layer's stream did not come to its end). A body in a
        compression not asked for raises ValueError; no body (a 304's) is none."""
        if raw and self.unasked:
            raise ValueError(
                f"its Content-Encoding is {self.unasked}, which was not asked for"
                f" (Accept-Encoding: {ACCEPT_ENCODING}) and cannot be read"
            )
        yield from self._through(raw, 0)
        if not raw:
            for layer in self.layers:
                layer.check_ended()

    def _through(self, data: bytes, depth: int) -> Iterator[bytes]:
        if depth == len(self.layers):
            if data:
                yield data
            return
        for piece in self.layers[depth].feed(data):
            yield from self._through(piece, depth + 1)
        if not data:  # the end of the body: flush the inner layers too
            yield from self._through(b"", depth + 1)


async def decoded_pieces(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """Yield the body a bounded piece at a time, decoded through every Content-Encoding layer."""
    if response.is_stream_consumed:  # a response made in memory (a test transport): decoded
        yield response.content
        return
    inflater = Inflater(response.headers.get("content-encoding"))
    async for chunk in response.aiter_raw():
        for piece in inflater.feed(chunk):
            yield piece
    for piece in inflater.feed(b""):
        yield piece
