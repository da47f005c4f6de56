"""host_pause: a host's Retry-After outlives the process that was told

Revision ID: 0013
Revises: 0012

``host_pause`` holds, per origin (scheme://host[:port]), until when the host asked to
be left alone (``Retry-After``, at most a day): every run, in whichever process, asks it
nothing before then. Expired rows are deleted as new ones are written. Nothing else
changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_pause",
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("paused_until", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("asked_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("retry_after", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("origin"),
    )


def downgrade() -> None:
    op.drop_table("host_pause")
