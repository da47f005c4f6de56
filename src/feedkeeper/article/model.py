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


@dataclass(frozen=True, slots=True)
class Block:
    """A block that listing excerpts replace by a placeholder: code text or TeX source."""

    kind: BlockKind
    text: str


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
