"""Full-text search over the current title and excerpt of every post.

The index is ``post_fts`` (SQLite FTS5, trigram tokenizer), refreshed from the
queue of changed posts as each write commits (migration 0009). Trigrams match
any substring of three or more characters in any script, Chinese included,
without a word segmenter; shorter terms (two-character Chinese words are
common) fall back to LIKE over the same rows. Matching ignores case, in every script:
where a short term has letters beyond ASCII, the rows' text is lower-cased by Python
first, as SQLite's LIKE folds ASCII letters only.

On PostgreSQL ``post_fts`` is a plain table with pg_trgm GIN indexes, which
serve ILIKE '%term%' for terms of any length: every term goes that way, ranked
as the LIKE fallback ranks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

from feedkeeper.config import SQLITE_MAX_INT
from feedkeeper.errors import ConfigError
from feedkeeper.store.dialect import Spelling

SEARCH_INDEX = "post_fts"
# Both full-text indexes: substrings (trigrams) and words (post_words, migration 0007).
FULL_TEXT_INDEXES = (SEARCH_INDEX, "post_words")
# Trigram indexes only see terms of at least this many characters.
MIN_INDEXED_CHARS = 3
# Characters of excerpt around the first match in a snippet.
SNIPPET_CHARS = 80
SNIPPET_LEAD = 30
# A match in the title outranks this many in the excerpt (LIKE fallback).
TITLE_WEIGHT = 5


@dataclass(frozen=True, slots=True)
class MarkedText:
    """Text with the (start, end) character spans that matched the query."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One post that matched, best first: where it is and the matching text."""

    post_id: int
    site: str  # the name of the post's site
    url: str | None
    category: str | None
    published: str | None
    title: MarkedText | None
    snippet: MarkedText | None


# Every word is a condition of one statement: SQLite refuses expressions past a depth.
MAX_TERMS = 32


def query_terms(query: str) -> list[str]:
    """Split a query into its terms: every whitespace-separated word must match."""
    return query.split()


def search_posts(
    engine: Engine, query: str, limit: int = 20, site: str | None = None
) -> list[SearchHit]:
    """Return up to ``limit`` posts (of ``site``, or all) whose current title or excerpt hold
    every term, ranked."""
    terms = query_terms(query)
    if not terms:
        return []
    if len(terms) > MAX_TERMS:
        raise ConfigError(f"search: at most {MAX_TERMS} words, got {len(terms)}")
    sql, params = _search_sql(terms, min(limit, SQLITE_MAX_INT), site, engine.dialect.name)
    with engine.connect() as conn:
        rows = [row._mapping for row in conn.execute(text(sql), params)]
    pattern = _pattern(terms)
    return [_hit(row, pattern) for row in rows]


def _search_sql(
    terms: list[str], limit: int, site: str | None, dialect: str
) -> tuple[str, dict[str, Any]]:
    d = Spelling(dialect)
    is_pg = dialect == "postgresql"
    indexed = [t for t in terms if len(t) >= MIN_INDEXED_CHARS and not is_pg]
    short = [t for t in terms if len(t) < MIN_INDEXED_CHARS or is_pg]
    params: dict[str, Any] = {"limit": limit}
    current = "post_version v ON v.post_id = p.id AND v.version = p.current_version"
    source = f"post p JOIN {current}"
    if is_pg:  # the trigram indexes serve ILIKE on post_fts
        source = f"{SEARCH_INDEX} f JOIN post p ON p.id = f.rowid JOIN {current}"
    where: list[str] = []
    if site is not None:
        where.append("p.site_id = (SELECT id FROM site WHERE name = :site)")
        params["site"] = site
    order = "p.id"
    if indexed:
        source = f"{SEARCH_INDEX} f JOIN post p ON p.id = f.rowid JOIN {current}"
        where.append(f"{SEARCH_INDEX} MATCH :match")
        params["match"] = " ".join('"' + t.replace('"', '""') + '"' for t in indexed)
        order = "f.rank, p.id"
    scores = []
    for i, term in enumerate(short):
        params[f"t{i}"] = term.lower()
        params[f"like{i}"] = "%" + re.sub(r"([\\%_])", r"\\\1", params[f"t{i}"]) + "%"
        condition, score = _short_term(d, i, term)
        where.append(condition)
        scores.append(score)
    if short and not indexed:
        order = f"({' + '.join(scores)}) DESC, p.id"
    sql = (
        f"SELECT p.id, (SELECT name FROM site WHERE id = p.site_id) AS site, p.url,"
        f" v.category, v.published, v.title, v.excerpt FROM {source}"
        f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit"
    )
    return sql, params


