"""Commands that look things up in the archive: search, show."""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from feedkeeper.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    err,
    is_styled,
    out,
    print_json,
    settings_for,
)
from feedkeeper.config import SQLITE_MAX_INT
from feedkeeper.errors import ConfigError, FeedkeeperError

if TYPE_CHECKING:
    from rich.text import Text

    from feedkeeper.store.read import PostHistory, VersionRecord
    from feedkeeper.store.search import MarkedText, SearchHit

# Plain-text marks, for pipes: matches as in Markdown, changes as in `git diff --word-diff`.
MATCH_MARKS = ("**", "**")
DELETED_MARKS = ("[-", "-]")
INSERTED_MARKS = ("{+", "+}")
# Unchanged characters kept on each side of a change in an excerpt diff.
DIFF_CONTEXT = 20
# Words of Latin script stay whole in a diff; every other character is its own token,
# which suits Chinese, written without spaces.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)
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

Segment = tuple[str, str]  # ("=" | "-" | "+", text)


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
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Search the current titles and excerpts, best matches first (any script, any substring)."""
    from feedkeeper.store.read import open_reader
    from feedkeeper.store.search import search_posts

    if not query.split():
        raise ConfigError("search: the query is empty")
    hits = search_posts(open_reader(settings_for(config, db=db).db), query, limit)
    if as_json:
        print_json([_hit_json(hit) for hit in hits])
    elif not hits:
        err.print(f"no posts match {query!r}", markup=False, highlight=False)
    for number, hit in enumerate([] if as_json else hits, start=1):
        _print_hit(number, hit)
    if not hits:
        raise typer.Exit(1)


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "post_id": hit.post_id,
        "url": hit.url,
        "category": hit.category,
        "published": hit.published,
        "title": hit.title.text if hit.title else None,
        "snippet": hit.snippet.text if hit.snippet else None,
    }


def _print_hit(number: int, hit: SearchHit) -> None:
    where = "  ".join(v for v in (hit.category, hit.published, hit.url) if v)
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
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Show a post and what changed from each version to the next."""
    from feedkeeper.store.read import find_post, open_reader, post_history

    engine = open_reader(settings_for(config, db=db).db)
    post_id = find_post(engine, post)
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
                f"\nversion {version.version}  observed {_when(version.observed_at)}"
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
    _say(_text(f"post {history.id}  {history.url or history.key}", style="bold"))
    for alias in history.aliases:
        _say(_text(f"also at {alias}"))
    _say(
        _text(
            f"first seen {_when(history.first_seen)}, last seen {_when(history.last_seen)},"
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


def diff_segments(old: str, new: str) -> list[Segment]:
    """Return the edit from ``old`` to ``new`` as kept, deleted and inserted runs of text."""
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("+", "".join(b[j1:j2])))
    return segments


def elide(segments: list[Segment], context: int = DIFF_CONTEXT) -> list[Segment]:
    """Shorten unchanged runs to ``context`` characters beside each change, with an ellipsis."""
    result: list[Segment] = []
    last = len(segments) - 1
    for index, (op, text) in enumerate(segments):
        if op == "=":
            keep_head = index > 0  # a change comes before: keep the start of this run
            keep_tail = index < last  # a change follows: keep its end
            text = _elide_run(text, context, keep_head, keep_tail)
        result.append((op, text))
    return result


def _elide_run(text: str, context: int, keep_head: bool, keep_tail: bool) -> str:
    head = text[: _word_end(text, context)] if keep_head else ""
    tail = text[_word_start(text, len(text) - context) :] if keep_tail else ""
    if len(text) <= len(head) + len(tail) + context:  # too little to leave out
        return text
    return f"{head}…{tail}"


def _word_end(text: str, end: int) -> int:
    """Move a cut at ``end`` back before the Latin word it would split, unless nothing is left."""
    cut = end
    while 0 < cut < len(text) and _is_word_char(text[cut - 1]) and _is_word_char(text[cut]):
        cut -= 1
    return cut or end


def _word_start(text: str, start: int) -> int:
    """Move a cut at ``start`` on past the Latin word it would split, unless nothing is left."""
    start = cut = max(start, 0)
    while 0 < cut < len(text) and _is_word_char(text[cut - 1]) and _is_word_char(text[cut]):
        cut += 1
    return cut if cut < len(text) else start


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _render_diff(segments: list[Segment]) -> Text:
    text = _text()
    for op, run in segments:
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


def _when(stored: str) -> str:
    """A stored UTC time for people: to the second, with its zone."""
    return stored[:19].replace("T", " ") + " UTC"


def _text(value: str = "", style: str = "") -> Text:
    """A rich Text (rich is imported only by the commands that print styled text)."""
    from rich.text import Text

    return Text(value, style=style)


def _say(text: Text) -> None:
    out.print(text, markup=False, highlight=False, emoji=False)
