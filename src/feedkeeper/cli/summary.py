"""The summary lines the writing commands print: what a run did, and what failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from feedkeeper.cli.common import out, say
from feedkeeper.logs import scrub

if TYPE_CHECKING:
    from feedkeeper.pipeline import RunSummary
    from feedkeeper.recover import RecoverSummary
    from feedkeeper.sites_crawl import SiteResult


def print_recovery(summary: RecoverSummary) -> None:
    """Print one line of what a recovery run settled, and each article that failed."""
    c = summary.counts
    out.print(
        f"recover run {summary.run_id} {summary.status}: {c.pages} articles fetched"
        f" ({c.pages_failed} failed), {c.placeholders_recovered} recovered"
        f" ({summary.carried_over} carried over from other versions),"
        f" {c.placeholders_unrecoverable} unrecoverable, {summary.still_pending} still pending",
        markup=False,
        highlight=False,
    )
    _print_failures(summary.run_id, c.failures)
    if summary.reason:
        say(
            f"warning: {summary.reason}",
            event="run_warning",
            run_id=summary.run_id,
            detail=summary.reason,
        )


def _print_failures(run_id: int, failures: list[dict[str, str]]) -> None:
    # Cut as log lines are: a hostile page's 100 KB link is not printed whole on every run.
    for failure in failures:
        url, error = failure["url"], failure["error"]
        say(
            f"failed: {scrub(url)}: {scrub(error)}",
            event="failed",
            run_id=run_id,
            url=url,
            error=error,
        )


def print_summary(summary: RunSummary) -> None:
    """Print one line of what the run did, and each failed page."""
    c = summary.counts
    out.print(
        f"{summary.kind} run {summary.run_id} {summary.status}: {c.pages} pages"
        f" ({c.pages_not_modified} not modified, {c.pages_failed} failed), {c.cards} cards"
        f" ({c.cards_skipped} skipped), {c.new_posts} new posts, {c.new_versions} new versions,"
        f" {c.filled_in} filled in, {c.reposts} reposts, {c.placeholders_found} placeholders",
        markup=False,
        highlight=False,
    )
    _print_failures(summary.run_id, c.failures)
    for warning in summary.warnings:
        say(f"warning: {warning}", event="run_warning", run_id=summary.run_id, detail=warning)


def print_site_results(results: list[SiteResult]) -> int:
    """Print each site's summary (or the error that stopped it); return the exit code.

    0 when every site's crawl worked, 3 when no site could be reached, else 1.
    """
    for result in results:
        out.print(f"site {result.site.name}:", markup=False, highlight=False, end=" ")
        if result.summary is not None:
            print_summary(result.summary)
        elif result.error is not None:
            out.print(f"error: {result.error.message}", markup=False, highlight=False)
    codes = {r.exit_code for r in results}
    if codes <= {0}:
        return 0
    return 3 if codes == {3} else 1
