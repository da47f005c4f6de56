"""TeX written between delimiters in plain text: ``$$…$$``, ``\\[…\\]``, ``$…$``, ``\\(…\\)``;
and AsciiMath between backticks on a page that has MathJax read it."""

from __future__ import annotations

import re

from feedkeeper.article.model import Block, BlockKind

# Paired delimiters other than the lone ``$``: opener → (closer, kind).
_PAIRS: dict[str, tuple[str, BlockKind]] = {
    "$$": ("$$", "formula"),
    "\\[": ("\\]", "formula"),
    "\\(": ("\\)", "math"),
}


def split_delimited_math(text: str, *, backticks: bool = False) -> list[str | Block]:
    """Split one run of text into text pieces and the formulas written in it; with
    ``backticks``, `` `…` `` is AsciiMath too (the page has MathJax render it)."""
    pieces: list[str | Block] = []
    plain: list[str] = []
    index = 0
    while index < len(text):
        found = _formula_at(text, index, backticks)
        if found is None:
            step = 2 if text.startswith("\\$", index) else 1
            plain.append(text[index : index + step])
            index += step
            continue
        block, end = found
        if block is None:  # an empty pair like "$$ $$" stays text, closer included
            plain.append(text[index:end])
            index = end
            continue
        index = end
        if plain:
            pieces.append("".join(plain))
            plain = []
        pieces.append(block)
    if plain:
        pieces.append("".join(plain))
    return pieces


# A display environment MathJax renders without delimiters (``processEnvironments``):
# ``\begin{align}…\end{align}`` is a formula, the environment included.
_ENVIRONMENT_RE = re.compile(
    r"\\begin\{(equation|align|alignat|gather|multline|eqnarray|flalign|displaymath)(\*?)\}"
)


def _formula_at(text: str, start: int, backticks: bool) -> tuple[Block | None, int] | None:
    """Return the formula opening at ``start`` (None when blank) and the index after it."""
    if _is_escaped(text, start):
        return None
    if backticks and text.startswith("`", start):
        return _asciimath_at(text, start)
    if text.startswith("\\begin{", start) and (opened := _ENVIRONMENT_RE.match(text, start)):
        ender = f"\\end{{{opened.group(1)}{opened.group(2)}}}"
        stop = text.find(ender, opened.end())
        if stop == -1:
            return None
        return Block("formula", text[start : stop + len(ender)].strip()), stop + len(ender)
    for opener, (closer, kind) in _PAIRS.items():
        if text.startswith(opener, start):
            end = _find_unescaped(text, closer, start + len(opener))
            if end is None:
                return None
            source = text[start + len(opener) : end].strip()
            return (Block(kind, source) if source else None), end + len(closer)
    if text.startswith("$", start):
        return _inline_dollar_at(text, start)
    return None


def _asciimath_at(text: str, start: int) -> tuple[Block | None, int] | None:
    """Return the AsciiMath `` `…` `` opening at ``start``: inline math, as MathJax's
    asciimath2jax renders it (its source kept as written: it has no TeX)."""
    end = _find_unescaped(text, "`", start + 1)
    if end is None:
        return None
    source = text[start + 1 : end].strip()
    return (Block("math", source) if source else None), end + 1


def _inline_dollar_at(text: str, start: int) -> tuple[Block, int] | None:
    """Return ``$…$`` math at ``start``; a price like ``$5 and $10`` is not math, nor
    shell variables in Chinese prose (``$JAVA_HOME/bin加到$PATH``)."""
    if start + 1 >= len(text):
        return None
    if text[start + 1].isspace():
        return _spaced_dollar_at(text, start)
    end = _find_unescaped(text, "$", start + 1)
    if end is None or text[end - 1].isspace():
        return None
    if end + 1 < len(text) and text[end + 1].isdigit():
        return None
    source = text[start + 1 : end].strip()
    if "\\" not in source and _CJK_RE.search(source):  # TeX writes its words in \text{}
        return None
    if source.startswith("latex "):  # WordPress's ``$latex …&s=2$``, shown without Jetpack
        source = _JETPACK_OPTIONS_RE.sub("", source[len("latex ") :]).strip()
    return Block("math", source), end + 1


def _spaced_dollar_at(text: str, start: int) -> tuple[Block, int] | None:
    """Return ``$ x $`` math, spaced inside on both sides (MathJax and KaTeX render it),
    when what it holds reads as TeX: not ``$ 5 and $ 10``, ``$ HOME 或 $ PATH``."""
    if start > 0 and text[start - 1].isalnum():
        return None  # US$ 5
    end = _find_unescaped(text, "$", start + 1)
    if end is None or not text[end - 1].isspace():
        return None
    if end + 1 < len(text) and text[end + 1].isdigit():
        return None
    source = text[start + 1 : end].strip()
    return (Block("math", source), end + 1) if _reads_as_spaced_tex(source) else None


# TeX's signs: a command, a script, a group, an equation.
_TEX_SIGN_RE = re.compile(r"[\\^_{}=]")
# A word of prose: three letters or more, not a command's name.
_BARE_WORD_RE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")


def _reads_as_spaced_tex(source: str) -> bool:
    """Tell TeX between spaced dollars from prose and prices: a command, or a letter and
    a sign of TeX or a lone short token (``x``, ``X``), and no Chinese, no bare word."""
    if not source or _CJK_RE.search(source) or "\n" in source:
        return False
    if "\\" in source:
        return True
    if not any("a" <= ch.lower() <= "z" for ch in source) or _BARE_WORD_RE.search(source):
        return False
    return _TEX_SIGN_RE.search(source) is not None or (len(source) <= 3 and " " not in source)


# The size and colours Jetpack's ``$latex …$`` takes after its TeX.
_JETPACK_OPTIONS_RE = re.compile(r"(?:&(?:amp;)?(?:s|bg|fg)=[-\w]*)+$")


# Chinese, Japanese and Korean characters: prose, not the symbols of a formula.
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _find_unescaped(text: str, needle: str, start: int) -> int | None:
    """Return the index of the next ``needle`` not preceded by a backslash escape."""
    index = text.find(needle, start)
    while index != -1:
        if not _is_escaped(text, index):
            return index
        index = text.find(needle, index + 1)
    return None


def _is_escaped(text: str, index: int) -> bool:
    """Tell whether an odd number of backslashes stands right before ``index``."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1
