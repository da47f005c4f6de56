"""The options several commands share: the archive, the site, politeness, output."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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


def number_option(text: str) -> float:
    """Read a number option as a setting's number is read: ``1e-400`` is refused, not 0."""
    from feedkeeper.setting_values import NumberTooSmallError, read_number

    try:
        return read_number(text)
    except NumberTooSmallError:
        raise typer.BadParameter(
            f"{text} is too small to tell from 0 (write 0 if 0 is meant)"
        ) from None
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a valid float.") from None


RateOption = Annotated[
    float | None,
    typer.Option(
        "--rate",
        help="Requests per second per host; 0 = unlimited.",
        parser=number_option,
        metavar="FLOAT",
    ),
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
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
