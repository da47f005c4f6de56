"""The one settings object: every default in one place, each with the reason for it.

Settings come from, lowest to highest precedence: the defaults below, a TOML file
(``--config`` / ``FEEDKEEPER_CONFIG``, else ``./feedkeeper.toml`` when present),
``FEEDKEEPER_*`` environment variables, and command-line options.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from feedkeeper import __version__
from feedkeeper.errors import ConfigError
from feedkeeper.logs import mask_credentials, printable
from feedkeeper.setting_files import read_setting_file
from feedkeeper.setting_values import (
    NumberTooSmallError,
    to_bool,
    to_finite,
    to_whole,
    toml_float,
)
from feedkeeper.text import not_utf8

ENV_PREFIX = "FEEDKEEPER_"
DEFAULT_CONFIG_FILE = Path("feedkeeper.toml")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob feedkeeper has; see README "Configuration" for each one."""

    # Where the archive lives: a SQLite file (a relative path is relative to the working
    # directory), or a database URL such as postgresql://user@host/db.
    db: Path | str = Path("feedkeeper.db")
    # The listing page to start from; required by crawl and schedule only.
    url: str | None = None
    # Named in the User-Agent so a site owner can find out who is calling.
    contact: str = "https://pypi.org/project/feedkeeper/"
    # One request a second per host: what polite crawlers (Scrapy's default
    # AutoThrottle target, most feed readers) stay under. 0 means unlimited.
    rate: float = 1.0
    # At most two requests in flight per host, as RFC 9110 once advised browsers.
    concurrency: int = 2
    # Listing pages walked per run at most: 1000 pages of 10 cards hold 10,000 posts,
    # more than most blogs ever publish, while a pager that never ends (?page=N
    # forever) must not keep the crawler busy forever.
    max_pages: int = 1000
    # Seconds a crawl may walk before it stops where it is, as at max_pages (the next crawl
    # goes on there): a site slow on every page must not hold the archive for hours while
    # cron runs queue behind it. 0 means no limit, the pages themselves being bounded
    # (total_timeout, retries).
    max_run_time: float = 0.0
    # Bytes of listing pages a crawl may read, each kept in the archive, before it stops
    # where it is, as at max_pages (the next crawl goes on there): a thousand pages of a
    # heavy 1 MB each, while an endless pager of 10 MB pages that do not compress, bounded
    # by max_pages alone, stored 10 GB in one run. 0 means no limit.
    max_run_bytes: int = 1 << 30
    # Walk every page instead of stopping after a page that brought nothing new.
    full: bool = False
    # Seconds: fail fast on a dead host, allow a slow blog to render a page.
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    # A listing page is tens of KB; 10 MB means something is wrong.
    max_response_bytes: int = 10 * 1024 * 1024
    # Attempts per request, including the first.
    retries: int = 4
    # Backoff between attempts grows exponentially from this, with jitter.
    backoff_base: float = 0.5
    # Never sleep longer than this for one retry, whatever Retry-After says.
    max_retry_after: float = 120.0
    # The longest pause between requests a robots.txt Crawl-delay can ask for: a
    # minute keeps a crawl of a few dozen pages within the hour; a site asking for
    # more (100000 s) would otherwise stall the crawler for days.
    max_crawl_delay: float = 60.0
    # Honour robots.txt unless the user owns the site and says otherwise.
    ignore_robots: bool = False
    # Confirm card titles and dates against the blog's RSS/Atom feed: one more
    # request per run, so only when asked for.
    use_feed: bool = False
    # Hosts besides the listing's own origin whose article pages `recover` may fetch,
    # comma-separated (``cdn.example``, ``blog.example:8443``): none, so a card
    # pointing elsewhere (another port, an admin page) is never fetched.
    article_hosts: str | None = None
    # Optional TOML site profile with CSS selectors overriding the heuristics.
    profile: Path | None = None
    # Seconds a second run waits for the database lock before giving up.
    lock_timeout: float = 5.0
    # Cron expression for `feedkeeper schedule`: every half hour keeps a blog's
    # front page current without asking for it more than 48 times a day.
    schedule: str = "*/30 * * * *"
    # An interval such as "10m", "1.5h" or "1h30m" that replaces the cron expression when set.
    every: str | None = None
    # Seconds of random delay added to each scheduled run, so many instances
    # sharing a schedule do not hit the blog in the same second; the daemon
    # caps it at a tenth of the interval so runs stay near their times.
    jitter: float = 30.0
    # Also crawl as soon as the daemon starts, instead of waiting for the first tick.
    run_now: bool = False
    # "text" for people, "json" for log collectors.
    log_format: str = "text"

    @property
    def user_agent(self) -> str:
        """The User-Agent header: names feedkeeper, its version and a contact URL (its
        characters beyond ASCII percent-encoded: a header carries ASCII only)."""
        return f"feedkeeper/{__version__} (+{quote(self.contact, safe=_ASCII_SHOWN)})"


