"""The typed values that cross the pipeline's arrows: cards, placeholders, pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from itertools import pairwise
from typing import Literal, NamedTuple, TypeVar

PlaceholderKind = Literal["code", "formula", "math"]
T = TypeVar("T")


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Pickle a slots dataclass as its class and its field values, in order.

    A slots dataclass's own pickling looks its fields up for every object, both ways; the
    parse workers send every page back as a few dozen of these, so this halves the time
    the process that dedupes and writes spends reading them.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def reduce(self: T) -> tuple[type[T], tuple[object, ...]]:
        return cls, tuple([getattr(self, name) for name in names])

    setattr(cls, "__reduce__", reduce)  # noqa: B010 (a method set on the class made above)
    return cls


# What the site writes in place of stripped content, and what each stands for.
PLACEHOLDER_TOKENS: dict[str, PlaceholderKind] = {
    "[代码]": "code",
    "[公式]": "formula",
    "[Math]": "math",
}

# `[Math]` glued to an identifier or a closing bracket is indexing (`a[Math]`, `x][Math]`),
# not a placeholder; Chinese text before it is fine, hence ASCII-only classes. A token
# right after another placeholder (`[代码][代码]`, two blocks in a row) is one too. No code
# indexes with `[代码]` or `[公式]`: glued to a word (`NumPy[代码]`, as Hugo's plain-text
# summaries join blocks) they are placeholders.
PLACEHOLDER_RE = re.compile(r"\[(?:代码|公式)\]|(?<![A-Za-z0-9_\)])\[Math\]")
# The tokens as a spacing plugin or a full-width input method writes them: `[ 代码 ]`,
# `［公式］` (what `with_plain_tokens` writes as the site's own tokens).
_TOKEN_VARIANT_RE = re.compile(r"[\[［][ \u3000]*(代码|公式|Math)[ \u3000]*[\]］]")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Placeholder:
    """One stripped block in an excerpt: its kind and 1-based ordinal within that kind."""

    kind: PlaceholderKind
    ordinal: int
    position: int  # 1-based order among all placeholders of the excerpt
    offset: int  # character offset of the token in the excerpt


def find_placeholders(text: str) -> tuple[Placeholder, ...]:
    """Return the placeholders in ``text`` in order; ordinary brackets are ignored."""
    if "[" not in text:  # most excerpts: no need to run the pattern
        return ()
    found: list[Placeholder] = []
    per_kind: dict[str, int] = {}
    after = -1  # where the last placeholder ended
    for match in PLACEHOLDER_RE.finditer(text):
        start = match.start()
        if start and text[start - 1] == "]" and start != after and match.group() == "[Math]":
            continue  # indexing after a closing bracket: ``x][Math]``
        after = match.end()
        kind = PLACEHOLDER_TOKENS[match.group(0)]
        per_kind[kind] = per_kind.get(kind, 0) + 1
        found.append(Placeholder(kind, per_kind[kind], len(found) + 1, match.start()))
    return tuple(found)


def with_plain_tokens(text: str) -> str:
    """Return ``text`` with the placeholders' variants (``[ 代码 ]``, ``［公式］``) written as
    the tokens themselves, so that every reader of the excerpt finds them."""
    if "［" not in text and "[ " not in text and " ]" not in text and "\u3000" not in text:
        return text  # no full-width bracket, no space inside a bracket
    return _TOKEN_VARIANT_RE.sub(r"[\1]", text)


_TOKENS_BY_KIND = {kind: token for token, kind in PLACEHOLDER_TOKENS.items()}
_BACKTICKS_RE = re.compile(r"`+")


def fill_placeholders(excerpt: str, recovered: dict[tuple[str, int], str]) -> str:
    """Return ``excerpt`` with each recovered placeholder replaced by Markdown for its content.

    ``recovered`` maps (kind, ordinal) to code text or TeX; placeholders without an
    entry stay as they were.
    """
    parts: list[str] = []
    last = 0
    for ph in find_placeholders(excerpt):
        content = recovered.get((ph.kind, ph.ordinal))
        if content is None:
            continue
        parts.append(excerpt[last : ph.offset])
        parts.append(_as_markdown(ph.kind, content))
        last = ph.offset + len(_TOKENS_BY_KIND[ph.kind])
    parts.append(excerpt[last:])
    return "".join(parts)


def _as_markdown(kind: str, content: str) -> str:
    if kind == "code":
        # A fence longer than any run of backticks in the code (CommonMark), which would
        # close a shorter one: code that shows a Markdown code block stays one block.
        longest = max((len(run) for run in _BACKTICKS_RE.findall(content)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"\n{fence}\n{content}\n{fence}\n"
    if kind == "formula":
        return f"$${content}$$"
    return f"${content}$"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Card:
    """One post card as a listing page (or a text capture) shows it.

    ``None`` (or an empty tuple) means the card does not show that field: it is
    unknown, not empty, and never erases a value already known for the post.
    """

    url: str | None = None
    title: str | None = None
    category: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    published: str | None = None  # ISO date YYYY-MM-DD as a reader sees it
    published_at: str | None = None  # full ISO timestamp when the markup gives one
    excerpt: str | None = None  # whitespace-normalised, trailing ellipsis removed
    truncated: bool = False  # the excerpt ended with "..." or "…"
    placeholders: tuple[Placeholder, ...] = ()
    pinned: bool = False  # a pin badge ("置顶", "Pinned") shows it at the top of the listing

    def to_json(self) -> dict[str, object]:
        """Return the card as the export's card fields (what `feedkeeper parse` prints)."""
        return {
            "url": self.url,
            "title": self.title,
            "category": self.category,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "published": self.published,
            "excerpt": self.excerpt,
            "truncated": self.truncated,
            "pinned": self.pinned,
            "placeholders": [
                {"kind": p.kind, "ordinal": p.ordinal, "status": "pending", "text": None}
                for p in self.placeholders
            ],
        }


