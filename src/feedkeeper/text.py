"""Small text helpers shared by the parser, dedupe, recovery and the JSON the tool writes."""

from __future__ import annotations

import re
import unicodedata

_WS_RE = re.compile(r"\s+")
# Exactly the characters for which str.isalnum() is false (checked over all of Unicode).
_NOT_ALNUM_RE = re.compile(r"[\W_]+")
# Characters JSON leaves raw that readers take for something else: the C1 control codes
# (U+0085 and U+2028/9 are line breaks to str.splitlines and JavaScript; U+009B starts a
# terminal's escape sequence like ESC [), and the bidirectional embeddings, overrides and
# isolates (U+202A-E, U+2066-9), with which a terminal reorders the rest of the line.
_JSON_RAW_CONTROLS_RE = re.compile("[\x80-\x9f\u2028-\u202e\u2066-\u2069]")
# The same characters in UTF-8 bytes: JSON made as bytes is searched without decoding it.
JSON_RAW_CONTROLS_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def first_line(message: str, default: str = "") -> str:
    """The first line of a message (an error's, a library's): whatever is appended below it
    stays out, so that what is said or recorded of it is one line."""
    return (message.strip().splitlines() or [default])[0]


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (non-breaking spaces included) to one space."""
    return _WS_RE.sub(" ", text.replace("\u00a0", " ")).strip()


# Characters that show nothing and join or split nothing a reader sees: the zero-width
# space, the word joiner, the byte-order mark (a zero-width no-break space mid-text) and the
# soft hyphen. An editor or a CMS slips them into titles and excerpts, where they would make
# versions that look unchanged and words that search cannot find. (The zero-width joiner
# and non-joiner shape emoji and scripts such as Persian: they stay.)
_INVISIBLE_RE = re.compile("[\u200b\u2060\ufeff\u00ad]")


def drop_invisible(text: str) -> str:
    """Return ``text`` without the characters that show nothing (zero-width space, ...)."""
    # A search for each of _INVISIBLE_RE's four characters costs less than one for the class
    # of them (an excerpt's whole text is searched: most hold none).
    if text.isascii() or (
        "\u200b" not in text
        and "\u2060" not in text
        and "\ufeff" not in text
        and "\u00ad" not in text
    ):
        return text
    return normalize_space(_INVISIBLE_RE.sub("", text))


def escape_json_controls(json_text: str) -> str:
    """Return JSON text with the C1 control codes, U+2028/9 and the bidirectional controls
    as ``\\uXXXX`` escapes: the same JSON value, which stays on one line for every reader and
    cannot drive a terminal.

    They can only stand inside JSON strings, where an escape means the same character.
    """
    if json_text.isascii():
        return json_text
    return _JSON_RAW_CONTROLS_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


# WordPress's "[…]", and the same in parentheses; "⋯" is the midline ellipsis Chinese
# text often doubles ("⋯⋯"), "。。。" three ideographic full stops.
_BRACKETED_ELLIPSES = ("[…]", "[...]", "(…)", "(...)", "（…）", "（...）", "（……）")
_ELLIPSIS_MARKS = (".", "…", "⋯", "。")
_SPACED_DOTS = ". . ."


def split_ellipsis(text: str) -> tuple[str, bool]:
    """Return ``text`` without a trailing ellipsis (``...``, ``…``, ``⋯⋯``, ``。。。``,
    ``. . .``, ``[…]``, ``(...)``) and whether one was there.

    Read from the end with string methods: a regex anchored at the end still tries
    every starting position. ``str.rstrip`` and the regex ``\\s`` agree on whitespace.
    """
    body = text.rstrip()
    mark = body[-1:]
    if mark in "])）" and body.endswith(_BRACKETED_ELLIPSES):  # WordPress's "[…]"
        bracketed = next(end for end in _BRACKETED_ELLIPSES if body.endswith(end))
        head = body[: -len(bracketed)]
        if bracketed[0] == "(" and head[-1:].isascii() and head[-1:].isalnum():
            return text, False  # a call's arguments: ``f(...)``
        return head.rstrip(), True
    if mark not in _ELLIPSIS_MARKS:
        return text, False
    if mark == "." and body.endswith(_SPACED_DOTS):
        return body[: -len(_SPACED_DOTS)].rstrip(), True
    kept = body.rstrip(mark)
    if mark in ".。" and len(body) - len(kept) < 3:
        return text, False
    stripped = kept.rstrip()
    return stripped, stripped != text


def fold_for_comparison(text: str) -> str:
    """Reduce text to what an edit changes: NFKC (full-width forms as their plain twins),
    without whitespace (a theme or a spacing plugin puts spaces between Chinese and Latin
    or not). Case, digits and signs stay: ``a+b`` to ``a-b`` and ``1e-3`` to ``1e3`` are edits.
    """
    return "".join(unicodedata.normalize("NFKC", text).split())


def fold_for_fingerprint(text: str) -> str:
    """Reduce text to what identifies it: NFKC, case-folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_ALNUM_RE.sub("", folded)


def not_utf8(text: str) -> str | None:
    """Return ``text`` with its lone surrogates shown as ``\\udcXX`` when it holds bytes that
    are no UTF-8 (Python's reading of a GBK terminal's argument), else None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode()
    return None
