"""word search, searchable views, posts in a natural order

Revision ID: 0007
Revises: 0005
Adds post_words, a full-text index of the current title and excerpt of every
post segmented into words (FTS5, unicode61 tokenizer), so that Datasette's
search box and a plain MATCH in the sqlite3 shell find Chinese words of any
length, two-character ones included. Triggers note the posts whose current
text changed in post_words_stale; feedkeeper segments and indexes them when its
write transactions commit (segmenting takes Python, so other tools' writes only
queue the posts).
post_search now matches words through post_words and opens without a MATCH
(highlight() and snippet() only work inside one, so they left the view).
posts_current lists the newest published posts first, then by id.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORDS_TABLE = """
CREATE VIRTUAL TABLE post_words USING fts5(
    title, excerpt, tokenize = 'unicode61 remove_diacritics 2'
)
"""

# Segmenting needs Python (jieba), so the triggers only note which posts changed, in plain
# SQL that any tool's writes can run; feedkeeper re-indexes them as each of its write
# transactions commits (feedkeeper.store.search.refresh_word_index).
STALE_TABLE = "CREATE TABLE post_words_stale (post_id INTEGER PRIMARY KEY)"
_NOTE = "INSERT OR IGNORE INTO post_words_stale (post_id) VALUES ({post_id});"
_IS_CURRENT = "{row}.version = (SELECT current_version FROM post WHERE id = {row}.post_id)"

TRIGGERS = {
    "post_words_version_insert": f"""
    CREATE TRIGGER post_words_version_insert AFTER INSERT ON post_version
    WHEN {_IS_CURRENT.format(row="NEW")}
    BEGIN {_NOTE.format(post_id="NEW.post_id")} END
    """,
    "post_words_version_update": f"""
    CREATE TRIGGER post_words_version_update AFTER UPDATE OF title, excerpt ON post_version
    WHEN {_IS_CURRENT.format(row="NEW")}
    BEGIN {_NOTE.format(post_id="NEW.post_id")} END
    """,
    "post_words_version_delete": f"""
    CREATE TRIGGER post_words_version_delete AFTER DELETE ON post_version
    WHEN {_IS_CURRENT.format(row="OLD")}
    BEGIN DELETE FROM post_words WHERE rowid = OLD.post_id; END
    """,
    "post_words_post_update": f"""
    CREATE TRIGGER post_words_post_update AFTER UPDATE OF current_version ON post
    WHEN OLD.current_version IS NOT NEW.current_version
    BEGIN {_NOTE.format(post_id="NEW.id")} END
    """,
    "post_words_post_delete": """
    CREATE TRIGGER post_words_post_delete AFTER DELETE ON post
    BEGIN
        DELETE FROM post_words WHERE rowid = OLD.id;
        DELETE FROM post_words_stale WHERE post_id = OLD.id;
    END
    """,
}

# Every post to index: feedkeeper fills post_words when this migration's transaction commits.
BACKFILL = "INSERT INTO post_words_stale (post_id) SELECT id FROM post"

# `post_search` is the column to MATCH against; without a MATCH the view lists every post.
POST_SEARCH = """
CREATE VIEW post_search AS
SELECT
    w.post_words AS post_search,
    w.rank AS rank,
    pc.id AS post_id,
    pc.url AS url,
    pc.title AS title,
    pc.category AS category,
    pc.published AS published,
    pc.excerpt AS excerpt
FROM post_words w
JOIN posts_current pc ON pc.id = w.rowid
"""

# As revision 0002 made it, for downgrades.
OLD_POST_SEARCH = """
CREATE VIEW post_search AS
SELECT
    f.post_fts AS post_search,
    f.rank AS rank,
    pc.id AS post_id,
    pc.url AS url,
    pc.title AS title,
    pc.category AS category,
    pc.published AS published,
    pc.excerpt AS excerpt,
    highlight(post_fts, 0, '**', '**') AS title_highlighted,
    snippet(post_fts, 1, '**', '**', '…', 40) AS excerpt_snippet
