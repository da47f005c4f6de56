"""Keeping recovered placeholder texts across a rebuild of the derived tables."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select, update

from feedkeeper.store.tables import placeholder_t, post_t, post_version_t

# A recovery belongs to a placeholder of one excerpt of one post: that is its key.
RecoveryKey = tuple[str, str, str, int]


def save_recoveries(conn: Connection) -> dict[RecoveryKey, dict[str, object]]:
    """Return every settled placeholder keyed by (post key, excerpt, kind, ordinal)."""
    ph, v, p = placeholder_t.c, post_version_t.c, post_t.c
    query = (
        select(
            p.key,
            v.excerpt,
            ph.kind,
            ph.ordinal,
            ph.status,
            ph.text,
            ph.reason,
            ph.attempts,
            ph.updated_at,
        )
        .select_from(
            placeholder_t.join(post_version_t, v.id == ph.version_id).join(
                post_t, p.id == v.post_id
            )
        )
        .where(ph.status != "pending")
    )
    return {
        (row.key, row.excerpt or "", row.kind, row.ordinal): {
            "status": row.status,
            "text": row.text,
            "reason": row.reason,
            "attempts": row.attempts,
            "updated_at": row.updated_at,
        }
        for row in conn.execute(query)
    }


def restore_recoveries(conn: Connection, kept: dict[RecoveryKey, dict[str, object]]) -> None:
    """Put saved recoveries back on the placeholders that have the same key after a rebuild."""
    if not kept:
        return
    ph, v, p = placeholder_t.c, post_version_t.c, post_t.c
    query = select(ph.id, p.key, v.excerpt, ph.kind, ph.ordinal).select_from(
        placeholder_t.join(post_version_t, v.id == ph.version_id).join(post_t, p.id == v.post_id)
    )
    rows = []
    for row in conn.execute(query):
        saved = kept.get((row.key, row.excerpt or "", row.kind, row.ordinal))
        if saved is not None:
            rows.append({"pid": row.id, **saved})
    if rows:
        statement = update(placeholder_t).where(ph.id == bindparam("pid"))
        conn.execute(statement, rows)