# Every printable ASCII character: what a header may carry as it is.
_ASCII_SHOWN = "".join(map(chr, range(0x20, 0x7F)))
_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}
# What each type of setting takes, in the words of an error message (not Python's).
_KIND_WORDS = {
    "float": "a number",
    "int": "a whole number",
    "bool": "true or false (yes/no, on/off, 1/0)",
    "str": "text",
    "str | None": "text",
    "Path | None": "a file path",
    "Path | str": "a file path or a database URL",
}
# The largest integer SQLite stores: counts, ids and limits beyond it name nothing.
SQLITE_MAX_INT = 2**63 - 1


def load_settings(
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the effective settings: defaults < TOML file < environment < overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    values.update(_read_toml(_config_file(config_path, env)))
    values.update(_read_env(env))
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return validate(Settings(**{k: _coerce(k, v) for k, v in values.items()}))


def _config_file(explicit: Path | None, env: Mapping[str, str]) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} {_missing(explicit)}")
        return explicit
    if env.get(ENV_PREFIX + "CONFIG"):
        path = Path(env[ENV_PREFIX + "CONFIG"])
        if not path.is_file():
            raise ConfigError(f"FEEDKEEPER_CONFIG: file {path} {_missing(path)}")
        return path
    if DEFAULT_CONFIG_FILE.exists() and not DEFAULT_CONFIG_FILE.is_file():
        # Docker makes a folder where a bind-mounted file did not exist: say so.
        raise ConfigError(f"config file {DEFAULT_CONFIG_FILE} is not a regular file")
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def _missing(path: Path) -> str:
    """Say why a file that is not a regular file cannot be read as one."""
    return "is not a regular file" if path.exists() else "does not exist"


