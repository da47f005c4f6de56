"""The sites of an archive: the blogs it keeps, how often each is crawled, which are paused."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection, Engine, delete, insert, select, update

from feedkeeper.clock import now_iso
from feedkeeper.errors import ConfigError
from feedkeeper.identity import canonical_url, spelling_key
from feedkeeper.logs import mask_credentials
from feedkeeper.records import SiteState
from feedkeeper.store.tables import (
    page_body_t,
    page_fetch_t,
    placeholder_t,
    post_fingerprint_t,
    post_t,
    post_url_t,
    post_version_t,
    run_t,
    sighting_t,
    site_t,
)


@dataclass(frozen=True, slots=True)
class Site:
    """One blog of the archive (a row of the ``site`` table)."""

    id: int
    name: str
    url: str
    profile: str | None = None
    every: str | None = None
    cron: str | None = None
    state: SiteState = SiteState.ACTIVE
    added_at: str | None = None  # the archive's time text

    @property
    def has_own_schedule(self) -> bool:
        """True when the site is crawled on a schedule of its own (``sites add --every`` or
        ``--cron``) rather than on the daemon's or the workers' cadence."""
        return bool(self.every or self.cron)


@dataclass(frozen=True, slots=True)
class NewSite:
    """What `sites add` asks for; the name defaults to the URL's host."""

    url: str
    name: str | None = None
    profile: str | None = None
    every: str | None = None
    cron: str | None = None


# What a Site holds: readable in an archive of any revision since sites (0008), as
# `health` reads archives it does not upgrade.
_SITE_COLUMNS = tuple(
    site_t.c[name]
    for name in ("id", "name", "url", "profile", "every", "cron", "state", "added_at")
)


def list_sites(engine: Engine, *states: SiteState) -> list[Site]:
    """Return the sites by name: those in ``states``, or all of them."""
    query = select(*_SITE_COLUMNS).order_by(site_t.c.name)
    if states:
        query = query.where(site_t.c.state.in_([str(s) for s in states]))
    with engine.connect() as conn:
        return [_site(row) for row in conn.execute(query)]


def find_site(engine: Engine, name: str, *, asked_by: str) -> Site:
    """Return the site called ``name``; raise ConfigError naming the known ones otherwise.

    ``asked_by`` starts the error's line: what named the site (an option, a command).
    """
    name = unicodedata.normalize("NFC", name)  # "Café" typed on a Mac is the site Café
    with engine.connect() as conn:
        row = conn.execute(select(*_SITE_COLUMNS).where(site_t.c.name == name)).first()
    if row is None:
        raise ConfigError(f"{asked_by}: no site named {name!r} ({_known(engine)})")
    return _site(row)


def site_name(engine: Engine, name: str | None, *, asked_by: str) -> str | None:
    """Return the name the archive keeps for the site ``name`` names (``Cafe\u0301`` is
    ``Café``), None for None (every site); ConfigError when there is no such site."""
    return None if name is None else find_site(engine, name, asked_by=asked_by).name


def site_for_url(engine: Engine, url: str) -> Site | None:
    """Return the site whose listing starts at ``url`` (compared canonically, a folder's
    ``index.html`` being the folder), if any; else the site it spells otherwise (another
    scheme, ``www.`` or a mobile ``m.`` before the host: a site that moved there), the
    latest added where an archive holds several."""
    sites = list_sites(engine)
    wanted = _listing_key(url)
    same = next((s for s in sites if _listing_key(s.url) == wanted), None)
    if same is not None:
        return same
    key = spelling_key(url)
    return max((s for s in sites if spelling_key(s.url) == key), key=lambda s: s.id, default=None)


def is_listed_at(site: Site, url: str) -> bool:
    """Tell whether the site's listing starts at ``url`` as the archive keeps it, not under
    another spelling (a site that moved from ``http:`` to ``https:``, or to ``www.``)."""
    return _listing_key(site.url) == _listing_key(url)


def move_site(engine: Engine, site_id: int, url: str) -> None:
    """Keep ``url`` as the site's address: the site moved there. Credentials the site was
    kept with stay with it when ``url`` has none."""
    query = select(site_t.c.url).where(site_t.c.id == site_id)
    with engine.begin() as conn:
        kept = conn.execute(query).scalar_one()
        moved = _keeping_credentials(kept, url)
        conn.execute(update(site_t).where(site_t.c.id == site_id).values(url=moved))


