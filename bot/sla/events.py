"""What an SLA register event says, in the reader's language (issue #14).

An event (`bot.records.sla.SlaEvent`) keeps the English record in `text` and what it was about in `data`; shown
to people it is worded again from its `kind` and `data`: a level drafted, refreshed, approved, rejected or edited
by hand; a period's measurement reported, disputed or agreed; a breach logged as an issue. A dispute's reason is
the person's words, and a level's field names and values are data: both shown as written. An event whose `data`
lacks what its wording needs (a row written before the data was kept) is shown as stored.

Pure: no session, no Slack. The CLI (`liaison sla show`) says each event with `kind_name` and `event_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.i18n import N_, _
from bot.sla.terms import quantity

# An event's kind as a timeline shows it (the stored kinds are the English words). The context before "|" is
# dropped when shown: "approved" is a service level's here, an obligation's elsewhere.
KIND_NAMES = {
    "extracted": N_("sla event|extracted"),
    "updated": N_("sla event|updated"),
    "approved": N_("sla event|approved"),
    "rejected": N_("sla event|rejected"),
    "edited": N_("sla event|edited"),
    "owner": N_("sla event|owner"),
    "reported": N_("sla event|reported"),
    "disputed": N_("sla event|disputed"),
    "agreed": N_("sla event|agreed"),
    "breach": N_("sla event|breach"),
}
LEVEL_STATUS_NAMES = {  # a level's status inside a line ("draft -> approved")
    "draft": N_("sla level|draft"),
    "approved": N_("sla level|approved"),
    "rejected": N_("sla level|rejected"),
}


def kind_name(kind: str) -> str:
    """ "reported" as a timeline names the event, in the reader's language."""
    return _(KIND_NAMES[kind]).rpartition("|")[2] if kind in KIND_NAMES else kind


def level_status_name(status: str) -> str:
    return _(LEVEL_STATUS_NAMES[status]).rpartition("|")[2] if status in LEVEL_STATUS_NAMES else status


def event_text(event: Mapping[str, Any]) -> str:
    """What the event (its JSON: kind, text, data) says, in the reader's language; as stored when its data
    cannot word it again."""
    kind, text, data = str(event.get("kind") or ""), str(event.get("text") or ""), event.get("data")
    said = _worded(kind, data if isinstance(data, Mapping) else {})
    return text if said is None else said


def _worded(kind: str, data: Mapping[str, Any]) -> str | None:
    period = data.get("period")
    if kind in ("approved", "rejected") and isinstance(data.get("from"), str):
        return f"{level_status_name(data['from'])} -> {level_status_name(kind)}"
    if kind == "edited" and isinstance(data.get("before"), Mapping) and isinstance(data.get("after"), Mapping):
        return changes(data["before"], data["after"])
    if kind == "reported" and isinstance(period, str) and isinstance(data.get("unit"), str):
        value = _number(data.get("value"))
        if value is None:
            return None
        return f"{period}: {quantity(value, data['unit'])}"  # the number in the reader's way
    if kind == "disputed" and isinstance(period, str) and isinstance(data.get("reason"), str):
        return f"{period}: {data['reason']}" if data["reason"] else period  # the reason: the person's words
    if kind == "agreed" and isinstance(period, str):
        return period
    if kind == "breach" and isinstance(period, str) and data.get("issue") is not None:
        return _("issue #{id} for {period}").format(id=data["issue"], period=period)
    return None


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """An edit's values before and after: 'target: 80 -> 85; cap pct: - -> 15' (names and values are data)."""
    return "; ".join(
        f"{name.replace('_', ' ')}: {_value(before.get(name))} -> {_value(value)}" for name, value in after.items()
    )


def _value(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def _number(text: object) -> Decimal | None:
    try:
        return Decimal(str(text)) if text is not None else None
    except InvalidOperation:
        return None
