"""Index placeholders by version and status.

Revision ID: 0004
Revises: 0003
posts_current counts each post's pending placeholders; with only the status
index SQLite walked every pending placeholder for every post.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_placeholder_version_status", "placeholder", ["version_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_placeholder_version_status", table_name="placeholder")
