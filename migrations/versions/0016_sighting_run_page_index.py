"""Index sightings by run and listing page

Revision ID: 0016
Revises: 0015

A listing page that answers 304 lists the cards its last parse listed: the sightings of the
run that parsed it, on that page. With only the run's index, each such page walked every
sighting of that run (some 40,000 after a crawl of 2,000 pages, about 14 ms a page); the
index on (run_id, page_url) finds the page's own. It replaces the run's index, whose
lookups it answers as well.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sighting_run_id_page_url", "sighting", ["run_id", "page_url"])
    op.drop_index("ix_sighting_run_id", table_name="sighting")


def downgrade() -> None:
    op.create_index("ix_sighting_run_id", "sighting", ["run_id"])
    op.drop_index("ix_sighting_run_id_page_url", table_name="sighting")
