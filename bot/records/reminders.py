"""The reminder ledger: a mediation reminder is noted once per key before it is posted, released if the post fails.

`bot.mediation.reminders` decides what to send; a noted reminder is not activity (it leaves `last_activity_at` alone).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from bot.records.cases import MediationRecord, TimelineEntry
from bot.records.tables import insert_once, utcnow


def note_reminder(
    *, session: Session, mediation_id: int, key: str, text: str, actor: str = "liaison"
) -> TimelineEntry | None:
    """Record a reminder once per `key` (e.g. "reminder:<id>:stale:<date>"): None if already sent.

    A reminder is not activity: it does not make a stale mediation fresh.
    """
    if session.get(MediationRecord, mediation_id) is None:
        raise LookupError(f"no mediation #{mediation_id}")
    source_key = f"reminder:{key}" if not key.startswith("reminder:") else key
    values: dict[str, Any] = {
        "issue_id": None,
        "mediation_id": mediation_id,
        "kind": "reminder",
        "actor": actor,
        "text": text,
        "data": {},
        "at": utcnow(),
        "source_key": source_key,
        "original_ts": None,
        "original_author": None,
    }
    if not insert_once(session, TimelineEntry, values, key=("source_key",)):
        return None
    return session.exec(select(TimelineEntry).where(TimelineEntry.source_key == source_key)).one()


def forget_reminder(*, session: Session, mediation_id: int, key: str) -> bool:
    """Release a reminder noted with `note_reminder` (its post failed), so a later run sends it: True if released."""
    source_key = f"reminder:{key}" if not key.startswith("reminder:") else key
    query = select(TimelineEntry).where(
        TimelineEntry.source_key == source_key, TimelineEntry.mediation_id == mediation_id
    )
    entry = session.exec(query).first()
    if entry is None:
        return False
    session.delete(entry)
    session.flush()
    return True