def _read_toml(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        # A float too small for a float (1e-400) stays text, refused with its setting's name.
        data = tomllib.loads(read_setting_file(path, "config file"), parse_float=toml_float)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from exc
    except RecursionError as exc:  # arrays or tables nested thousands deep
        raise ConfigError(f"config file {path}: nested too deeply") from exc
    unknown = sorted(set(data) - set(_FIELD_TYPES))
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting {unknown[0]!r}")
    return data


def _read_env(env: Mapping[str, str]) -> dict[str, Any]:
    found = {}
    for name in _FIELD_TYPES:
        key = ENV_PREFIX + name.upper()
        if key in env and env[key] != "":
            found[name] = env[key]
    _warn_unknown_env(env)
    return found


# Variables of ours that are not settings.
_OTHER_VARIABLES = frozenset({ENV_PREFIX + "CONFIG", ENV_PREFIX + "DEBUG"})
_warned: set[str] = set()  # once a process: the daemon loads its settings at every run


def _warn_unknown_env(env: Mapping[str, str]) -> None:
    """Warn of a ``FEEDKEEPER_*`` variable no setting reads: a misspelt one is silently
    ignored otherwise, and the crawl runs with the default it was meant to change."""
    known = {ENV_PREFIX + name.upper() for name in _FIELD_TYPES} | _OTHER_VARIABLES
    for key in sorted(env):
        if not key.startswith(ENV_PREFIX) or key in known or key in _warned:
            continue
        _warned.add(key)
        names = sorted(name.removeprefix(ENV_PREFIX) for name in known)
        close = difflib.get_close_matches(key.removeprefix(ENV_PREFIX), names, n=1)
        hint = f" (did you mean {ENV_PREFIX}{close[0]}?)" if close else ""
        logging.getLogger(__name__).warning(
            "%s names no setting%s: ignored", printable(key)[:100], hint
        )


def _coerce(name: str, value: Any) -> Any:
    kind = str(_FIELD_TYPES[name])
    try:
        if isinstance(value, list | dict):  # TOML arrays and tables are no setting's value
            raise TypeError(value)
        if name == "db":
            if not str(value).strip():
                raise ConfigError("setting db: empty: name an archive file or a database URL")
            return str(value) if is_database_url(str(value)) else Path(value)
        if "Path" in kind:
            return Path(value)
        if kind == "bool":
            return to_bool(value)
        if isinstance(value, bool):  # TOML true is no number, nor a string
            raise TypeError(value)
        if kind == "float":
            return to_finite(value)
        if "int" in kind:
            return to_whole(value)
        return _utf8_text(name, str(value))
    except NumberTooSmallError as exc:
        raise ConfigError(
            f"setting {name}: {str(value).strip()} is too small to tell from 0"
            " (write 0 if 0 is meant)"
        ) from exc
    except (TypeError, ValueError, OverflowError) as exc:
        raise ConfigError(
            f"setting {name}: cannot read {value!r} as {_KIND_WORDS.get(kind, kind)}"
        ) from exc


def _utf8_text(name: str, value: str) -> str:
    """``value`` when it is text; a value of bytes no UTF-8 (a GBK terminal's argument,
    given to Python as lone surrogates) is refused here, not by SQLite or httpx later."""
    shown = not_utf8(value)
    if shown is not None:
        raise ConfigError(
            f'setting {name}: "{shown}" is not UTF-8 text (set the terminal\'s or the'
            " file's encoding to UTF-8)"
        )
    return value


# The least rate (requests a second) that is a limit, not a crawl that never ends.
MIN_RATE = round(1 / 3600, 6)
# Waits past these are a crawl that hangs, not politeness.
_LONGEST_WAITS = {
    "backoff_base": 600.0,
    "max_retry_after": 86_400.0,
    "max_crawl_delay": 86_400.0,
    "lock_timeout": 86_400.0,
    "jitter": 86_400.0,
    "connect_timeout": 3_600.0,
    "read_timeout": 3_600.0,
    "total_timeout": 86_400.0,
    "max_run_time": 7 * 86_400.0,
}


def validate(settings: Settings) -> Settings:
    """Check every setting; raise ConfigError naming the first bad one and what is allowed."""
    for name, kind in _FIELD_TYPES.items():
        value = getattr(settings, name)
        if str(kind) == "float" and not math.isfinite(value):  # also from the command line
            raise ConfigError(f"setting {name}: must be a finite number, got {value}")
    if settings.url is not None:
        check_url(settings.url, "url")
    for name, kind in _FIELD_TYPES.items():
        value = getattr(settings, name)
        if "Path" in str(kind) and value is not None and "\x00" in str(value):
            raise ConfigError(f"setting {name}: a file name cannot hold a NUL character")
    if re.search(r"[\x00-\x1f\x7f]", settings.contact):  # it goes into the User-Agent header
        raise ConfigError("setting contact: must not hold line breaks or control characters")
    for name in (
        "rate",
        "backoff_base",
        "max_retry_after",
        "max_crawl_delay",
        "lock_timeout",
        "jitter",
        "max_run_time",
        "max_run_bytes",
    ):
        if getattr(settings, name) < 0:
            raise ConfigError(
                f"setting {name}: must be zero or more, got {getattr(settings, name)}"
            )
    for name in ("connect_timeout", "read_timeout", "total_timeout"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"setting {name}: must be more than zero seconds")
    if 0 < settings.rate < MIN_RATE:  # a request a year is a crawl that never ends
        raise ConfigError(
            f"setting rate: must be 0 (no limit) or at least {MIN_RATE} (a request an hour),"
            f" got {settings.rate}"
        )
    for name, most in _LONGEST_WAITS.items():
        if getattr(settings, name) > most:
            raise ConfigError(
                f"setting {name}: must be at most {most} seconds, got {getattr(settings, name)}"
            )
    for name in ("concurrency", "retries", "max_response_bytes", "max_pages"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name}: must be 1 or more, got {getattr(settings, name)}")
    if settings.article_hosts is not None:
        check_hosts(settings.article_hosts)
    for name, kind in _FIELD_TYPES.items():
        value = getattr(settings, name)
        if "int" in str(kind) and isinstance(value, int) and value > SQLITE_MAX_INT:
            raise ConfigError(f"setting {name}: must be at most {SQLITE_MAX_INT}, got {value}")
    check_cadence(settings)
    if settings.log_format not in {"text", "json"}:
        raise ConfigError(
            f"setting log_format: must be 'text' or 'json', got {settings.log_format!r}"
        )
    return settings


def is_database_url(db: Path | str) -> bool:
    """True when the ``db`` setting names a database server (postgresql://...), not a file."""
    return isinstance(db, str) and "://" in db


def check_url(url: str, name: str = "url") -> str:
    """Return ``url`` if it is an absolute http(s) URL, else raise ConfigError naming ``name``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it: a port past 65535 raises ValueError
    except ValueError as exc:
        raise ConfigError(
            f"setting {name}: not a valid URL: {mask_credentials(url)!r} ({exc})"
        ) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"setting {name}: must be an absolute http(s) URL, got {mask_credentials(url)!r}"
        )
    if _CONTROL_RE.search(url):
        raise ConfigError(f"setting {name}: must not hold spaces or control characters")
    return url


# Characters that would end or split an HTTP header line, or a URL.
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]")


def hosts_of(value: str | None) -> list[str]:
    """Return the hosts of a comma-separated ``article_hosts`` value."""
    return [host.strip() for host in (value or "").split(",") if host.strip()]


def check_hosts(value: str) -> list[str]:
    """Return the hosts of ``article_hosts``, or raise ConfigError naming the first bad one."""
    for host in hosts_of(value):
        try:
            parts = urlsplit("//" + host)
            is_host = bool(parts.hostname) and parts.netloc == host and not parts.path
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            is_host = port_ok = False
        if not is_host or not port_ok or "@" in host:
            raise ConfigError(
                "setting article_hosts: must be hosts such as 'cdn.example' or"
                f" 'blog.example:8443', comma-separated, got {host!r}"
            )
    return hosts_of(value)


def check_cadence(settings: Settings) -> None:
    """Raise ConfigError unless ``schedule`` is a cron expression and ``every`` an interval."""
    # Imported here: the scheduler library is not needed to read settings, and the CLI
    # module, which needs this module's constants, must start without it.
    from feedkeeper.triggers import parse_cron, parse_interval

    try:
        parse_cron(settings.schedule)
    except ValueError as exc:
        raise ConfigError(
            f"setting schedule: must be a 5-field cron expression such as '*/30 * * * *',"
            f" got {settings.schedule!r} ({exc})"
        ) from None
    if settings.every is not None:
        try:
            parse_interval(settings.every)
        except ValueError as exc:
            raise ConfigError(f"setting every: {exc}") from None
