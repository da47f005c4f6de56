"""posts_current lists undated posts last on PostgreSQL too

Revision ID: 0011
Revises: 0010

The view ordered its rows ``published DESC, id``: SQLite puts NULLs last in a
descending order, PostgreSQL first, so an undated post led the PostgreSQL archive's
"newest first" list. Both now order by whether a post has a date first. The view's
columns are unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = """
    SELECT
        p.id AS id,
        p.site_id AS site_id,
        st.name AS site,
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
    JOIN site st ON st.id = p.site_id
    JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version
"""
ORDER = "ORDER BY published IS NULL, published DESC, id"
OLD_ORDER = "ORDER BY published DESC, id"


def _replace(order: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # post_search reads posts_current: PostgreSQL replaces a view of the same columns
        op.execute(f"CREATE OR REPLACE VIEW posts_current AS{_COLUMNS}{order}")
        return
    op.execute("DROP VIEW IF EXISTS posts_current")
    op.execute(f"CREATE VIEW posts_current AS{_COLUMNS}{order}")


def upgrade() -> None:
    _replace(ORDER)


def downgrade() -> None:
    _replace(OLD_ORDER)
