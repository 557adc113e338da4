"""Mediations: a dispute between client and vendor, from positions and evidence to an agreed outcome.

This module changes a mediation (open, positions, evidence, proposal, agree, escalate, withdraw, close,
comment), each change under the mediation's row lock. Reading is in `bot.mediation.queries`, the reminder
ledger in `bot.records.reminders`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from bot.i18n import N_, _
from bot.records.cases import (
    ACTIVE_MEDIATION_STATUSES,
    CASE_SIDES,
    IssueRecord,
    MediationRecord,
    MediationStatus,
    Position,
    TimelineEntry,
    add_entry,
    as_date,
    by_source_key,
    checked_issue_ids,
    clause_refs_of,
    insert_case,
    lock_row,
    required_text,
)
from bot.records.tables import check_choice, insert_once, utcnow


def _mediation_by_key(session: Session, source_key: str) -> MediationRecord | None:
    return by_source_key(session, MediationRecord, source_key)


def _lock_mediation(session: Session, mediation_id: int) -> MediationRecord:
    return lock_row(session, MediationRecord, mediation_id, "mediation")


# why a change is refused in a mediation's status, a sentence per change (in the reader's language)
_CANNOT = {
    "state a position": N_("mediation #{id} is {status}: cannot state a position"),
    "add evidence": N_("mediation #{id} is {status}: cannot add evidence"),
    "propose an outcome": N_("mediation #{id} is {status}: cannot propose an outcome"),
    "agree": N_("mediation #{id} is {status}: cannot agree"),
    "escalate": N_("mediation #{id} is {status}: cannot escalate"),
    "withdraw": N_("mediation #{id} is {status}: cannot withdraw"),
}


def _cannot(mediation: MediationRecord, doing: str) -> ValueError:
    return ValueError(_(_CANNOT[doing]).format(id=mediation.id, status=mediation.status))


def _active(mediation: MediationRecord, doing: str) -> None:
    if mediation.status not in ACTIVE_MEDIATION_STATUSES:
        raise _cannot(mediation, doing)


def _touch(session: Session, mediation: MediationRecord, now: datetime) -> None:
    mediation.updated_at = now
    mediation.last_activity_at = now
    session.add(mediation)


def _move(
    session: Session,
    mediation: MediationRecord,
    status: MediationStatus,
    actor: str,
    now: datetime,
    note: str = "",
    **said: str,
) -> TimelineEntry:
    """Move the mediation to `status`; `said` is what a note of Liaison's is said again from (`bot.issues.timeline`)."""
    old = mediation.status
    mediation.status = status
    _touch(session, mediation, now)
    text = f"status: {old} -> {status}" + (f" ({note})" if note else "")
    data = {"from": old, "to": status, "note": note, **said}
    return add_entry(session, kind="status", actor=actor, text=text, data=data, mediation_id=mediation.id, at=now)


def open_mediation(
    *,
    session: Session,
    engagement: str,
    title: str,
    channel_id: str,
    opened_by: str,
    deadline: date | None = None,
    related_issue_ids: Iterable[int] = (),
    clause_refs: Iterable[Mapping[str, Any]] = (),
    source_key: str | None = None,
) -> MediationRecord:
    """Open a mediation (and a "created" timeline entry). With a `source_key`, once: again returns the first.

    Related issues must exist in the same engagement (LookupError otherwise).
    """
    if source_key is not None:
        existing = _mediation_by_key(session, source_key)
        if existing is not None:
            return existing
    issue_ids = checked_issue_ids(related_issue_ids)
    for issue_id in issue_ids:
        issue = session.get(IssueRecord, issue_id)
        if issue is None or issue.engagement != engagement:
            raise LookupError(_("no issue #{id} in {engagement}").format(id=issue_id, engagement=engagement))
    now = utcnow()
    values: dict[str, Any] = {
        "engagement": required_text(engagement, "engagement"),
        "title": required_text(title, "title"),
        "channel_id": channel_id,
        "thread_ts": None,
        "header_ts": None,
        "status": "open",
        "deadline": as_date(deadline, "deadline"),
        "opened_by": opened_by,
        "opened_at": now,
        "updated_at": now,
        "last_activity_at": now,
        "outcome_text": None,
        "escalated_to": None,
        "related_issue_ids": issue_ids,
        "clause_refs": clause_refs_of(clause_refs),
        "client_agreed_by": None,
        "vendor_agreed_by": None,
        "source_key": source_key,
    }
    mediation, inserted = insert_case(session, MediationRecord, values)
    if not inserted:  # another delivery of the same Slack id won
        return mediation
    assert mediation.id is not None
    data = {"related_issue_ids": issue_ids, "deadline": values["deadline"] and values["deadline"].isoformat()}
    add_entry(
        session,
        kind="created",
        actor=opened_by,
        text=f"mediation #{mediation.id} opened: {mediation.title}",
        data=data,
        mediation_id=mediation.id,
        at=now,
    )
    return mediation


