"""Lines of a text capture that a wrapper broke at a fixed width, joined back.

People save a capture through tools that hard-wrap it: ``fold -w 80 -s``, an editor's 72
columns, a mail client's 76. A wrapped excerpt reads as several lines, and each would be a
card of its own (or a title glued to the wrong text). A line is joined to the next only
where the capture itself shows it was wrapped:

- the capture has a width: its longest line is of a terminal's or an editor's size, and
  several lines come close to it (a wrapper fills every line of a paragraph but its last).
  Widths are measured as wrappers count them, in characters, in terminal columns (a CJK
  character takes two) or in UTF-8 bytes (``fold``), whichever the lines agree on. A
  wrapper that breaks at spaces only (an editor wrapping Chinese text with a space here
  and there) leaves a run wider than the width on a line of its own: the width is then
  the one the lines of text holding a space come close to, the card's own lines aside;
- the line is full: the next line's first word would not have fitted after it, and it
  either comes close to the width or ends with the space a wrapper breaking at spaces
  leaves (``fold -s``, ``format=flowed`` mail), or (a wrapper that drops the space leaves
  a line as short as the next word is long) it is half the width, ends mid-sentence and
  is not the line after a date line, where a title stands; with a wrapper breaking at
  spaces only, ending mid-sentence is enough, however short (the next run did not fit),
  and such lines join with the space the wrapper broke at;
- where the wrapper leaves the space it breaks at (most full lines end with one), a line
  ending without it, though a space stands within it, ends its paragraph however full it
  is: the wrapper would have broken at that space;
- a full line ending a sentence is still joined: CJK text is broken anywhere, and a break
  lands right after a "。" in about one excerpt in four, while an excerpt that is not cut
  ending on a full line, another excerpt right after it, is rare;
- it does not end with an ellipsis: that ends a cut excerpt, and another post's excerpt
  may follow it straight away;
- the next line is none of a card's own lines (a date, a pin, a "read more" or pager line,
  or a category or title above a date line): the caller tells.

Lines join with what stood at the break: a wrapper that cuts every line at the width
exactly (``fold`` without ``-s``) keeps each space, so a break with none either side cut
a word in two and joins without one.

A real short line (a category, a title) is never full, so it is never joined; an
excerpt's last line is joined to the next only if it happens to fill the width and the
next line's first word would not fit, and the wrapper drops the space it breaks at: the
one case the text cannot tell apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

# Wrappers work at a terminal's or an editor's width (fold 80, 72, mail 76, 60 at the least
# anyone picks); 200 leaves room for 100 CJK columns counted in UTF-8 bytes. A longer line
# is one the site showed unwrapped.
MIN_WRAP_WIDTH = 30
MAX_WRAP_WIDTH = 200
# A capture is wrapped when at least this many lines come close to its longest one.
MIN_FULL_LINES = 3
# How close a full line comes: within an eighth of the width (a wrapper breaking at spaces
# leaves up to a word's room at the end of a line).
FULL_SHARE = 8
# Columns a line's room is misjudged by: a wrapper counting UTF-8 bytes (``fold``) cuts a
# character in two, which goes whole to the next line, so that line may show the width two
# bytes wider than the wrapper's.
FIT_SLACK = 2
# An ellipsis ends a cut excerpt, whatever comes next.
_ELLIPSIS_END_RE = re.compile(r"(?:\.\.\.|…|⋯|。。。|\[…\]|\[\.\.\.\])\s*$")
_SENTENCE_ENDS = ("。", "！", "？", ".", "!", "?", "…")
# The characters a terminal shows two columns wide: CJK ideographs, kana, hangul and the
# full-width forms (East Asian Width W and F).
_WIDE_RE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U00020000-\U0003fffd]"
)


def _columns(text: str) -> int:
    return len(text) + len(_WIDE_RE.findall(text))


def _utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# Characters first: a tie goes to the plainest count.
_MEASURES: tuple[Callable[[str], int], ...] = (len, _columns, _utf8_bytes)


@dataclass(frozen=True, slots=True)
class Wrap:
    """The width a capture was wrapped at, how its wrapper counted it, and whether it
    leaves the space it breaks at (``fold -s``, ``format=flowed``)."""

    width: int
    measure: Callable[[str], int]
    keeps_spaces: bool = False
    # It breaks at spaces only: a word wider than the width stands on a line of its own.
    spaces_only: bool = False
    # It cuts every line at the width, inside a word too (``fold`` without ``-s``), and
    # keeps each space, at a line's end or the next line's start.
    cuts_anywhere: bool = False

    def is_full(self, width: int) -> bool:
        """Tell whether a line this wide comes close to the width."""
        return width >= self.width - self.width // FULL_SHARE


def find_wrap(lines: Sequence[str], stands_alone: Callable[[int], bool]) -> Wrap | None:
    """The width the lines were wrapped at, or None when they were not wrapped;
    ``stands_alone(i)`` tells that line ``i`` is one of a card's own lines."""
    texts = [line.rstrip() for line in lines if line.strip()]
    best = _widest_fill(texts) or _fill_between_long_words(lines, stands_alone)
    if best is None:
        return None
    return replace(
        best, keeps_spaces=_keeps_spaces(lines, best), cuts_anywhere=_cuts_anywhere(lines, best)
    )


