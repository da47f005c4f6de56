"""Commands that look things up in the archive: search, show."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from feedkeeper.cli.common import is_styled, out, print_json, say, settings_for
from feedkeeper.cli.options import ConfigOption, DbOption, JsonOption, SiteOption
from feedkeeper.clock import shown
from feedkeeper.config import SQLITE_MAX_INT
from feedkeeper.errors import ConfigError, FeedkeeperError
from feedkeeper.logs import printable
from feedkeeper.worddiff import Segment, diff_segments, elide

if TYPE_CHECKING:
    from rich.text import Text

    from feedkeeper.store.read import PostHistory, VersionRecord
    from feedkeeper.store.search import MarkedText, SearchHit

# Plain-text marks, for pipes: matches as in Markdown, changes as in `git diff --word-diff`.
MATCH_MARKS = ("**", "**")
DELETED_MARKS = ("[-", "-]")
INSERTED_MARKS = ("{+", "+}")
_SHOWN_FIELDS = (
    "title",
    "category",
    "categories",
    "tags",
    "published",
    "truncated",
    "excerpt",
    "placeholders",
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("search")(search_command)
    app.command("show")(show_command)


def search_command(
    query: Annotated[
        str, typer.Argument(help="Words that must all occur in the title or excerpt.")
    ],
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=1, max=SQLITE_MAX_INT, help="At most this many posts."),
    ] = 20,
    as_json: JsonOption = False,
    site: SiteOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Search the current titles and excerpts, best matches first (any script, any substring)."""
    from feedkeeper.store.read import open_reader
    from feedkeeper.store.search import search_posts
    from feedkeeper.store.sites import list_sites, site_name

    if not query.split():
        raise ConfigError("search: the query is empty")
    engine = open_reader(settings_for(config, db=db).db)
    site = site_name(engine, site, asked_by="--site")  # as the archive spells it
    hits = search_posts(engine, query, limit, site)
    if as_json:
        print_json([_hit_json(hit) for hit in hits])
    elif not hits:
        say(f"no posts match {query!r}", event="no_match", level=logging.INFO, query=query)
    # Which site a hit is from, where the archive holds several and --site chose none.
    names_site = not as_json and site is None and len(list_sites(engine)) > 1
    for number, hit in enumerate([] if as_json else hits, start=1):
        _print_hit(number, hit, names_site=names_site)
    if not hits:
        raise typer.Exit(1)


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "post_id": hit.post_id,
        "site": hit.site,
        "url": hit.url,
        "category": hit.category,
        "published": hit.published,
        "title": hit.title.text if hit.title else None,
        "snippet": hit.snippet.text if hit.snippet else None,
    }


def _print_hit(number: int, hit: SearchHit, *, names_site: bool) -> None:
    in_site = f"site {hit.site}" if names_site else None
    where = "  ".join(v for v in (hit.category, hit.published, hit.url, in_site) if v)
    _say(_text(f"{number}. post {hit.post_id}  {where}".rstrip(), style="bold"))
    if hit.title is not None:
        _say(_text("   ") + _marked(hit.title))
    if hit.snippet is not None:
        _say(_text("   ") + _marked(hit.snippet))


def _marked(marked: MarkedText) -> Text:
    if is_styled():
        text = _text(marked.text)
        for start, end in marked.spans:
            text.stylize("bold reverse", start, end)
        return text
    pieces, last = [], 0
    for start, end in marked.spans:
        pieces += [marked.text[last:start], MATCH_MARKS[0], marked.text[start:end], MATCH_MARKS[1]]
        last = end
    return _text("".join([*pieces, marked.text[last:]]))


def show_command(
    post: Annotated[str, typer.Argument(help="A post id, a URL it was seen under, or its key.")],
    as_json: JsonOption = False,
    site: SiteOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Show a post and what changed from each version to the next."""
    from feedkeeper.store.read import find_post, open_reader, post_history
    from feedkeeper.store.sites import site_name

    engine = open_reader(settings_for(config, db=db).db)
    site = site_name(engine, site, asked_by="--site")  # as the archive spells it
    post_id = find_post(engine, post, site)
    history = post_history(engine, post_id) if post_id is not None else None
    if history is None:
        raise FeedkeeperError(f"no post {post!r} in the archive: give a post id, a URL or a key")
    if as_json:
        print_json(asdict(history))
        return
    _print_header(history)
    previous: VersionRecord | None = None
    for version in history.versions:
        _say(
            _text(
                f"\nversion {version.version}  observed {shown(version.observed_at)}"
                f"  run {version.run_id}",
                style="bold",
            )
        )
        for name in _SHOWN_FIELDS:
            line = _field_line(name, previous, version)
            if line is not None:
                _say(_text(f"  {name}: ") + line)
        previous = version


def _print_header(history: PostHistory) -> None:
    _say(
        _text(f"post {history.id}  {history.url or history.key}  site {history.site}", style="bold")
    )
    for alias in history.aliases:
        _say(_text(f"also at {alias}"))
    _say(
        _text(
            f"first seen {shown(history.first_seen)}, last seen {shown(history.last_seen)},"
            f" {_count(history.sightings, 'sighting')}, {_count(len(history.versions), 'version')}"
        )
    )


def _field_line(name: str, previous: VersionRecord | None, current: VersionRecord) -> Text | None:
    """The field's value for a first version; what changed for a later one; None if nothing did."""
    new = _display(name, getattr(current, name))
    if previous is None:
        return _text(new) if new else None
    old = _display(name, getattr(previous, name))
    if old == new:
        return None
    if name == "excerpt":
        return _render_diff(elide(diff_segments(old, new)))
    return _text(f"{old or '(none)'} → {new or '(none)'}")


def _display(name: str, value: Any) -> str:
    if name == "truncated":
        return "yes" if value else "no"
    if name == "placeholders":
        return ", ".join(f"{p['kind']} {p['ordinal']} {p['status']}" for p in value)
    if isinstance(value, list):
        return ", ".join(value)
    return value or ""


def _render_diff(segments: list[Segment]) -> Text:
    text = _text()
    for op, words in segments:
        run = printable(words)
        if op == "=":
            text.append(run)
        elif is_styled():
            text.append(run, style="red strike" if op == "-" else "green")
        else:
            marks = DELETED_MARKS if op == "-" else INSERTED_MARKS
            text.append(f"{marks[0]}{run}{marks[1]}")
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _text(value: str = "", style: str = "") -> Text:
    """A rich Text (rich is imported only by the commands that print styled text)."""
    from rich.text import Text

    return Text(printable(value), style=style)


def _say(text: Text) -> None:
    out.print(text, markup=False, highlight=False, emoji=False)