FROM post_fts f
JOIN posts_current pc ON pc.id = f.rowid
"""

# Newest first, as a blog lists them; posts without a date last (DESC puts NULL last).
NATURAL_ORDER = "\nORDER BY published DESC, id"


def _view_sql(name: str) -> str:
    """The view's CREATE statement as the database holds it (whatever revision made it)."""
    row = op.get_bind().exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (name,)
    )
    return str(row.scalar_one())


def _replace_view(name: str, sql: str) -> None:
    op.execute(f"DROP VIEW {name}")
    op.execute(sql)


# PostgreSQL: post_words is a plain table of segmented text (feedkeeper fills it as its
# writes commit, as on SQLite); `feedkeeper search` uses the trigram indexes of post_fts.
# post_search has no MATCH there: its post_search and rank columns are NULL.
PG_WORDS = [
    "CREATE TABLE post_words (rowid INTEGER PRIMARY KEY, title TEXT, excerpt TEXT)",
    "CREATE TABLE post_words_stale (post_id INTEGER PRIMARY KEY)",
    """
    CREATE FUNCTION post_words_note() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        changed integer;
    BEGIN
        IF TG_TABLE_NAME = 'post' THEN
            changed := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
        ELSE
            changed := CASE WHEN TG_OP = 'DELETE' THEN OLD.post_id ELSE NEW.post_id END;
        END IF;
        IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'post' THEN
            DELETE FROM post_words WHERE rowid = changed;
            DELETE FROM post_words_stale WHERE post_id = changed;
        ELSE
            INSERT INTO post_words_stale (post_id) VALUES (changed) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER post_words_version AFTER INSERT OR DELETE OR UPDATE OF title, excerpt
    ON post_version FOR EACH ROW EXECUTE FUNCTION post_words_note()
    """,
    """
    CREATE TRIGGER post_words_post AFTER DELETE OR UPDATE OF current_version
    ON post FOR EACH ROW EXECUTE FUNCTION post_words_note()
    """,
]
PG_POST_SEARCH = """
CREATE VIEW post_search AS
SELECT
    CAST(NULL AS text) AS post_search,
    CAST(NULL AS real) AS rank,
    pc.id AS post_id,
    pc.url AS url,
    pc.title AS title,
    pc.category AS category,
    pc.published AS published,
    pc.excerpt AS excerpt
FROM post_words w
JOIN posts_current pc ON pc.id = w.rowid
"""
# posts_current as revision 0005 made it.
PG_POSTS_CURRENT = """
    CREATE VIEW posts_current AS
    SELECT
        p.id AS id,
        p.url AS url,
        v.title AS title,
        v.category AS category,
        v.categories AS categories,
        v.tags AS tags,
        v.published AS published,
        v.excerpt AS excerpt,
        coalesce(v.excerpt_recovered, v.excerpt) AS excerpt_recovered,
        v.truncated AS truncated,
        p.pinned AS pinned,
        v.version AS version,
        p.first_seen AS first_seen,
        p.last_seen AS last_seen,
        (SELECT count(*) FROM sighting s WHERE s.post_id = p.id) AS sightings,
        (SELECT count(*) FROM placeholder ph
          WHERE ph.version_id = v.id AND ph.status = 'pending') AS placeholders_pending
    FROM post p
    JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"""


def _upgrade_postgresql() -> None:
    for sql in PG_WORDS:
        op.execute(sql)
    op.execute(BACKFILL)
    op.execute("DROP VIEW post_search")
    op.execute("DROP VIEW posts_current")
    op.execute(PG_POSTS_CURRENT + NATURAL_ORDER)
    op.execute(PG_POST_SEARCH)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
        return
    op.execute(WORDS_TABLE)
    op.execute(STALE_TABLE)
    op.execute(BACKFILL)
    for sql in TRIGGERS.values():
        op.execute(sql)
    _replace_view("post_search", POST_SEARCH)
    _replace_view("posts_current", _view_sql("posts_current").rstrip() + NATURAL_ORDER)


def downgrade() -> None:
    unordered = _view_sql("posts_current").removesuffix(NATURAL_ORDER)
    _replace_view("posts_current", unordered)
    _replace_view("post_search", OLD_POST_SEARCH)
    for name in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS post_words_stale")
    op.execute("DROP TABLE IF EXISTS post_words")
