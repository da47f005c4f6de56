"""The SQLAlchemy Core tables behind the SQLModel classes, for bulk statements."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel

import feedkeeper.models  # noqa: F401  (registers the tables)

_tables = SQLModel.metadata.tables

run_t: Table = _tables["run"]
page_body_t: Table = _tables["page_body"]
page_fetch_t: Table = _tables["page_fetch"]
post_t: Table = _tables["post"]
post_version_t: Table = _tables["post_version"]
post_url_t: Table = _tables["post_url"]
post_fingerprint_t: Table = _tables["post_fingerprint"]
sighting_t: Table = _tables["sighting"]
placeholder_t: Table = _tables["placeholder"]
site_t: Table = _tables["site"]
host_pause_t: Table = _tables["host_pause"]
