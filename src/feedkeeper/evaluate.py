"""Measure the listing parser against a labelled corpus of real blogs.

    uv run python -m feedkeeper.evaluate /path/to/corpus/listings [more folders] [--details]

Each site folder holds ``page1.html``, ``page2.html`` and ``labels.json``. Cards are
matched by URL; a field counts as right only on a matched card, so field accuracy
is over every labelled card. Excerpts compare on their first 30 code points with
whitespace and characters that show nothing (a zero-width space copied into a label, which
the parser drops) ignored; a labelled excerpt shorter than that is the whole excerpt, and its
trailing ellipsis is dropped as the parser drops it (``truncated`` records it instead).
A next-page link compares without its ``#fragment``, which names no other page.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from feedkeeper.cards import Card
from feedkeeper.errors import FeedkeeperError
from feedkeeper.parse import parse_listing
from feedkeeper.text import drop_invisible, split_ellipsis

FIELDS = ("url", "title", "date", "categories", "excerpt", "tags")
EXCERPT_CHARS = 30
# Sites served from a repository named like a host live at that host; others at the host
# their pages declare (canonical link, og:url), else anywhere.
FALLBACK_HOST = "example.test"
_WS_RE = re.compile(r"\s+")
_DECLARED_URL_RE = re.compile(
    r"<link[^>]+rel=[\"']?canonical[^>]+href=[\"']?(https?://[^\"'\s>]+)"
    r"|<meta[^>]+property=[\"']?og:url[\"']?[^>]+content=[\"']?(https?://[^\"'\s>]+)",
    re.I,
)


@dataclass(slots=True)
class Tally:
    """Counts for one site (or all of them)."""

    labelled: int = 0
    predicted: int = 0
    matched: int = 0
    correct: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    next_correct: int = 0
    mismatches: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        self.labelled += other.labelled
        self.predicted += other.predicted
        self.matched += other.matched
        self.correct.update(other.correct)
        self.pages += other.pages
        self.next_correct += other.next_correct

    @property
    def precision(self) -> float:
        """Share of predicted cards that are labelled cards."""
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        """Share of labelled cards that were found."""
        return self.matched / self.labelled if self.labelled else 0.0

    def accuracy(self, name: str) -> float:
        """Share of labelled cards whose field ``name`` came out right."""
        return self.correct[name] / self.labelled if self.labelled else 0.0

    @property
    def next_accuracy(self) -> float:
        """Share of pages whose next-page link came out right."""
        return self.next_correct / self.pages if self.pages else 0.0


def page_base(source: dict[str, object], path: str, html: str = "") -> str:
    """Return the URL a corpus page was served at, from the repository and file path."""
    repo = str(source.get("repo", ""))
    name = repo.rsplit("/", 1)[-1].lower()
    host = name if name.endswith(".github.io") else _declared_host(html) or FALLBACK_HOST
    directory = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    return f"https://{host}/{directory}"


def _declared_host(html: str) -> str | None:
    """Return the host a page names as its own (``rel=canonical`` or ``og:url``), if any."""
    match = _DECLARED_URL_RE.search(html)
    if match is None:
        return None
    return urlsplit(match.group(1) or match.group(2)).hostname


def evaluate_site(folder: Path) -> Tally:
    """Parse a site's pages and compare them with its labels."""
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    tally = Tally()
    paths = labels["source"]["paths"]
    for index, (name, posts) in enumerate(labels["pages"].items()):
        html = (folder / name).read_text(encoding="utf-8", errors="replace")
        base = page_base(labels["source"], paths[index], html)
        try:
            page = parse_listing(html, base)
            cards, next_url = page.cards, page.next_url
        except FeedkeeperError as exc:
            tally.mismatches.append(f"{name}: {exc.message}")
            cards, next_url = [], None
        _compare_page(tally, name, base, posts, cards)
        expected_next = labels["next_page"][name]
        tally.pages += 1
        # A fragment ("/page/2/#content-inner") names no other page: the parser drops it.
        wanted = urljoin(base, expected_next).partition("#")[0] if expected_next else None
        tally.next_correct += next_url == wanted
    return tally


def _compare_page(
    tally: Tally, name: str, base: str, posts: list[dict[str, object]], cards: list[Card]
) -> None:
    by_url = {card.url: card for card in cards}
    tally.labelled += len(posts)
    tally.predicted += len(cards)
    for post in posts:
        url = urljoin(base, str(post["url"]))
        card = by_url.get(url)
        if card is None:
            tally.mismatches.append(f"{name}: missed {url}")
            continue
        tally.matched += 1
        for field_name, ok, got in _field_checks(post, card):
            tally.correct[field_name] += ok
            if not ok:
                want = post.get(field_name if field_name != "excerpt" else "excerpt_start")
                tally.mismatches.append(f"{name}: {field_name} of {url}: {got!r} != {want!r}")
    labelled = {urljoin(base, str(post["url"])) for post in posts}
    for card in cards:
        if card.url not in labelled:
            tally.mismatches.append(f"{name}: extra card {card.url} ({card.title!r})")


def _field_checks(post: dict[str, object], card: Card) -> list[tuple[str, bool, object]]:
    return [
        ("url", True, card.url),
        ("title", card.title == post["title"], card.title),
        ("date", card.published == post["date"], card.published),
        ("categories", list(card.categories) == post["categories"], card.categories),
        ("tags", list(card.tags) == post["tags"], card.tags),
        ("excerpt", _excerpt_matches(post["excerpt_start"], card.excerpt), card.excerpt),
    ]


def _excerpt_matches(expected: object, excerpt: str | None) -> bool:
    if expected is None or excerpt is None:
        return expected is None and excerpt is None
    want = drop_invisible(str(expected))[:EXCERPT_CHARS]
    if len(want) < EXCERPT_CHARS:  # the whole excerpt: the parser drops a trailing ellipsis
        want = split_ellipsis(want)[0]
    return _WS_RE.sub("", excerpt).startswith(_WS_RE.sub("", want))


def evaluate_corpus(*roots: Path) -> dict[str, Tally]:
    """Evaluate every site folder under each root; the key "overall" sums them."""
    results = {
        folder.name: evaluate_site(folder)
        for root in roots
        for folder in sorted(root.iterdir())
        if (folder / "labels.json").is_file()
    }
    overall = Tally()
    for tally in results.values():
        overall.add(tally)
    results["overall"] = overall
    return results


def format_table(results: dict[str, Tally]) -> str:
    """Return the results as a plain-text table, percentages per site and overall."""
    header = ["site", "cards", "prec", "recall", *FIELDS, "next"]
    rows = [header]
    for site, tally in results.items():
        figures = [tally.precision, tally.recall, *(tally.accuracy(f) for f in FIELDS)]
        rows.append(
            [
                site,
                str(tally.labelled),
                *(f"{x:.1%}" for x in figures),
                f"{tally.next_accuracy:.0%}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                  enumerate(zip(row, widths, strict=True)))
        for row in rows
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the table (and every mismatch with --details)."""
    parser = argparse.ArgumentParser(prog="python -m feedkeeper.evaluate", description=__doc__)
    parser.add_argument(
        "corpus", type=Path, nargs="+", help="folders of site folders with labels.json"
    )
    parser.add_argument("--details", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)
    for folder in args.corpus:
        if not folder.is_dir():
            print(f"error: {folder} is not a folder", file=sys.stderr)
            return 2
    results = evaluate_corpus(*args.corpus)
    print(format_table(results))
    if args.details:
        for site, tally in results.items():
            for line in tally.mismatches:
                print(f"{site}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
