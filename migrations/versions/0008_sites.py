"""sites: many blogs in one archive

Revision ID: 0008
Revises: 0007
Adds the site table (name, first listing page, profile, crawl interval, state)
and site_id on run, page_fetch, post, post_url and post_fingerprint: a post is
known by its URL or fingerprint within its site. An archive that already holds
runs or posts becomes one site, named after the host of its latest crawl, and
loses nothing. posts_current, post_history and crawl_runs gain site_id and
site; new views: cross_posts (a post shown again by another site of the
archive, same title and excerpt) and site_status (one row a site).
"""

from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString

POSTS_CURRENT = """
    CREATE VIEW posts_current AS
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
ORDER BY published DESC, id"""
POST_HISTORY = """
    CREATE VIEW post_history AS
    SELECT
        v.post_id AS post_id,
        v.version AS version,
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
        v.observed_at AS observed_at,
        v.run_id AS run_id,
        (v.version = p.current_version) AS is_current
    FROM post_version v
    JOIN post p ON p.id = v.post_id
    JOIN site st ON st.id = p.site_id
"""
CRAWL_RUNS = """
    CREATE VIEW crawl_runs AS
    SELECT
        r.id AS id,
        r.site_id AS site_id,
        st.name AS site,
        r.kind AS kind,
        r.source AS source,
        r.status AS status,
        r.started_at AS started_at,
        r.finished_at AS finished_at,
        CASE WHEN r.finished_at IS NULL THEN NULL
             ELSE round((julianday(r.finished_at) - julianday(r.started_at)) * 86400.0, 3)
        END AS duration_seconds,
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
# Linked, not merged: each site keeps its own post; a pair shows once from each side.
CROSS_POSTS = """
    CREATE VIEW cross_posts AS
    SELECT
        a.post_id AS post_id,
        sa.name AS site,
        pa.url AS url,
        b.post_id AS other_post_id,
        sb.name AS other_site,
        pb.url AS other_url,
        a.fingerprint AS fingerprint
    FROM post_fingerprint a
    JOIN post_fingerprint b ON b.fingerprint = a.fingerprint AND b.site_id <> a.site_id
    JOIN post pa ON pa.id = a.post_id
    JOIN post pb ON pb.id = b.post_id
    JOIN site sa ON sa.id = a.site_id
    JOIN site sb ON sb.id = b.site_id
"""
SITE_STATUS = """
    CREATE VIEW site_status AS
    SELECT
        st.id AS id,
        st.name AS name,
        st.url AS url,
        st.state AS state,
        st.every AS every,
        st.cron AS cron,
        (SELECT count(*) FROM post p WHERE p.site_id = st.id) AS posts,
        (SELECT max(r.started_at) FROM run r
          WHERE r.site_id = st.id AND r.kind = 'crawl') AS last_crawl_at,
        (SELECT r.status FROM run r WHERE r.site_id = st.id AND r.kind = 'crawl'
          ORDER BY r.id DESC LIMIT 1) AS last_crawl_status,
        (SELECT max(r.finished_at) FROM run r WHERE r.site_id = st.id AND r.kind = 'crawl'
          AND r.status IN ('ok', 'partial')) AS last_success_at
    FROM site st
