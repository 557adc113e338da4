"""Occurrences of a recurring obligation (a monthly report, a window after each period, a notice before each
renewal term): marking one done or waiving it closes that occurrence only, and its date moves to the next one.

Each closed occurrence is kept in the row's `details["occurrences"]` (its date, done or waived, by whom and
when) and said in its timeline; dates are then counted from the day after the last one closed. Pure helpers
over a row; the caller holds the session and records the event.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.records.deadlines import DeadlineRecord
from bot.records.tables import utcnow

CLOSING = ("done", "waived")  # what closes an occurrence


def closed(row: DeadlineRecord) -> list[dict[str, Any]]:
    """The occurrences closed so far, oldest first: {"date", "status", "by", "at"}."""
    return list(row.details.get("occurrences", []))


def closed_through(row: DeadlineRecord) -> date | None:
    """The date of the last occurrence closed (None: none yet)."""
    days = [date.fromisoformat(o["date"]) for o in closed(row) if o.get("date")]
    return max(days) if days else None


def counting_from(row: DeadlineRecord, as_of: date) -> date:
    """The day the next occurrence is looked for from: `as_of`, or the day after the last one closed."""
    last = closed_through(row)
    return as_of if last is None or last < as_of else last + timedelta(days=1)


def close(row: DeadlineRecord, *, status: str, occurrence: date, actor: str) -> None:
    """Close the occurrence dated `occurrence` (done or waived). A date set by hand was that occurrence's: it is
    cleared, so the next one is computed from the rule."""
    if status not in CLOSING:
        raise ValueError(f"an occurrence is closed done or waived, not {status!r}")
    entry = {"date": occurrence.isoformat(), "status": status, "by": actor, "at": utcnow().isoformat()}
    details: dict[str, Any] = {**row.details, "occurrences": [*closed(row), entry]}
    if details.get("date"):
        entry["date_by_hand"] = details["date"]
        details["date"] = None
        details["edited"] = [name for name in details.get("edited", []) if name != "date"]
    row.details, row.updated_at = details, utcnow()
