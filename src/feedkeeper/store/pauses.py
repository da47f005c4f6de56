"""The pauses hosts asked for (Retry-After), kept from run to run and process to process."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, delete, select, update

from feedkeeper.clock import now_iso
from feedkeeper.records import HostPause
from feedkeeper.store.dialect import insert_unless_present
from feedkeeper.store.engine import archive_name, writing_to
from feedkeeper.store.tables import host_pause_t


def stored_pauses(engine: Engine) -> dict[str, HostPause]:
    """Return, by origin, the pauses that last beyond now."""
    h = host_pause_t.c
    query = select(h.origin, h.paused_until, h.asked_at, h.retry_after).where(
        h.paused_until > now_iso()
    )
    with engine.connect() as conn:
        return {
            row.origin: HostPause(row.origin, row.paused_until, row.asked_at, row.retry_after)
            for row in conn.execute(query.order_by(h.origin))
        }


def keep_pauses(engine: Engine, pauses: Iterable[HostPause]) -> None:
    """Store the pauses hosts asked for, and forget those over.

    A pause already stored that ends later stays as it is: a shorter answer since does
    not shorten it.
    """
    pauses = list(pauses)
    if not pauses:
        return
    h = host_pause_t.c
    add = insert_unless_present(host_pause_t)[engine.dialect.name]
    with writing_to(archive_name(Path(engine.url.database or ""))), engine.begin() as conn:
        conn.execute(delete(host_pause_t).where(h.paused_until <= now_iso()))
        for pause in pauses:
            values = {
                "paused_until": pause.paused_until,
                "asked_at": pause.asked_at,
                "retry_after": pause.retry_after,
            }
            later = h.paused_until < pause.paused_until
            conn.execute(update(host_pause_t).where(h.origin == pause.origin, later).values(values))
            conn.execute(add.values(origin=pause.origin, **values))
