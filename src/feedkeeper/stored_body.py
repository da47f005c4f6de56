"""A page's body as the archive stores it: keyed by its SHA-256, compressed with zlib.

Light on imports, so that the parse worker can pack the bodies it parses.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

# zlib's fastest level: a listing page compresses in about 60 % of the time level 6 takes,
# for a body about a tenth larger (about a fifth of the page instead of a sixth).
BODY_ZLIB_LEVEL = 1


@dataclass(frozen=True, slots=True)
class PackedBody:
    """A body as the archive stores it: its SHA-256 (its key), its size, and zlib's bytes."""

    sha256: str
    size: int
    data: bytes


def pack_body(body: bytes) -> PackedBody:
    """Return ``body`` as the archive stores it."""
    return PackedBody(
        hashlib.sha256(body).hexdigest(), len(body), zlib.compress(body, BODY_ZLIB_LEVEL)
    )


def unpack_body(data: bytes) -> bytes:
    """Return a body from the bytes the archive stores (``PackedBody.data``)."""
    return zlib.decompress(data)
