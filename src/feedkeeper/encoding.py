"""Bytes to text: a byte-order mark, else the charset from the HTTP header, else the
page's ``<meta charset>`` or ``<meta http-equiv="Content-Type">``, else detection."""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
import warnings

# GBK and GB2312 pages routinely use characters only GB18030 defines; decoding
# them as the superset is what browsers do (WHATWG maps both labels to gb18030-ish gbk).
# Likewise browsers read "latin-1" and "ascii" pages as windows-1252.
_SUPERSETS = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}
# A BOM beats every declaration (WHATWG "decode"); UTF-16 pages carry one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Both <meta charset="gbk"> and <meta http-equiv="Content-Type" content="...; charset=gbk">.
_META_RE = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
# Printable ASCII: every charset a page may declare (UTF-16 aside) reads it as itself.
# The escapes make the escape codecs show themselves: a charset reads them as typed.
_ASCII = bytes(range(0x20, 0x7F)) + rb" \x41 \u0041 \n"
_HIGH = bytes(range(0x80, 0x100))
# Browsers look for <meta> in the first 1024 bytes; pages with long heads go further.
_META_SCAN_BYTES = 4096
# Undeclared bytes that decode as GB18030 are taken for Chinese only when most of
# the non-ASCII text is CJK: Latin-1 accents also happen to form valid GB18030 pairs.
_MIN_CJK_SHARE = 0.8
# A declared charset is taken to be wrong when at least this many bytes fail it and
# they are at least one in this many of the non-ASCII characters another reading gives
# (a GBK or Latin-1 page read as UTF-8 fails on most of its characters; a UTF-8 page
# with a few stray bytes fails on few).
_MIN_MISREAD = 2
_MISREAD_SHARE = 3
# How much of a page's start shows that it is UTF-16 with no BOM.
_UTF16_SNIFF_BYTES = 512
# A text file saved as UTF-16 without a BOM (``iconv -t UTF-16LE``, PowerShell's ``>``)
# shows itself by its NULs: the high byte of each ASCII character (its line breaks, spaces,
# digits, Latin letters) is one, at every odd offset in little-endian order, every even one
# in big-endian: a few of them, however few for its length (text almost without ASCII,
# long lines of Chinese and dates like "3天前", has little more than its line breaks),
# since text in another charset, or binary data, read as UTF-16 shows code points no text
# holds. A character of another script whose low byte is zero (U+4E00 "一") puts a NUL on
# the other side, at most one in this many.
_UTF16_OTHER_SIDE_SHARE = 8
_UTF16_MIN_NULS = 4
# What text holds: no control character but its line breaks and tabs, no half of a
# surrogate pair, and few code points Unicode leaves unassigned or private. Binary data
# read as UTF-16 shows them (and NULs on both sides).
_TEXT_CONTROLS = frozenset("\t\n\r\f")
_MAX_UNASSIGNED_SHARE = 100
# Characters of a BOM-less UTF-16 text file whose kinds are looked at, one by one in
# Python: the start of a file tells text from binary data as well as all of it does.
_TEXT_SAMPLE_CHARS = 1 << 16


# A line break inside a UTF-8 character: a wrapper that counts bytes (GNU ``fold -w 80``)
# cut the character in two. Its lead byte (and any continuation bytes before the break),
# the break, then the rest of its continuation bytes.
_SPLIT_UTF8_RE = re.compile(
    rb"([\xc2-\xdf]|[\xe0-\xef][\x80-\xbf]?|[\xf0-\xf4][\x80-\xbf]{0,2})(\r?\n)([\x80-\xbf]{1,3})"
)


def mend_split_characters(body: bytes) -> bytes:
    """Return a text file with each UTF-8 character a byte-counting wrapper cut in two by a
    line break whole again, on the line after the break (where it did not fit).

    Only a file that is UTF-8 once mended is changed: the bytes of another charset (GBK's
    "中" ends in a byte a UTF-8 lead byte could be, and a line after it may start with what
    reads as its continuation) are left as they are.
    """
    if body.isascii() or _is_utf8(body):
        return body  # nothing cut: a character cut in two is no UTF-8
    mended = _SPLIT_UTF8_RE.sub(_mended, body)
    return mended if mended != body and _is_utf8(mended) else body


