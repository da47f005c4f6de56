"""Progress bars for long commands: on a terminal only, so cron mail holds just the summary."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from feedkeeper.cli.common import LazyConsole, err, output_options
from feedkeeper.logs import printable

T = TypeVar("T")

# What a pipeline function calls as it reaches each page, file or post.
Advance = Callable[[str], None]
# Characters of the current item shown beside the bar.
ITEM_CHARS = 48


@contextlib.contextmanager
def progress_bar(
    description: str, total: int | None = None, console: Any = err, *, shown: bool = True
) -> Iterator[Advance | None]:
    """Yield a callback that advances a bar on ``console``, or None when it is not a terminal
    (or not ``shown``: an export written to the terminal it would draw over)."""
    if not shown or not console.is_terminal or output_options().quiet:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[item]}", style="dim", markup=False),  # a URL is no markup
    )
    # Data goes to stdout untouched (`export > posts.csv`): the bar never takes stdout over.
    real = console.made() if isinstance(console, LazyConsole) else console
    with Progress(
        *columns, console=real, transient=True, redirect_stdout=False, redirect_stderr=False
    ) as bar:
        task = bar.add_task(description, total=total, item="")

        def advance(item: str) -> None:
            bar.update(task, advance=1, item=_short(item))

        yield advance


def tracked(
    items: Iterable[T], advance: Advance | None, label: Callable[[T], str] = str
) -> Iterator[T]:
    """Yield ``items`` unchanged, advancing the bar after each one."""
    for item in items:
        yield item
        if advance is not None:
            advance(label(item))


def _short(item: str) -> str:
    """The item's end, as it fits beside the bar, its control characters shown."""
    item = printable(item)
    return item if len(item) <= ITEM_CHARS else "…" + item[-(ITEM_CHARS - 1) :]
