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
from bot.i18n import N_, _, ngettext
from knowledge.visibility import visible_to

WITHIN_DAYS = 90
SOON_DAYS = 30
LISTED = 10
# "Date needed: ..." for each anchor an obligation may count from, a whole sentence with the obligation's
# {kind}, {where} and {id}
ANCHORS = {
    "go-live": N_("Date needed: {kind} ({where}, #{id}) counts from the go-live date, not known yet."),
    "breach-notice": N_(
        "Date needed: {kind} ({where}, #{id}) counts from the date of the breach notice, not known yet."
    ),
    "notice": N_("Date needed: {kind} ({where}, #{id}) counts from the date notice is given, not known yet."),
    "termination": N_("Date needed: {kind} ({where}, #{id}) counts from the termination date, not known yet."),
    "signature": N_("Date needed: {kind} ({where}, #{id}) counts from the signature date, not known yet."),
    "effective": N_("Date needed: {kind} ({where}, #{id}) counts from the effective date, not known yet."),
    "term-end": N_("Date needed: {kind} ({where}, #{id}) counts from the end of the term, not known yet."),
    "anniversary": N_("Date needed: {kind} ({where}, #{id}) counts from the anniversary, not known yet."),
    "period-end": N_("Date needed: {kind} ({where}, #{id}) counts from the end of the period, not known yet."),
}
UNKNOWN_ANCHOR = N_("Date needed: {kind} ({where}, #{id}) counts from a date not known yet.")


def _where(d: Dated) -> str:
    return where(d.row.document, d.row.section)


def _left(days: int) -> str:
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in {n} day", "in {n} days", days).format(n=days)


def deadline_line(d: Dated, today: date) -> str:
    """'2027-01-09 · in 30 days · Notice of non-renewal: no later than 9 January 2027 · msa.md §5.2 · #12'."""
    assert d.date is not None
    kind = kind_name(d.row.kind)
    rule = " ".join(d.row.rule.split())  # the contract's own words: never translated
    return f"{d.date.isoformat()} · {_left((d.date - today).days)} · {kind}: {rule} · {_where(d)} · #{d.row.id}"


def anchor_line(d: Dated, engagement: str) -> str:
    """'Date needed: Cure period (msa.md §6.1, #3) counts from the date of the breach notice, not known yet. ...'."""
    anchor = str(d.row.details.get("terms", {}).get("anchor") or "")
    needed = _(ANCHORS.get(anchor, UNKNOWN_ANCHOR)).format(kind=kind_name(d.row.kind), where=_where(d), id=d.row.id)
    how = f"`liaison deadlines edit {d.row.id} --anchor-date YYYY-MM-DD --engagement {engagement}`"
    return needed + " " + _("Give it with {how} (or the deadline itself with `--date YYYY-MM-DD`)").format(how=how)


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
            "deadlines.due",
            ngettext("Due in the next {n} day", "Due in the next {n} days", WITHIN_DAYS).format(n=WITHIN_DAYS),
            str(len(due)),
            detail=ngettext("{count} within {n}", "{count} within {n}", SOON_DAYS).format(count=soon, n=SOON_DAYS),
        ),
        Fact("deadlines.anchors", _("Waiting for a date to count from"), str(len(waiting))),
    )
    lines = [deadline_line(d, today) for d in due[:LISTED]]
    if len(due) > LISTED:
        lines.append(_("… and {count} more").format(count=len(due) - LISTED))
    lines += [anchor_line(d, window.engagement) for d in waiting[:LISTED]]
    note = ""
    if drafts:
        note = ngettext(
            "{count} draft deadline awaits review: `liaison deadlines --status draft --engagement {engagement}`, "
            "then approve them.",
            "{count} draft deadlines await review: `liaison deadlines --status draft --engagement {engagement}`, "
            "then approve them.",
            drafts,
        ).format(count=drafts, engagement=window.engagement)
    empty = ngettext(
        "No approved deadline in the next {n} day.", "No approved deadline in the next {n} days.", WITHIN_DAYS
    ).format(n=WITHIN_DAYS)
    title = ngettext("Deadlines in the next {n} day", "Deadlines in the next {n} days", WITHIN_DAYS).format(
        n=WITHIN_DAYS
    )
    return Section("deadlines", title, facts, tuple(lines), empty=empty, note=note)
