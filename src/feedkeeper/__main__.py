"""`python -m feedkeeper`: the same as the `feedkeeper` command."""

from feedkeeper.cli import entry_point

entry_point()
