"""The tables of BENCHMARKS.md, rendered from results.json."""

from __future__ import annotations

from typing import Any


def render(r: dict[str, Any]) -> str:
    """Return the Markdown tables for one run's results."""
    parts = [
        _machine(r),
        _crawl(r["crawl"]),
        _parse(r["parse"]),
        _reparse(r["reparse"]),
        _growth(r["growth"]),
        _recrawl(r["recrawl"]),
        _export(r["export"]),
        _stages(r["stages"]) if "stages" in r else "",
        f"Whole run: {r['total_seconds']:.0f} s.",
    ]
    return "\n\n".join(parts) + "\n"


def row(*cells: object) -> str:
    """Return one Markdown table row."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _loads(values: list[float]) -> str:
    return " ".join(f"{x:.2f}" for x in values)


def _machine(r: dict[str, Any]) -> str:
    m = r["machine"]
    tools = ", ".join(f"{k} {v}" for k, v in m["tools"].items())
    return (
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']};"
        f" Python {m['python']}; nginx {m['nginx']}; {tools}."
        f" Load average before {_loads(m['load_before'])}, after {_loads(m['load_after'])}."
        f" Options: {r['args']}."
    )


def _rate(run: dict[str, Any], pages: int) -> float:
    return pages / run["wall"] if run["wall"] else 0.0


def _crawl(c: dict[str, Any]) -> str:
    pages = c["httpx"]["pages"]
    runs = [
        ("bare httpx (fetch only)", c["httpx"]),
        ("feedkeeper crawl", c["feedkeeper"]),
        ("Scrapy + SQLite pipeline", c["scrapy"]),
        ("feedkeeper, generation 2", c["feedkeeper_gen2"]),
        ("Scrapy, generation 2", c["scrapy_gen2"]),
    ]
    fk, sc, hx = (_rate(c[k], pages) for k in ("feedkeeper", "scrapy", "httpx"))
    lines = [
        "### 1. End-to-end crawl into SQLite",
        "",
        f"{pages} listing pages of 20 cards, process wall time (interpreter start included).",
        "",
        row("run", "wall s", "pages/s", "CPU s", "CPU ms/page", "peak RSS MB"),
        row("---", "---:", "---:", "---:", "---:", "---:"),
    ]
    for name, run in runs:
        per_page = run["cpu"] / pages * 1000
        lines.append(
            row(
                name,
                f"{run['wall']:.1f}",
                f"{_rate(run, pages):.0f}",
                f"{run['cpu']:.1f}",
                f"{per_page:.1f}",
                f"{run['peak_rss_mb']:.0f}",
            )
        )
    cpu_ratio = c["scrapy"]["cpu"] / c["feedkeeper"]["cpu"]
    lines += [
        "",
        f"Ratios: feedkeeper / Scrapy throughput **{fk / sc:.2f}x** (goal >= 3x);"
        f" feedkeeper / bare httpx **{fk / hx:.0%}** (goal >= 60 %);"
        f" Scrapy CPU / feedkeeper CPU **{cpu_ratio:.2f}x**.",
        "",
        *_scores(c["score"]),
    ]
    return "\n".join(lines)


def _scores(s: dict[str, Any]) -> list[str]:
    fks, scs = s["feedkeeper"], s["scrapy"]
    lines = [
        row("correctness after generation 1 then 2", "feedkeeper", "Scrapy"),
        row("---", "---:", "---:"),
    ]
    labels = [
        ("records in the truth (one per URL listed)", "posts"),
        ("records stored", "records"),
        ("records exactly right", "exact"),
        ("duplicate records", "duplicates"),
        ("records missing or merged", "missing"),
    ]
    lines += [row(label, fks[key], scs[key]) for label, key in labels]
    errors = fks["field_errors"]
    lines += [row(f"wrong {f}", errors[f], scs["field_errors"][f]) for f in errors]
    lines.append(row("version history right", fks["history_right"], "(not kept)"))
    lines.append(row("**accuracy**", f"**{fks['accuracy']:.2%}**", f"**{scs['accuracy']:.2%}**"))
    return lines


def _parse(p: dict[str, Any]) -> str:
    floor, fk, bs = (p[k]["ms_per_page"] for k in ("floor", "feedkeeper", "bs4_lxml"))
    names = [
        ("floor: selectolax + theme selectors", "floor", floor),
        ("feedkeeper parse_listing (no config)", "feedkeeper", fk),
        ("BeautifulSoup + lxml, same selectors", "bs4_lxml", bs),
    ]
    lines = [
        "### 2. Card extraction (CPU ms per page, best of 3, same pages)",
        "",
        row("parser", "ms/page", "cards", "vs floor"),
        row("---", "---:", "---:", "---:"),
    ]
    for label, key, ms in names:
        lines.append(row(label, f"{ms:.2f}", p[key]["cards"], f"{ms / floor:.2f}x"))
    lines += [
        "",
        f"Ratios: feedkeeper / floor **{fk / floor:.2f}x** (goal <= 2x);"
        f" BeautifulSoup / feedkeeper **{bs / fk:.1f}x**."
        f" feedkeeper reads {p['agreement']:.1%} of the floor's cards identically.",
    ]
    return "\n".join(lines)


def _reparse(r: dict[str, Any]) -> str:
    per_page = r["cpu"] / r["pages"] * 1000
    return (
        "### 3. Reparse of every stored page (no network)\n\n"
        f"{r['pages']} pages in {r['seconds']:.1f} s: **{r['pages'] / r['seconds']:.0f} pages/s**"
        f" ({per_page:.1f} CPU ms/page; process peak RSS {r['peak_rss_mb']:.0f} MB)."
    )


def _growth(rows: list[dict[str, Any]]) -> str:
    lines = [
        "### 4. Crawl cost as the archive grows",
        "",
        row(
            "posts archived",
            "fill s",
            "pages crawled",
            "new posts",
            "wall ms/page",
            "CPU ms/page",
            "vs smallest",
            "first crawl after the fill, CPU ms/page",
        ),
        row("---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"),
    ]
    cpu = [r["cpu"] / r["pages"] for r in rows]
    for r, per_page in zip(rows, cpu, strict=True):
        lines.append(
            row(
                f"{r['archived']:,}",
                f"{r['prefill_seconds']:.0f}",
                r["pages"],
                r["new_posts"],
                f"{r['seconds'] / r['pages'] * 1000:.1f}",
                f"{per_page * 1000:.1f}",
                f"{per_page / cpu[0]:.2f}x",
                _first_crawl(r.get("first_crawl")),
            )
        )
    lines += [
        "",
        f"Largest archive / smallest, crawls minutes apart: **{cpu[-1] / cpu[0]:.2f}x**;"
        f" slowest size / fastest size: **{max(cpu) / min(cpu):.2f}x**.",
    ]
    paired = [r for r in rows if r.get("pairs")]
    if not paired:
        return "\n".join(lines)
    lines += [
        "",
        "Each size paired with the smallest archive: the same pages crawled into a copy of it"
        " right after (CPU ms/page):",
        "",
        row("posts archived", "pages", "this size", "smallest", "ratio"),
        row("---:", "---", "---:", "---:", "---:"),
    ]
    for r in paired:
        for pair in r["pairs"]:
            sized, smallest = pair["sized"], pair["smallest"]
            lines.append(
                row(
                    f"{r['archived']:,}",
                    f"{sized['pages']} from page {pair.get('first', '?')}",
                    f"{sized['cpu'] / sized['pages'] * 1000:.1f}",
                    f"{smallest['cpu'] / smallest['pages'] * 1000:.1f}",
                    f"{_pair_ratio(pair):.2f}x",
                )
            )
    largest = paired[-1]
    ratios = [_pair_ratio(pair) for pair in largest["pairs"]]
    lines += [
        "",
        f"Largest archive / smallest, paired: **{sum(ratios) / len(ratios):.2f}x** (mean of"
        f" {len(ratios)} pairs; goal: flat within 1.20x).",
    ]
    return "\n".join(lines)


def _pair_ratio(pair: dict[str, Any]) -> float:
    sized, smallest = pair["sized"], pair["smallest"]
    return float((sized["cpu"] / sized["pages"]) / (smallest["cpu"] / smallest["pages"]))


def _recrawl(r: dict[str, Any]) -> str:
    lines = [
        "### 5. Re-crawl of the unchanged site (--full)",
        "",
        row("case", "pages", "answered 304", "new posts", "wall ms/page", "CPU ms/page"),
        row("---", "---:", "---:", "---:", "---:", "---:"),
    ]
    cases = [
        ("conditional GET (ETag, Last-Modified)", r["not_modified"]),
        ("validators off (every page parsed)", r["no_validators"]),
    ]
    for label, run in cases:
        pages = run["pages"] + run["not_modified"]
        lines.append(
            row(
                label,
                pages,
                run["not_modified"],
                run["new_posts"],
                f"{run['seconds'] / pages * 1000:.2f}",
                f"{run['cpu'] / pages * 1000:.2f}",
            )
        )
    return "\n".join(lines)


def _stages(s: dict[str, Any]) -> str:
    lines = [
        "### 7. The stages after fetch, in one process (CPU ms per page)",
        "",
        row("stage", "ms/page"),
        row("---", "---:"),
        row("parse (decode + parse_listing)", f"{s['parse_ms']:.2f}"),
        row("dedupe (keys, lookups, decisions)", f"{s['dedupe_ms']:.2f}"),
        row("write, full-text indexes kept", f"{s['write_ms']:.2f}"),
        row("write, index triggers dropped", f"{s['write_without_index_ms']:.2f}"),
        "",
        f"Full-text indexes' share of the write: **{s['index_share']:.0%}** (goal <= 20 %),"
        f" over {s['pages']} pages.",
    ]
    return "\n".join(lines)


def _export(e: dict[str, Any]) -> str:
    lines = [
        "### 6. Export",
        "",
        row("format", "posts", "MB written", "wall s", "CPU s", "peak RSS MB"),
        row("---", "---:", "---:", "---:", "---:", "---:"),
    ]
    for fmt in ("jsonl", "csv"):
        x = e[fmt]
        count = x["lines"] - (1 if fmt == "csv" else 0)
        lines.append(
            row(
                fmt,
                f"{count:,}",
                f"{x['bytes'] / 1e6:.0f}",
                f"{x['wall']:.1f}",
                f"{x['cpu']:.1f}",
                f"{x['peak_rss_mb']:.0f}",
            )
        )
    lines += ["", "Goal: peak RSS < 150 MB."]
    return "\n".join(lines)


def _first_crawl(run: dict[str, Any] | None) -> str:
    """The CPU per page of the untimed crawl right after a fill, with its page count."""
    if not run:
        return "—"
    return f"{run['cpu'] / run['pages'] * 1000:.1f} ({run['pages']} pages)"
