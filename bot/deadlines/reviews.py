"""Reviewing the deadlines register: approve, mark done or waive obligations, edit one by hand (its date, the
anchor it counts from, its owner: kept through re-extraction, the values before and after in the timeline), and
the engagement's settings (holiday calendar, lead time). Data functions taking the caller's session; they
never commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.deadlines import occurrences
from bot.deadlines.dates import supported_country
from bot.deadlines.due import Terms, takes_anchor
from bot.deadlines.register import dated, get_deadline
from bot.i18n import _
from bot.records import deadlines as records
from bot.records.deadlines import DeadlineRecord, DeadlineSettings, DeadlineStatus
from bot.records.tables import utcnow

EDITABLE = ("date", "anchor_date", "owner")
REVIEWED: tuple[DeadlineStatus, ...] = ("approved", "done", "waived")
MAX_LEAD_DAYS = 3660


class DeadlineInputError(ValueError):
    """An edit or a setting the register cannot take, said as what to give instead."""


def set_status(session: Session, row: DeadlineRecord, status: DeadlineStatus, actor: str, text: str = "") -> None:
    """Change an obligation's status, with who, when and the status before in its timeline."""
    before = row.status
    row.status, row.reviewed_by, row.reviewed_at, row.updated_at = status, actor, utcnow(), utcnow()
    session.add(row)
    records.add_event(
        session,
        engagement=row.engagement,
        kind=status if status != "draft" else "updated",
        actor=actor,
        deadline_id=row.id,
        text=text,
        data={"from": before, "to": status},
    )


@dataclass(frozen=True)
class Reviewed:
    """What a review did to one obligation: whether it changed and, for a recurring one marked done or waived,
    the occurrence it closed and the next one's date (None: none can be computed yet)."""

    id: int
    changed: bool
    occurrence: date | None = None
    next: date | None = None


def review(
    session: Session, *, engagement: str, deadline_ids: Sequence[int], status: DeadlineStatus, actor: str
) -> list[int]:
    """Approve, mark done or waive obligations (all of them, or none if one is not found): the ids changed."""
    done = reviewed(session, engagement=engagement, deadline_ids=deadline_ids, status=status, actor=actor)
    return [r.id for r in done if r.changed]


def reviewed(
    session: Session,
    *,
    engagement: str,
    deadline_ids: Sequence[int],
    status: DeadlineStatus,
    actor: str,
    as_of: date | None = None,
    whole: bool = False,
) -> list[Reviewed]:
    """Approve, mark done or waive obligations (all, or none if one is not found). Done or waived, a recurring
    obligation closes only its occurrence due as of `as_of` (today) and moves to the next; `whole` closes the
    obligation itself."""
    if status not in REVIEWED:
        raise DeadlineInputError(_("a review approves, marks done or waives, not {status!r}").format(status=status))
    rows = [get_deadline(session, engagement=engagement, deadline_id=i, lock=True) for i in deadline_ids]
    day = as_of or date.today()
    out = []
    for row in rows:
        if status in occurrences.CLOSING and not whole and row.status in ("draft", "approved"):
            [current] = dated(session, engagement=engagement, as_of=day, rows=[row])
            if current.recurs and current.date is not None:
                out.append(_close_occurrence(session, row, status, actor, current.date, day))
                continue
        changed = row.status != status
        if changed:
            set_status(session, row, status, actor)
        out.append(Reviewed(row.id or 0, changed))
    session.flush()
    return out


def _close_occurrence(
    session: Session, row: DeadlineRecord, status: DeadlineStatus, actor: str, occurrence: date, day: date
) -> Reviewed:
    """Close one occurrence of a recurring obligation; its status stays, its date moves to the next one."""
    occurrences.close(row, status=status, occurrence=occurrence, actor=actor)
    session.add(row)
    [following] = dated(session, engagement=row.engagement, as_of=day, rows=[row])
    row.date = following.date
    text = f"occurrence of {occurrence.isoformat()} {status}; next " + (
        following.date.isoformat() if following.date else "not dated yet"
    )
    records.add_event(
        session,
        engagement=row.engagement,
        kind="done" if status == "done" else "waived",
        actor=actor,
        deadline_id=row.id,
        text=text,
        data={
            "occurrence": occurrence.isoformat(),
            "next": following.date.isoformat() if following.date else None,
            "from": row.status,
            "to": row.status,
        },
    )
    return Reviewed(row.id or 0, True, occurrence, following.date)


