"""views and search

Revision ID: 0002
Revises: 0001
Adds the views post_sightings, placeholder_backlog and crawl_runs, the
full-text index post_fts (FTS5, trigram tokenizer: substrings of any script,
Chinese included) kept in step with the current versions by triggers, and the
post_search view over it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Views are part of the public interface (docs/schema.md): a later change to one is a new revision.
VIEWS = {
    "post_sightings": """
    CREATE VIEW post_sightings AS
    SELECT
        s.id AS id,
        s.post_id AS post_id,
        s.version AS version,
        v.title AS title,
        s.seen_at AS seen_at,
        s.page_url AS page_url,
        s.position AS position,
        s.card_url AS card_url,
        s.run_id AS run_id,
        r.kind AS run_kind
    FROM sighting s
    JOIN run r ON r.id = s.run_id
    LEFT JOIN post_version v ON v.post_id = s.post_id AND v.version = s.version
    """,
    "placeholder_backlog": """
    CREATE VIEW placeholder_backlog AS
    SELECT
        ph.id AS id,
        v.post_id AS post_id,
        v.version AS version,
        (v.version = p.current_version) AS is_current,
        p.url AS url,
        v.title AS title,
        ph.kind AS kind,
        ph.ordinal AS ordinal,
        ph.position AS position,
        ph.attempts AS attempts,
        ph.updated_at AS last_attempt,
        v.observed_at AS observed_at
    FROM placeholder ph
    JOIN post_version v ON v.id = ph.version_id
    JOIN post p ON p.id = v.post_id
    WHERE ph.status = 'pending'
    """,
    "crawl_runs": """
    CREATE VIEW crawl_runs AS
    SELECT
        r.id AS id,
        r.kind AS kind,
        r.source AS source,
        r.status AS status,
        r.started_at AS started_at,
        r.finished_at AS finished_at,
        CASE WHEN r.finished_at IS NULL THEN NULL
             ELSE round((julianday(r.finished_at) - julianday(r.started_at)) * 86400.0, 3)
        END AS duration_seconds,
        r.pages AS pages,
        r.pages_not_modified AS pages_not_modified,
        r.pages_failed AS pages_failed,
        r.cards AS cards,
        r.cards_skipped AS cards_skipped,
        r.new_posts AS new_posts,
        r.new_versions AS new_versions,
        r.filled_in AS filled_in,
        r.reposts AS reposts,
        r.placeholders_found AS placeholders_found,
        r.placeholders_recovered AS placeholders_recovered,
        r.placeholders_unrecoverable AS placeholders_unrecoverable,
        r.failures AS failures,
        r.message AS message
    FROM run r
    """,
    # `post_search` is the column to MATCH against; rank, highlight() and
    # snippet() only mean something in a query that has such a MATCH.
    "post_search": """
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
    """,
}

# One row per post, holding its current version's text; rowid is post.id.
SEARCH_TABLE = """
CREATE VIRTUAL TABLE post_fts USING fts5(title, excerpt, tokenize = 'trigram')
"""

_REFRESH = """
    DELETE FROM post_fts WHERE rowid = {post_id};
    INSERT INTO post_fts (rowid, title, excerpt)
        SELECT p.id, v.title, v.excerpt FROM post p
        JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version
        WHERE p.id = {post_id};
"""
_IS_CURRENT = "{row}.version = (SELECT current_version FROM post WHERE id = {row}.post_id)"

# Triggers keep post_fts in step for every writer: crawls, imports, rebuilds, other tools.
TRIGGERS = {
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

BACKFILL = """
INSERT INTO post_fts (rowid, title, excerpt)
SELECT p.id, v.title, v.excerpt FROM post p
JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version
"""


# PostgreSQL: post_fts is a plain table of the same columns, searched with pg_trgm's
# trigram indexes (ILIKE '%term%' of any length, Chinese included); one trigger function
# keeps it in step. The views read the same, except that post_search has no MATCH column
# to query: post_search is NULL, rank is NULL, and the highlighted title and snippet are
# the plain title and excerpt (`feedkeeper search` ranks and marks matches itself).
PG_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE post_fts (rowid INTEGER PRIMARY KEY, title TEXT, excerpt TEXT)",
    "CREATE INDEX post_fts_title ON post_fts USING gin (title gin_trgm_ops)",
    "CREATE INDEX post_fts_excerpt ON post_fts USING gin (excerpt gin_trgm_ops)",
    """
    CREATE FUNCTION post_fts_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        changed integer;
    BEGIN
        IF TG_TABLE_NAME = 'post' THEN
            changed := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
        ELSE
            changed := CASE WHEN TG_OP = 'DELETE' THEN OLD.post_id ELSE NEW.post_id END;
        END IF;
        DELETE FROM post_fts WHERE rowid = changed;
        INSERT INTO post_fts (rowid, title, excerpt)
            SELECT p.id, v.title, v.excerpt FROM post p
            JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version
            WHERE p.id = changed;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER post_fts_version AFTER INSERT OR DELETE OR UPDATE OF title, excerpt
    ON post_version FOR EACH ROW EXECUTE FUNCTION post_fts_refresh()
    """,
    """
    CREATE TRIGGER post_fts_post AFTER DELETE OR UPDATE OF current_version
    ON post FOR EACH ROW EXECUTE FUNCTION post_fts_refresh()
    """,
]
PG_VIEWS = VIEWS | {
    "crawl_runs": VIEWS["crawl_runs"].replace(
        "round((julianday(r.finished_at) - julianday(r.started_at)) * 86400.0, 3)",
        "round(extract(epoch FROM CAST(r.finished_at AS timestamptz)"
        " - CAST(r.started_at AS timestamptz)), 3)::double precision",
    ),
    "post_search": """
    CREATE VIEW post_search AS
    SELECT
        CAST(NULL AS text) AS post_search,
        CAST(NULL AS real) AS rank,
        pc.id AS post_id,
        pc.url AS url,
        pc.title AS title,
        pc.category AS category,
        pc.published AS published,
        pc.excerpt AS excerpt,
        pc.title AS title_highlighted,
        pc.excerpt AS excerpt_snippet
    FROM post_fts f
    JOIN posts_current pc ON pc.id = f.rowid
    """,
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in PG_SEARCH:
            op.execute(sql)
        op.execute(BACKFILL)
        for sql in PG_VIEWS.values():
            op.execute(sql)
        return
    op.execute(SEARCH_TABLE)
    op.execute(BACKFILL)
    for sql in TRIGGERS.values():
        op.execute(sql)
    for sql in VIEWS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS post_fts")
        op.execute("DROP FUNCTION IF EXISTS post_fts_refresh CASCADE")
        return
    for name in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS post_fts")