def set_mediation_thread(
    *, session: Session, mediation_id: int, thread_ts: str | None, header_ts: str | None = None
) -> MediationRecord:
    """Remember where the mediation lives in Slack (its thread and the header message)."""
    mediation = _lock_mediation(session, mediation_id)
    mediation.thread_ts = thread_ts
    if header_ts is not None:
        mediation.header_ts = header_ts
    mediation.updated_at = utcnow()
    session.add(mediation)
    session.flush()
    return mediation


def state_position(
    *, session: Session, mediation_id: int, side: str, author: str, text: str, evidence: str | None = None
) -> Position:
    """A side states its position; it replaces that side's earlier one (which stays in the timeline)."""
    check_choice(side, CASE_SIDES, "side")
    text = required_text(text, "position")
    mediation = _lock_mediation(session, mediation_id)
    _active(mediation, "state a position")
    now = utcnow()
    query = select(Position).where(Position.mediation_id == mediation_id, Position.side == side)
    position = session.exec(query.execution_options(populate_existing=True)).first()
    previous = (
        None if position is None else {"author": position.author, "text": position.text, "at": position.at.isoformat()}
    )
    values = {
        "mediation_id": mediation_id,
        "side": side,
        "author": author,
        "text": text,
        "evidence": evidence,
        "at": now,
    }
    if position is None and insert_once(session, Position, values, key=("mediation_id", "side")):
        position = session.exec(query).one()
    else:
        position = position or session.exec(query.execution_options(populate_existing=True)).one()
        for name, value in values.items():
            setattr(position, name, value)
        session.add(position)
    _touch(session, mediation, now)
    data = {"side": side, "evidence": evidence, "previous": previous}
    add_entry(session, kind="position", actor=author, text=text, data=data, mediation_id=mediation_id, at=now)
    return position


def add_evidence(
    *, session: Session, mediation_id: int, channel_id: str, message_ts: str, author: str, text: str, actor: str
) -> TimelineEntry | None:
    """Add a Slack message (e.g. one pinned with 📌) as evidence: None if that message is already in.

    Keyed by "evidence:<channel>:<ts>", so two reactions at once, in two processes, add it once.
    """
    source_key = f"evidence:{channel_id}:{message_ts}"
    data = {"channel_id": channel_id, "message_ts": message_ts}
    return _evidence(session, mediation_id, source_key, text, data, actor, original=(message_ts, author))


def add_record_evidence(
    *, session: Session, mediation_id: int, key: str, text: str, data: dict[str, Any], actor: str
) -> TimelineEntry | None:
    """Add one of Liaison's own records (a period's credit computation) as evidence: None if it is in already.

    Keyed by "evidence:<key>" like a pinned message, so the same record is added once.
    """
    return _evidence(session, mediation_id, f"evidence:{key}", text, dict(data), actor, original=(None, None))


def _evidence(
    session: Session,
    mediation_id: int,
    source_key: str,
    text: str,
    data: dict[str, Any],
    actor: str,
    *,
    original: tuple[str | None, str | None],
) -> TimelineEntry | None:
    """Insert an evidence entry once by its source key (None if it is in already), under the mediation's lock."""
    mediation = _lock_mediation(session, mediation_id)
    _active(mediation, "add evidence")
    if session.exec(select(TimelineEntry.id).where(TimelineEntry.source_key == source_key)).first() is not None:
        return None
    now = utcnow()
    values = {
        "issue_id": None,
        "mediation_id": mediation_id,
        "kind": "evidence",
        "actor": actor,
        "text": text,
        "data": data,
        "at": now,
        "source_key": source_key,
        "original_ts": original[0],
        "original_author": original[1],
    }
    if not insert_once(session, TimelineEntry, values, key=("source_key",)):
        return None
    _touch(session, mediation, now)
    return session.exec(select(TimelineEntry).where(TimelineEntry.source_key == source_key)).one()


def record_proposal(*, session: Session, mediation_id: int, actor: str, text: str) -> MediationRecord:
    """Put a proposed outcome on the table (status "proposal"); earlier agreements no longer count."""
    text = required_text(text, "proposal")
    mediation = _lock_mediation(session, mediation_id)
    _active(mediation, "propose an outcome")
    now = utcnow()
    mediation.outcome_text = text
    mediation.client_agreed_by = None
    mediation.vendor_agreed_by = None
    if mediation.status != "proposal":
        _move(session, mediation, "proposal", actor, now)
    _touch(session, mediation, now)
    add_entry(
        session, kind="outcome", actor=actor, text=text, data={"proposal": True}, mediation_id=mediation_id, at=now
    )
    return mediation


