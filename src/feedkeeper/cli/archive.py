"""Commands that read the archive: export, status."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from feedkeeper.cli.common import ConfigOption, DbOption, err, out, settings_for
from feedkeeper.errors import ConfigError
from feedkeeper.export import FORMATS, check_fields, write_export
from feedkeeper.parse.dates import parse_date
from feedkeeper.store import Store
from feedkeeper.store.read import PostFilter, iter_posts, status_report


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("export")(export_command)
    app.command("status")(status_command)


def export_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, jsonl or csv.")] = "jsonl",
    out_path: Annotated[str | None, typer.Option("--out", "-o", help="Output file; - for stdout.")] = None,
    history: Annotated[bool, typer.Option("--history", help="Include every version of each post.")] = False,
    since: Annotated[str | None, typer.Option("--since", help="Published on or after DATE.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Published on or before DATE.")] = None,
    category: Annotated[list[str] | None, typer.Option("--category", help="Only this category (repeatable).")] = None,
    pending: Annotated[
        bool, typer.Option("--pending-placeholders", help="Only posts with placeholders to recover.")
    ] = False,
    changed_since: Annotated[
        str | None, typer.Option("--changed-since", help="Posts with a version or sighting after DATETIME.")
    ] = None,
    fields: Annotated[str | None, typer.Option("--fields", help="Comma-separated fields to keep.")] = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV with a UTF-8 BOM, for Excel.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Export the archive's posts as JSON, JSON Lines or CSV."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    where = PostFilter(
        since=_date_option("--since", since),
        until=_date_option("--until", until),
        categories=tuple(category or ()),
        pending_placeholders=pending,
        changed_since=changed_since,
    )
    chosen = check_fields(fields)
    store = Store.open_existing(settings_for(config, db=db).db)
    target = None if out_path in (None, "-") else Path(out_path)
    count = write_export(iter_posts(store.engine, where, history=history), fmt, target,
                         fields=chosen, history=history, excel=excel)
    if target is not None:
        err.print(f"exported {count} posts to {target}", markup=False, highlight=False)


def _date_option(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise ConfigError(f"{name}: not a date: {value!r} (use YYYY-MM-DD)")
    return parsed


def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Show recent runs, archive totals and the placeholder backlog."""
    report = status_report(Store.open_existing(settings_for(config, db=db).db).engine)
    if as_json:
        out.print_json(json.dumps(asdict(report), ensure_ascii=False))
        return
    totals = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in report.totals.items())
    out.print(f"archive: {totals}", markup=False, highlight=False)
    runs = Table("run", "kind", "status", "started", "pages", "failed", "new posts", "new versions",
                 title="recent runs", box=None)
    for run in report.runs:
        runs.add_row(str(run["id"]), run["kind"], run["status"], run["started_at"][:19], str(run["pages"]),
                     str(run["pages_failed"]), str(run["new_posts"]), str(run["new_versions"]))
    out.print(runs)
    backlog = Table("kind", "pending", "recovered", "unrecoverable", title="placeholders", box=None)
    for kind, counts in report.backlog.items():
        backlog.add_row(kind, str(counts["pending"]), str(counts["recovered"]), str(counts["unrecoverable"]))
    out.print(backlog)
