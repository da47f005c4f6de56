"""What every command shares: the app, consoles, options and settings loading."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from feedkeeper.config import Settings, load_settings
from feedkeeper.logs import configure_logging

app = typer.Typer(
    name="feedkeeper",
    help="Archive a blog's listing pages into a versioned SQLite database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Manage the archive's schema.", no_args_is_help=True)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The archive: a SQLite file or a postgresql:// URL"
        " [default: $FEEDKEEPER_DB, else ./feedkeeper.db].",
    ),
]
# The site and politeness options that crawl, schedule, recover and parse share.
UrlOption = Annotated[
    str | None, typer.Option("--url", help="The first listing page [default: $FEEDKEEPER_URL].")
]
FullOption = Annotated[
    bool, typer.Option("--full", help="Walk every page, not just until nothing is new.")
]
MaxPagesOption = Annotated[
    int | None, typer.Option("--max-pages", help="Stop after this many pages.")
]
ProfileOption = Annotated[
    Path | None, typer.Option("--profile", help="A TOML site profile of CSS selectors.")
]
RateOption = Annotated[
    float | None, typer.Option("--rate", help="Requests per second per host; 0 = unlimited.")
]
ConcurrencyOption = Annotated[
    int | None, typer.Option("--concurrency", help="Requests in flight per host.")
]
IgnoreRobotsOption = Annotated[
    bool, typer.Option("--ignore-robots", help="Do not obey robots.txt.")
]
SiteOption = Annotated[
    str | None, typer.Option("--site", help="Only this site (see `feedkeeper sites list`).")
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="A feedkeeper.toml settings file [default: $FEEDKEEPER_CONFIG]."),
]


def settings_for(config: Path | None, **overrides: Any) -> Settings:
    """Load settings from file and environment, with the command's options on top.

    Also sets up logging: JSON event lines for log collectors when asked for,
    otherwise only warnings, since one-shot commands print their own summary.
    """
    settings = load_settings(config, overrides=overrides)
    is_json = settings.log_format == "json"
    configure_logging(settings.log_format, level=logging.INFO if is_json else logging.WARNING)
    return settings
