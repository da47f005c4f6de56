"""Folded token streams of an article and an excerpt, the material alignment works on.

Text folds to letters and digits (NFKC, case-folded), so spacing, punctuation and
hyphens, which the site's excerpts mangle, never count. Each article block is one
marker token; an excerpt folds into its text chunks, split at the placeholders.
Tokens the excerpt generator may drop or add are optional.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from feedkeeper.article.model import Article, Block, BlockKind
from feedkeeper.cards import PLACEHOLDER_TOKENS, Placeholder, find_placeholders, with_plain_tokens

# One private-use character per kind marks a block; folded text never holds one.
MARKERS: dict[BlockKind, str] = {"code": "\ue000", "formula": "\ue001", "math": "\ue002"}
MARKER_TOKENS = frozenset(MARKERS.values())
# The excerpt generator strips ``<…>`` as if it were a tag: text in it may be missing.
_ANGLED_RE = re.compile(r"<[^<>]*>")
# List items may reach the excerpt as "1. " text that the article's <ol> does not hold.
_LIST_NUMBER_RE = re.compile(r"(?:^|(?<=\s))\d{1,3}[.)、](?=\s)")


@dataclass(frozen=True, slots=True)
class Stream:
    """Folded tokens with, per token, whether it may be skipped for free."""

    tokens: str
    optional: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class ArticleStream(Stream):
    """An article's folded tokens; ``blocks`` maps a marker's index to its block."""

    blocks: dict[int, Block]


@functools.lru_cache(maxsize=1 << 16)  # texts repeat their characters: fold each once
def fold_char(char: str) -> str:
    """Fold one character the way ``fold_for_fingerprint`` folds text."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def is_marker(token: str) -> bool:
    """Tell whether a token stands for a block."""
    return token in MARKER_TOKENS


def fold_article(article: Article) -> ArticleStream:
    """Fold an article's segments into one token stream."""
    tokens: list[str] = []
    optional: list[bool] = []
    blocks: dict[int, Block] = {}
    for segment in article.segments:
        if isinstance(segment, Block):
            blocks[len(tokens)] = segment
            tokens.append(MARKERS[segment.kind])
            optional.append(False)
        else:
            _fold_text(with_plain_tokens(segment), tokens, optional, blocks)
    return ArticleStream("".join(tokens), tuple(optional), blocks)


# What a placeholder's token written in the article's own text stands for ("摘要生成器把代码块
# 换成 <code>[代码]</code>"): a block of its kind that fills nothing, so that the excerpt's
# token there is that text and the next token the block after it.
LITERAL_TOKENS: dict[BlockKind, Block] = {kind: Block(kind, "") for kind in MARKERS}


def _fold_text(
    text: str, tokens: list[str], optional: list[bool], blocks: dict[int, Block]
) -> None:
    """Fold a text segment; a placeholder's token in it becomes a literal token's marker."""
    start = 0
    for placeholder in find_placeholders(text):
        before = text[start : placeholder.offset]
        _fold_into(before, _mask(_ANGLED_RE, before), tokens, optional)
        literal = LITERAL_TOKENS[placeholder.kind]
        blocks[len(tokens)] = literal
        tokens.append(MARKERS[literal.kind])
        optional.append(False)
        start = placeholder.offset + len(_token_of(placeholder))
    rest = text[start:]
    _fold_into(rest, _mask(_ANGLED_RE, rest), tokens, optional)


def fold_excerpt(excerpt: str, placeholders: tuple[Placeholder, ...]) -> list[Stream]:
    """Fold the excerpt text before, between and after its placeholders, one stream each."""
    chunks: list[Stream] = []
    start = 0
    for placeholder in placeholders:
        chunks.append(_fold_gap(excerpt[start : placeholder.offset]))
        start = placeholder.offset + len(_token_of(placeholder))
    chunks.append(_fold_gap(excerpt[start:]))
    return chunks


def _fold_gap(text: str) -> Stream:
    """Fold excerpt text between placeholders; list numbers in it are optional."""
    tokens: list[str] = []
    optional: list[bool] = []
    _fold_into(text, _mask(_LIST_NUMBER_RE, text), tokens, optional)
    return Stream("".join(tokens), tuple(optional))


def _fold_into(text: str, mask: list[bool], tokens: list[str], optional: list[bool]) -> None:
    """Append the folded characters of ``text``, optional where ``mask`` says so."""
    for char, is_optional in zip(text, mask, strict=True):
        folded = fold_char(char)
        tokens.extend(folded)
        optional.extend([is_optional] * len(folded))


def _mask(pattern: re.Pattern[str], text: str) -> list[bool]:
    """Return, per character of ``text``, whether a match of ``pattern`` covers it."""
    mask = [False] * len(text)
    for match in pattern.finditer(text):
        mask[match.start() : match.end()] = [True] * (match.end() - match.start())
    return mask


def _token_of(placeholder: Placeholder) -> str:
    """Return the excerpt token that wrote ``placeholder``."""
    return next(token for token, kind in PLACEHOLDER_TOKENS.items() if kind == placeholder.kind)
