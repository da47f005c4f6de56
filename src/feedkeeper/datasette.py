"""Datasette metadata for an archive: descriptions, the search box, canned queries.

The metadata lives in ``datasette-metadata.json`` (at the top of the source tree,
packaged beside the code), written for a database named ``feedkeeper``. Datasette
names a database after its file, so the metadata is re-keyed for the archive at hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedkeeper

METADATA_FILE = "datasette-metadata.json"
# The database name the file is written for.
DEFAULT_NAME = "feedkeeper"


def metadata_path() -> Path:
    """Return the metadata file: packaged beside the code, or at the source tree's top."""
    packaged = Path(feedkeeper.__file__).parent / METADATA_FILE
    if packaged.is_file():
        return packaged
    return Path(feedkeeper.__file__).resolve().parents[2] / METADATA_FILE


def datasette_metadata(db: Path) -> dict[str, Any]:
    """Return the metadata for the archive at ``db``, keyed by the name Datasette gives it."""
    metadata: dict[str, Any] = json.loads(metadata_path().read_text(encoding="utf-8"))
    databases = metadata["databases"]
    databases[db.stem] = databases.pop(DEFAULT_NAME)
    return metadata
