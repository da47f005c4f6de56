"""A readable account of what the heuristics saw on a listing page, and why they chose it."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.parse.detect import LONE_REASON, Detection
from feedkeeper.parse.dom import ancestors, describe
from feedkeeper.parse.fields import CardParts
from feedkeeper.parse.html import assess, detect_listing
from feedkeeper.parse.pager import find_pager
from feedkeeper.parse.score import Candidate

# How many losing candidates to list: the strongest ones say the most.
SHOWN_REJECTED = 8


def explain_listing(html: str, base_url: str) -> str:
    """Describe which blocks were taken as cards and why, and which candidates lost and why."""
    page, detection, parts = detect_listing(html, base_url)
    lines = _listing_lines(detection, parts)
    lines += _rejected_lines(detection)
    pager = find_pager(page, [part.root for part in parts])
    lines.append("")
    lines.append(f"Next page: {pager.next_url or 'none'} ({pager.reason})")
    if pager.page_urls:
        lines.append(f"Pager links: {', '.join(pager.page_urls)}")
    if parts:
        confidence, warnings = assess(detection, [part.card for part in parts])
        lines.append(
            f"Confidence: {confidence:.2f}" + "".join(f"\n  warning: {w}" for w in warnings)
        )
    return "\n".join(lines) + "\n"


def node_path(node: LexborNode, depth: int = 3) -> str:
    """Return a short CSS-like path to the node: its label and a few ancestors'."""
    chain = [node, *list(ancestors(node))[: depth - 1]]
    return " > ".join(describe(n) for n in reversed(chain))


def _listing_lines(detection: Detection, parts: list[CardParts]) -> list[str]:
    if not detection.chosen:
        return [
            "No listing found: no element holds two or more sibling blocks "
            "that each carry their own post link."
        ]
    lines: list[str] = []
    count = len(detection.chosen)
    for number, candidate in enumerate(detection.chosen, 1):
        # Parallel listings (a day's group each) may share their path: number them.
        which = f" {number} of {count}" if count > 1 else ""
        lines.append(f"Listing{which}: {node_path(candidate.container)}")
        lines.append(f"  why: {_strengths(candidate)}")
    lines.append("")
    lines.append(f"Cards taken ({len(parts)}):")
    for number, part in enumerate(parts, 1):
        lines.append(f"  {number}. {describe(part.root)} -> {part.card.url}")
        lines.append(f"     {_fields(part)}")
    dropped = len(detection.cards) - len(parts)
    if detection.skipped or dropped:
        lines.append(
            f"Skipped: {detection.skipped + dropped} block(s) shaped like cards "
            "without a post link or any text"
        )
    return lines


def _strengths(candidate: Candidate) -> str:
    if candidate.reason == LONE_REASON:
        return candidate.reason
    said = [
        f"{len(candidate.cards)} sibling blocks, {candidate.shape:.0%} shaped "
        f"{candidate.signature}",
        "each with its own post link",
        f"on average {candidate.richness:.0f} characters besides the title link",
        f"{candidate.headings:.0%} with a heading",
        f"score {candidate.score:.1f}",
    ]
    if candidate.groups:
        said.append("each card being a heading and the lines after it")
    if candidate.penalties:
        said.append("despite: " + "; ".join(candidate.penalties))
    return ", ".join(said)


def _fields(part: CardParts) -> str:
    card = part.card
    title_source = describe(part.title) if part.title is not None else "none"
    date_source = describe(part.date.node) if part.date is not None else "none"
    excerpt = f"{len(card.excerpt)} chars" if card.excerpt else "none"
    return (
        f"title {card.title!r} (from {title_source}); date {card.published} "
        f"(from {date_source}); categories {list(card.categories)}; tags {list(card.tags)}; "
        f"excerpt {excerpt}{' (truncated)' if card.truncated else ''}"
    )


def _rejected_lines(detection: Detection) -> list[str]:
    rejected = detection.rejected[:SHOWN_REJECTED]
    if not rejected:
        return []
    lines = ["", f"Other candidates ({len(detection.rejected)}, strongest first):"]
    for candidate in rejected:
        reasons = [candidate.reason or "not taken"]
        reasons += [p for p in candidate.penalties if p not in reasons[0]]
        lines.append(
            f"  - {node_path(candidate.container)}: {len(candidate.cards)} blocks, "
            f"score {candidate.score:.1f}: {'; '.join(reasons)}"
        )
    return lines
