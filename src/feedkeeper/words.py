"""Words for the word index (``post_words``): what a reader types into a search box.

SQLite's ``unicode61`` tokenizer splits text at spaces and punctuation, which
leaves a Chinese sentence as one long token. So the text is segmented here
first: the words jieba finds (``cut_for_search``, which also yields the shorter
dictionary words inside long ones), then every run of one to four Han characters.
The runs make any Chinese word of up to four characters match exactly the posts
that contain it, as a substring search would, whether or not jieba cut the
sentence there; jieba adds the longer words. Latin words stay whole.
"""

from __future__ import annotations

import re

# Han runs of up to this many characters are indexed as words of their own: most
# Chinese words have two characters, nearly all have four or fewer.
MAX_HAN_RUN = 4
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def segment_words(text: str | None) -> str | None:
    """Return ``text`` as space-separated words for the ``unicode61`` tokenizer."""
    if text is None:
        return None
    import rjieba  # loaded by the first write that needs it, not by every command

    words = [word for word in rjieba.cut_for_search(text) if not word.isspace()]
    for run in _HAN_RE.findall(text):
        words.extend(han_runs(run))
    return " ".join(words)


def han_runs(run: str, longest: int = MAX_HAN_RUN) -> list[str]:
    """Every substring of ``run`` of one to ``longest`` characters, in reading order."""
    return [
        run[start : start + size]
        for start in range(len(run))
        for size in range(1, longest + 1)
        if start + size <= len(run)
    ]