def _fill_between_long_words(
    lines: Sequence[str], stands_alone: Callable[[int], bool]
) -> Wrap | None:
    """The width of a wrapper that breaks at spaces only (CJK text, parted by a space
    here and there, wrapped by an editor that never breaks inside a word): the lines of
    text holding a space fill it, and a word wider than it overflows it on a line of its
    own."""
    texts = [line.strip() for line in lines]
    if any(" " in text and len(text) > MAX_WRAP_WIDTH for text in texts):
        return None  # text the site showed unwrapped
    kept = [index for index, text in enumerate(texts) if text and not stands_alone(index)]
    wrap = _widest_fill([lines[index].rstrip() for index in kept if " " in texts[index]])
    words = [texts[index] for index in kept if " " not in texts[index]]
    if wrap is None or not any(wrap.measure(word) > wrap.width for word in words):
        return None
    return replace(wrap, spaces_only=True)


def _widest_fill(texts: list[str]) -> Wrap | None:
    """The width most of the lines come close to, in the measure they agree on best."""
    if not texts or max(map(len, texts)) > MAX_WRAP_WIDTH:
        return None  # no measure counts a line shorter than its characters
    best, most = None, MIN_FULL_LINES - 1
    for measure in _MEASURES:
        widths = [measure(text) for text in texts]
        wrap = Wrap(max(widths), measure)
        if not MIN_WRAP_WIDTH <= wrap.width <= MAX_WRAP_WIDTH:
            continue
        full = sum(map(wrap.is_full, widths))
        if full > most:
            best, most = wrap, full
    return best


def _cuts_anywhere(lines: Sequence[str], wrap: Wrap) -> bool:
    """Tell whether the wrapper cut each line at the width exactly: several full lines,
    their spaces kept, are that wide, three in four of them at the least (a wrapper
    breaking at spaces leaves a line as much short of the width as the next word is long,
    and only paragraphs' last lines come close to it by chance otherwise)."""
    widths = [wrap.measure(line) for line in lines if wrap.is_full(wrap.measure(line.rstrip()))]
    exact = widths.count(wrap.width)
    return exact >= MIN_FULL_LINES and 4 * exact >= 3 * len(widths)


def _keeps_spaces(lines: Sequence[str], wrap: Wrap) -> bool:
    """Tell whether the wrapper leaves the space it breaks at: several full lines end with
    one, and more of them than end without (those end their paragraphs, or are a run
    without a space that the wrapper cut where it could)."""
    ends = [line[-1:].isspace() for line in lines if wrap.is_full(wrap.measure(line.rstrip()))]
    spaced = sum(ends)
    return spaced >= MIN_FULL_LINES and 2 * spaced > len(ends)


