"""Bytes to text: the charset from the HTTP header, else the page's <meta>, else detection."""

from __future__ import annotations

import codecs
import re

# GBK and GB2312 pages routinely use characters only GB18030 defines; decoding
# them as the superset is what browsers do (WHATWG maps both labels to gb18030-ish gbk).
_SUPERSETS = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}
_META_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def charset_from_header(content_type: str | None) -> str | None:
    """Return the charset named in a Content-Type header, if any."""
    if not content_type:
        return None
    match = _HEADER_RE.search(content_type)
    return match.group(1) if match else None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page; return the text and the encoding used."""
    for label in (charset_from_header(content_type), _charset_from_meta(body)):
        encoding = _known(label)
        if encoding:
            return body.decode(encoding, errors="replace"), encoding
    return _detect(body)


def _charset_from_meta(body: bytes) -> str | None:
    match = _META_RE.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


def _known(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _detect(body: bytes) -> tuple[str, str]:
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    for encoding in ("utf-8", "gb18030"):
        try:
            return body.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return body.decode("cp1252", errors="replace"), "cp1252"
