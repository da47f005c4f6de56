"""initial schema

Revision ID: 0001
Revises:
Creates the archive's tables and the first two user-facing views.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Views are part of the public interface: a later change to one is a new revision.
VIEWS = [
    """
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
        v.truncated AS truncated,
        v.version AS version,
        p.first_seen AS first_seen,
        p.last_seen AS last_seen,
        (SELECT count(*) FROM sighting s WHERE s.post_id = p.id) AS sightings,
        (SELECT count(*) FROM placeholder ph
          WHERE ph.version_id = v.id AND ph.status = 'pending') AS placeholders_pending
    FROM post p
    JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version
    """,
    """
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
        v.truncated AS truncated,
        v.observed_at AS observed_at,
        v.run_id AS run_id,
        (v.version = p.current_version) AS is_current
    FROM post_version v
    JOIN post p ON p.id = v.post_id
    """,
]


def upgrade() -> None:
    op.create_table(
        "page_body",
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("first_seen", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_seen", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("pages_not_modified", sa.Integer(), nullable=False),
        sa.Column("pages_failed", sa.Integer(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.Column("cards_skipped", sa.Integer(), nullable=False),
        sa.Column("new_posts", sa.Integer(), nullable=False),
        sa.Column("new_versions", sa.Integer(), nullable=False),
        sa.Column("filled_in", sa.Integer(), nullable=False),
        sa.Column("reposts", sa.Integer(), nullable=False),
        sa.Column("placeholders_found", sa.Integer(), nullable=False),
        sa.Column("placeholders_recovered", sa.Integer(), nullable=False),
        sa.Column("placeholders_unrecoverable", sa.Integer(), nullable=False),
        sa.Column("failures", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "page_fetch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("etag", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_modified", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("encoding", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("body_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("next_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.Column("cards_skipped", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["body_sha256"],
            ["page_body.sha256"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("page_fetch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_page_fetch_run_id"), ["run_id"], unique=False)
        batch_op.create_index("ix_page_fetch_url_id", ["url", "id"], unique=False)

    op.create_table(
        "post_fingerprint",
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
        ),
        sa.PrimaryKeyConstraint("fingerprint"),
    )
    with op.batch_alter_table("post_fingerprint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_fingerprint_post_id"), ["post_id"], unique=False)

    op.create_table(
        "post_url",
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("first_seen", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
        ),
        sa.PrimaryKeyConstraint("url"),
    )
    with op.batch_alter_table("post_url", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_url_post_id"), ["post_id"], unique=False)

    op.create_table(
        "post_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("categories", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tags", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("published", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("published_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("excerpt", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("observed_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "version"),
    )
    op.create_table(
        "sighting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("page_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("card_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sighting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sighting_post_id"), ["post_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sighting_run_id"), ["run_id"], unique=False)

    op.create_table(
        "placeholder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["post_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "kind", "ordinal"),
    )
    with op.batch_alter_table("placeholder", schema=None) as batch_op:
        batch_op.create_index("ix_placeholder_status", ["status"], unique=False)

    for sql in VIEWS:
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS post_history")
    op.execute("DROP VIEW IF EXISTS posts_current")
    with op.batch_alter_table("placeholder", schema=None) as batch_op:
        batch_op.drop_index("ix_placeholder_status")

    op.drop_table("placeholder")
    with op.batch_alter_table("sighting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sighting_run_id"))
        batch_op.drop_index(batch_op.f("ix_sighting_post_id"))

    op.drop_table("sighting")
    op.drop_table("post_version")
    with op.batch_alter_table("post_url", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_url_post_id"))

    op.drop_table("post_url")
    with op.batch_alter_table("post_fingerprint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_fingerprint_post_id"))

    op.drop_table("post_fingerprint")
    with op.batch_alter_table("page_fetch", schema=None) as batch_op:
        batch_op.drop_index("ix_page_fetch_url_id")
        batch_op.drop_index(batch_op.f("ix_page_fetch_run_id"))

    op.drop_table("page_fetch")
    op.drop_table("run")
    op.drop_table("post")
    op.drop_table("page_body")
