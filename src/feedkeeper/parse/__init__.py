"""Parsing: listing HTML and text captures into cards. Pure functions, no I/O."""

from feedkeeper.parse.capture import parse_capture
from feedkeeper.parse.explain import explain_listing
from feedkeeper.parse.html import parse_listing
from feedkeeper.parse.profile import Profile, load_profile
from feedkeeper.parse.suggest import suggest_profile

__all__ = [
    "Profile",
    "explain_listing",
    "load_profile",
    "parse_capture",
    "parse_listing",
    "suggest_profile",
]
