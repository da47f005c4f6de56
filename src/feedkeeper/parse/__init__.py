"""Parsing: listing HTML and text captures into cards. Pure functions, no I/O."""

from feedkeeper.parse.capture import parse_capture
from feedkeeper.parse.html import parse_listing
from feedkeeper.parse.profile import Profile, load_profile

__all__ = ["Profile", "load_profile", "parse_capture", "parse_listing"]
