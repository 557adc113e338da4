"""Reviewing the register: approve or reject levels (an approval refused while a level cannot compute, saying
what to edit), and edit a level by hand (kept through re-extraction, the values before and after kept in the
timeline). Data functions taking the caller's session; they never commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from bot.errors import Conflict
from bot.i18n import _
from bot.records import sla as records
from bot.records.sla import EventKind, LevelStatus, ServiceLevelRecord, decimal_text
from bot.records.tables import utcnow
from bot.sla.money import SlaInputError
from bot.sla.register import CREDIT_FIELDS, get_level
from bot.sla.terms import COMPARISONS
from bot.sla.versions import service_level
from bot.sla.views import name_of

EDITABLE = (
    "metric",
    "scope",
    "comparison",
    "target",
    "unit",
    "window",
    "kind",
    "cap_pct",
    "effective_from",
    "owner",
    "pct_per_point",
    "level_pct",
    "at_risk_pct",
    "pool_pct",
    "amount",
    "currency",
    "base",
    "model",
    *("earn_back_periods", "earn_back_pct", "chronic_run", "chronic_within"),
)
# an edited earn-back or chronic-failure term: (the clause in `details`, its key); 0 periods / run: none
SERIES_EDITS = {
    "earn_back_periods": ("earn_back", "periods"),
    "earn_back_pct": ("earn_back", "pct"),
    "chronic_run": ("chronic", "run"),
    "chronic_within": ("chronic", "within"),
}
MODELS = ("tiers", "per-point", "fixed", "pool")


def review(
    session: Session, *, engagement: str, level_ids: Sequence[int], status: LevelStatus, actor: str
) -> list[int]:
    """Approve or reject levels: the ids whose status changed (an approval is refused if it cannot compute)."""
    if status not in ("approved", "rejected"):
        raise ValueError(_("a review approves or rejects, not {status!r}").format(status=status))
    changed = []
    for level_id in level_ids:
        row = get_level(session, engagement=engagement, level_id=level_id, lock=True)
        if status == "approved":
            missing = what_is_missing(row)
            if missing:
                raise Conflict(
                    _("Service level {id} ({name}) cannot be approved yet: {missing}.").format(
                        id=row.id, name=name_of(row), missing=missing
                    )
                )
        if row.status == status:
            continue
        before = row.status
        row.status, row.reviewed_by, row.reviewed_at, row.updated_at = status, actor, utcnow(), utcnow()
        session.add(row)
        kind: EventKind = "approved" if status == "approved" else "rejected"
        records.add_event(
            session, engagement=engagement, kind=kind, actor=actor, level_id=row.id, data={"from": before}
        )
        changed.append(level_id)
    session.flush()
    return changed


def what_is_missing(row: ServiceLevelRecord) -> str:
    """What a level lacks to be computed ('' if nothing), said as what to edit."""
    if row.target is None:
        return _("it has no target (the contract says {text!r}): set one with `--target N`").format(
            text=row.target_text
        )
    if row.kind == "report":
        return ""
    credit = row.credit or {}
    model = credit.get("model")
    if model is None:
        return _("it has no credit rule: set `--model` and its numbers, or `--kind report`")
    needs = {
        "tiers": ("tiers",),
        "per-point": ("pct_per_point",),
        "fixed": ("amount", "currency"),
        "pool": ("level_pct", "at_risk_pct"),
    }[model]
    absent = [n for n in needs if not credit.get(n)]
    if absent:
        options = ", ".join(f"`--{n.replace('_', '-')}`" for n in absent)
        if len(absent) == 1:
            return _("its {model} credit rule has no {field}: set {options}").format(
                model=model, field=absent[0], options=options
            )
        return _("its {model} credit rule has no {field} or {other}: set {options}").format(
            model=model, field=absent[0], other=absent[1], options=options
        )
    try:
        service_level(row)
    except SlaInputError as e:
        return str(e)
    return ""


def edit(session: Session, *, engagement: str, level_id: int, changes: Mapping[str, object], actor: str) -> bool:
    """Change a level's fields by hand (kept through re-extraction); the timeline keeps before and after."""
    row = get_level(session, engagement=engagement, level_id=level_id, lock=True)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    credit = dict(row.credit or {"model": None, "tiers": []})
    details = dict(row.details or {})
    for name, raw in changes.items():
        if name not in EDITABLE:
            raise ValueError(_("cannot edit {name!r}: one of {names}").format(name=name, names=", ".join(EDITABLE)))
        value = _checked(name, raw)
        if name in SERIES_EDITS:
            old, details = _series_edit(details, name, value)
        else:
            old = credit.get(name) if name in CREDIT_FIELDS else getattr(row, name)
        if old == value:
            continue
        before[name], after[name] = _jsonable(old), _jsonable(value)
        if name in CREDIT_FIELDS:
            credit[name] = value
        elif name not in SERIES_EDITS:
            setattr(row, name, value)
    if not after:
        return False
    if any(n in CREDIT_FIELDS for n in after):
        row.credit = credit
    clauses = {SERIES_EDITS[n][0] for n in after if n in SERIES_EDITS}  # kept whole through re-extraction
    row.details = {**details, "edited": sorted({*row.details.get("edited", []), *after, *clauses})}
    row.updated_at = utcnow()
    session.add(row)
    records.add_event(
        session,
        engagement=engagement,
        kind="edited",
        actor=actor,
        level_id=row.id,
        data={"before": before, "after": after},
    )
    session.flush()
    return True


