"""Listing HTML into cards, with no configuration: detect, read fields, find the pager."""

from __future__ import annotations

from dataclasses import replace

from feedkeeper.cards import Card, ParsedPage, is_pinned_throughout, merge_repeated
from feedkeeper.errors import ParseError
from feedkeeper.parse.badges import in_pinned_section
from feedkeeper.parse.dates import with_year
from feedkeeper.parse.detect import Detection, detect_cards
from feedkeeper.parse.dom import contains
from feedkeeper.parse.fields import CardParts, read_card
from feedkeeper.parse.page import Page, load_page, sibling_post_site
from feedkeeper.parse.pager import find_pager
from feedkeeper.parse.profile import Profile, override, read_with_profile
from feedkeeper.parse.score import BARE_REASON

# Fewer cards than this on a listing page is suspicious (a last page can be short).
FEW_CARDS = 3


def parse_listing(html: str, base_url: str, profile: Profile | None = None) -> ParsedPage:
    """Parse a listing page into cards; raise ParseError when it holds none."""
    result = ParsedPage()
    if profile is not None and profile.card:
        page = load_page(html, base_url)
        parts = read_with_profile(page, profile)
        fill_years(parts)
        pin_sections(page, parts)
    else:
        page, detection, parts = detect_listing(html, base_url, complete=False)
        result.skipped = detection.skipped + len(detection.cards) - len(parts)
        if parts:
            result.confidence, result.warnings = assess(detection, [p.card for p in parts])
    if not parts:
        raise ParseError("no post cards found on the page")
    if profile is not None and not profile.card:
        parts = [override(page, part, profile) for part in parts]
        fill_years(parts)
    pager = find_pager(page, [part.root for part in parts], profile.next if profile else None)
    result.cards = merge_repeated([part.card for part in parts])
    result.next_url, result.page_urls = pager.next_url, pager.page_urls
    result.page_patterns = pager.patterns
    return result


def detect_listing(
    html: str, base_url: str, complete: bool = True
) -> tuple[Page, Detection, list[CardParts]]:
    """Load the page, detect its cards and read them (see ``detect_cards`` for ``complete``).

    A page linking posts of a sibling host (a Zhihu column on ``www.zhihu.com`` listing
    ``zhuanlan.zhihu.com/p/…``) is read for them too, and the listing that scores better
    is the page's: its own links may make a weak one (a nav of two links). Cards whose
    titles link their own site's posts stay the page's, however their icons score
    (Dreamwidth's "Add Memory" on ``www.dreamwidth.org`` beside each entry of a journal).
    """
    page = load_page(html, base_url)
    sibling = sibling_post_site(page)
    detection = detect_cards(page, complete)
    parts = read_cards(page, detection)
    if sibling is None:
        return page, detection, parts
    other = load_page(html, base_url, sibling)  # detection rewrites a page's tree
    other_detection = detect_cards(other, complete)
    other_parts = read_cards(other, other_detection)
    if other_parts and _is_better(other_detection, other_parts, detection, parts):
        return other, other_detection, other_parts
    return page, detection, parts


def _is_better(
    other: Detection, other_parts: list[CardParts], own: Detection, own_parts: list[CardParts]
) -> bool:
    """Tell whether a sibling host's listing reads better than the page's own: more cards
    titled by their links, else as many and a better score."""
    other_titled, own_titled = _titled_by_link(other_parts), _titled_by_link(own_parts)
    if other_titled != own_titled:
        return other_titled > own_titled
    return _score(other) > _score(own)


def _titled_by_link(parts: list[CardParts]) -> int:
    """Count the cards whose title is shown by the link that gives their URL, or holds it."""
    return sum(
        1
        for part in parts
        if part.link is not None
        and part.title is not None
        and (contains(part.link, part.title) or contains(part.title, part.link))
    )


def _score(detection: Detection) -> float:
    return detection.chosen[0].score if detection.chosen else 0.0


def read_cards(page: Page, detection: Detection) -> list[CardParts]:
    """Read every detected card, then give year-less dates the year of their neighbours."""
    links = page.links_in([block.node for block in detection.cards])
    parts = [read_card(page, block, links[block.node.mem_id]) for block in detection.cards]
    parts = [part for part in parts if part.card.title or part.card.excerpt]
    fill_years(parts)
    pin_sections(page, parts)
    return parts


def assess(detection: Detection, cards: list[Card]) -> tuple[float, list[str]]:
    """Return how sure the parser is that these are the post cards, and why not more."""
    confidence, warnings = 1.0, []
    best = detection.chosen[0]
    if len(cards) < FEW_CARDS:
        confidence *= 0.6
        warnings.append(f"only {len(cards)} card(s) found")
    if best.reason == BARE_REASON:
        confidence *= 0.5
        warnings.append("the cards are bare links: nothing richer was found")
    if best.shape < 0.8:
        confidence *= 0.7
        warnings.append(f"weak repeated structure: {best.shape:.0%} of cards share a shape")
    shown = sum(1 for c in cards if c.published or c.excerpt or c.categories)
    if shown < len(cards) / 2:
        confidence *= 0.7
        warnings.append("most cards show no date, category or excerpt")
    if best.penalties:
        confidence *= 0.5
        warnings.append("the listing was found " + "; ".join(best.penalties))
    # A rival is another list: none nested in the listing's cards, none holding the listing
    # (the page's frame or columns around it, the groups its rows were taken from).
    runner = next(
        (
            c
            for c in detection.rejected
            if c.reason and "nested" not in c.reason and not contains(c.container, best.container)
        ),
        None,
    )
    if runner is not None and runner.score >= 0.8 * best.score:
        confidence *= 0.8
        warnings.append("another list of links scored almost as high")
    return round(confidence, 2), warnings


def pin_sections(page: Page, parts: list[CardParts]) -> None:
    """Pin the cards of a section headed as pinned ("置顶文章"). A pin every card of a
    listing in date order shows (a "TOP" badge, a ``sticky`` class on each) pins none: the
    heading alone tells then."""
    if is_pinned_throughout([part.card for part in parts]):
        for part in parts:
            part.card = replace(part.card, pinned=False)
    verdicts: dict[int, bool] = {}
    for part in parts:
        if not part.card.pinned and in_pinned_section(page, part.root, verdicts):
            part.card = replace(part.card, pinned=True)


def fill_years(parts: list[CardParts]) -> None:
    """Date year-less cards ("May 9") from the nearest dated card before or after them."""
    for index, part in enumerate(parts):
        hit = part.date
        if part.card.published or hit is None or hit.month_day is None:
            continue
        year = _neighbour_year(parts, index, hit.month_day)
        if year is not None:
            part.card = replace(part.card, published=with_year(year, hit.month_day))


def _neighbour_year(parts: list[CardParts], index: int, month_day: tuple[int, int]) -> int | None:
    """Return the year a listing in date order implies for a card at ``index``: a pinned
    card, shown out of that order, implies none."""
    for step in (-1, 1):
        position = index + step
        while 0 <= position < len(parts):
            known = parts[position].card.published
            if known and not parts[position].card.pinned:
                year, month, day = (int(x) for x in known.split("-"))
                newer_first = step == -1  # listings run newest first
                crosses = month_day > (month, day) if newer_first else month_day < (month, day)
                return year - 1 if crosses and newer_first else year + 1 if crosses else year
            position += step
    return None