def _short_term(d: Spelling, i: int, term: str) -> tuple[str, str]:
    """Return the condition that term ``i`` occurs in the title or excerpt, case ignored, and
    its score: how often it occurs, a title's counting ``TITLE_WEIGHT`` times."""
    folds_every_script = d.name == "postgresql" or _has_case_beyond_ascii(term)
    lower = d.lower if folds_every_script else _ascii_lower
    if d.name == "postgresql":  # ILIKE on post_fts, which its trigram indexes serve
        tests = ["f.title ILIKE", "f.excerpt ILIKE"]
    elif folds_every_script:  # SQLite's LIKE folds ASCII letters only
        tests = [f"{lower('v.title')} LIKE", f"{lower('v.excerpt')} LIKE"]
    else:
        tests = ["v.title LIKE", "v.excerpt LIKE"]
    condition = " OR ".join(f"{test} :like{i} ESCAPE '\\'" for test in tests)
    title, excerpt = _occurrences(lower("v.title"), i), _occurrences(lower("v.excerpt"), i)
    return f"({condition})", f"{TITLE_WEIGHT} * {title} + {excerpt}"


def _has_case_beyond_ascii(term: str) -> bool:
    """Whether ``term`` holds a letter outside ASCII that has a case (Cyrillic, Greek...)."""
    return any(not c.isascii() and c.lower() != c.upper() for c in term)


def _ascii_lower(column: str) -> str:
    return f"lower({column})"  # SQLite's own: fast, and enough for a term whose letters are ASCII


def _occurrences(folded: str, i: int) -> str:
    # How often term i (lower-cased) occurs in the lower-cased column.
    text = f"coalesce({folded}, '')"
    return f"((length({text}) - length(replace({text}, :t{i}, ''))) / length(:t{i}))"


def _pattern(terms: list[str]) -> re.Pattern[str]:
    longest_first = sorted(set(terms), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in longest_first), re.IGNORECASE)


def _hit(row: Any, pattern: re.Pattern[str]) -> SearchHit:
    title = row["title"]
    return SearchHit(
        post_id=row["id"],
        site=row["site"],
        url=row["url"],
        category=row["category"],
        published=row["published"],
        title=MarkedText(title, _spans(title, pattern)) if title is not None else None,
        snippet=_snippet(row["excerpt"], pattern) if row["excerpt"] is not None else None,
    )


def _spans(value: str, pattern: re.Pattern[str]) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in pattern.finditer(value))


def _snippet(excerpt: str, pattern: re.Pattern[str]) -> MarkedText:
    """Cut the excerpt around its first match, with an ellipsis where it was cut."""
    first = pattern.search(excerpt)
    start = max(0, first.start() - SNIPPET_LEAD) if first else 0
    end = min(len(excerpt), start + SNIPPET_CHARS)
    start = max(0, min(start, end - SNIPPET_CHARS))
    window = ("…" if start else "") + excerpt[start:end] + ("…" if end < len(excerpt) else "")
    return MarkedText(window, _spans(window, pattern))


def is_search_index(name: str) -> bool:
    """True for the FTS5 tables and the shadow tables SQLite keeps for them."""
    return any(name == index or name.startswith(index + "_") for index in FULL_TEXT_INDEXES)


def include_object(
    _obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic filter: the search index is made by hand in SQL, not from the models."""
    return not (type_ == "table" and name is not None and is_search_index(name))
