"""What the deadlines register says in a digest: "Deadlines in the next 90 days", the approved obligations dated
from the digest's local date to 90 days after, soonest first, each with its rule and clause; and, for an
obligation whose date waits on an anchor nobody has given yet (an SOW's go-live date, a breach notice), a line
asking for it and saying how to set it.

No Slack imports. Side-filtered like the rest of the digest: an obligation is listed only where its document's
visibility may be read (`knowledge.visibility.visible_to` of the channel's side; the managers' channel reads as
shared), so a client-only obligation never reaches a vendor or shared digest. Drafts are not listed (a digest is
read by everyone in the channel): their number is, with how to review them.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from bot.deadlines.names import kind_name, where
from bot.deadlines.register import Dated, dated
from bot.digest.model import Fact, Section, Window
from knowledge.visibility import visible_to

WITHIN_DAYS = 90
SOON_DAYS = 30
LISTED = 10
ANCHORS = {
    "go-live": "the go-live date",
    "breach-notice": "the date of the breach notice",
    "notice": "the date notice is given",
    "termination": "the termination date",
    "signature": "the signature date",
    "effective": "the effective date",
    "term-end": "the end of the term",
    "anniversary": "the anniversary",
    "period-end": "the end of the period",
}


def _where(d: Dated) -> str:
    return where(d.row.document, d.row.section)


def _left(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def deadline_line(d: Dated, today: date) -> str:
    """'2027-01-09 · in 30 days · Notice of non-renewal: no later than 9 January 2027 · msa.md §5.2 · #12'."""
    assert d.date is not None
    kind = kind_name(d.row.kind)
    rule = " ".join(d.row.rule.split())
    return f"{d.date.isoformat()} · {_left((d.date - today).days)} · {kind}: {rule} · {_where(d)} · #{d.row.id}"


def anchor_line(d: Dated, engagement: str) -> str:
    """'Date needed: Cure period (msa.md §6.1, #3) counts from the date of the breach notice, not known yet. ...'."""
    kind = kind_name(d.row.kind)
    anchor = ANCHORS.get(str(d.row.details.get("terms", {}).get("anchor") or ""), "a date not known yet")
    how = f"`liaison deadlines edit {d.row.id} --anchor-date YYYY-MM-DD --engagement {engagement}`"
    return (
        f"Date needed: {kind} ({_where(d)}, #{d.row.id}) counts from {anchor}, not known yet. "
        f"Give it with {how} (or the deadline itself with `--date YYYY-MM-DD`)"
    )


def deadlines_section(session: Session, window: Window) -> Section:
    """The approved obligations due in the next 90 days as the digest's side may see them, and the anchors asked."""
    today = window.end.astimezone(window.zone).date()
    seen = set(visible_to(window.side))
    found = [d for d in dated(session, engagement=window.engagement, as_of=today) if d.row.visibility in seen]
    approved = [d for d in found if d.row.status == "approved"]
    last = today + timedelta(days=WITHIN_DAYS)
    due = [d for d in approved if d.date is not None and today <= d.date <= last]
    waiting = [d for d in approved if d.date is None and d.anchor_missing]
    drafts = sum(1 for d in found if d.row.status == "draft")
    soon = sum(1 for d in due if d.date is not None and d.date <= today + timedelta(days=SOON_DAYS))
    facts = (
        Fact(
            "deadlines.due", f"Due in the next {WITHIN_DAYS} days", str(len(due)), detail=f"{soon} within {SOON_DAYS}"
        ),
        Fact("deadlines.anchors", "Waiting for a date to count from", str(len(waiting))),
    )
    lines = [deadline_line(d, today) for d in due[:LISTED]]
    if len(due) > LISTED:
        lines.append(f"… and {len(due) - LISTED} more")
    lines += [anchor_line(d, window.engagement) for d in waiting[:LISTED]]
    note = ""
    if drafts:
        note = (
            f"{drafts} draft deadline{'s await' if drafts > 1 else ' awaits'} review: "
            f"`liaison deadlines --status draft --engagement {window.engagement}`, then approve them."
        )
    empty = f"No approved deadline in the next {WITHIN_DAYS} days."
    return Section(
        "deadlines", f"Deadlines in the next {WITHIN_DAYS} days", facts, tuple(lines), empty=empty, note=note
    )