def _is_utf8(body: bytes) -> bool:
    """Tell whether every byte of ``body`` reads as UTF-8, to its very end (stricter than
    ``_utf8_text``, which lets a character cut off at the end of a page pass: a mended
    capture must have no character cut anywhere)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mended(match: re.Match[bytes]) -> bytes:
    head, brk, tail = match.groups()
    char = head + tail
    try:
        char.decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)  # not one character: bytes of another charset
    return brk + char


def charset_from_header(content_type: str | None) -> str | None:
    """Return the charset named in a Content-Type header, if any."""
    if not content_type:
        return None
    match = _HEADER_RE.search(content_type)
    return match.group(1) if match else None


def charset_from_meta(body: bytes) -> str | None:
    """Return the charset a page declares in its ``<meta>`` tags, if any."""
    match = _META_RE.search(body[:_META_SCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page; return the text and the encoding used. Never raises."""
    for bom, bom_encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding
    unmarked = _unmarked_utf16(body, content_type)
    if unmarked:
        return body.decode(unmarked, errors="replace"), unmarked
    header = _known_header(content_type, body)
    meta = _known_meta(charset_from_meta(body))
    declared = header or meta
    if not declared:
        return _detect(body)
    if declared.startswith("utf-16"):
        return body.decode(declared, errors="replace"), declared
    return _as_declared(body, declared, meta)


def _as_declared(body: bytes, declared: str, meta: str | None) -> tuple[str, str]:
    """Read ``body`` as declared unless its bytes show the declaration to be wrong.

    Servers and templates lie (a default ``charset=ISO-8859-1`` or ``utf-8`` header
    before a page written in UTF-8 or GBK), and a browser shows the lie as mojibake. Bytes
    that are valid UTF-8 beyond ASCII are UTF-8 whatever the label: text in any other
    charset almost never is. Bytes the declared charset cannot read are read by the
    page's other declaration or by detection when one of those reads them whole.
    """
    if declared != "utf-8" and not body.isascii() and (text := _utf8_text(body)) is not None:
        return text, "utf-8"
    try:
        return body.decode(declared), declared
    except UnicodeDecodeError:
        text = body.decode(declared, errors="replace")
    errors = text.count("\ufffd")
    for other in (meta, "utf-8", "gb18030", "cp1252"):
        if not other or other == declared:
            continue
        better = _read_whole(body, other)
        if better is not None and _is_a_misreading(errors, better):
            return better, other
    return text, declared


def _utf8_text(body: bytes) -> str | None:
    """Return ``body`` read as UTF-8 when it is UTF-8 (a character cut off at its very end
    shown as U+FFFD), else None: one pass that checks and decodes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(body, final=False)
    except UnicodeDecodeError:
        return None
    return text + "\ufffd" if decoder.getstate()[0] else text


def _read_whole(body: bytes, encoding: str) -> str | None:
    """Return ``body`` read as ``encoding`` when every byte reads, else None."""
    if encoding == "utf-8":
        return _utf8_text(body)
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return None
    if encoding == "gb18030" and not _is_mostly_cjk(text):
        return None
    return text


def _is_a_misreading(errors: int, better: str) -> bool:
    """Tell whether a reading with ``errors`` bad bytes is worse than ``better``.

    A stray bad byte is the page's own fault; a page where most characters are bad
    is in another charset.
    """
    wide = sum(1 for ch in better if ord(ch) > 0x7F)
    return errors >= _MIN_MISREAD and errors * _MISREAD_SHARE >= wide


# Images, archives and PDFs are full of NUL bytes; a web page's text has none, but a
# broken one may carry a few (which the parser shows as U+FFFD), and UTF-16 text is half
# NULs. A body whose first 8 KiB hold more than one NUL in this many bytes is no page.
BINARY_NUL_SHARE = 64


def looks_binary(body: bytes, content_type: str | None = None) -> bool:
    """Tell whether ``body`` is binary data rather than a page's text."""
    head = body[:8192]
    nuls = head.count(b"\x00")
    return nuls * BINARY_NUL_SHARE > len(head) and not is_utf16(body, content_type)


