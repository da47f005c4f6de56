"""robots.txt as RFC 9309 reads it: where it is, how far it is followed and read, what a
failure to read it means, and the Crawl-delay it asks for as far as it is honoured."""

from __future__ import annotations

from protego import Protego

from feedkeeper.errors import FetchError, HTTPStatusError, RetryableError, RobotsDisallowedError

# RFC 9309 2.3.1.2: at least five redirects are followed; 2.5: at least 500 KiB are read.
ROBOTS_MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 500 * 1024


def robots_url(origin: str) -> str:
    """The address of the robots.txt of ``origin``."""
    return origin + "/robots.txt"


def refuse_if_unreachable(origin: str, exc: FetchError) -> None:
    """Raise RobotsDisallowedError when a robots.txt that could not be read is unreachable
    (5xx, network trouble: 2.3.1.4, everything is disallowed); else it is unavailable (4xx,
    too many redirects, a broken encoding: 2.3.1.2–2.3.1.3), and everything is allowed."""
    if isinstance(exc, RetryableError) or (isinstance(exc, HTTPStatusError) and exc.status >= 500):
        raise RobotsDisallowedError(
            f"robots.txt of {origin} is unreachable: {exc.message}", url=robots_url(origin)
        ) from exc


def crawl_delay(rules: Protego, user_agent: str, longest: float) -> tuple[float, str | None]:
    """Return the spacing of requests the rules ask of ``user_agent``, at most ``longest``
    seconds, and what the run summary should say when it asks for more."""
    asked = float(rules.crawl_delay(user_agent) or 0)
    if asked <= longest:  # NaN and infinity are not
        return asked, None
    return longest, (
        f"asks for a Crawl-delay of {asked:g} s: waited {longest:g} s between requests"
        " instead (max_crawl_delay)"
    )
