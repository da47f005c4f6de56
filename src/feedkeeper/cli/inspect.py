"""Commands that look at pages without archiving: parse, profile suggest."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from feedkeeper.cli.common import App, json_for_stdout, out, settings_for
from feedkeeper.cli.options import ConfigOption, ProfileOption
from feedkeeper.errors import ConfigError, ParseError

if TYPE_CHECKING:
    from feedkeeper.config import Settings

profile_app = App(
    help="Site profiles: CSS selectors that pin what the parser finds.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
# An href with no scheme: relative to the page, or to the site's root (`/posts/x/`).
_RELATIVE_LINK = re.compile(rb"""href\s*=\s*["']?(?![a-z][a-z0-9+.-]*:|//|#)""", re.IGNORECASE)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("parse")(parse_command)
    app.add_typer(profile_app, name="profile")
    profile_app.command("suggest")(profile_suggest_command)


def parse_command(
    source: Annotated[str, typer.Argument(help="A listing page: a local file or an http(s) URL.")],
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Resolve a local file's links against this URL."),
    ] = None,
    profile: ProfileOption = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show which blocks were taken as cards, and why.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Print the cards a listing page holds, one JSON object per line."""
    from feedkeeper.encoding import decode_body
    from feedkeeper.page_reader import read_page
    from feedkeeper.parse import explain_listing, load_profile

    if explain and profile is not None:
        raise ConfigError("--explain and --profile: --explain shows the parser's own guesses")
    settings = settings_for(config, profile=profile)
    body, content_type, url = _load(source, base_url, settings)
    if explain:
        text = decode_body(body, content_type)[0]
        out.print(explain_listing(text, url), markup=False, highlight=False)
        return
    site_profile = load_profile(settings.profile) if settings.profile else None
    with _needs_base_url(body, is_file=url.startswith("file:")):
        page = read_page(body, content_type, url, site_profile)
    for card in page.cards:
        print(json_for_stdout(card.to_json()))


def profile_suggest_command(
    source: Annotated[str, typer.Argument(help="A listing page: a local file or an http(s) URL.")],
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Resolve a local file's links against this URL."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Print a TOML site profile whose selectors reproduce the cards the heuristics find."""
    from feedkeeper.encoding import decode_body
    from feedkeeper.parse import suggest_profile

    body, content_type, url = _load(source, base_url, settings_for(config))
    text = decode_body(body, content_type)[0]
    with _needs_base_url(body, is_file=url.startswith("file:")):
        print(suggest_profile(text, url), end="")


@contextlib.contextmanager
def _needs_base_url(body: bytes, *, is_file: bool) -> Iterator[None]:
    """Say that --base-url is missing when a saved page's cards could not be read for want of it.

    A page read from a file has no address, so links without a scheme lead nowhere and the
    parser finds no card that links to a post.
    """
    try:
        yield
    except ParseError as exc:
        if not is_file or _RELATIVE_LINK.search(body) is None:
            raise
        raise ParseError(
            f"{exc.message}: the page's links are relative (such as /posts/...), so they need"
            " the address the page was saved from: add --base-url https://the.blog/"
        ) from exc


def _load(source: str, base_url: str | None, settings: Settings) -> tuple[bytes, str | None, str]:
    from feedkeeper.config import check_url

    if source.startswith(("http://", "https://")):
        return asyncio.run(_fetch(source, settings))
    from feedkeeper.setting_files import read_bounded

    path = Path(source)
    if not path.exists():
        raise ConfigError(f"no such file: {source}")
    url = check_url(base_url, "--base-url") if base_url else path.resolve().as_uri()
    kind = "text/plain" if path.suffix == ".txt" else "text/html"
    limit = settings.max_response_bytes  # as a page fetched
    body = read_bounded(path, "page", limit, f"the {limit}-byte limit (max_response_bytes)")
    return body, kind, url


async def _fetch(url: str, settings: Settings) -> tuple[bytes, str | None, str]:
    from feedkeeper.fetch import Fetcher
    from feedkeeper.politeness import LOOKUP

    async with Fetcher(settings, errand=LOOKUP) as fetcher:
        fetched = await fetcher.fetch(url)
    return fetched.body, fetched.content_type, fetched.url
