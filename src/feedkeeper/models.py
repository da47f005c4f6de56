"""SQLModel tables: the archive's schema. Created and changed only by Alembic migrations.

Times are ISO 8601 text in UTC (``2026-01-11T08:00:00Z``), dates ``YYYY-MM-DD``,
booleans 0/1, lists JSON arrays in text columns: readable from any SQLite client.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class RunCounters(SQLModel):
    """What a run counts: the ``run`` table's columns, and ``RunCounts`` while it goes on."""

    pages: int = 0
    pages_not_modified: int = 0
    pages_failed: int = 0
    cards: int = 0
    cards_skipped: int = 0
    new_posts: int = 0
    new_versions: int = 0
    filled_in: int = 0
    reposts: int = 0
    placeholders_found: int = 0
    placeholders_recovered: int = 0
    placeholders_unrecoverable: int = 0


class Site(SQLModel, table=True):
    """One blog kept in the archive: where its listing starts and how often to crawl it."""

    __tablename__ = "site"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # how commands name it (--site NAME)
    url: str  # the first listing page
    profile: str | None = None  # a TOML site profile's path
    every: str | None = None  # crawl interval ("30m"), or
    cron: str | None = None  # a cron expression; neither: the schedule's default
    # A SiteState: active | paused (left out of `crawl` and the schedule until resumed)
    # | removed (no longer crawled; its posts stay in the archive).
    state: str = "active"
    added_at: str
    state_changed_at: str | None = None  # when pause, resume or remove last changed it


class Run(RunCounters, table=True):
    """One invocation that wrote to the archive: a crawl, an import, a reparse, a recovery."""

    __tablename__ = "run"

    id: int | None = Field(default=None, primary_key=True)
    # The site crawled, imported or recovered; None for a run over the whole archive (reparse).
    site_id: int | None = Field(default=None, foreign_key="site.id", index=True)
    kind: str  # a RunKind: crawl | import | reparse | recover
    source: str  # start URL, file names, or what was reparsed
    started_at: str
    finished_at: str | None = None
    status: str = "running"  # a RunStatus: running | ok | partial | failed | interrupted
    failures: str = "[]"  # JSON list of {"url": ..., "error": ...}
    message: str | None = None


class PageBody(SQLModel, table=True):
    """A fetched body, stored once however often it was fetched: zlib-compressed bytes."""

    __tablename__ = "page_body"

    sha256: str = Field(primary_key=True)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class PageFetch(SQLModel, table=True):
    """One fetch (or import) of one listing page: validators, outcome and body."""

    __tablename__ = "page_fetch"
    __table_args__ = (Index("ix_page_fetch_url_id", "url", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    url: str
    fetched_at: str
    outcome: str  # parsed | not_modified | failed | unparseable | suspect
    status_code: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    body_sha256: str | None = Field(default=None, foreign_key="page_body.sha256")
    next_url: str | None = None
    cards: int = 0
    cards_skipped: int = 0
    confidence: float | None = None
    error: str | None = None


class Post(SQLModel, table=True):
    """One post, however many URLs and versions it has."""

    __tablename__ = "post"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    key: str  # canonical URL, or "excerpt:<fingerprint>" without one; unique in its site
    url: str | None = None  # canonical URL where the post was first seen
    current_version: int = 1
    first_seen: str
    last_seen: str
    # The first card of it in the latest run that saw it showed a pin badge ("置顶").
    pinned: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class PostVersion(SQLModel, table=True):
    """What the site showed for a post between two changes."""

    __tablename__ = "post_version"
    __table_args__ = (UniqueConstraint("post_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id")
    version: int
    title: str | None = None
    category: str | None = None
    categories: str = "[]"  # JSON list
    tags: str = "[]"  # JSON list
    published: str | None = None
    published_at: str | None = None
    excerpt: str | None = None
    # The excerpt with recovered placeholders filled in; None until one is recovered.
    excerpt_recovered: str | None = None
    truncated: bool = False
    fingerprint: str | None = None
    observed_at: str
    run_id: int = Field(foreign_key="run.id")


class PostUrl(SQLModel, table=True):
    """Every canonical URL a post was seen under; all but ``post.url`` are aliases."""

    __tablename__ = "post_url"

    site_id: int = Field(foreign_key="site.id", primary_key=True)
    url: str = Field(primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    first_seen: str


class PostFingerprint(SQLModel, table=True):
    """Title+excerpt fingerprints of every version: how reposts under new URLs are known."""

    __tablename__ = "post_fingerprint"
    # Reposts across sites share a fingerprint: the cross_posts view links them.
    __table_args__ = (Index("ix_post_fingerprint_fingerprint", "fingerprint"),)

    site_id: int = Field(foreign_key="site.id", primary_key=True)
    fingerprint: str = Field(primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)


class Sighting(SQLModel, table=True):
    """One card occurrence: which run saw which post, on which page, where."""

    __tablename__ = "sighting"
    # A run's sightings on one page: what a page that answers 304 listed when last read.
    __table_args__ = (Index("ix_sighting_run_id_page_url", "run_id", "page_url"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id")
    post_id: int = Field(foreign_key="post.id", index=True)
    version: int
    page_url: str
    position: int  # 1-based card position on the page
    card_url: str | None = None  # the URL the card linked to, as seen
    seen_at: str


class Placeholder(SQLModel, table=True):
    """A stripped block in a version's excerpt, and what recovery found for it."""

    __tablename__ = "placeholder"
    __table_args__ = (
        UniqueConstraint("version_id", "kind", "ordinal"),
        Index("ix_placeholder_status", "status"),
        Index("ix_placeholder_version_status", "version_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="post_version.id")
    kind: str  # code | formula | math
    ordinal: int  # 1-based within kind
    position: int  # 1-based among all placeholders of the excerpt
    status: str = "pending"  # pending | recovered | unrecoverable
    text: str | None = None
    reason: str | None = None
    attempts: int = 0
    updated_at: str | None = None


class HostPause(SQLModel, table=True):
    """A host that asked to be left alone (Retry-After): no run asks it anything until then."""

    __tablename__ = "host_pause"

    origin: str = Field(primary_key=True)  # scheme://host[:port]
    paused_until: str  # when the pause ends (the longest a host asked for is kept)
    asked_at: str  # when the host asked for it
    retry_after: float  # the seconds it asked for, at most a day
