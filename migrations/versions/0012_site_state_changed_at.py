"""a site keeps when its state last changed

Revision ID: 0012
Revises: 0011

``site.state_changed_at`` is when `sites pause`, `resume` or `remove` last changed the
site's state (NULL for a site never changed since it was added). ``health`` judges a
site resumed after a long pause from that time, as it judges a new site from
``added_at``: it was unhealthy until its next crawl. Nothing else changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "site",
        sa.Column("state_changed_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    )


def downgrade() -> None:
    # SQLite drops the column in place (3.35 and later): the views on site stay as they are.
    op.drop_column("site", "state_changed_at")
