"""What a deadlines register event says, in the reader's language (issue #14).

An event (`bot.records.deadlines.DeadlineEvent`) keeps the English record in `text` and what it was about in
`data`; shown to people it is worded again from its `kind` and `data`: an obligation drafted (from a clause, or
from a period's credits), approved, done or waived (one occurrence of a recurring one, or claimed in the SLA
register), edited by hand, its reminders snoozed, the engagement's settings changed. Field names and values are
data, shown as written. An event whose `data` lacks what its wording needs (a row written before the data was
kept) is shown as stored.

Pure: no session, no Slack. The CLI (`liaison deadlines show`) says each event with `kind_name` and `event_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.deadlines.names import status_name
from bot.i18n import N_, _
from bot.sla.events import changes

# An event's kind as a timeline shows it (the stored kinds are the English words); the context before "|" is
# dropped when shown.
KIND_NAMES = {
    "extracted": N_("deadline event|extracted"),
    "updated": N_("deadline event|updated"),
    "approved": N_("deadline event|approved"),
    "done": N_("deadline event|done"),
    "waived": N_("deadline event|waived"),
    "edited": N_("deadline event|edited"),
    "settings": N_("deadline event|settings"),
    "snoozed": N_("deadline event|snoozed"),
}
CLAIMED = "claimed in the SLA register"  # the note of a credit claim's obligation done with its claim (`sync_claims`)
OCCURRENCE = {  # one occurrence of a recurring obligation closed, and the next one's date
    "done": N_("occurrence of {date} done; next {next}"),
    "waived": N_("occurrence of {date} waived; next {next}"),
}
OCCURRENCE_UNDATED = {
    "done": N_("occurrence of {date} done; next not dated yet"),
    "waived": N_("occurrence of {date} waived; next not dated yet"),
}


def kind_name(kind: str) -> str:
    """ "snoozed" as a timeline names the event, in the reader's language."""
    return _(KIND_NAMES[kind]).rpartition("|")[2] if kind in KIND_NAMES else kind


def event_text(event: Mapping[str, Any]) -> str:
    """What the event (its JSON: kind, text, data) says, in the reader's language; as stored when its data
    cannot word it again."""
    kind, text, data = str(event.get("kind") or ""), str(event.get("text") or ""), event.get("data")
    said = _worded(kind, text, data if isinstance(data, Mapping) else {})
    return text if said is None else said


def _worded(kind: str, text: str, data: Mapping[str, Any]) -> str | None:
    if kind == "extracted" and isinstance(data.get("period"), str):
        return _("credits of {period}").format(period=data["period"])
    if kind == "snoozed" and isinstance(data.get("until"), str) and text.startswith("reminders snoozed"):
        return _("reminders snoozed until {date}").format(date=data["until"])
    if kind in OCCURRENCE and isinstance(data.get("occurrence"), str):
        upcoming = data.get("next")
        if isinstance(upcoming, str):
            return _(OCCURRENCE[kind]).format(date=data["occurrence"], next=upcoming)
        return _(OCCURRENCE_UNDATED[kind]).format(date=data["occurrence"])
    if text == CLAIMED:
        return _("claimed in the SLA register")
    if text:
        return None  # words this module does not know: as stored
    if isinstance(data.get("before"), Mapping) and isinstance(data.get("after"), Mapping):
        return changes(data["before"], data["after"])
    before, after = data.get("from"), data.get("to")
    if isinstance(before, str) and isinstance(after, str) and before != after:
        return f"{status_name(before)} -> {status_name(after)}"
    return None
