"""What the dedupe stage takes and gives: what the archive knows of a page's keys
(``Known``), and everything the page changes in it (``PageChanges``), row by row, with
the counts the run adds up (``PageOutcome``). Plain values, no behaviour but the counts'."""

from __future__ import annotations

from dataclasses import dataclass, field

from feedkeeper.versions import Fields


@dataclass(slots=True)
class PageOutcome:
    """What storing one page's cards changed in the archive."""

    cards: int = 0
    cards_skipped: int = 0
    new_posts: int = 0
    new_versions: int = 0
    filled_in: int = 0
    reposts: int = 0
    placeholders_found: int = 0

    @property
    def is_news(self) -> bool:
        """True when the page brought a new post, a new version, a filled-in value or a
        post under a URL not known before (a repost: the walk goes on, to where the post
        may still show under its own URL and split off a post taken for it)."""
        return bool(self.new_posts or self.new_versions or self.filled_in or self.reposts)


@dataclass(slots=True)
class Current:
    """A post's current version, as the dedupe of a page sees it."""

    post_id: int
    version_id: int
    version: int
    fields: Fields
    in_run: bool = True  # made by the run now writing


@dataclass(slots=True)
class Known:
    """What the archive holds for a page's keys, and the next free ids: the stage's input."""

    by_url: dict[str, int]
    by_fingerprint: dict[str, int]
    current: dict[int, Current]
    next_post_id: int
    next_version_id: int
    # Of the posts a fingerprint points to: their URLs; of all found: those this run sighted.
    urls_of: dict[int, set[str]] = field(default_factory=dict)
    sighted_in_run: set[int] = field(default_factory=set)
    # Of the posts a URL points to: their aliases (those this run took as reposts apart),
    # and this run's sightings of them, for splitting off a repost a crawl contradicts.
    aliases: dict[int, set[str]] = field(default_factory=dict)
    fresh_aliases: set[str] = field(default_factory=set)
    run_sightings: dict[int, list[RunSighting]] = field(default_factory=dict)
    # Of the posts found: the other versions the crawl that made the current one made;
    # whether the run's pages show one moment (a crawl, not an import of captures).
    siblings: dict[int, list[Fields]] = field(default_factory=dict)
    one_moment: bool = True
    # Of the posts found: the URLs this run's pages that answered 304 list them under (as
    # each did when last read): cards of their own in this crawl, though no sightings.
    listed_unchanged: dict[int, set[str]] = field(default_factory=dict)
    # Of ``by_url``: the URLs found at another address of the site (it moved from ``http:``
    # to ``https:``, or to ``www.``), to keep as aliases of their posts.
    moved_urls: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class RunSighting:
    """A sighting the current run stored earlier (in another page)."""

    sighting_id: int
    version: int
    card_url: str | None
    seen_at: str


@dataclass(frozen=True, slots=True)
class NewPost:
    """A post seen for the first time; ``key`` is its URL, or its fingerprint without one."""

    post_id: int
    key: str
    url: str | None


@dataclass(frozen=True, slots=True)
class VersionRow:
    """The values of a version to insert (new) or to update in place (filled in)."""

    version_id: int
    post_id: int
    version: int
    fields: Fields
    fingerprint: str | None


@dataclass(frozen=True, slots=True)
class Sighting:
    """One card occurrence: which post, at which of its versions, where on the page."""

    post_id: int
    version: int
    position: int
    card_url: str | None


@dataclass(frozen=True, slots=True)
class Split:
    """An alias taken back from a post: a post of its own, with its version and sightings."""

    post_id: int  # the new post
    alias: str
    source_post_id: int
    source_version: int  # the version of the source post its sightings saw
    version_id: int  # the new post's version 1, a copy of that version
    first_seen: str
    last_seen: str
    sighting_ids: tuple[int, ...]


@dataclass(slots=True)
class PageChanges:
    """Everything one page changes in the archive: the dedupe stage's output."""

    posts: list[NewPost] = field(default_factory=list)
    versions: dict[int, VersionRow] = field(default_factory=dict)  # new, by version id
    filled: dict[int, VersionRow] = field(default_factory=dict)  # stored, by version id
    urls: list[tuple[str, int]] = field(default_factory=list)  # (url, post id)
    freed_urls: list[str] = field(default_factory=list)  # aliases taken apart: urls anew
    fingerprints: list[tuple[str, int]] = field(default_factory=list)  # (fingerprint, post id)
    sightings: list[Sighting] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # posts sighted
    pinned: dict[int, bool] = field(default_factory=dict)  # post id -> its first card's badge
    moved: dict[int, int] = field(default_factory=dict)  # post id -> its new current version
    splits: list[Split] = field(default_factory=list)  # reposts of this run taken back
    listed: list[tuple[str, int]] = field(default_factory=list)  # (url, post id): a 304's
    outcome: PageOutcome = field(default_factory=PageOutcome)