class PagePattern(NamedTuple):
    """How a site of its own numbers its listing pages (``/list_1_3.html``), as its pager
    showed: the absolute URL of any page but for the digits of its number.

    Where the digits are an offset (``?start=20`` for page 3, ten posts a page) or count
    from 0 (Drupal's ``?page=2`` for page 3), page N's digits are ``first + step * (N - 1)``.
    """

    before: str
    after: str
    step: int = 1  # what the digits grow by from a page to the next
    first: int = 1  # the digits of the first page


@dataclass(slots=True)
class ParsedPage:
    """What the parser read from one listing page or capture."""

    cards: list[Card] = field(default_factory=list)
    next_url: str | None = None  # absolute URL of the following listing page
    page_urls: list[str] = field(default_factory=list)  # other pager links, absolute
    # The site's own numbering its pager showed (none where ``page_number`` reads its URLs):
    # the walk and the fetches ahead name the pages it did not link by it.
    page_patterns: list[PagePattern] = field(default_factory=list)
    skipped: int = 0  # blocks that looked like cards but lacked what a post needs
    confidence: float = 1.0  # 0..1: how sure the parser is these are the post cards
    warnings: list[str] = field(default_factory=list)


# A pin sets its post apart: from the listing's other posts, or from the date order they
# keep (pinned posts come first, ordered by the author). On every card of a listing this
# long, in date order, it sets none apart: the theme shows it on every post.
MIN_CARDS_ALL_PINNED = 3


def is_pinned_throughout(cards: list[Card]) -> bool:
    """Tell whether every card of a listing long enough shows a pin, the cards dated newest
    first as an unpinned listing's are: such a pin pins none of them."""
    if len(cards) < MIN_CARDS_ALL_PINNED or not all(card.pinned for card in cards):
        return False
    dates = [card.published for card in cards if card.published]
    return all(earlier >= later for earlier, later in pairwise(dates))


def merge_repeated(cards: list[Card]) -> list[Card]:
    """Return one card per post URL, at its first place, with every field any of its cards shows.

    A page may show a post twice (a bare pinned teaser, then the full card): each
    field comes from the first card that shows it, the excerpt from the fullest one.
    """
    merged: dict[str, Card] = {}
    order: list[Card | str] = []
    for card in cards:
        if card.url is None:
            order.append(card)
        elif card.url in merged:
            merged[card.url] = _combine(merged[card.url], card)
        else:
            merged[card.url] = card
            order.append(card.url)
    return [merged[item] if isinstance(item, str) else item for item in order]


def _combine(first: Card, other: Card) -> Card:
    fuller = other if len(other.excerpt or "") > len(first.excerpt or "") else first
    return Card(
        url=first.url,
        title=first.title or other.title,
        category=first.category or other.category,
        categories=tuple(dict.fromkeys(first.categories + other.categories)),
        tags=tuple(dict.fromkeys(first.tags + other.tags)),
        published=first.published or other.published,
        published_at=first.published_at if first.published else other.published_at,
        excerpt=fuller.excerpt,
        truncated=fuller.truncated,
        placeholders=fuller.placeholders,
        pinned=first.pinned or other.pinned,  # shown pinned at the top, then in its place
    )
