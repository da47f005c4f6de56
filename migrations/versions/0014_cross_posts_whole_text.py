"""cross_posts links posts by their whole title and excerpt, not by how they begin

Revision ID: 0014
Revises: 0013

``post_fingerprint`` also holds, for posts known by their text alone, digests of the
first 32 letters and digits of their excerpt (``head:...``): how one site knows a post
again when it cuts the excerpt at another length. The view of revision 0010 joined on
those too, so two sites' posts that only began alike (two parts of a series, say) were
listed as one post shown on both. Now only the title+excerpt fingerprints link a pair.
The view's columns are unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
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
        max(a.fingerprint) AS fingerprint
    FROM post_fingerprint a
    JOIN post_fingerprint b ON b.fingerprint = a.fingerprint AND b.site_id <> a.site_id
    JOIN post pa ON pa.id = a.post_id
    JOIN post pb ON pb.id = b.post_id
    JOIN site sa ON sa.id = a.site_id
    JOIN site sb ON sb.id = b.site_id{where}
    GROUP BY a.post_id, sa.name, pa.url, b.post_id, sb.name, pb.url
"""
CROSS_POSTS = "CREATE VIEW cross_posts AS" + _SELECT.format(
    where="\n    WHERE a.fingerprint NOT LIKE 'head:%'"
)
OLD_CROSS_POSTS = "CREATE VIEW cross_posts AS" + _SELECT.format(where="")


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS cross_posts")
    op.execute(CROSS_POSTS)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS cross_posts")
    op.execute(OLD_CROSS_POSTS)