def _series_edit(details: dict[str, Any], name: str, value: object) -> tuple[object, dict[str, Any]]:
    """(the term's value before, the details after) for an edited earn-back or chronic-failure term."""
    clause, key = SERIES_EDITS[name]
    stated = details.get(clause)
    if clause == "earn_back":
        old = (stated or {}).get(key)
        if key == "periods" and not value:
            return old, {**details, "earn_back": None}  # no earn-back
        base = stated or {"periods": None, "pct": "100", "excludes": [], "not_in_chronic": False, "source": None}
        return old, {**details, "earn_back": {**base, key: value}}
    tests = [dict(t) for t in (stated or {}).get("tests") or [{"run": None, "within": None}]]
    old = tests[0].get(key)
    if key == "run" and not value:
        return old, {**details, "chronic": None}  # no chronic-failure rule
    tests[0][key] = value or None  # within 0: consecutive periods
    base = stated or {"source": None, "remedy": None}
    return old, {**details, "chronic": {**base, "tests": tests}}


def _checked(name: str, raw: object) -> object:
    """An edited value in its stored form (decimal text for numbers), or ValueError saying what is wrong."""
    if raw is None or raw == "":
        return None
    option = name.replace("_", "-")  # the CLI's option
    if name in ("earn_back_periods", "chronic_run", "chronic_within"):
        text = str(raw).strip()
        if not text.isdigit() or int(text) > 120:
            raise ValueError(
                _("{option} is a number of periods from 0 to 120, not {raw!r}").format(option=option, raw=raw)
            )
        return int(text)
    if name in (
        "target",
        "cap_pct",
        "pct_per_point",
        "level_pct",
        "at_risk_pct",
        "pool_pct",
        "amount",
        "earn_back_pct",
    ):
        try:
            number = Decimal(str(raw).strip().rstrip("%").replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("{option} must be a number, not {raw!r}").format(option=option, raw=raw)) from None
        if not number.is_finite() or number < 0:
            raise ValueError(_("{option} must be a number of zero or more, not {raw!r}").format(option=option, raw=raw))
        return decimal_text(number)
    if name == "comparison" and raw not in COMPARISONS:
        raise ValueError(
            _("comparison must be one of {names}, not {raw!r}").format(names=", ".join(COMPARISONS), raw=raw)
        )
    if name == "kind" and raw not in ("credit", "report"):
        raise ValueError(_("kind must be credit or report, not {raw!r}").format(raw=raw))
    if name == "model" and raw not in MODELS:
        raise ValueError(_("model must be one of {names}, not {raw!r}").format(names=", ".join(MODELS), raw=raw))
    if name == "effective_from":
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise ValueError(_("effective-from is YYYY-MM-DD, not {raw!r}").format(raw=raw)) from None
    if name == "currency":
        return str(raw).strip().upper()
    return str(raw).strip()


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
