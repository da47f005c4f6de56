"""Commands that look things up in the archive: search, show."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text

from feedkeeper.cli.common import ConfigOption, DbOption, SiteOption, err, out, settings_for
from feedkeeper.errors import ConfigError, FeedkeeperError
from feedkeeper.store.read import PostHistory, VersionRecord, find_post, open_reader, post_history
from feedkeeper.store.search import MarkedText, SearchHit, search_posts
from feedkeeper.store.sites import find_site
from feedkeeper.worddiff import Segment, diff_segments, elide

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
        int, typer.Option("--limit", "-n", min=1, help="At most this many posts.")
    ] = 20,
    site: SiteOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Search the current titles and excerpts, best matches first (any script, any substring)."""
    if not query.split():
        raise ConfigError("search: the query is empty")
    engine = open_reader(settings_for(config, db=db).db)
    if site is not None:
        find_site(engine, site)
    hits = search_posts(engine, query, limit, site)
    if not hits:
        err.print(f"no posts match {query!r}", markup=False, highlight=False)
        raise typer.Exit(1)
    for number, hit in enumerate(hits, start=1):
        _print_hit(number, hit)


def _print_hit(number: int, hit: SearchHit) -> None:
    where = "  ".join(v for v in (hit.category, hit.published, hit.url) if v)
    _say(Text(f"{number}. post {hit.post_id}  {where}".rstrip(), style="bold"))
    if hit.title is not None:
        _say(Text("   ") + _marked(hit.title))
    if hit.snippet is not None:
        _say(Text("   ") + _marked(hit.snippet))


def _marked(marked: MarkedText) -> Text:
    if out.is_terminal:
        text = Text(marked.text)
        for start, end in marked.spans:
            text.stylize("bold reverse", start, end)
        return text
    pieces, last = [], 0
    for start, end in marked.spans:
        pieces += [marked.text[last:start], MATCH_MARKS[0], marked.text[start:end], MATCH_MARKS[1]]
        last = end
    return Text("".join([*pieces, marked.text[last:]]))


def show_command(
    post: Annotated[str, typer.Argument(help="A post id, a URL it was seen under, or its key.")],
    site: SiteOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Show a post and what changed from each version to the next."""
    engine = open_reader(settings_for(config, db=db).db)
    if site is not None:
        find_site(engine, site)
    post_id = find_post(engine, post, site)
    history = post_history(engine, post_id) if post_id is not None else None
    if history is None:
        raise FeedkeeperError(f"no post {post!r} in the archive: give a post id, a URL or a key")
    _print_header(history)
    previous: VersionRecord | None = None
    for version in history.versions:
        _say(
            Text(
                f"\nversion {version.version}  observed {_when(version.observed_at)}"
                f"  run {version.run_id}",
                style="bold",
            )
        )
        for name in _SHOWN_FIELDS:
            line = _field_line(name, previous, version)
            if line is not None:
                _say(Text(f"  {name}: ") + line)
        previous = version


def _print_header(history: PostHistory) -> None:
    _say(
        Text(f"post {history.id}  {history.url or history.key}  site {history.site}", style="bold")
    )
    for alias in history.aliases:
        _say(Text(f"also at {alias}"))
    _say(
        Text(
            f"first seen {_when(history.first_seen)}, last seen {_when(history.last_seen)},"
            f" {_count(history.sightings, 'sighting')}, {_count(len(history.versions), 'version')}"
        )
    )


def _field_line(name: str, previous: VersionRecord | None, current: VersionRecord) -> Text | None:
    """The field's value for a first version; what changed for a later one; None if nothing did."""
    new = _display(name, getattr(current, name))
    if previous is None:
        return Text(new) if new else None
    old = _display(name, getattr(previous, name))
    if old == new:
        return None
    if name == "excerpt":
        return _render_diff(elide(diff_segments(old, new)))
    return Text(f"{old or '(none)'} → {new or '(none)'}")


def _display(name: str, value: Any) -> str:
    if name == "truncated":
        return "yes" if value else "no"
    if name == "placeholders":
        return ", ".join(f"{p['kind']} {p['ordinal']} {p['status']}" for p in value)
    if isinstance(value, list):
        return ", ".join(value)
    return value or ""


def _render_diff(segments: list[Segment]) -> Text:
    text = Text()
    for op, run in segments:
        if op == "=":
            text.append(run)
        elif out.is_terminal:
            text.append(run, style="red strike" if op == "-" else "green")
        else:
            marks = DELETED_MARKS if op == "-" else INSERTED_MARKS
            text.append(f"{marks[0]}{run}{marks[1]}")
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _when(stored: str) -> str:
    return stored[:19].replace("T", " ")


def _say(text: Text) -> None:
    out.print(text, markup=False, highlight=False, emoji=False)
