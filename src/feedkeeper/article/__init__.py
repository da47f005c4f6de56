"""Recovering the blocks a listing's excerpts replaced by placeholders, from article pages.

``extract_article`` reads an article page into text runs and blocks (code, display
formulas, inline math); ``recover_placeholders`` aligns an excerpt with that body and
fills each placeholder from the block standing at its place. Both are pure: no I/O.
"""

from feedkeeper.article.align import recover_placeholders
from feedkeeper.article.extract import extract_article
from feedkeeper.article.model import (
    REASON_ARTICLE_GONE,
    REASON_LITERAL_TOKEN,
    REASON_NO_BLOCK,
    REASON_NO_TEX,
    REASON_TEXT_CHANGED,
    REASON_TOO_LONG,
    Article,
    Block,
    BlockKind,
    Recovery,
    RecoveryStatus,
)

__all__ = [
    "REASON_ARTICLE_GONE",
    "REASON_LITERAL_TOKEN",
    "REASON_NO_BLOCK",
    "REASON_NO_TEX",
    "REASON_TEXT_CHANGED",
    "REASON_TOO_LONG",
    "Article",
    "Block",
    "BlockKind",
    "Recovery",
    "RecoveryStatus",
    "extract_article",
    "recover_placeholders",
]
