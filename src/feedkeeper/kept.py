"""Caches that keep short values only.

The hot path works out some answers once for values that recur (a site's menu links, a
pinned post's text, the dates a page's cards share). A hostile page's values can be
megabytes long: those are worked out, used and let go, so that a cache of a few thousand
entries stays a few megabytes whatever a site sends.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, cast

P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class KeptFunction(Protocol, Generic[P, T_co]):
    """A function whose answers for short arguments are kept, with its cache's controls."""

    cache_info: Callable[[], functools._CacheInfo]
    cache_clear: Callable[[], None]

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T_co: ...


def keep_short(
    *, maxsize: int, chars: int, size: Callable[..., int] = len
) -> Callable[[Callable[P, T]], KeptFunction[P, T]]:
    """Cache a pure function's answers for arguments of at most ``chars`` characters.

    ``size`` measures the arguments (the length of the one argument by default). The
    decorated function has the cache's ``cache_info`` and ``cache_clear``.
    """

    def decorate(work: Callable[P, T]) -> KeptFunction[P, T]:
        cached = functools.lru_cache(maxsize=maxsize)(work)
        plain: Callable[..., T] = work

        def answer(*args: Any) -> T:
            return cached(*args) if size(*args) <= chars else plain(*args)

        def answer_one(value: Any) -> T:  # the common case, without packing the arguments
            return cached(value) if len(value) <= chars else plain(value)

        kept = cast(
            KeptFunction[P, T], functools.wraps(work)(answer_one if size is len else answer)
        )
        kept.cache_info = cached.cache_info
        kept.cache_clear = cached.cache_clear
        return kept

    return decorate