def _keeping_credentials(kept: str, url: str) -> str:
    """Return ``url`` with the ``user:password@`` of ``kept`` when it has none of its own."""
    userinfo, at, _ = urlsplit(kept).netloc.rpartition("@")
    parts = urlsplit(url)
    if not at or "@" in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


_INDEX_FILE_RE = re.compile(r"/index\.(?:html?|php)$", re.I)


def _listing_key(url: str) -> str:
    """The URL a listing is known by: ``/blog/index.html`` is ``/blog/``."""
    canonical = canonical_url(url)
    path_end = canonical.find("?")
    head, tail = (canonical, "") if path_end < 0 else (canonical[:path_end], canonical[path_end:])
    return _INDEX_FILE_RE.sub("/", head) + tail


def add_site(engine: Engine, new: NewSite) -> Site:
    """Add a site (or bring back a removed one); raise ConfigError when name or URL is taken."""
    known = site_for_url(engine, new.url)
    if known is not None and known.state is SiteState.REMOVED:  # back, at the address given
        move_site(engine, known.id, new.url)
        return set_state(engine, known.name, SiteState.ACTIVE, asked_by="sites add")
    if known is not None:
        shown = mask_credentials(new.url)
        raise ConfigError(f"sites add: {shown} is already the site {known.name!r}")
    name = _checked_name(new.name) if new.name is not None else None
    name = name or _free_name(engine, urlsplit(new.url).hostname or "site")
    if new.name is not None and _name_taken(engine, name):
        raise ConfigError(f"--name: a site named {name!r} exists: choose another name")
    values = {
        "name": name, "url": new.url, "profile": new.profile, "every": new.every,
        "cron": new.cron, "state": SiteState.ACTIVE, "added_at": now_iso(),
    }  # fmt: skip
    with engine.begin() as conn:
        site_id = conn.execute(insert(site_t).values(values)).inserted_primary_key[0]  # type: ignore[index]
    return Site(int(site_id), name, new.url, new.profile, new.every, new.cron)


# A site's name is a word or a few, shown on one line in every listing of the sites.
MAX_NAME_CHARS = 100
_NO_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _checked_name(name: str) -> str:
    """The name ``sites add --name`` was given, composed (NFC) and without surrounding
    spaces; ConfigError when it is empty, too long, or holds a line break or a control."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise ConfigError("--name: empty: name the site with a word")
    if len(name) > MAX_NAME_CHARS:
        raise ConfigError(f"--name: longer than {MAX_NAME_CHARS} characters")
    if any(unicodedata.category(char) in _NO_NAME_CATEGORIES for char in name):
        raise ConfigError(f"--name: {name!r} holds a line break or a control character")
    return name


def ensure_site(engine: Engine, url: str) -> Site:
    """Return the site whose listing starts at ``url``, adding it when missing."""
    return site_for_url(engine, url) or add_site(engine, NewSite(url))


def forget_if_empty(engine: Engine, site_id: int) -> bool:
    """Delete a site when nothing was archived from it (no post, no page); its runs stay.

    A ``crawl --url`` whose first crawl fails (a mistyped host, a path that is no
    listing) leaves no site behind for every later crawl of all sites to fail on.
    """
    with engine.begin() as conn:
        holds = (
            conn.execute(select(post_t.c.id).where(post_t.c.site_id == site_id).limit(1)).first()
            or conn.execute(
                select(page_fetch_t.c.id)
                .where(page_fetch_t.c.site_id == site_id, page_fetch_t.c.body_sha256.is_not(None))
                .limit(1)
            ).first()
        )
        if holds:
            return False
        # Its failed runs stay on record, as runs of no site (as imports before sites are).
        conn.execute(update(run_t).where(run_t.c.site_id == site_id).values(site_id=None))
        conn.execute(delete(page_fetch_t).where(page_fetch_t.c.site_id == site_id))
        conn.execute(delete(site_t).where(site_t.c.id == site_id))
    return True


def site_for_import(engine: Engine, source: str) -> Site:
    """Return the site imports go to when none is named: the archive's only site.

    An empty archive gets one, named ``import``; with several, the site must be named.
    """
    sites = list_sites(engine)
    if len(sites) == 1:
        return sites[0]
    if sites:
        raise ConfigError(
            f"--site: the archive holds {len(sites)} sites: name the one to import to"
        )
    return add_site(engine, NewSite(source, name="import"))


def site_state(engine: Engine, site_id: int) -> SiteState | None:
    """Return the site's state now; None when it is gone (purged)."""
    query = select(site_t.c.state).where(site_t.c.id == site_id)
    with engine.connect() as conn:
        state = conn.execute(query).scalar()
    return None if state is None else SiteState(state)


