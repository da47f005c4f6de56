"""Recovered excerpts: post_version.excerpt_recovered, shown by posts_current and post_history.

Revision ID: 0003
Revises: 0002
The excerpt with each recovered placeholder replaced by what it stood for (code
fenced as Markdown, formulas as $…$ / $$…$$). Derived by `feedkeeper recover`;
the original excerpt is never modified.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTS_CURRENT = """
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
        v.version AS version,
        p.first_seen AS first_seen,
        p.last_seen AS last_seen,
        (SELECT count(*) FROM sighting s WHERE s.post_id = p.id) AS sightings,
        (SELECT count(*) FROM placeholder ph
          WHERE ph.version_id = v.id AND ph.status = 'pending') AS placeholders_pending
    FROM post p
    JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version
"""
POST_HISTORY = """
    CREATE VIEW post_history AS
    SELECT
        v.post_id AS post_id,
        v.version AS version,
        p.url AS url,
        v.title AS title,
        v.category AS category,
        v.categories AS categories,
        v.tags AS tags,
        v.published AS published,
        v.excerpt AS excerpt,
        coalesce(v.excerpt_recovered, v.excerpt) AS excerpt_recovered,
        v.truncated AS truncated,
        v.observed_at AS observed_at,
        v.run_id AS run_id,
        (v.version = p.current_version) AS is_current
    FROM post_version v
    JOIN post p ON p.id = v.post_id
"""
# The views as revision 0001 made them, for the way back.
POSTS_CURRENT_0001 = POSTS_CURRENT.replace(
    "        coalesce(v.excerpt_recovered, v.excerpt) AS excerpt_recovered,\n", ""
)
POST_HISTORY_0001 = POST_HISTORY.replace(
    "        coalesce(v.excerpt_recovered, v.excerpt) AS excerpt_recovered,\n", ""
)


# PostgreSQL keeps track of which views read which: post_search (0002) reads
# posts_current, so it is dropped and made again around it.
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
        pc.excerpt AS excerpt,
        pc.title AS title_highlighted,
        pc.excerpt AS excerpt_snippet
    FROM post_fts f
    JOIN posts_current pc ON pc.id = f.rowid
"""


def upgrade() -> None:
    is_pg = op.get_bind().dialect.name == "postgresql"
    if is_pg:
        op.execute("DROP VIEW IF EXISTS post_search")
    op.execute("DROP VIEW IF EXISTS posts_current")
    op.execute("DROP VIEW IF EXISTS post_history")
    with op.batch_alter_table("post_version") as batch:
        batch.add_column(sa.Column("excerpt_recovered", sa.String(), nullable=True))
    op.execute(POSTS_CURRENT)
    op.execute(POST_HISTORY)
    if is_pg:
        op.execute(PG_POST_SEARCH)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS posts_current")
    op.execute("DROP VIEW IF EXISTS post_history")
    op.execute(POSTS_CURRENT_0001)
    op.execute(POST_HISTORY_0001)
    # In place (SQLite 3.35+): a batch copy of post_version would break on the
    # triggers and views of 0002 that name it while the copy is being renamed.
    op.execute("ALTER TABLE post_version DROP COLUMN excerpt_recovered")
