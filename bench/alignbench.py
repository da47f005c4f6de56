"""How long recovery takes to align one excerpt with its article (no I/O, no network).

    uv run python -m bench.alignbench [--rounds 20]

Builds, deterministically, mixed Chinese and English excerpts of 500, 1,000 and 3,000
characters, cut from an article four times as long, either as one run of text ending
in a placeholder or with a placeholder every ~150 characters; a few characters are
dropped on the way, as the site's excerpt generator does. Prints the best and the
median milliseconds per excerpt, and checks every placeholder was recovered.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from feedkeeper.article import Article, Block, recover_placeholders

_TEXT = (
    "梯度 下降 的 学习率 会 随着 训练 逐步 减小 模型 参数 更新 方向 由 损失 函数 决定 "
    "the step size shrinks as training goes on and the loss falls towards its minimum"
)
_WORDS = _TEXT.split(" ")
SIZES = (500, 1000, 3000)


def make_case(size: int, every: int | None, seed: int = 7) -> tuple[str, Article, int]:
    """Return an excerpt of ``size`` characters, its article and how many placeholders."""
    rng = random.Random(seed)
    segments: list[str | Block] = ["Posted in Notes · 5 min read"]
    excerpt: list[str] = []
    length, count = 0, 0
    while length < size:
        text = " ".join(rng.choice(_WORDS) for _ in range(max(8, (every or size) // 4)))
        text = text[: (every or size)]
        segments.append(text)
        excerpt.append(text.replace("-", "") if count % 2 else text)
        length += len(text)
        kind, token = ("formula", "[公式]") if count % 3 else ("code", "[代码]")
        segments.append(Block(kind, f"x_{{{count}}}" if kind == "formula" else f"f({count})"))
        excerpt.append(token)
        count += 1
    segments.append(" ".join(rng.choice(_WORDS) for _ in range(size)))
    return " ".join(excerpt) + " " + str(segments[-1])[:40], Article(tuple(segments)), count


def measure(size: int, every: int | None, rounds: int) -> tuple[float, float]:
    """Return the best and median milliseconds to recover one excerpt's placeholders."""
    excerpt, article, count = make_case(size, every)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        results = recover_placeholders(excerpt, article)
        timings.append((time.perf_counter() - started) * 1000)
    assert sum(r.status == "recovered" for r in results) == count, results
    return min(timings), statistics.median(timings)


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.alignbench")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    print("excerpt chars  placeholders     best ms  median ms")
    for size in SIZES:
        for every, label in ((None, "one at the end"), (150, "every ~150 chars")):
            best, median = measure(size, every, args.rounds)
            print(f"{size:>13}  {label:<16} {best:>7.1f}  {median:>9.1f}")


if __name__ == "__main__":
    main()
