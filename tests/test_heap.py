"""freeze_startup: what the start allocated leaves the collector's sight, once per process."""

from __future__ import annotations

import gc

import pytest

from feedkeeper import heap


def test_only_the_first_call_freezes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_frozen", False)
    gc.unfreeze()
    try:
        heap.freeze_startup()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        later = [[n] for n in range(1000)]  # a later run's objects stay collectable
        heap.freeze_startup()
        assert gc.get_freeze_count() == frozen
        assert len(later) == 1000
    finally:
        gc.unfreeze()
