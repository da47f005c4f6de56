"""Typed records of runs and pages that cross from fetch and parse into the store."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlmodel import Field

from feedkeeper.models import RunCounters
from feedkeeper.stored_body import PackedBody, unpack_body

if TYPE_CHECKING:
    from feedkeeper.page_changes import PageOutcome


class RunStatus(StrEnum):
    """How a run ended (``running`` while it goes on); stored as text in ``run.status``."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # some pages failed, the rest were archived
    FAILED = "failed"  # nothing could be fetched
    INTERRUPTED = "interrupted"  # stopped by a signal, or killed


class SiteState(StrEnum):
    """Whether a site is crawled: active, paused until resumed, or removed (posts kept)."""

    ACTIVE = "active"
    PAUSED = "paused"
    REMOVED = "removed"


class RunKind(StrEnum):
    """What a run did; stored as text in ``run.kind``."""

    CRAWL = "crawl"
    IMPORT = "import"
    REPARSE = "reparse"
    RECOVER = "recover"


class PageKind(StrEnum):
    """What became of one fetched (or imported) page; stored in ``page_fetch.outcome``."""

    PARSED = "parsed"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"
    UNPARSEABLE = "unparseable"
    SUSPECT = "suspect"  # kept for `reparse`, its cards not archived


@dataclass(frozen=True, slots=True)
class PageCapture:
    """One listing page as fetched (or imported): what the store keeps of it."""

    url: str
    fetched_at: str
    outcome: PageKind
    status_code: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    body: bytes | None = None
    next_url: str | None = None
    confidence: float | None = None
    error: str | None = None
    packed: PackedBody | None = None  # the body as stored, when the parse stage packed it


@dataclass(frozen=True, slots=True)
class StoredCapture:
    """A page as the archive keeps it: its capture (body not loaded) and its body compressed
    (none for a page that answered 304: its body is the one read before)."""

    capture: PageCapture
    data: bytes | None  # zlib

    def body(self) -> bytes:
        """Return the page's body, decompressed (empty when it has none)."""
        return unpack_body(self.data) if self.data is not None else b""


@dataclass(frozen=True, slots=True)
class HostPause:
    """A host's request to be left alone (Retry-After), kept in the archive (``host_pause``)
    so that the runs of later processes ask it nothing either while it lasts."""

    origin: str  # scheme://host[:port], as politeness keys a host
    paused_until: str  # the archive's time text (UTC): asked_at + retry_after
    asked_at: str
    retry_after: float  # the seconds the host asked for, at most LONGEST_HOST_PAUSE


@dataclass(frozen=True, slots=True)
class Validators:
    """What the previous fetch of a URL left for a conditional GET and for following on."""

    etag: str | None
    last_modified: str | None
    next_url: str | None
    cards: int = 0  # how many cards that fetch held: the yardstick for a collapse
    confidence: float | None = None


class RunCounts(RunCounters):
    """The running totals of one run, as stored in its ``run`` row (counters in RunCounters)."""

    failures: list[dict[str, str]] = Field(default_factory=list)

    def add(self, outcome: PageOutcome) -> None:
        """Add one stored page's outcome to the totals."""
        self.pages += 1
        self.add_changes(outcome)

    def add_changes(self, outcome: PageOutcome) -> None:
        """Add what a page changed to the totals, not counting it as a page read (a 304's)."""
        for counter in fields(outcome):  # every PageOutcome counter has its run total here
            setattr(
                self, counter.name, getattr(self, counter.name) + getattr(outcome, counter.name)
            )

    def fail(self, url: str, error: str) -> None:
        """Record a page that could not be fetched or stored."""
        self.pages_failed += 1
        self.failures.append({"url": url, "error": error})

    def as_row(self) -> dict[str, object]:
        """Return the counters as ``run`` columns (failures excluded)."""
        return {name: getattr(self, name) for name in RunCounters.model_fields}
