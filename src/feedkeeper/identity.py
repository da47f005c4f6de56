"""What names a post: its canonical URL, the fingerprint of its text, and whether that
text says enough to recognise the post under another URL. Pure functions."""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from feedkeeper.text import fold_for_fingerprint
from feedkeeper.versions import Fields

# Query parameters that say where a click came from, not what is on the page.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"}
    | {"_hsenc", "_hsmi", "spm", "ref_src"}
    | {"source"}  # Medium's ?source=collection_home----…-----0, which numbers the card's place
    # Session ids Java and PHP servers write into their links when cookies are off: a new
    # one every visit, so every crawl would see every post under a new URL.
    | {"jsessionid", "phpsessid"}
)
# The same session id written as a path parameter (``/p/x;jsessionid=0A1B``).
_SESSION_PATH_RE = re.compile(r";jsessionid=[^/;]*", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment, tracking parameters and
    session ids;
    write the path's escapes of letters and of non-ASCII text as the characters they are
    (``/%E5%88%86/`` is ``/分/``, as one theme links what another links encoded)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = ""
    if parts.query:  # most post URLs have none: no parameters to read and sort
        kept = [
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)
        ]
        query = urlencode(sorted(kept))
    path = _plain_path(parts.path) if "%" in parts.path else parts.path
    if ";" in path:
        path = _SESSION_PATH_RE.sub("", path)
    return urlunsplit((scheme, host, path or "/", query, ""))


# Runs of escapes in a path, and the characters an escape stands for needlessly (RFC 3986's
# unreserved ones, and any beyond ASCII: an IRI writes them as themselves).
_ESCAPES_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")


def _plain_path(path: str) -> str:
    return _ESCAPES_RE.sub(_plain_escapes, path)


def _plain_escapes(match: re.Match[str]) -> str:
    """Return a run of escapes with those that need no escaping written as characters; the
    escapes of reserved characters (``%2F``) and of bytes that are no UTF-8 stay as written."""
    escaped = match.group()
    try:
        text = bytes.fromhex(escaped.replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return escaped
    plain, at = [], 0
    for char in text:
        width = 3 * len(char.encode("utf-8"))
        needless = char in _UNRESERVED or not char.isascii()
        plain.append(char if needless else escaped[at : at + width])
        at += width
    return "".join(plain)


def other_spellings(url: str) -> list[str]:
    """Return how archives written before the path's escapes were made plain may hold a
    canonical URL: its non-ASCII path escaped, in upper and in lower case."""
    parts = urlsplit(url)
    if parts.path.isascii():
        return []
    upper = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    lower = _ESCAPES_RE.sub(lambda m: m.group().lower(), upper)
    return [urlunsplit(parts._replace(path=path)) for path in dict.fromkeys((upper, lower))]


# The prefixes one site's host is reached by alike (a site moving between ``www.b.example``
# and ``b.example`` links both for a while), before a host that still holds a dot.
_SITE_PREFIX_RE = re.compile(r"^(?:www|m)\.(?=[^.]+\.)")
# A folder's index file, which most servers answer for the folder itself.
_INDEX_FILE_RE = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?|jsp)$", re.I)


def spelling_key(url: str) -> str:
    """Return what every spelling of one address on a site shares: its path without a
    trailing slash or an index file, its escapes in upper case, whatever the scheme and
    the ``www.`` or mobile ``m.`` before the host (``http://b.example/p/x/``,
    ``https://www.b.example/p/x`` and ``…/p/x/index.html`` are one).
    Two posts never differ by so little; it is only weighed beside the same text. The URL
    is made canonical first, so that one an earlier version kept (with a session id) is
    spelt as a card's is now."""
    parts = urlsplit(canonical_url(url))
    path = _INDEX_FILE_RE.sub("/", parts.path)
    if "%" in path:
        path = _ESCAPES_RE.sub(lambda m: m.group().upper(), path)
    host = _SITE_PREFIX_RE.sub("", parts.netloc)
    return urlunsplit(("", host, path.rstrip("/") or "/", parts.query, ""))


def is_tracking(param: str) -> bool:
    """Tell whether a query parameter says where a click came from (``utm_source``), or
    which visit it was (a session id)."""
    name = param.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def fingerprint(title: str | None, excerpt: str | None) -> str | None:
    """Return a stable digest of the normalised title and excerpt, None when both are empty."""
    return text_key(title, excerpt).fingerprint


@dataclass(frozen=True, slots=True)
class TextKey:
    """What a title and excerpt tell of a post's identity, folded once for all of it."""

    fingerprint: str | None  # ``fingerprint``
    folded_excerpt: str  # the excerpt as ``fold_for_fingerprint`` leaves it
    is_evidence: bool  # ``is_repost_evidence``


def text_key(title: str | None, excerpt: str | None) -> TextKey:
    """Return the fingerprint, folded excerpt and repost evidence of a title and excerpt."""
    folded_title = fold_for_fingerprint(title or "")
    folded_excerpt = fold_for_fingerprint(excerpt or "")
    digest = None
    if folded_title or folded_excerpt:
        digest = hashlib.sha256(f"{folded_title}\x1f{folded_excerpt}".encode()).hexdigest()[:32]
    return TextKey(digest, folded_excerpt, _is_evidence(folded_title, folded_excerpt))


# How many letters and digits of an excerpt, once folded, its head holds: captures of one
# post that cut its excerpt at other lengths (a featured block at 64 characters, the
# listing at 350) share them. Fewer are too little text to take one for the other.
HEAD_CHARS = 32


def head_key(title: str | None, folded_excerpt: str) -> str | None:
    """Return the key of the title and the head of a folded excerpt, None when the excerpt
    is too short to have one: what captures of one post cut at other lengths share."""
    if len(folded_excerpt) < HEAD_CHARS:
        return None
    return f"head:{fingerprint(title, folded_excerpt[:HEAD_CHARS])}"


def shared_head_key(head: str, post_id: int) -> str:
    """Return the key that marks ``head`` (held by post ``post_id``) as the head of another
    post's text too: text no longer than the head is no sign of either post then."""
    return f"{head}~{post_id}"


def is_cut_of(known_folded: str, seen_folded: str) -> bool:
    """Tell whether two folded excerpts are one text cut at two lengths."""
    return known_folded.startswith(seen_folded) or seen_folded.startswith(known_folded)


# Fewer letters and digits than this, once folded, is too little text to tell two
# posts apart ("Read more", "TBD", a one-line teaser shared by a series).
MIN_EVIDENCE_CHARS = 12


def is_repost_evidence(title: str | None, excerpt: str | None) -> bool:
    """Tell whether a title and excerpt say enough to recognise a post under another URL."""
    return _is_evidence(fold_for_fingerprint(title or ""), fold_for_fingerprint(excerpt or ""))


def _is_evidence(folded_title: str, folded_excerpt: str) -> bool:
    if not folded_title or len(folded_excerpt) < MIN_EVIDENCE_CHARS:
        return False
    return folded_excerpt != folded_title  # an excerpt that only repeats the title adds nothing


def contradicts(known: Fields, seen: Fields) -> bool:
    """Tell whether two sightings with the same text must still be two posts: they show
    other dates, or other categories (the parts of a series, or a weekly post, filed apart)."""
    return _differ(known.published, seen.published) or _differ(known.category, seen.category)


def _differ(known: str | None, seen: str | None) -> bool:
    return known is not None and seen is not None and known != seen
