"""A setting's value read from its text: numbers (none that a float holds as 0 but is not 0),
whole numbers and yes/no flags, as a TOML file, the environment or an option writes them."""

from __future__ import annotations

import math
from typing import Any


def to_finite(value: Any) -> float:
    """A finite number: from text as ``read_number`` reads it."""
    number = read_number(value) if isinstance(value, str) else float(value)
    if not math.isfinite(number):  # NaN passes every comparison check, inf overflows timers
        raise ValueError(value)
    return number


class NumberTooSmallError(ValueError):
    """A number other than 0 written so small that a float holds it as 0 (``1e-400``)."""


def read_number(text: str) -> float:
    """Return the number ``text`` writes; NumberTooSmallError if it is not 0 but reads as 0.

    ``rate = 1e-400`` would otherwise be ``rate = 0``: no limit at all.
    """
    number = float(text)
    mantissa = text.strip().lower().partition("e")[0]
    if number == 0 and any(digit in mantissa for digit in "123456789"):
        raise NumberTooSmallError(text)
    return number


def toml_float(text: str) -> float | str:
    """A TOML float, as ``tomllib``'s ``parse_float``: one too small for a float stays text,
    for the setting that holds it to be refused by name."""
    try:
        return read_number(text)
    except NumberTooSmallError:
        return text


def to_whole(value: Any) -> int:
    """A whole number (``1.5`` is none)."""
    if isinstance(value, float) and not value.is_integer():  # concurrency = 1.5
        raise ValueError(value)
    return int(value)


def to_bool(value: Any) -> bool:
    """A flag: true, yes, on or 1; false, no, off or 0."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)
