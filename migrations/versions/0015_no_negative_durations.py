"""crawl_runs gives no duration to a run that ended before it began

Revision ID: 0015
Revises: 0014

A run whose ``finished_at`` is earlier than its ``started_at`` (the machine's clock stepped
back while it ran, an NTP correction say) had a negative ``duration_seconds``; one whose
times are no times (another program's text) had whatever SQLite made of them. Both now
have ``NULL``, as a run without an end does. The view's columns are unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SELECT = """
    SELECT
        r.id AS id,
        r.site_id AS site_id,
        st.name AS site,
        r.kind AS kind,
        r.source AS source,
        r.status AS status,
        r.started_at AS started_at,
        r.finished_at AS finished_at,
        {duration} AS duration_seconds,
        r.pages AS pages,
        r.pages_not_modified AS pages_not_modified,
        r.pages_failed AS pages_failed,
        r.cards AS cards,
        r.cards_skipped AS cards_skipped,
        r.new_posts AS new_posts,
        r.new_versions AS new_versions,
        r.filled_in AS filled_in,
        r.reposts AS reposts,
        r.placeholders_found AS placeholders_found,
        r.placeholders_recovered AS placeholders_recovered,
        r.placeholders_unrecoverable AS placeholders_unrecoverable,
        r.failures AS failures,
        r.message AS message
    FROM run r
    LEFT JOIN site st ON st.id = r.site_id
"""
# julianday() is NULL for text that is no time, so the comparison leaves such runs out too.
SQLITE_DURATION = """CASE WHEN julianday(r.finished_at) >= julianday(r.started_at)
             THEN round((julianday(r.finished_at) - julianday(r.started_at)) * 86400.0, 3)
        END"""
OLD_SQLITE_DURATION = """CASE WHEN r.finished_at IS NULL THEN NULL
             ELSE round((julianday(r.finished_at) - julianday(r.started_at)) * 86400.0, 3)
        END"""
PG_DURATION = """CASE WHEN CAST(r.finished_at AS timestamptz) >= CAST(r.started_at AS timestamptz)
             THEN round(extract(epoch FROM CAST(r.finished_at AS timestamptz)
                 - CAST(r.started_at AS timestamptz)), 3)::double precision
        END"""
OLD_PG_DURATION = """CASE WHEN r.finished_at IS NULL THEN NULL
             ELSE round(extract(epoch FROM CAST(r.finished_at AS timestamptz)
                 - CAST(r.started_at AS timestamptz)), 3)::double precision
        END"""


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    _redefine(PG_DURATION if postgresql else SQLITE_DURATION)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    _redefine(OLD_PG_DURATION if postgresql else OLD_SQLITE_DURATION)


def _redefine(duration: str) -> None:
    op.execute("DROP VIEW IF EXISTS crawl_runs")
    op.execute("CREATE VIEW crawl_runs AS" + _SELECT.format(duration=duration))
