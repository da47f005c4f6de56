"""The one exception tree of feedkeeper.

Every condition we can name is one of these; the CLI turns them into a single
line and an exit code, so users never see a traceback for them.

    FeedkeeperError                  base: message + exit_code
    ├── ConfigError                  a bad setting or option (exit 2)
    ├── FetchError                   a page could not be fetched (carries url)
    │   ├── RetryableError           worth another attempt: network trouble, 429, 5xx
    │   ├── RobotsDisallowedError    robots.txt forbids the URL (exit 3)
    │   ├── PausedByHostError        the host asked to be left alone (Retry-After; exit 3)
    │   ├── OutOfScopeError          a redirect or link leaves the site
    │   ├── ResponseTooLargeError    the body exceeded the size limit
    │   └── HTTPStatusError          a final non-success status (carries status)
    ├── ParseError                   a page or capture holds no usable cards
    ├── StoreError                   the database is unusable
    │   ├── DatabaseLockedError      another run holds the database (exit 4)
    │   └── NewerSchemaError         a newer feedkeeper wrote the archive (exit 2)
    └── ExportError                  an export could not be written
"""

from __future__ import annotations


class FeedkeeperError(Exception):
    """Base of every error feedkeeper raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(FeedkeeperError):
    """A setting or command-line option is invalid."""

    exit_code = 2


class FetchError(FeedkeeperError):
    """A page could not be fetched."""

    exit_code = 3

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class RetryableError(FetchError):
    """A failure worth another attempt: network trouble, 429 or 5xx (``retry_after``: the
    seconds the server asked to be left alone for, when it said)."""

    def __init__(self, message: str, *, url: str, retry_after: float | None = None) -> None:
        super().__init__(message, url=url)
        self.retry_after = retry_after


class PausedByHostError(FetchError):
    """The host asked for a pause (Retry-After) longer than this run waits (among others,
    or ``max_retry_after`` for a pause an earlier run was told of): a crawl stops there and a
    recovery leaves the host's articles pending, asking the host nothing more, and a later
    run goes on once the pause is over."""


class RobotsDisallowedError(FetchError):
    """robots.txt disallows fetching the URL."""


class OutOfScopeError(FetchError):
    """A redirect or link points outside the crawled site."""


class ResponseTooLargeError(FetchError):
    """The response body exceeded the configured maximum size."""


class HTTPStatusError(FetchError):
    """The server answered with a final non-success status."""

    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class ParseError(FeedkeeperError):
    """A page or text capture holds nothing that can be read as post cards."""


class StoreError(FeedkeeperError):
    """The database cannot be opened, migrated or written."""


class DatabaseLockedError(StoreError):
    """Another feedkeeper run holds the database."""

    exit_code = 4


class ExportError(FeedkeeperError):
    """An export could not be written."""


class NewerSchemaError(StoreError):
    """The archive's schema is newer than this build knows: feedkeeper must be upgraded."""

    exit_code = 2
