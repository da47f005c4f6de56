"""The cyclic garbage collector and what a process's start allocated."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup() -> None:
    """Take everything alive now out of the collector's sight, once per process.

    A crawl allocates many short-lived containers, so the collector runs often, and each of
    its full passes walked every module, class and compiled statement the start made: about
    half of the collector's time in a crawl. Frozen, they are never walked again and stay
    alive as before. Only the first call freezes, so the later runs of a long-lived process
    (the daemon, a test session) leave nothing of theirs frozen.
    """
    global _frozen
    if not _frozen:
        gc.freeze()
        _frozen = True
