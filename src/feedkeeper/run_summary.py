"""What a run did, as the CLI and the scheduler report it, and how its counts rate it."""

from __future__ import annotations

from dataclasses import dataclass, field

from feedkeeper.records import RunCounts, RunKind, RunStatus


@dataclass(slots=True)
class RunSummary:
    """What a run did, for the summary line and the exit code."""

    run_id: int
    kind: RunKind
    status: RunStatus
    counts: RunCounts
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when everything worked, 1 when some pages failed, 3 when a crawl fetched nothing."""
        if self.status is RunStatus.OK:
            return 0
        return 3 if self.status is RunStatus.FAILED and self.kind is RunKind.CRAWL else 1


def run_status(counts: RunCounts) -> RunStatus:
    """How a run ended by its counts: ok, partial when some pages failed, failed when all did."""
    if counts.pages_failed == 0:
        return RunStatus.OK
    return RunStatus.PARTIAL if counts.pages or counts.pages_not_modified else RunStatus.FAILED
