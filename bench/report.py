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
    ]
    parts.append(f"Whole run: {r['total_seconds']:.0f} s.")
    return "\n\n".join(parts) + "\n"


def _machine(r: dict[str, Any]) -> str:
    m = r["machine"]
    tools = ", ".join(f"{k} {v}" for k, v in m["tools"].items())
    load = lambda v: " ".join(f"{x:.2f}" for x in v)  # noqa: E731
    return (
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']}; Python"
        f" {m['python']}; nginx {m['nginx']}; {tools}. Load average before {load(m['load_before'])},"
        f" after {load(m['load_after'])}. Options: {r['args']}."
    )


def _rate(run: dict[str, Any], pages: int) -> float:
    return pages / run["wall"] if run["wall"] else 0.0


def _crawl(c: dict[str, Any]) -> str:
    pages = c["httpx"]["pages"]
    rows = [
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
        "| run | wall s | pages/s | CPU s | CPU ms/page | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, run in rows:
        lines.append(
            f"| {name} | {run['wall']:.1f} | {_rate(run, pages):.0f} | {run['cpu']:.1f} |"
            f" {run['cpu'] / pages * 1000:.1f} | {run['peak_rss_mb']:.0f} |"
        )
    s = c["score"]
    lines += [
        "",
        f"Ratios: feedkeeper / Scrapy throughput **{fk / sc:.2f}x** (goal >= 3x); feedkeeper / bare"
        f" httpx **{fk / hx:.0%}** (goal >= 80 %); Scrapy CPU / feedkeeper CPU"
        f" **{c['scrapy']['cpu'] / c['feedkeeper']['cpu']:.2f}x**.",
        "",
        "| correctness after generation 1 then 2 | feedkeeper | Scrapy |",
        "| --- | ---: | ---: |",
    ]
    fks, scs = s["feedkeeper"], s["scrapy"]
    for label, key in (
        ("posts in the truth", "posts"),
        ("records stored", "records"),
        ("posts exactly right", "exact"),
        ("duplicate records", "duplicates"),
        ("posts missing", "missing"),
    ):
        lines.append(f"| {label} | {fks[key]} | {scs[key]} |")
    for field in fks["field_errors"]:
        lines.append(
            f"| wrong {field} | {fks['field_errors'][field]} | {scs['field_errors'][field]} |"
        )
    lines.append(f"| version history right | {fks['history_right']} | (not kept) |")
    lines.append(f"| **accuracy** | **{fks['accuracy']:.2%}** | **{scs['accuracy']:.2%}** |")
    return "\n".join(lines)


def _parse(p: dict[str, Any]) -> str:
    floor, fk, bs = (p[k]["ms_per_page"] for k in ("floor", "feedkeeper", "bs4_lxml"))
    return "\n".join(
        [
            "### 2. Card extraction (CPU ms per page, best of 3, same pages)",
            "",
            "| parser | ms/page | cards | vs floor |",
            "| --- | ---: | ---: | ---: |",
            f"| floor: selectolax + theme selectors | {floor:.2f} | {p['floor']['cards']} | 1.00x |",
            f"| feedkeeper parse_listing (no config) | {fk:.2f} | {p['feedkeeper']['cards']} | {fk / floor:.2f}x |",
            f"| BeautifulSoup + lxml, same selectors | {bs:.2f} | {p['bs4_lxml']['cards']} | {bs / floor:.2f}x |",
            "",
            f"Ratios: feedkeeper / floor **{fk / floor:.2f}x** (goal <= 1.5x); BeautifulSoup / feedkeeper"
            f" **{bs / fk:.1f}x** (goal >= 5x). feedkeeper reads {p['agreement']:.1%} of the floor's"
            " cards identically.",
        ]
    )


def _reparse(r: dict[str, Any]) -> str:
    return (
        "### 3. Reparse of every stored page (no network)\n\n"
        f"{r['pages']} pages in {r['seconds']:.1f} s: **{r['pages'] / r['seconds']:.0f} pages/s**"
        f" ({r['cpu'] / r['pages'] * 1000:.1f} CPU ms/page; process peak RSS {r['peak_rss_mb']:.0f} MB)."
    )


def _growth(rows: list[dict[str, Any]]) -> str:
    lines = [
        "### 4. Crawl cost as the archive grows",
        "",
        "| posts archived | fill s | pages crawled | new posts | wall ms/page | CPU ms/page | vs smallest |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base = rows[0]["cpu"] / rows[0]["pages"]
    for row in rows:
        per = row["cpu"] / row["pages"]
        lines.append(
            f"| {row['archived']:,} | {row['prefill_seconds']:.0f} | {row['pages']} | {row['new_posts']} |"
            f" {row['seconds'] / row['pages'] * 1000:.1f} | {per * 1000:.1f} | {per / base:.2f}x |"
        )
    spread = max(r["cpu"] / r["pages"] for r in rows) / min(r["cpu"] / r["pages"] for r in rows)
    lines += ["", f"Largest / smallest CPU per page: **{spread:.2f}x** (goal: flat within 1.20x)."]
    return "\n".join(lines)


def _recrawl(r: dict[str, Any]) -> str:
    nm, nv = r["not_modified"], r["no_validators"]
    return "\n".join(
        [
            "### 5. Re-crawl of the unchanged site (--full)",
            "",
            "| case | pages | answered 304 | new posts | wall ms/page | CPU ms/page |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| conditional GET (ETag, Last-Modified) | {nm['pages'] + nm['not_modified']} | {nm['not_modified']} |"
            f" {nm['new_posts']} | {nm['seconds'] / (nm['pages'] + nm['not_modified']) * 1000:.2f} |"
            f" {nm['cpu'] / (nm['pages'] + nm['not_modified']) * 1000:.2f} |",
            f"| validators off (every page parsed) | {nv['pages']} | {nv['not_modified']} | {nv['new_posts']} |"
            f" {nv['seconds'] / nv['pages'] * 1000:.2f} | {nv['cpu'] / nv['pages'] * 1000:.2f} |",
        ]
    )


def _export(e: dict[str, Any]) -> str:
    lines = [
        "### 6. Export",
        "",
        "| format | posts | MB written | wall s | CPU s | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fmt in ("jsonl", "csv"):
        x = e[fmt]
        count = x["lines"] - (1 if fmt == "csv" else 0)
        lines.append(
            f"| {fmt} | {count:,} | {x['bytes'] / 1e6:.0f} | {x['wall']:.1f} | {x['cpu']:.1f} |"
            f" {x['peak_rss_mb']:.0f} |"
        )
    lines += ["", "Goal: peak RSS < 150 MB."]
    return "\n".join(lines)
