"""What an issue's or a mediation's timeline entry says, in the reader's language (issue #14).

The entries Liaison writes itself (an issue raised, a mediation opened, a status moved, a clause attached, a side
agreeing, a breach corrected, a period's credits attached as evidence, a mediation reminded) are worded again from
their `kind` and `data` (a raised issue's or an opened mediation's title from the record's one fixed form, a breach
issue's title in the reader's language: `bot.sla.breaches`); people's words
(comments, positions, proposals, outcomes, summaries, pinned messages) are shown as written. The stored `text`
stays the English record; an entry whose `data` lacks what its wording needs (a row written before the data was
kept) is shown as stored.

Pure: no session, no Slack; the Slack blocks and the CLI both say an entry with `entry_text`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.i18n import N_, _, ngettext
from bot.records.cases import TimelineEntry
from bot.sla.breaches import LOGGED_BY, title_of
from bot.sla.terms import quantity
from bot.sla.totals import total_working_of

# A status inside a line ("status: open -> acknowledged"): an issue's or a mediation's stored value, in English.
STATUS_NAMES = {
    "open": N_("open"),
    "acknowledged": N_("acknowledged"),
    "in-progress": N_("in-progress"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
    "proposal": N_("proposal"),
    "agreed": N_("agreed"),
    "escalated": N_("escalated"),
    "withdrawn": N_("withdrawn"),
}
AGREED = {"client": N_("client agreed"), "vendor": N_("vendor agreed")}
REMINDER_WORDS = {  # a mediation's deadline reminder (`bot.mediation.reminders`), translated where shown
    "due-soon": N_("reminder: the deadline of {date} is near"),
    "overdue": N_("reminder: the deadline of {date} has passed"),
}
BOTH_AGREED = "both sides agreed"  # the note of a mediation's move to "agreed", as stored (`lifecycle.agree`)


def status_name(status: str) -> str:
    """ "in-progress" as a line shows an issue's or a mediation's status, in the reader's language."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def entry_text(entry: TimelineEntry | Mapping[str, Any]) -> str:
    """What the entry (a record, or its JSON as `bot.records.case_schemas.entry_as_dict` gives) says, in the
    reader's language: Liaison's own words worded again, people's as written."""
    row: Mapping[str, Any] = entry.model_dump() if isinstance(entry, TimelineEntry) else entry
    kind, text, data = str(row.get("kind") or ""), str(row.get("text") or ""), row.get("data")
    issue_id, mediation_id = row.get("issue_id"), row.get("mediation_id")
    subject = issue_id if issue_id is not None else mediation_id
    mapping = data if isinstance(data, Mapping) else {}
    said = _worded(kind, text, mapping, subject, is_issue=issue_id is not None, actor=str(row.get("actor") or ""))
    return text if said is None else said


def _worded(
    kind: str, text: str, data: Mapping[str, Any], subject: object, *, is_issue: bool, actor: str
) -> str | None:
    """Liaison's words for the entry, or None: people's words, or data too thin to word it again."""
    if kind == "created" and subject is not None:
        return _created(text, subject, is_issue=is_issue, by_liaison=actor == LOGGED_BY)
    if kind == "status" and isinstance(data.get("from"), str) and isinstance(data.get("to"), str):
        line = _("status: {old} -> {new}").format(old=status_name(data["from"]), new=status_name(data["to"]))
        note = _note(data)
        return line + (f" ({note})" if note else "")
    if kind == "comment" and isinstance(data.get("clause"), Mapping):
        clause = data["clause"]
        label = " ".join(str(part) for part in (clause.get("document"), clause.get("section")) if part)
        return _("clause attached: {label}").format(label=label) if label else None
    if kind == "comment" and isinstance(data.get("corrected"), Mapping):
        return _corrected(data["corrected"])
    if kind == "outcome" and not data.get("proposal") and data.get("side") in AGREED:
        return _(AGREED[data["side"]])
    if kind == "reminder":
        return reminder_text(data) or reminder_text(_claim_key_data(text))
    if kind == "evidence" and isinstance(data.get("sla_credits"), Mapping) and data.get("period"):
        return _credits(str(data["period"]), data["sla_credits"])
    return None