def join_wrapped(lines: list[str], stands_alone: Callable[[int], bool]) -> list[str]:
    """Join each wrapped line to the line after it; ``stands_alone(i)`` tells that line
    ``i`` is one of a card's own lines (a date, a category), which no line runs on into."""
    wrap = find_wrap(lines, stands_alone)
    if wrap is None:
        return lines
    joined = [lines[:1]]  # each line's pieces, joined once at the end (a string grown by
    # a line at a time would be copied whole at each: a long run of full lines, quadratic)
    for index in range(1, len(lines)):
        line, previous = lines[index], lines[index - 1]
        if _runs_on(wrap, previous, line) and not stands_alone(index):
            after_card_line = index >= 2 and stands_alone(index - 2)
            if _is_full(wrap, previous, loosely=not after_card_line):
                _join(joined[-1], line, _joint(wrap, previous, line))
                continue
        joined.append([line])
    return ["".join(pieces) for pieces in joined]


def _runs_on(wrap: Wrap, line: str, following: str) -> bool:
    """Tell whether ``following`` could go on from ``line``: its first word would not have
    fitted after it (with the space after that word, which ``fold -s`` counts too), and no
    ellipsis ends it."""
    text, word = line.rstrip(), following.strip().split(" ", 1)[0]
    if not text or not word or _ELLIPSIS_END_RE.search(text):
        return False
    return wrap.measure(text) + 1 + wrap.measure(word) + FIT_SLACK >= wrap.width


def _is_full(wrap: Wrap, line: str, *, loosely: bool) -> bool:
    """Tell whether a wrapper filled ``line``: it comes close to the width, or ends with the
    space a wrapper breaking at spaces leaves (``fold -s``, ``format=flowed``); ``loosely``
    also when it is half the width and ends mid-sentence (a wrapper that drops the space
    leaves a line as short as the next word is long). Loosely never for the line after a
    date line: a title stands there, and the excerpt's first word may be a long one."""
    text = line.rstrip()
    if line[-1:].isspace():
        return True
    if wrap.keeps_spaces and " " in text:
        return False  # the wrapper would have broken at that space and left it: a paragraph
        # ends here, however close to the width it comes
    width = wrap.measure(text)
    if wrap.is_full(width) and width <= wrap.width:
        return True
    if wrap.spaces_only:  # the next word did not fit: the line ended there, however short
        return loosely and not text.endswith(_SENTENCE_ENDS)
    return loosely and 2 * width >= wrap.width and not text.endswith(_SENTENCE_ENDS)


def _joint(wrap: Wrap, broken: str, following: str) -> str:
    """What stood where the wrapper broke ``broken``: a space, or nothing (a word cut in
    two, or CJK text). A wrapper cutting anywhere keeps each space, so a break with none
    either side is inside a word; one breaking at spaces only broke at one. Otherwise text
    other than CJK is broken at spaces, whether the wrapper left the space or dropped it
    (editors and mail clients never cut a word); CJK text is broken anywhere, and a CJK
    character either side of the break joins without one (a space the wrapper dropped
    there is lost)."""
    if wrap.cuts_anywhere:
        return " " if broken[-1:].isspace() or following[:1].isspace() else ""
    if wrap.spaces_only or broken[-1:].isspace():
        return " "
    cjk = _WIDE_RE.match(broken.rstrip()[-1:]) or _WIDE_RE.match(following.lstrip()[:1])
    return "" if cjk else " "


def _join(pieces: list[str], following: str, joint: str) -> None:
    """Add the line after a broken one, with what stood at the break, to the pieces of the
    line joined so far (which end with the broken line)."""
    pieces[-1] = pieces[-1].rstrip()
    pieces.append(joint + following.lstrip())
