"""Parsing: listing HTML and text captures into cards. Pure functions, no I/O."""

from feedkeeper.parse.capture import parse_capture

__all__ = ["parse_capture"]
