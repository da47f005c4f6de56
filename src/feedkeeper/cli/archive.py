"""Commands that read the archive: export, status."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from feedkeeper.cli.common import err, json_for_stdout, out, print_json, say, settings_for
from feedkeeper.cli.options import ConfigOption, DbOption, SiteOption
from feedkeeper.cli.progress import progress_bar, tracked
from feedkeeper.clock import shown, stored_date, stored_time
from feedkeeper.config import SQLITE_MAX_INT
from feedkeeper.errors import ConfigError
from feedkeeper.logs import printable, scrub

if TYPE_CHECKING:
    from feedkeeper.export import ExcelLimits
    from feedkeeper.store.status import RunRow, SiteRow, StatusReport


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("export")(export_command)
    app.command("status")(status_command)
    app.command("datasette-metadata")(datasette_metadata_command)


def export_command(
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="json, jsonl or csv [default: from --out's extension (.csv, .json, .jsonl,"
            " .ndjson), else jsonl].",
            show_default=False,
        ),
    ] = None,
    out_path: Annotated[
        str | None, typer.Option("--out", "-o", help="Output file; - for stdout.")
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Include every version of each post.")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Published on or after DATE.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Published on or before DATE.")
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="Only this category (repeatable).")
    ] = None,
    pending: Annotated[
        bool,
        typer.Option("--pending-placeholders", help="Only posts with placeholders to recover."),
    ] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            help="Posts with a version, a sighting or a recovery after DATE or ISO DATETIME"
            " (UTC unless it has a zone).",
        ),
    ] = None,
    fields: Annotated[
        str | None, typer.Option("--fields", help="Comma-separated fields to keep.")
    ] = None,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV with a UTF-8 BOM, for Excel.")
    ] = False,
    formula_guard: Annotated[
        bool,
        typer.Option(
            "--formula-guard/--no-formula-guard",
            help="CSV: put ' before cells a spreadsheet would run as formulas (off: raw text).",
        ),
    ] = True,
    site: SiteOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Export the archive's posts as JSON, JSON Lines or CSV."""
    from feedkeeper.export import FORMATS, ExcelLimits, check_fields, write_export
    from feedkeeper.export_files import check_target
    from feedkeeper.store.read import PostFilter, count_posts, iter_posts, open_reader
    from feedkeeper.store.sites import site_name

    if out_path == "":
        raise ConfigError("--out: the file name is empty (give a path, or - for the output)")
    if any(not name.strip() for name in category or ()):
        raise ConfigError("--category: a category's name cannot be empty")
    if fmt is None:  # "posts.csv" is a CSV file
        suffix = Path(out_path).suffix.lower().lstrip(".") if out_path not in (None, "-") else ""
        if suffix.isalpha() and suffix not in (*FORMATS, "ndjson"):  # .xlsx, .tsv: not ours
            raise ConfigError(
                f"--out: cannot tell the format from {out_path!r}: name a .csv, .json, .jsonl"
                " or .ndjson file, or give --format json, jsonl or csv"
            )
        fmt = suffix if suffix in FORMATS else "jsonl"
    if fmt not in FORMATS:
        raise ConfigError(f"--format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if excel and fmt != "csv":
        raise ConfigError("--excel: applies to CSV only; add --format csv")
    if not formula_guard and fmt != "csv":
        raise ConfigError("--no-formula-guard: applies to CSV only; add --format csv")
    since, until = _date_range(since, until)
    where = PostFilter(
        since=since,
        until=until,
        categories=tuple(category or ()),
        pending_placeholders=pending,
        changed_since=_time_option("--changed-since", changed_since),
    )
    chosen = check_fields(fields)
    if "versions" in chosen and not history:
        raise ConfigError("--fields: versions are exported with --history; add --history")
    archive = settings_for(config, db=db).db
    target = None if out_path in (None, "-") else Path(out_path)
    archive_file = archive if isinstance(archive, Path) else None
    if target is not None:
        check_target(target, archive_file)  # before the archive is read for nothing
    engine = open_reader(archive)
    where = replace(where, site=site_name(engine, site, asked_by="--site"))
    # No bar over the data itself: an export shown on the terminal has none.
    shows_bar = err.is_terminal and not (target is None and sys.stdout.isatty())
    total = count_posts(engine, where) if shows_bar else None  # only a bar needs it
    excel_limits = ExcelLimits() if excel else None
    with progress_bar("exporting", total, shown=shows_bar) as advance:
        records = tracked(iter_posts(engine, where, history=history), advance, lambda r: str(r.id))
        count = write_export(
            records,
            fmt,
            target,
            fields=chosen,
            history=history,
            excel=excel,
            formula_guard=formula_guard,
            archive=archive_file,
            excel_limits=excel_limits,
        )
    if target is not None and not out.quiet:
        say(
            f"exported {count} posts to {target}",
            event="exported",
            level=logging.INFO,
            posts=count,
            path=str(target),
        )
    if excel_limits is not None:
        _warn_past_excel(excel_limits)


def _warn_past_excel(limits: ExcelLimits) -> None:
    """Say, one line each, what of an ``--excel`` export Excel cannot hold: rows past a
    sheet's (it opens only the first), cells longer than a cell holds (it cuts them)."""
    from feedkeeper.export import EXCEL_CELL_MAX, EXCEL_ROWS_MAX

    if limits.rows + 1 > EXCEL_ROWS_MAX:  # the header is a row of the sheet too
        say(
            f"warning: the export has {limits.rows + 1:,} rows, the header's included, and an"
            f" Excel sheet holds {EXCEL_ROWS_MAX:,}: Excel opens only the first of them;"
            " export fewer posts (--site, --since, --until) for Excel",
            event="rows_too_many_for_excel",
            rows=limits.rows + 1,
        )
    if limits.first is not None:
        post_id, column = limits.first
        say(
            f"warning: {limits.count} cells are longer than the {EXCEL_CELL_MAX:,} characters"
            f" an Excel cell holds, and Excel cuts them (the first: post {post_id}'s {column});"
            " the JSON Lines export keeps every text whole",
            event="cells_too_long_for_excel",
            cells=limits.count,
            post_id=post_id,
            column=column,
        )


def _date_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """--since and --until as the archive writes dates; a range that ends before it begins
    matches nothing, and is a mistake (the two swapped), not an empty export."""
    first, last = _date_option("--since", since), _date_option("--until", until)
    if first is not None and last is not None and first > last:
        raise ConfigError(
            f"--since {first} is after --until {last}: no post can match; swap the two dates"
        )
    return first, last


def _date_option(name: str, value: str | None) -> str | None:

    if value is None:
        return None
    parsed = stored_date(value)
    if parsed is None:
        raise ConfigError(f"{name}: not a date: {value!r} (use YYYY-MM-DD)")
    return parsed


def _time_option(name: str, value: str | None) -> str | None:

    if value is None:
        return None
    parsed = stored_time(value)
    if parsed is None:
        raise ConfigError(
            f"{name}: not a date or time: {value!r} (use YYYY-MM-DD or 2026-01-11T08:00:00Z)"
        )
    return parsed


def datasette_metadata_command(db: DbOption = None, config: ConfigOption = None) -> None:
    """Print Datasette metadata for the archive: descriptions, search box, canned queries."""
    from feedkeeper.datasette import datasette_metadata
    from feedkeeper.store.read import open_reader

    archive = settings_for(config, db=db).db
    open_reader(archive).dispose()  # an archive to describe, at the schema the metadata knows
    print_json(datasette_metadata(archive if isinstance(archive, Path) else Path("feedkeeper")))


def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    runs: Annotated[
        int, typer.Option("--runs", min=1, max=SQLITE_MAX_INT, help="How many recent runs to list.")
    ] = 10,
    site: SiteOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Show recent runs, archive totals, the placeholder backlog and the sites."""
    from feedkeeper.store.read import open_reader
    from feedkeeper.store.sites import site_name
    from feedkeeper.store.status import status_report

    engine = open_reader(settings_for(config, db=db).db)
    site = site_name(engine, site, asked_by="--site")  # as the archive spells it
    report = status_report(engine, last_runs=runs, site=site)
    if as_json:
        text = json_for_stdout(asdict(report), indent=2)
        out.print_json(text) if out.is_terminal else print(text)
        return
    totals = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in report.totals.items())
    _say(f"archive: {totals}")
    _show_table("recent runs", RUN_COLUMNS, [_run_cells(run) for run in report.runs])
    for run in report.runs:
        if run.message:  # why a run failed, was interrupted or stopped early
            _say(f"run {run.id} {run.status}: {scrub(run.message)}")
    _show_table("placeholders", BACKLOG_COLUMNS, _backlog_rows(report))
    if len(report.sites) > 1:
        _show_table("sites", SITE_COLUMNS, [_site_cells(s) for s in report.sites])
    for pause in report.paused_hosts:
        _say(
            f"{scrub(pause.origin)} asked to be left alone until {shown(pause.paused_until)}"
            f" (Retry-After: {pause.retry_after:.0f} s): no run asks it anything before then"
        )


RUN_COLUMNS = (
    "run",
    "kind",
    "status",
    "started",
    "duration",
    "pages",
    "new posts",
    "new versions",
    "failures",
)
BACKLOG_COLUMNS = ("kind", "pending", "recovered", "unrecoverable")
SITE_COLUMNS = ("site", "state", "posts", "last crawl", "status")


def _site_cells(site: SiteRow) -> list[str]:
    when = shown(site.last_crawl_at) if site.last_crawl_at else "-"
    return [site.name, site.state, str(site.posts), when, site.last_crawl_status or "-"]


def _run_cells(run: RunRow) -> list[str]:
    return [
        str(run.id),
        run.kind,
        run.status,
        shown(run.started_at),
        format_duration(run.duration_seconds),
        str(run.pages),
        str(run.new_posts),
        str(run.new_versions),
        str(run.failures),
    ]


def _backlog_rows(report: StatusReport) -> list[list[str]]:
    return [
        [kind, *(str(counts[s]) for s in BACKLOG_COLUMNS[1:])]
        for kind, counts in report.backlog.items()
    ]


def format_duration(seconds: float | None) -> str:
    """Return a run's duration as ``0.4s``, ``12s`` or ``3m05s``; ``-`` while it runs, or
    when its times give none (it ended before it began, by a clock stepped back)."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def plain_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return rows as left-aligned columns two spaces apart, for pipes and cron mail."""
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(columns, *rows, strict=False)
    ]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [list(columns), *rows]
    ]
    return "\n".join(lines)


def _show_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A rich table on a terminal, plain columns anywhere else."""
    if not out.is_terminal:
        _say(f"\n{title}\n{plain_table(columns, rows)}")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(*columns, title=title, title_justify="left", box=None)
    for row in rows:
        # Text: no markup read into archive values, and no control characters either
        table.add_row(*(Text(printable(cell)) for cell in row))
    out.print(table)


def _say(line: str) -> None:
    out.print(line, markup=False, highlight=False, emoji=False)
