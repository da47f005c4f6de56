"""Full-text search over the current title and excerpt of every post.

The index is ``post_fts`` (SQLite FTS5, trigram tokenizer), kept in step by
triggers (migration 0002). Trigrams match any substring of three or more
characters in any script; shorter terms, common in Chinese, fall back to
LIKE over the same rows.
"""

from __future__ import annotations

SEARCH_INDEX = "post_fts"


def is_search_index(name: str) -> bool:
    """True for the FTS5 table and the shadow tables SQLite keeps for it."""
    return name == SEARCH_INDEX or name.startswith(SEARCH_INDEX + "_")


def include_object(
    _obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic filter: the search index is made by hand in SQL, not from the models."""
    return not (type_ == "table" and name is not None and is_search_index(name))