"""
REDEFINED = {"posts_current": POSTS_CURRENT, "post_history": POST_HISTORY, "crawl_runs": CRAWL_RUNS}
NEW_VIEWS = {"cross_posts": CROSS_POSTS, "site_status": SITE_STATUS}


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _upgrade_postgresql(conn)
        return
    views, triggers = _set_aside(conn)
    _create_site_table()
    site_id = _site_of_existing_rows(conn)
    _add_site_column("run", site_id, nullable=True)
    _add_site_column("page_fetch", site_id, nullable=False)
    _add_site_column("post", site_id, nullable=False, unique_key=True)
    _rebuild_keyed("post_url", "url", site_id)
    _rebuild_keyed("post_fingerprint", "fingerprint", site_id)
    for name, sql in views:
        op.execute(REDEFINED.get(name, sql))
    for sql in NEW_VIEWS.values():
        op.execute(sql)
    for _, sql in triggers:
        op.execute(sql)


def _create_site_table() -> None:
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _STR(), nullable=False),
        sa.Column("url", _STR(), nullable=False),
        sa.Column("profile", _STR(), nullable=True),
        sa.Column("every", _STR(), nullable=True),
        sa.Column("cron", _STR(), nullable=True),
        sa.Column("state", _STR(), nullable=False),
        sa.Column("added_at", _STR(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


# PostgreSQL alters tables in place, and keeps track of which views read which.
PG_DURATION = (
    "round(extract(epoch FROM CAST(r.finished_at AS timestamptz)"
    " - CAST(r.started_at AS timestamptz)), 3)::double precision"
)
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
        pc.excerpt AS excerpt
    FROM post_words w
    JOIN posts_current pc ON pc.id = w.rowid
"""


def _upgrade_postgresql(conn: sa.Connection) -> None:
    for name in ("post_search", "posts_current", "post_history", "crawl_runs"):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    _create_site_table()
    site_id = _site_of_existing_rows(conn)
    # The site was given its id: the sequence must not hand it out again.
    op.execute(
        "SELECT setval(pg_get_serial_sequence('site', 'id'), coalesce(max(id), 0) + 1, false)"
        " FROM site"
    )
    for table in ("run", "page_fetch", "post", "post_url", "post_fingerprint"):
        op.add_column(table, sa.Column("site_id", sa.Integer(), nullable=True))
        if site_id is not None:
            op.execute(sa.text(f"UPDATE {table} SET site_id = {int(site_id)}"))
        if table != "run":
            op.alter_column(table, "site_id", nullable=False)
        op.create_foreign_key(f"fk_{table}_site_id_site", table, "site", ["site_id"], ["id"])
    for table in ("run", "page_fetch", "post"):
        op.create_index(f"ix_{table}_site_id", table, ["site_id"])
    op.drop_constraint("post_key_key", "post", type_="unique")
    op.create_unique_constraint("uq_post_site_id", "post", ["site_id", "key"])
    for table, key in (("post_url", "url"), ("post_fingerprint", "fingerprint")):
        op.drop_constraint(f"{table}_pkey", table, type_="primary")
        op.create_primary_key(f"{table}_pkey", table, ["site_id", key])
    op.create_index("ix_post_fingerprint_fingerprint", "post_fingerprint", ["fingerprint"])
    op.execute(POSTS_CURRENT)
    op.execute(POST_HISTORY)
    op.execute(CRAWL_RUNS.replace(_SQLITE_DURATION, PG_DURATION))
    op.execute(PG_POST_SEARCH)
    for sql in NEW_VIEWS.values():
        op.execute(sql)


_SQLITE_DURATION = "round((julianday(r.finished_at) - julianday(r.started_at)) * 86400.0, 3)"