def _day(name: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as e:
        raise DeadlineInputError(
            _("--{option} is a date, YYYY-MM-DD, not {value!r}").format(option=name.replace("_", "-"), value=value)
        ) from e


def edit(
    session: Session, *, engagement: str, deadline_id: int, changes: Mapping[str, object], actor: str
) -> DeadlineRecord:
    """Set an obligation's date, its anchor's date or its owner by hand (None or '' clears a date)."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown or not changes:
        if unknown:
            said = _("an edit changes {names}, not {unknown}").format(
                names=", ".join(EDITABLE), unknown=", ".join(unknown)
            )
        else:
            said = _("an edit changes {names}, not nothing").format(names=", ".join(EDITABLE))
        raise DeadlineInputError(said)
    row = get_deadline(session, engagement=engagement, deadline_id=deadline_id, lock=True)
    if changes.get("anchor_date") and not takes_anchor(Terms.of(row.kind, row.details.get("terms", {}))):
        raise DeadlineInputError(
            _(
                "deadline {id} ({kind}) does not count from an anchor date you can give (it counts from the "
                "contract's term, a monthly calendar or a date the text writes): set its date with --date YYYY-MM-DD"
            ).format(id=deadline_id, kind=row.kind)
        )
    details: dict[str, Any] = {**row.details, "terms": dict(row.details.get("terms", {}))}
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for name, value in changes.items():
        if name == "owner":
            before[name], after[name] = row.owner, (str(value) if value else None)
            row.owner = str(value) if value else None
        elif name == "date":
            before[name], after[name] = details.get("date"), _day(name, value)
            details["date"] = after[name]
            row.date = date.fromisoformat(str(after[name])) if after[name] else None
        else:
            before[name], after[name] = details["terms"].get(name), _day(name, value)
            details["terms"][name] = after[name]
    details["edited"] = sorted(set(details.get("edited", [])) | set(changes))
    row.details, row.updated_at = details, utcnow()
    session.add(row)
    records.add_event(
        session,
        engagement=engagement,
        kind="edited",
        actor=actor,
        deadline_id=row.id,
        data={"before": before, "after": after},
    )
    session.flush()
    return row


def put_settings(
    session: Session,
    *,
    engagement: str,
    actor: str,
    country: str | None = None,
    subdivision: str | None = None,
    lead_days: int | None = None,
    clear: Sequence[str] = (),
) -> DeadlineSettings:
    """Change the engagement's deadline settings (what is not given stays; `clear` names what to unset)."""
    old = records.settings_of(session, engagement=engagement)
    before: dict[str, object] = {
        "country": old.country if old else None,
        "subdivision": old.subdivision if old else None,
        "lead_days": old.lead_days if old else None,
    }
    code = None if "country" in clear else (country or (old.country if old else None))
    region = None if "subdivision" in clear else (subdivision or (old.subdivision if old else None))
    lead = None if "lead_days" in clear else (lead_days if lead_days is not None else old.lead_days if old else None)
    code, region = (code.upper() if code else None), (region.upper() if region else None)
    if region and not code:
        raise DeadlineInputError(_("a subdivision belongs to a country: give --country too"))
    if code and not supported_country(code, region):
        where = f"{code}-{region}" if region else code
        raise DeadlineInputError(
            _("no public holiday calendar for {where}: use an ISO code such as IT, US or GB").format(where=where)
        )
    if lead is not None and not 0 <= lead <= MAX_LEAD_DAYS:
        raise DeadlineInputError(_("a lead time is 0 to {most} days, not {lead}").format(most=MAX_LEAD_DAYS, lead=lead))
    row = records.put_settings(
        session, engagement=engagement, actor=actor, country=code, subdivision=region, lead_days=lead
    )
    after: dict[str, object] = {"country": code, "subdivision": region, "lead_days": lead}
    if after != before:
        records.add_event(
            session, engagement=engagement, kind="settings", actor=actor, data={"before": before, "after": after}
        )
    return row
