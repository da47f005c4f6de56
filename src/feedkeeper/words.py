"""Words for the word index (``post_words``): what a reader types into a search box.

SQLite's ``unicode61`` tokenizer splits text at spaces and punctuation, which
leaves a Chinese sentence as one long token. So the text is segmented here
first: every run of one to four Han characters becomes a word of its own, which
makes any Chinese word of up to four characters match exactly the posts that
contain it, as a substring search would; jieba adds the longer words it finds
(its shorter ones are among the runs already). Everything that is not Han text
stays where it was, for ``unicode61`` to split into whole words (Latin, digits,
kana, accented letters).

Segmenting runs once for every new or changed post, so it is written for speed:
a short run's words are kept once made (the same few words come back between other
text), a run of up to a few dozen characters has the characters of its words picked
by an ``itemgetter`` made for its length (in C, no string made per substring), a
longer one is made by concatenating neighbours (``map`` over the characters), and
jieba only reads runs long enough to hold a word longer than four characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import chain
from operator import add, itemgetter

# Han runs of up to this many characters are indexed as words of their own: most
# Chinese words have two characters, nearly all have four or fewer.
MAX_HAN_RUN = 4
# The word index reads this many characters of a title or excerpt. Each Han character
# becomes four words, so a listing that shows whole posts, or a hostile one with megabytes
# of text in a card, would otherwise cost tens of bytes of index (and of memory while
# segmenting) for every character. Longer text stays whole in the archive and in the
# substring index (post_fts), where `feedkeeper search` finds it.
MAX_SEGMENTED_CHARS = 10_000
_HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
_HAN_SPLIT_RE = re.compile(f"({_HAN}+)")  # captured: split() keeps the runs
_LONG_RUN_RE = re.compile(f"{_HAN}{{{MAX_HAN_RUN + 1},}}")


def segment_words(text: str | None) -> str | None:
    """Return ``text`` (its first ``MAX_SEGMENTED_CHARS`` characters) as space-separated
    words for the ``unicode61`` tokenizer."""
    if text is None:
        return None
    if len(text) > MAX_SEGMENTED_CHARS:
        text = text[:MAX_SEGMENTED_CHARS]
    pieces = _HAN_SPLIT_RE.split(text)  # other text, a Han run, other text, ..., other text
    runs = pieces[1::2]
    # Each run's words joined apart: a run holds at least one word, so joining the joined
    # groups again puts exactly one space between any two words, as one join of all would.
    pieces[1::2] = map(run_words, runs)
    pieces.extend(_jieba_words([run for run in runs if len(run) > MAX_HAN_RUN]))
    return " ".join(pieces)


def run_words(run: str) -> str:
    """The words of one Han run (``han_runs``), joined by spaces."""
    if len(run) > MAX_HAN_RUN:
        if len(run) >= GATHERED_RUN_CHARS:
            return " ".join(han_runs(run))
        # The characters picked in C and joined once: no string made for every substring.
        return "".join(_run_gatherer(len(run))((*run, " ")))
    # Short runs are the common words between other text (的, 和, 模型): kept once made.
    words = _short_run_words.get(run)
    if words is None:
        if len(_short_run_words) >= SHORT_RUN_MEMORY:
            _short_run_words.clear()
        words = _short_run_words[run] = " ".join(han_runs(run))
    return words


def han_runs(run: str) -> Iterator[str]:
    """Every substring of ``run`` of one to four characters: the single characters first,
    then the pairs, the triples and the quadruples, each in reading order."""
    pairs = list(map(add, run, run[1:]))
    triples = list(map(add, pairs, run[2:]))
    return chain(run, pairs, triples, map(add, triples, run[3:]))


# Short runs whose words are kept (each some 30 characters), forgotten all at once beyond.
SHORT_RUN_MEMORY = 8192
_short_run_words: dict[str, str] = {}
# Runs shorter than this are segmented by a gatherer made for their length (beyond, by
# concatenating neighbours: a 10,000-character run makes no gatherer of 40,000 indices).
GATHERED_RUN_CHARS = 64


@cache  # made when first needed, one for each length under GATHERED_RUN_CHARS
def _run_gatherer(length: int) -> itemgetter[tuple[int, ...]]:
    """What picks, from a run's characters followed by a space, the characters of its words
    in ``han_runs``'s order, a space between any two words."""
    picks: list[int] = []
    # The run whose character at each index is chr(index): its words spell their indices.
    for word in han_runs("".join(map(chr, range(length)))):
        if picks:
            picks.append(length)  # the space after the characters
        picks.extend(map(ord, word))
    return itemgetter(*picks)


def long_words(text: str) -> list[str]:
    """The words of more than four Han characters that jieba finds in ``text``."""
    return _jieba_words(_LONG_RUN_RE.findall(text))


def _jieba_words(runs: list[str]) -> list[str]:
    """The words of more than four characters that jieba finds in these Han runs."""
    if not runs:
        return []
    import rjieba  # loaded by the first write that needs it, not by every command

    return [word for word in rjieba.cut(" ".join(runs)) if len(word) > MAX_HAN_RUN]
