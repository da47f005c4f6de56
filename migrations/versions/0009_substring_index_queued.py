"""the substring index is refreshed from the queue, as the word index is

Revision ID: 0009
Revises: 0008
post_fts was kept in step a row at a time by triggers of its own (revision
0002): a delete and an insert into the index for every new or changed post, as
each statement ran. Now the triggers of revision 0007 note changed posts in
post_words_stale for both full-text indexes, and feedkeeper refreshes the two
from that queue in a few set-based statements as each of its write
transactions commits (a crawl lets up to a few thousand posts wait, and
indexes them together); only a change of a current title or excerpt is queued,
not a new version or a filled-in value that leaves them as they were. Removing
a post, or its current version, still takes it out of both indexes at once.
Both indexes may hold 8 MB of new entries in memory before writing them out
(FTS5's hashsize; 1 MB by default): a batch of posts makes one segment of the
index, not several small ones to merge later.
Nothing is re-indexed: post_fts is in step when this revision runs.
PostgreSQL keeps post_fts by its trigger, as before.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IS_CURRENT = "{row}.version = (SELECT current_version FROM post WHERE id = {row}.post_id)"

_NOTE = "INSERT OR IGNORE INTO post_words_stale (post_id) VALUES ({post_id});"
# A version that becomes current with the title and excerpt of the one before it changes
# nothing the indexes hold (a new category or date, say): nothing to queue.
_SAME_TEXT = """
    EXISTS (SELECT 1 FROM post_version a JOIN post_version b ON b.post_id = a.post_id
            WHERE a.post_id = NEW.id AND a.version = OLD.current_version
              AND b.version = NEW.current_version
              AND a.title IS b.title AND a.excerpt IS b.excerpt)
"""

# Queue only a change of the indexed text; deletes stay immediate, for both indexes.
TRIGGERS = {
    "post_words_version_update": f"""
    CREATE TRIGGER post_words_version_update AFTER UPDATE OF title, excerpt ON post_version
    WHEN {_IS_CURRENT.format(row="NEW")}
        AND (NEW.title IS NOT OLD.title OR NEW.excerpt IS NOT OLD.excerpt)
    BEGIN {_NOTE.format(post_id="NEW.post_id")} END
    """,
    "post_words_post_update": f"""
    CREATE TRIGGER post_words_post_update AFTER UPDATE OF current_version ON post
    WHEN OLD.current_version IS NOT NEW.current_version AND NOT {_SAME_TEXT}
    BEGIN {_NOTE.format(post_id="NEW.id")} END
    """,
    "post_words_version_delete": f"""
    CREATE TRIGGER post_words_version_delete AFTER DELETE ON post_version
    WHEN {_IS_CURRENT.format(row="OLD")}
    BEGIN
        DELETE FROM post_words WHERE rowid = OLD.post_id;
        DELETE FROM post_fts WHERE rowid = OLD.post_id;
    END
    """,
    "post_words_post_delete": """
    CREATE TRIGGER post_words_post_delete AFTER DELETE ON post
    BEGIN
        DELETE FROM post_words WHERE rowid = OLD.id;
        DELETE FROM post_fts WHERE rowid = OLD.id;
        DELETE FROM post_words_stale WHERE post_id = OLD.id;
    END
    """,
}

# As revision 0007 made them, for downgrades.
OLD_TRIGGERS = {
    "post_words_version_update": f"""
    CREATE TRIGGER post_words_version_update AFTER UPDATE OF title, excerpt ON post_version
    WHEN {_IS_CURRENT.format(row="NEW")}
    BEGIN {_NOTE.format(post_id="NEW.post_id")} END
    """,
    "post_words_post_update": f"""
    CREATE TRIGGER post_words_post_update AFTER UPDATE OF current_version ON post
    WHEN OLD.current_version IS NOT NEW.current_version
    BEGIN {_NOTE.format(post_id="NEW.id")} END
    """,
    "post_words_version_delete": f"""
    CREATE TRIGGER post_words_version_delete AFTER DELETE ON post_version
    WHEN {_IS_CURRENT.format(row="OLD")}
    BEGIN DELETE FROM post_words WHERE rowid = OLD.post_id; END
    """,
    "post_words_post_delete": """
    CREATE TRIGGER post_words_post_delete AFTER DELETE ON post
    BEGIN
        DELETE FROM post_words WHERE rowid = OLD.id;
        DELETE FROM post_words_stale WHERE post_id = OLD.id;
    END
    """,
}

# The row-at-a-time triggers of revision 0002, for downgrades.
_REFRESH = """
    DELETE FROM post_fts WHERE rowid = {post_id};
    INSERT INTO post_fts (rowid, title, excerpt)
        SELECT p.id, v.title, v.excerpt FROM post p
        JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version
        WHERE p.id = {post_id};
"""
FTS_TRIGGERS = {
    "post_fts_version_insert": f"""
    CREATE TRIGGER post_fts_version_insert AFTER INSERT ON post_version
    WHEN {_IS_CURRENT.format(row="NEW")}
    BEGIN {_REFRESH.format(post_id="NEW.post_id")} END
    """,
    "post_fts_version_update": f"""
    CREATE TRIGGER post_fts_version_update AFTER UPDATE OF title, excerpt ON post_version
    WHEN {_IS_CURRENT.format(row="NEW")}
    BEGIN {_REFRESH.format(post_id="NEW.post_id")} END
    """,
    "post_fts_version_delete": f"""
    CREATE TRIGGER post_fts_version_delete AFTER DELETE ON post_version
    WHEN {_IS_CURRENT.format(row="OLD")}
    BEGIN DELETE FROM post_fts WHERE rowid = OLD.post_id; END
    """,
    "post_fts_post_update": f"""
    CREATE TRIGGER post_fts_post_update AFTER UPDATE OF current_version ON post
    WHEN OLD.current_version IS NOT NEW.current_version
    BEGIN {_REFRESH.format(post_id="NEW.id")} END
    """,
    "post_fts_post_delete": """
    CREATE TRIGGER post_fts_post_delete AFTER DELETE ON post
    BEGIN DELETE FROM post_fts WHERE rowid = OLD.id; END
    """,
}

# The queued posts' substring entries, brought up to date before the triggers return.
CATCH_UP = (
    "DELETE FROM post_fts WHERE rowid IN (SELECT post_id FROM post_words_stale)",
    "INSERT INTO post_fts (rowid, title, excerpt) SELECT p.id, v.title, v.excerpt"
    " FROM post_words_stale s CROSS JOIN post p ON p.id = s.post_id"
    " CROSS JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version",
)


INDEXES = ("post_fts", "post_words")
HASHSIZE = 8 * 1024 * 1024
DEFAULT_HASHSIZE = 1024 * 1024


def _set_hashsize(size: int) -> None:
    for index in INDEXES:
        op.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('hashsize', {size})")


def _replace_triggers(drop: Sequence[str], create: dict[str, str]) -> None:
    for name in drop:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in create.values():
        op.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    _replace_triggers([*FTS_TRIGGERS, *TRIGGERS], TRIGGERS)
    _set_hashsize(HASHSIZE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    for sql in CATCH_UP:
        op.execute(sql)
    _replace_triggers(list(TRIGGERS), OLD_TRIGGERS | FTS_TRIGGERS)
    _set_hashsize(DEFAULT_HASHSIZE)
