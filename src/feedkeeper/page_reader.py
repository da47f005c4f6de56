"""Reading a fetched or stored body into a parsed page, its cards keyed for dedupe.

The parse stage in this process: the body is refused when it is no text, decoded, and
parsed as an HTML listing (within the markup's time budget) or as a plain-text capture.
A long listing's pages are read the same way in a worker process (``parse_worker``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from feedkeeper.cards import ParsedPage
from feedkeeper.dedupe import KeyedCard, key_cards
from feedkeeper.encoding import decode_body, is_utf16, looks_binary, mend_split_characters
from feedkeeper.errors import ParseError
from feedkeeper.markup import time_budget
from feedkeeper.parse import Profile, parse_capture, parse_listing
from feedkeeper.stored_body import PackedBody
from feedkeeper.text import first_line

# A text file full of NULs is binary data, or text in a charset recognized by neither a BOM
# nor its shape (UTF-16 with characters whose NULs fall either side, UTF-32): say the fix.
NOT_TEXT_CAPTURE = (
    "not a text capture: its bytes are binary data (NUL bytes), or text in an encoding"
    " without a byte-order mark that could not be recognized; if it is text, save it as UTF-8"
)

ListingParser = Callable[[str, str, Profile | None], ParsedPage]


@dataclass(frozen=True, slots=True)
class KeyedPage:
    """A parsed page and its cards keyed for dedupe: what the parse stage hands on."""

    parsed: ParsedPage
    keyed: list[KeyedCard]
    encoding: str | None = None  # the body's, as decoding it found
    packed: PackedBody | None = None  # the body as the archive stores it, when asked for
    words: dict[str, str] = field(default_factory=dict)  # a card's text -> its words


def read_page(
    body: bytes,
    content_type: str | None,
    url: str,
    profile: Profile | None = None,
    listing: ListingParser = parse_listing,
) -> ParsedPage:
    """Parse a stored or fetched body: HTML listing (with ``listing``), or a text capture."""
    return _decode_and_parse(body, content_type, url, profile, listing)[0]


def _decode_and_parse(
    body: bytes,
    content_type: str | None,
    url: str,
    profile: Profile | None,
    listing: ListingParser,
) -> tuple[ParsedPage, str]:
    kind = refuse_unreadable(body, content_type)
    if kind == "text/plain" and not is_utf16(body, content_type):
        body = mend_split_characters(body)  # a capture wrapped by a tool counting bytes
    text, encoding = decode_body(body, content_type)
    try:
        if kind == "text/plain":
            return parse_capture(text), encoding
        with time_budget():
            return listing(text, url, profile), encoding
    except ParseError:
        raise
    except Exception as exc:  # a page the parser trips on fails alone, not the whole run
        detail = first_line(str(exc))[:200]
        raise ParseError(
            f"the parser failed on this page ({type(exc).__name__}: {detail}); the page is"
            " kept, for `feedkeeper reparse` to read again"
        ) from exc


def refuse_unreadable(body: bytes, content_type: str | None) -> str:
    """Raise ParseError when ``body`` is binary data, or its Content-Type names neither a page
    (HTML, XML) nor text; return the media type it names (``""`` for none)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if looks_binary(body, content_type):
        raise ParseError(
            NOT_TEXT_CAPTURE
            if kind == "text/plain"
            else f"not a text page ({kind or 'binary data'})"
        )
    if kind and kind != "text/plain" and "html" not in kind and "xml" not in kind:
        raise ParseError(f"not an HTML page (Content-Type {kind})")
    return kind


def read_keyed_page(
    body: bytes,
    content_type: str | None,
    url: str,
    profile: Profile | None = None,
    listing: ListingParser = parse_listing,
) -> KeyedPage:
    """Parse a body with ``read_page`` and key its cards for dedupe."""
    parsed, encoding = _decode_and_parse(body, content_type, url, profile, listing)
    return KeyedPage(parsed, key_cards(parsed.cards), encoding)