def reminder_text(data: Mapping[str, Any]) -> str | None:
    """A mediation reminder's entry ('reminder: no activity for 72 hours', 'reminder: the deadline of 2026-12-01
    is near') from its data, in the reader's language; None without the data (an older row: as stored)."""
    kind, hours, deadline = data.get("reminder"), data.get("idle_hours"), data.get("deadline")
    if kind == "idle" and isinstance(hours, int | float) and not isinstance(hours, bool):
        n = int(hours) if float(hours).is_integer() else hours  # 72, or 1.5
        plural = ngettext(
            "reminder: no activity for {n} hour", "reminder: no activity for {n} hours", n if isinstance(n, int) else 2
        )
        return plural.format(n=n)
    if isinstance(kind, str) and kind in REMINDER_WORDS and isinstance(deadline, str) and deadline:
        return _(REMINDER_WORDS[kind]).format(date=deadline)
    since = data.get("since")
    if kind == "idle" and isinstance(since, str) and _DAY.match(since):
        return _("reminder: no activity since {date}").format(date=since[:10])
    return None


def reminder_data(key: str, *, idle_hours: float | None = None) -> dict[str, Any]:
    """What a reminder's timeline entry keeps to be worded again, from its claim key ("12:idle:2026-12-01T09:00",
    "12:overdue:2026-12-05", `bot.mediation.reminders`): its kind, and the quiet spell or the deadline."""
    _mediation, kind, when = key.split(":", 2)
    if kind == "idle":
        return {"reminder": kind, "since": when} | ({"idle_hours": idle_hours} if idle_hours is not None else {})
    return {"reminder": kind, "deadline": when}


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# what an older reminder row holds as its text: its claim key, the quiet spell it was sent after unknown
_CLAIM_KEY = re.compile(r"[0-9]+:(?:idle|due-soon|overdue):[0-9]{4}-[0-9]{2}-[0-9]{2}\S*")


def _claim_key_data(text: str) -> dict[str, Any]:
    return reminder_data(text.strip()) if _CLAIM_KEY.fullmatch(text.strip()) else {}


def _created(text: str, subject: object, *, is_issue: bool, by_liaison: bool) -> str | None:
    """ "issue #12 raised: Title": the title is read back from the record's words, which `create_issue` and
    `open_mediation` write in this one form (anything else is shown as stored); a breach issue Liaison logged
    says its title in the reader's language too."""
    stored = f"issue #{subject} raised: " if is_issue else f"mediation #{subject} opened: "
    if not text.startswith(stored):
        return None
    title = text[len(stored) :]
    if is_issue and by_liaison:
        title = title_of(title)
    said = _("issue #{id} raised: {title}") if is_issue else _("mediation #{id} opened: {title}")
    return said.format(id=subject, title=title)


def _note(data: Mapping[str, Any]) -> str:
    """A status move's note: Liaison's (both sides agreed, escalated to someone) worded again, a person's as written."""
    note = str(data.get("note") or "")
    if data.get("because") == "both-agreed" or note == BOTH_AGREED:
        return _("both sides agreed")
    to = data.get("escalated_to")
    if isinstance(to, str) and to:
        reason = str(data.get("reason") or "")
        return (_("to {to}: {reason}") if reason else _("to {to}")).format(to=to, reason=reason)
    return note


def _corrected(corrected: Mapping[str, Any]) -> str | None:
    """ "2026-10 corrected to 85% vs >= 80%: met." for a breach's measurement corrected to a value that meets."""
    try:
        actual, target = Decimal(str(corrected["actual"])), Decimal(str(corrected["target"]))
        unit, period, comparison = str(corrected["unit"]), str(corrected["period"]), str(corrected["comparison"])
    except (KeyError, InvalidOperation):
        return None
    return _("{period} corrected to {actual} vs {comparison} {target}: met.").format(
        period=period, actual=quantity(actual, unit), comparison=comparison, target=quantity(target, unit)
    )


def _credits(period: str, statement: Mapping[str, Any]) -> str:
    """A period's credit computation attached as evidence: its heading and total in the reader's language; the
    lines' working as kept (the record's words)."""
    working: Sequence[Any] = statement.get("working") or []
    lines = [str(line) for line in working]
    if lines:
        lines[-1] = total_working_of(statement) or lines[-1]  # the kept working ends with the total
    return (
        _("Service credits for {period}:").format(period=period) + "\n" + "\n".join(f"\u2022 {line}" for line in lines)
    )
