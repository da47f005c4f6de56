"""cross_posts shows a pair of posts once from each side, whatever versions they share

Revision ID: 0010
Revises: 0009

Two sites keeping a post whose title changed share two fingerprints (one a version),
and the view of revision 0008 listed the pair once for each: counting its rows over
two counted cross-posts twice. Now a pair is one row from each side; its fingerprint
is the greatest of those the two share.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SELECT = """
    SELECT
        a.post_id AS post_id,
        sa.name AS site,
        pa.url AS url,
        b.post_id AS other_post_id,
        sb.name AS other_site,
        pb.url AS other_url,
        {fingerprint} AS fingerprint
    FROM post_fingerprint a
    JOIN post_fingerprint b ON b.fingerprint = a.fingerprint AND b.site_id <> a.site_id
    JOIN post pa ON pa.id = a.post_id
    JOIN post pb ON pb.id = b.post_id
    JOIN site sa ON sa.id = a.site_id
    JOIN site sb ON sb.id = b.site_id
"""
CROSS_POSTS = (
    "CREATE VIEW cross_posts AS"
    + _SELECT.format(fingerprint="max(a.fingerprint)")
    + ("    GROUP BY a.post_id, sa.name, pa.url, b.post_id, sb.name, pb.url\n")
)
OLD_CROSS_POSTS = "CREATE VIEW cross_posts AS" + _SELECT.format(fingerprint="a.fingerprint")


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS cross_posts")
    op.execute(CROSS_POSTS)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS cross_posts")
    op.execute(OLD_CROSS_POSTS)
