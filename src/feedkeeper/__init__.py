"""feedkeeper: archive a blog's listing pages into a versioned SQLite database."""

__version__ = "0.1.0"