def _set_aside(conn: sa.Connection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Drop every view and trigger (a copied table would break them); return their SQL."""
    rows = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY rowid"
    ).all()
    for kind, name, _ in rows:
        conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    views = [(name, sql) for kind, name, sql in rows if kind == "view"]
    return views, [(name, sql) for kind, name, sql in rows if kind == "trigger"]


def _site_of_existing_rows(conn: sa.Connection) -> int | None:
    """Make the one site an archive that already holds something belongs to."""
    has_rows = conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM run) OR EXISTS (SELECT 1 FROM post)"
    ).scalar()
    if not has_rows:
        return None
    url = (
        conn.exec_driver_sql(
            "SELECT source FROM run WHERE kind = 'crawl' ORDER BY id DESC LIMIT 1"
        ).scalar()
        or conn.exec_driver_sql(
            "SELECT url FROM post WHERE url IS NOT NULL ORDER BY id LIMIT 1"
        ).scalar()
    )
    name = (urlsplit(url).hostname or "archive") if url else "archive"
    conn.execute(
        sa.text(
            "INSERT INTO site (id, name, url, state, added_at)"
            " VALUES (1, :name, :url, 'active', coalesce((SELECT min(started_at) FROM run), :now))"
        ),
        {"name": name, "url": url or "", "now": "1970-01-01T00:00:00Z"},
    )
    return 1


def _add_site_column(
    table: str, site_id: int | None, *, nullable: bool, unique_key: bool = False
) -> None:
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
    if site_id is not None:
        op.execute(sa.text(f"UPDATE {table} SET site_id = {int(site_id)}"))
    convention = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
    with op.batch_alter_table(table, naming_convention=convention) as batch:
        batch.alter_column("site_id", existing_type=sa.Integer(), nullable=nullable)
        batch.create_foreign_key(f"fk_{table}_site_id_site", "site", ["site_id"], ["id"])
        batch.create_index(f"ix_{table}_site_id", ["site_id"])
        if unique_key:
            batch.drop_constraint("uq_post_key", type_="unique")
            batch.create_unique_constraint("uq_post_site_id", ["site_id", "key"])


def _rebuild_keyed(table: str, key: str, site_id: int | None) -> None:
    """Rebuild ``table`` with (site_id, key) as its primary key."""
    columns = {
        "post_url": [sa.Column("first_seen", _STR(), nullable=False)],
        "post_fingerprint": [],
    }[table]
    op.create_table(
        f"{table}_new",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column(key, _STR(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["post_id"], ["post.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("site_id", key),
    )
    names = ", ".join([key, "post_id", *(c.name for c in columns)])
    if site_id is not None:
        rows = f"SELECT {int(site_id)}, {names} FROM {table}"
        op.execute(f"INSERT INTO {table}_new (site_id, {names}) {rows}")
    op.drop_index(f"ix_{table}_post_id", table_name=table)
    op.drop_table(table)
    op.rename_table(f"{table}_new", table)
    op.create_index(f"ix_{table}_post_id", table, ["post_id"])
    if table == "post_fingerprint":
        op.create_index("ix_post_fingerprint_fingerprint", table, ["fingerprint"])


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        raise NotImplementedError("revision 0008 is not undone on PostgreSQL")
    if conn.exec_driver_sql("SELECT count(*) FROM site").scalar_one() > 1:
        raise RuntimeError("the archive holds several sites: revision 0004 can hold only one")
    views, triggers = _set_aside(conn)
    for table, key in (("post_url", "url"), ("post_fingerprint", "fingerprint")):
        _unkey(table, key)
    convention = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
    for table in ("post", "page_fetch", "run"):
        with op.batch_alter_table(table, naming_convention=convention) as batch:
            if table == "post":
                batch.drop_constraint("uq_post_site_id", type_="unique")
                batch.create_unique_constraint("uq_post_key", ["key"])
            batch.drop_index(f"ix_{table}_site_id")
            batch.drop_column("site_id")
    op.drop_table("site")
    for name, sql in views:
        if name in NEW_VIEWS:
            continue
        op.execute(_VIEWS_0004.get(name, sql))
    for _, sql in triggers:
        op.execute(sql)


def _unkey(table: str, key: str) -> None:
    columns = {
        "post_url": [sa.Column("first_seen", _STR(), nullable=False)],
        "post_fingerprint": [],
    }[table]
    op.create_table(
        f"{table}_old",
        sa.Column(key, _STR(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["post_id"], ["post.id"]),
        sa.PrimaryKeyConstraint(key),
    )
    names = ", ".join([key, "post_id", *(c.name for c in columns)])
    op.execute(f"INSERT INTO {table}_old ({names}) SELECT {names} FROM {table}")
    op.drop_table(table)
    op.rename_table(f"{table}_old", table)
    op.create_index(f"ix_{table}_post_id", table, ["post_id"])


def _without_site(sql: str) -> str:
    kept = [
        line
        for line in sql.splitlines(keepends=True)
        if " AS site_id," not in line and " AS site," not in line and "JOIN site st" not in line
    ]
    return "".join(kept)


_VIEWS_0004 = {name: _without_site(sql) for name, sql in REDEFINED.items()}
