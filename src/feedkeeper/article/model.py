"""The values recovery works with: an article's body as text runs and blocks, and outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["code", "formula", "math"]
RecoveryStatus = Literal["recovered", "unrecoverable"]

# Why a placeholder could not be filled; stable strings that users see.
REASON_TEXT_CHANGED = "text no longer matches"
REASON_NO_BLOCK = "no block of that kind at its place"
REASON_ARTICLE_GONE = "article gone"  # decided by the caller on 404/410
REASON_NO_TEX = "the formula there is rendered without its TeX"  # MathJax 3 output alone
REASON_LITERAL_TOKEN = "the article itself shows the token there"  # no placeholder, text
REASON_TOO_LONG = "the excerpt is too long to align"  # past MAX_ALIGNED_EXCERPT characters


@dataclass(frozen=True, slots=True)
class Block:
    """A block that listing excerpts replace by a placeholder: code text or TeX source.

    A formula rendered with no TeX kept anywhere (MathJax 3 glyphs) has empty text: it
    holds its place in the article, but nothing can be recovered from it.
    """

    kind: BlockKind
    text: str


def fills(block: BlockKind, placeholder: str) -> bool:
    """Tell whether a block can stand for a placeholder: ``[公式]`` and ``[Math]`` take
    a formula whether the page renders it inline or as a display."""
    if block == placeholder:
        return True
    return {block, placeholder} <= {"formula", "math"}


@dataclass(frozen=True, slots=True)
class Article:
    """An article's body in reading order: whitespace-collapsed text runs and blocks."""

    segments: tuple[str | Block, ...]


@dataclass(frozen=True, slots=True)
class Recovery:
    """The outcome for one placeholder of an excerpt."""

    kind: str
    ordinal: int
    status: RecoveryStatus
    text: str | None
    reason: str | None
