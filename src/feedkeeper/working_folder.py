"""The working folder relative paths are read in, which may be gone: a shell (a cron job's,
a terminal's) can sit in a folder deleted or moved away since it entered it, and then every
relative path fails, the archive's default ``feedkeeper.db`` included."""

from __future__ import annotations

import os

# What to say when a relative path fails for want of a working folder.
WORKING_FOLDER_GONE = (
    "the working folder is gone (deleted or moved after the shell entered it):"
    " cd to a folder that exists, or give absolute paths"
)


def is_working_folder_gone() -> bool:
    """Tell whether the working folder no longer exists."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False
