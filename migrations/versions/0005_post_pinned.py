"""Pinned posts: post.pinned, shown by posts_current.

Revision ID: 0005
Revises: 0004
1 when the first card of the post in the latest run that saw it showed a pin badge
(置顶, Pinned, Sticky): the site keeps it at the top of its listing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
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
        p.pinned AS pinned,
        v.version AS version,
        p.first_seen AS first_seen,
        p.last_seen AS last_seen,
        (SELECT count(*) FROM sighting s WHERE s.post_id = p.id) AS sightings,
        (SELECT count(*) FROM placeholder ph
          WHERE ph.version_id = v.id AND ph.status = 'pending') AS placeholders_pending
    FROM post p
    JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version
"""
# The view as revision 0003 made it, for the way back.
POSTS_CURRENT_0003 = POSTS_CURRENT.replace("        p.pinned AS pinned,\n", "")


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
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP VIEW IF EXISTS post_search")
        op.execute("DROP VIEW IF EXISTS posts_current")
        op.add_column("post", sa.Column("pinned", sa.Boolean(), nullable=False, server_default="0"))
        op.execute(POSTS_CURRENT)
        op.execute(PG_POST_SEARCH)
        return
    op.execute("DROP VIEW IF EXISTS posts_current")
    # In place: a batch copy of post would break on the views and triggers that name it.
    op.add_column("post", sa.Column("pinned", sa.Boolean(), nullable=False, server_default="0"))
    op.execute(POSTS_CURRENT)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS posts_current")
    op.execute(POSTS_CURRENT_0003)
    op.execute("ALTER TABLE post DROP COLUMN pinned")
