"""The small files a user names for settings (a config file, a site profile): read whole,
but only a regular file of bounded size, so that a FIFO does not hang a command and
``/dev/zero`` does not fill the memory."""

from __future__ import annotations

import stat
from pathlib import Path

from feedkeeper.errors import ConfigError

# No settings file or profile comes near this; a larger one is a mistake or an attack.
MAX_SETTINGS_FILE = 1024 * 1024


def read_setting_file(path: Path, what: str) -> str:
    """Return the text of the regular file ``path`` (``what`` names it in errors: "config
    file", "profile"), a UTF-8 byte-order mark left out; ConfigError when it is no regular
    file, is larger than MAX_SETTINGS_FILE, cannot be read or is no UTF-8 text (an editor
    that saved it as GBK or UTF-16), with the line of its first byte that is none."""
    size = f"{MAX_SETTINGS_FILE // 1024} KiB"
    try:
        return read_bounded(path, what, MAX_SETTINGS_FILE, size).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{what} {path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} on line"
            f" {line}): save it as UTF-8"
        ) from exc


def read_bounded(path: Path, what: str, limit: int, limit_named: str) -> bytes:
    """Return the bytes of the regular file ``path``, at most ``limit`` of them (named
    ``limit_named`` in the error); ConfigError when it is no regular file, is larger or
    cannot be read."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise ConfigError(f"{what} {path} is not a regular file")
        with path.open("rb") as file:
            data = file.read(limit + 1)  # it may have grown since
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise ConfigError(f"{what} {path} is larger than {limit_named}")
    return data
