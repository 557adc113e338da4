"""The deadlines as an iCalendar file people import into their calendars (`icalendar`): one all-day event per
dated obligation, its summary the kind and the document, its description the clause quoted with its section
and the rule, a UID stable across exports (so a re-import updates the event rather than doubling it), and, when
the engagement has a lead time, an alarm that many days before. Its words are in the reader's language
(`bot.i18n`); the contract's quote and rule are its own."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from bot.i18n import N_, _, ngettext

KIND_NAMES = {
    "effective": N_("Effective date"),
    "term-end": N_("Term ends"),
    "renewal": N_("Renewal"),
    "non-renewal-notice": N_("Non-renewal notice due"),
    "termination-notice": N_("Termination notice"),
    "cure": N_("Cure period ends"),
    "credit-claim": N_("Service credit claim due"),
    "report": N_("Report due"),
    "exit": N_("Exit assistance"),
    "other": N_("Deadline"),
}
PRODUCT = "-//Liaison//Deadlines register//EN"


def uid_of(engagement: str, deadline_id: int) -> str:
    """The event's UID: the same obligation keeps it in every export."""
    return f"deadline-{deadline_id}.{engagement}@liaison"


def clause_of(deadline: dict[str, Any]) -> str:
    """'msa.md §12.2', the clause as citations show it."""
    section = deadline.get("section")
    if not section:
        return str(deadline["document"])
    return f"{deadline['document']} {section if str(section).startswith('§') else '§' + str(section)}"


def description_of(engagement: str, deadline: dict[str, Any]) -> str:
    """The clause quoted with its section, the rule, the status, and how to open the clause."""
    quoted = f"{clause_of(deadline)}: \u201c{deadline['quote']}\u201d"
    said = _(
        "Rule: {rule}\nStatus: {status}\nThe clause: liaison show {document} -e {engagement} (characters {start}-{end})"
    ).format(
        rule=deadline["rule"],
        status=deadline["status"],
        document=deadline["document"],
        engagement=engagement,
        start=deadline["start"],
        end=deadline["end"],
    )
    return f"{quoted}\n\n{said}"


def summary_of(deadline: dict[str, Any]) -> str:
    """'Non-renewal notice due: msa.md' (a draft says so)."""
    kind = deadline["kind"]
    name = _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind
    if deadline["status"] == "draft":
        return _("{name}: {document} (draft)").format(name=name, document=deadline["document"])
    return f"{name}: {deadline['document']}"


def calendar_of(
    engagement: str, deadlines: Iterable[dict[str, Any]], *, lead_days: int | None = None, now: datetime | None = None
) -> bytes:
    """The iCalendar text of the dated obligations among `deadlines` (JSON as `register.deadline_json` makes)."""
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("{engagement} deadlines").format(engagement=engagement))
    stamp = now or datetime.now(UTC)
    for d in deadlines:
        if not d.get("date") or d["status"] == "waived":
            continue
        day = date.fromisoformat(d["date"])
        event = Event()
        event.add("uid", uid_of(engagement, int(d["id"])))
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", summary_of(d))
        event.add("description", description_of(engagement, d))
        event.add("location", clause_of(d))
        event.add("categories", [d["kind"]])
        event.add("status", "TENTATIVE" if d["status"] == "draft" else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        if lead_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add(
                "description",
                ngettext("Decide now: {summary} in {n} day", "Decide now: {summary} in {n} days", lead_days).format(
                    summary=summary_of(d), n=lead_days
                ),
            )
            alarm.add("trigger", timedelta(days=-lead_days))
            event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())