def agree(*, session: Session, mediation_id: int, side: str, user_id: str) -> MediationRecord:
    """One side agrees (to the proposal on the table, if any); when both have, the mediation is "agreed".

    A side agreeing again changes nothing. Safe when both sides click at the same moment.
    """
    check_choice(side, CASE_SIDES, "side")
    mediation = _lock_mediation(session, mediation_id)
    field = f"{side}_agreed_by"
    if getattr(mediation, field) is not None and mediation.status in (*ACTIVE_MEDIATION_STATUSES, "agreed"):
        return mediation  # a second click
    _active(mediation, "agree")
    now = utcnow()
    setattr(mediation, field, user_id)
    _touch(session, mediation, now)
    data = {"side": side, "outcome": mediation.outcome_text}
    add_entry(
        session, kind="outcome", actor=user_id, text=f"{side} agreed", data=data, mediation_id=mediation_id, at=now
    )
    if mediation.client_agreed_by and mediation.vendor_agreed_by:
        _move(session, mediation, "agreed", user_id, now, "both sides agreed", because="both-agreed")
    session.flush()
    return mediation


def escalate(*, session: Session, mediation_id: int, actor: str, reason: str, to: str) -> MediationRecord:
    """Hand the mediation up (to a person, a committee...): status "escalated"."""
    mediation = _lock_mediation(session, mediation_id)
    if mediation.status not in ("open", "proposal", "agreed"):
        raise _cannot(mediation, "escalate")
    mediation.escalated_to = required_text(to, "escalated to")
    note = f"to {to}: {reason}" if reason else f"to {to}"
    _move(session, mediation, "escalated", actor, utcnow(), note, escalated_to=to, reason=reason)
    session.flush()
    return mediation


def withdraw(*, session: Session, mediation_id: int, actor: str, reason: str = "") -> MediationRecord:
    """The mediation is dropped: status "withdrawn"."""
    mediation = _lock_mediation(session, mediation_id)
    if mediation.status not in ("open", "proposal", "escalated"):
        raise _cannot(mediation, "withdraw")
    _move(session, mediation, "withdrawn", actor, utcnow(), reason)
    session.flush()
    return mediation


def close_mediation(
    *, session: Session, mediation_id: int, actor: str, outcome_text: str | None = None
) -> MediationRecord:
    """Close an agreed, escalated or withdrawn mediation; closing one still argued is refused (ValueError).

    An already closed mediation is returned as it is.
    """
    mediation = _lock_mediation(session, mediation_id)
    if mediation.status == "closed":
        return mediation
    if mediation.status in ACTIVE_MEDIATION_STATUSES or (
        mediation.status == "agreed" and not (mediation.client_agreed_by and mediation.vendor_agreed_by)
    ):
        raise ValueError(
            _("both sides must agree before mediation #{id} closes (or escalate or withdraw it)").format(
                id=mediation.id
            )
        )
    now = utcnow()
    if outcome_text:
        mediation.outcome_text = outcome_text
    _move(session, mediation, "closed", actor, now)
    if mediation.outcome_text:
        data = {"agreed_by": {"client": mediation.client_agreed_by, "vendor": mediation.vendor_agreed_by}}
        add_entry(
            session,
            kind="summary",
            actor=actor,
            text=mediation.outcome_text,
            data=data,
            mediation_id=mediation_id,
            at=now,
        )
    session.flush()
    return mediation


def comment_on_mediation(*, session: Session, mediation_id: int, actor: str, text: str) -> TimelineEntry:
    mediation = _lock_mediation(session, mediation_id)
    now = utcnow()
    _touch(session, mediation, now)
    return add_entry(
        session, kind="comment", actor=actor, text=required_text(text, "comment"), mediation_id=mediation_id, at=now
    )


def discard_mediation(*, session: Session, mediation_id: int) -> bool:
    """Delete a mediation that never reached Slack (no thread yet), with its timeline: True if deleted.

    For the transport to undo an opening whose header could not be posted; a mediation with a thread is kept.
    """
    mediation = session.exec(
        select(MediationRecord).where(MediationRecord.id == mediation_id).with_for_update()
    ).first()
    if mediation is None or mediation.thread_ts is not None:
        return False
    for model in (TimelineEntry, Position):
        for row in session.exec(select(model).where(model.mediation_id == mediation_id)).all():
            session.delete(row)
    session.flush()
    session.delete(mediation)
    session.flush()
    return True