def state_changed_at(engine: Engine, site_id: int) -> str | None:
    """Return when the site's state last changed (`sites pause`, `resume`, `remove`)."""
    query = select(site_t.c.state_changed_at).where(site_t.c.id == site_id)
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def set_state(engine: Engine, name: str, state: SiteState, *, asked_by: str) -> Site:
    """Pause, resume or remove a site; return it as it now is."""
    site = find_site(engine, name, asked_by=asked_by)
    if site.state is not state:
        with engine.begin() as conn:
            values = {"state": str(state), "state_changed_at": now_iso()}
            conn.execute(update(site_t).where(site_t.c.id == site.id).values(**values))
    return find_site(engine, name, asked_by=asked_by)


def remove_site(engine: Engine, name: str, *, purge: bool, asked_by: str) -> Site:
    """Stop crawling a site; with ``purge`` also delete everything archived from it.

    Without ``purge`` the site stays, ``removed``, so its posts keep their site.
    """
    site = find_site(engine, name, asked_by=asked_by)
    if not purge:
        return set_state(engine, name, SiteState.REMOVED, asked_by=asked_by)
    with engine.begin() as conn:
        _purge(conn, site.id)
    return site


def _purge(conn: Connection, site_id: int) -> None:
    """Delete a site and its rows, children first; its pages' bodies too, but for those
    another site's pages share (bodies are kept once, by their digest)."""
    f = page_fetch_t.c
    bodies = conn.execute(
        select(f.body_sha256).where(f.site_id == site_id, f.body_sha256.is_not(None)).distinct()
    ).scalars().all()  # fmt: skip
    posts = select(post_t.c.id).where(post_t.c.site_id == site_id)
    versions = select(post_version_t.c.id).where(post_version_t.c.post_id.in_(posts))
    runs = select(run_t.c.id).where(run_t.c.site_id == site_id)
    conn.execute(delete(placeholder_t).where(placeholder_t.c.version_id.in_(versions)))
    conn.execute(delete(sighting_t).where(sighting_t.c.post_id.in_(posts)))
    conn.execute(delete(sighting_t).where(sighting_t.c.run_id.in_(runs)))
    conn.execute(delete(post_url_t).where(post_url_t.c.site_id == site_id))
    conn.execute(delete(post_fingerprint_t).where(post_fingerprint_t.c.site_id == site_id))
    conn.execute(delete(post_version_t).where(post_version_t.c.post_id.in_(posts)))
    conn.execute(delete(post_t).where(post_t.c.site_id == site_id))
    conn.execute(delete(page_fetch_t).where(page_fetch_t.c.site_id == site_id))
    still_read = select(f.id).where(f.body_sha256 == page_body_t.c.sha256).exists()
    for start in range(0, len(bodies), _BODIES_A_STATEMENT):
        chunk = bodies[start : start + _BODIES_A_STATEMENT]
        conn.execute(delete(page_body_t).where(page_body_t.c.sha256.in_(chunk), ~still_read))
    conn.execute(delete(run_t).where(run_t.c.site_id == site_id))
    conn.execute(delete(site_t).where(site_t.c.id == site_id))


# Digests named in one DELETE: well under any backend's limit of bound parameters.
_BODIES_A_STATEMENT = 500


def _free_name(engine: Engine, base: str) -> str:
    name, n = base, 1
    while _name_taken(engine, name):
        n += 1
        name = f"{base}-{n}"
    return name


def _name_taken(engine: Engine, name: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(site_t.c.id).where(site_t.c.name == name)).first() is not None


def _known(engine: Engine) -> str:
    names = [s.name for s in list_sites(engine)]
    if not names:
        return "the archive has no sites yet: add one with `feedkeeper sites add URL`"
    return "known: " + ", ".join(names)


def _site(row: object) -> Site:
    r = row._mapping  # type: ignore[attr-defined]
    return Site(
        r["id"], r["name"], r["url"], r["profile"], r["every"], r["cron"], SiteState(r["state"]),
        r["added_at"],
    )  # fmt: skip