def is_utf16(body: bytes, content_type: str | None = None) -> bool:
    """Tell whether ``decode_body`` reads ``body`` as UTF-16 (by BOM, header or shape)."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if _unmarked_utf16(body, content_type):
        return True
    return (_known_header(content_type, body) or "").startswith("utf-16")


def utf16_by_shape(body: bytes) -> str | None:
    """Return the UTF-16 codec of a page saved without its BOM, else None.

    Such a page opens with markup (``<`` after any blank) whose every ASCII character
    has a NUL beside it: on the right in little-endian order, on the left in big-endian.
    """
    head = body[:_UTF16_SNIFF_BYTES]
    if len(head) < 4 or head.count(b"\x00") * 4 < len(head):
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        even = len(head) - len(head) % 2
        text = head[:even].decode(codec, errors="replace")
        if text.lstrip(" \t\r\n").startswith("<") and "\x00" not in text:
            return codec
    return None


def _unmarked_utf16(body: bytes, content_type: str | None) -> str | None:
    """The UTF-16 codec of a body without a BOM: a page by its markup, a text file
    (``text/plain``, a capture) by its NULs."""
    if markup := utf16_by_shape(body):
        return markup
    kind = (content_type or "").split(";")[0].strip().lower()
    return utf16_text_by_shape(body) if kind == "text/plain" else None


def utf16_text_by_shape(body: bytes) -> str | None:
    """Return the UTF-16 codec of a text file saved without its BOM, else None: its NULs
    fall on one side of its code units, a few of them at the least, and it all decodes as
    text."""
    if len(body) % 2:
        return None
    even, odd = body[0::2].count(0), body[1::2].count(0)
    side, other = max(even, odd), min(even, odd)
    if side < _UTF16_MIN_NULS or other * _UTF16_OTHER_SIDE_SHARE > side:
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        return None
    return codec if _reads_as_text(text[:_TEXT_SAMPLE_CHARS]) else None


def _reads_as_text(text: str) -> bool:
    """Tell whether decoded characters are text: no control character but line breaks
    and tabs, and few unassigned or private code points."""
    odd = 0
    for ch in text:
        kind = unicodedata.category(ch)
        if kind in ("Cc", "Cs") and ch not in _TEXT_CONTROLS:
            return False
        odd += kind in ("Cn", "Co")
    return odd * _MAX_UNASSIGNED_SHARE <= len(text)


def _known(label: str | None) -> str | None:
    """Return the codec a charset label names, if it is a text encoding; else None."""
    if not label:
        return None
    name = label.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return codec if is_text_encoding(codec) else None


@functools.cache
def is_text_encoding(codec: str) -> bool:
    """Tell whether ``codec`` turns bytes into text as a web page's charset may.

    Python also registers codecs that are not charsets: bytes-to-bytes ones (``hex``,
    ``base64``, ``zlib``, ``rot13``), ``idna`` and ``punycode`` (host names), the escape
    codecs and ``undefined`` (raises on use). A page's charset must at least read
    printable ASCII as itself and decode any bytes with ``errors="replace"``, which all
    of those fail; UTF-16 is the one web charset that does not, accepted by name.
    """
    if codec.startswith("utf-16"):
        return True
    try:
        info = codecs.lookup(codec)
        if not getattr(info, "_is_text_encoding", True):
            return False
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the escape codecs warn about our probe
            _HIGH.decode(codec, errors="replace")  # idna and punycode refuse "replace"
            return _ASCII.decode(codec, errors="replace") == _ASCII.decode("ascii")
    except (LookupError, ValueError, TypeError, Warning):
        return False


def _known_header(content_type: str | None, body: bytes) -> str | None:
    """Return the codec the Content-Type's charset names, if it is a text encoding."""
    encoding = _known(charset_from_header(content_type))
    # A header that says UTF-16 over bytes without a NUL cannot be true: UTF-16 has one
    # beside every ASCII character of the markup (a server's setting over a UTF-8 page).
    if encoding and encoding.startswith("utf-16") and b"\x00" not in body:
        return None
    return encoding


def _known_meta(label: str | None) -> str | None:
    encoding = _known(label)
    # A <meta> that says UTF-16 was read as ASCII, so it cannot be true (WHATWG prescan).
    if encoding and encoding.startswith("utf-16"):
        return "utf-8"
    return encoding


def _detect(body: bytes) -> tuple[str, str]:
    """Read undeclared bytes: UTF-8 (a character cut off at the end, or a few stray bytes,
    shown as U+FFFD), else GB18030 when they read as Chinese, else Windows-1252."""
    text = _utf8_text(body)
    if text is not None:
        return text, "utf-8"
    text = body.decode("utf-8", errors="replace")
    errors = text.count("\ufffd")
    if (sum(1 for ch in text if ord(ch) > 0x7F) - errors) > _MISREAD_SHARE * errors:
        return text, "utf-8"  # UTF-8 with a stray byte or two: not another charset's text
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _is_mostly_cjk(text):
            return text, "gb18030"
    return body.decode("cp1252", errors="replace"), "cp1252"


def _is_mostly_cjk(text: str) -> bool:
    wide = [ch for ch in text if ord(ch) > 0x7F]
    cjk = sum(1 for ch in wide if _is_cjk(ch))
    return not wide or cjk >= _MIN_CJK_SHARE * len(wide)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3000 <= code <= 0x303F  # CJK punctuation
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs (extension A and the main block)
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x2000 <= code <= 0x206F  # general punctuation: “ ” — …
    )
