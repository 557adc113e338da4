"""Measurements, breaches and credit statements: what a period's numbers were and what they cost.

Data functions taking the caller's session (they never commit). Rules kept here:

- A measurement is a level's family, a period (a calendar month; a quarter, "2026-Q3", for a level measured per
  quarter), a value and who reported it. Reporting again
  replaces the value and makes it `reported` again; either side's owner may dispute it with a reason, or agree.
- A measurement that misses its approved level (the version in force in its period) logs one `sla-breach`
  issue per level and period, with the clause attached: `source_key` `sla-breach:<engagement>:<family>:<period>`
  makes it once under concurrent reports, on SQLite and PostgreSQL alike. A later correction that meets the
  level is said on that issue's timeline.
- A period's credits are computed with `credits_for` (fees given) and kept as its statement; a statement is
  recomputed, with its own fees, whenever one of its period's measurements or a level changes.
- What is kept (events, the breach issue's title, description and comments, a statement's working) is written in
  English whatever the reader's language (`speaking("en")`): it is the record, read back by anyone. Refusals are
  in the reader's language (`bot.i18n`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from bot import issues
from bot.errors import Conflict, NotFound
from bot.i18n import _, current, speaking
from bot.records import claim_event
from bot.records import sla as records
from bot.records.case_schemas import IssueCreate
from bot.records.cases import ClauseRef
from bot.records.sla import CreditStatement, EventKind, Measurement, ServiceLevelRecord, decimal_text
from bot.records.tables import utcnow
from bot.sla import register
from bot.sla.breaches import Breach, Quantity
from bot.sla.credits import Cap, CreditResult, compute_credits
from bot.sla.money import SlaInputError, currency_code, exact
from bot.sla.terms import Period, Source, is_met, month_of, period_for, quantity, window_of
from bot.sla.totals import TOTAL_KEY
from bot.sla.versions import in_force_rows, service_level, source_of, windowed
from bot.sla.views import name_of
from knowledge.visibility import narrowest, visible_to

MAX_CSV_ROWS = 10_000


@dataclass(frozen=True)
class Reported:
    """A recorded measurement, the level it measures (the version in force in its period), and what followed."""

    measurement: Measurement
    level: ServiceLevelRecord
    met: bool | None  # None: no approved version in force, or no target
    replaced: Decimal | None
    breach_issue: int | None  # the sla-breach issue's id when the level was missed
    breach_new: bool


def parse_value(text: str) -> Decimal:
    """'76.4%', '76,4', '45' as a Decimal, or ValueError saying what is wrong."""
    cleaned = text.strip().rstrip("%").strip().replace(",", ".") if isinstance(text, str) else str(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("a measurement is a number such as 76.4 or 76.4%, not {text!r}").format(text=text)) from None
    if not value.is_finite():
        raise ValueError(_("a measurement is a finite number, not {text!r}").format(text=text))
    return value


def in_force(session: Session, *, engagement: str, family: int, period: Period) -> ServiceLevelRecord | None:
    rows = [r for r in register.levels(session, engagement=engagement) if (r.family or r.id) == family]
    return in_force_rows(rows, period).get(family)


def report(
    session: Session,
    *,
    engagement: str,
    ref: str,
    period: str,
    value: str | Decimal,
    actor: str,
    via: str = "cli",
    side: str | None = None,
) -> Reported:
    """Record a level's value for a period (by id or name), log a breach if it misses, recompute the statement."""
    level = register.find_level(session, engagement=engagement, ref=ref, side=side)
    when = period_for(level.window, Period.parse(period), name_of(level))
    family = level.family or level.id
    assert family is not None
    number = value if isinstance(value, Decimal) else parse_value(value)
    row, replaced = records.put_measurement(
        session, engagement=engagement, family=family, period=str(when), value=number, actor=actor, via=via
    )
    with speaking("en"):  # the record's words
        records.add_event(
            session,
            engagement=engagement,
            kind="reported",
            actor=actor,
            level_id=level.id,
            measurement_id=row.id,
            text=f"{str(when)}: {quantity(number, level.unit)}",
            data={
                "period": str(when),
                "value": decimal_text(number),
                "unit": level.unit,
                "replaced": decimal_text(replaced),
                "via": via,
            },
        )
        version = in_force(session, engagement=engagement, family=family, period=when)
        met, issue_id, new = None, None, False
        if version is not None and version.target is not None:
            met = is_met(version.comparison, number, Decimal(version.target))
            issue_id, new = _breach(session, version, when, number, met, actor)
        recompute(session, engagement=engagement, period=str(when.last_month), actor=actor)
    return Reported(row, version or level, met, replaced, issue_id, new)


def breach_key(engagement: str, family: int, period: Period) -> str:
    return f"sla-breach:{engagement}:{family}:{period}"


def _breach(
    session: Session, level: ServiceLevelRecord, period: Period, actual: Decimal, met: bool, actor: str
) -> tuple[int | None, bool]:
    """The level's breach issue for the period: logged once when missed; a correction that meets is noted."""
    family = level.family or level.id
    assert family is not None
    key = breach_key(level.engagement, family, period)
    existing = issues.issue_by_source_key(session=session, source_key=key)
    words = f"{quantity(actual, level.unit)} vs {level.comparison} {quantity(Decimal(level.target or 0), level.unit)}"
    if met:
        if existing is not None and existing.id is not None:
            corrected = {
                "period": str(period),
                "actual": decimal_text(actual),
                "comparison": level.comparison,
                "target": level.target or "0",
                "unit": level.unit,
            }
            issues.comment_on_issue(
                session=session,
                issue_id=existing.id,
                actor=actor,
                text=f"{period} corrected to {words}: met.",
                data={"corrected": corrected},
            )
        return (existing.id if existing else None), False
    if existing is not None:
        return existing.id, False
    breach = Breach(
        name_of(level),
        str(period),
        Quantity(actual, level.unit),
        level.comparison,
        Quantity(Decimal(level.target or 0), level.unit),
    )
    with speaking("en"):  # the record's words
        title = breach.title()
        description = breach.description(
            level=level.id or 0, where=level.document + (f" §{level.section}" if level.section else "")
        )
    ref: ClauseRef = {
        "document": level.document,
        "section": level.section,
        "quote": level.quote,
        "start": level.start,
        "end": level.end,
    }
    issue = issues.create_issue(
        session=session,
        issue_in=IssueCreate(
            engagement=level.engagement,
            title=title,
            description=description,
            category="sla-breach",
            severity=2 if level.kind == "credit" else 3,
            risk="high" if level.kind == "credit" else "low",
            clause_refs=[ref],
            owner=level.owner,
            created_by="liaison",
            source_key=key,
        ),
    )
    created = claim_event(session=session, key=f"{key}:logged")  # one process of several reporting at once
    if created:
        records.add_event(
            session,
            engagement=level.engagement,
            kind="breach",
            actor="liaison",
            level_id=level.id,
            text=f"issue #{issue.id}",
            data={"period": str(period), "issue": issue.id},
        )
    return issue.id, created


def import_csv(session: Session, *, engagement: str, text: str, actor: str) -> list[Reported]:
    """Record every row of a `level,period,value` CSV (a header row first): all of them, or none (ValueError
    naming the row)."""
    reader = csv.DictReader(io.StringIO(text))
    wanted = {"level", "period", "value"}
    if reader.fieldnames is None or not wanted <= {(f or "").strip().lower() for f in reader.fieldnames}:
        raise ValueError(_("the CSV needs a header row with the columns level,period,value"))
    done = []
    for n, raw in enumerate(reader, start=2):
        if n > MAX_CSV_ROWS + 1:
            raise ValueError(_("at most {count} rows a file").format(count=MAX_CSV_ROWS))
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        try:
            done.append(
                report(
                    session,
                    engagement=engagement,
                    ref=row["level"],
                    period=row["period"],
                    value=row["value"],
                    actor=actor,
                    via="csv",
                )
            )
        except (ValueError, NotFound, Conflict) as e:
            raise ValueError(_("row {n}: {error}").format(n=n, error=e)) from None
    return done


def set_status(
    session: Session,
    *,
    engagement: str,
    ref: str,
    period: str,
    status: str,
    actor: str,
    reason: str = "",
    side: str | None = None,
) -> Measurement:
    """Dispute (with a reason) or agree with a period's measurement."""
    if status not in ("disputed", "agreed"):
        raise ValueError(_("a measurement is disputed or agreed, not {status!r}").format(status=status))
    if status == "disputed" and not reason.strip():
        raise ValueError(_("say why the measurement is disputed"))
    level = register.find_level(session, engagement=engagement, ref=ref, side=side)
    when = period_for(level.window, Period.parse(period), name_of(level))
    family = level.family or level.id
    assert family is not None
    row = records.measurement_of(session, engagement=engagement, family=family, period=str(when))
    if row is None:
        raise NotFound(_("No measurement of {name} for {period} yet.").format(name=name_of(level), period=when))
    row.status, row.reason, row.updated_at = status, reason.strip() or None, utcnow()  # type: ignore[assignment]
    session.add(row)
    kind: EventKind = "disputed" if status == "disputed" else "agreed"
    records.add_event(
        session,
        engagement=engagement,
        kind=kind,
        actor=actor,
        level_id=level.id,
        measurement_id=row.id,
        text=f"{when}: {reason.strip()}" if reason.strip() else str(when),
        data={"period": str(when), "reason": reason.strip()},
    )
    session.flush()
    return row


def credits_for(session: Session, *, engagement: str, period: str, fees: object, currency: str) -> CreditResult:
    """A month's credits from the approved register and its measurements (no side filter: the sum is the
    contract's; `statement_visibility` says who may see it). A level measured per calendar quarter has its line
    in the month that ends its quarter; a rolling window's value is the one reported for the month."""
    when = month_of(period)
    quarter = when.quarter()
    approved = [r for r in register.levels(session, engagement=engagement) if r.status == "approved"]
    chosen = in_force_rows([r for r in approved if window_of(r.window) == "month"], when)
    quarterly = in_force_rows([r for r in approved if window_of(r.window) == "quarter"], quarter)
    later = [name_of(r) for f, r in quarterly.items() if f not in chosen and when != quarter.last_month]
    if when == quarter.last_month:
        chosen = {**chosen, **quarterly}
    values = {
        m.family: Decimal(m.value)
        for m in records.measurements_of(session, engagement=engagement, periods=[str(when), str(quarter)])
        if m.period == (str(quarter) if m.family in quarterly else str(when))
    }
    levels = [service_level(r) for r in chosen.values()]
    if not levels:
        raise NotFound(
            _("No approved service level of {engagement} is in force in {period}: approve them first.").format(
                engagement=engagement, period=when
            )
        )
    cap = cap_in_force(list(chosen.values()))
    result = compute_credits(
        levels, {f: v for f, v in values.items() if f in chosen}, period=when, fees=fees, currency=currency, cap=cap
    )
    notes = [
        _("{name} is measured per calendar quarter: its line is in {month}").format(name=name, month=quarter.last_month)
        for name in later
    ]
    lines = tuple(windowed(line, chosen.get(line.level.level), when) for line in result.lines)
    return replace(result, lines=lines, left_out=(*result.left_out, *notes))
    # a line's `level` is the level's id (its family's); `version` says which version was in force


def cap_in_force(rows: Sequence[ServiceLevelRecord]) -> Cap | None:
    """The cap of the most recently effective in-force version that states one."""
    capped = [r for r in rows if r.cap_pct is not None]
    if not capped:
        return None
    row = max(capped, key=lambda r: (r.effective_from or date.min, r.version, r.id or 0))
    span = (row.details or {}).get("cap")
    source = source_of(row)
    if span:
        source = Source(row.document, span.get("section") or row.section, span["quote"], span["start"], span["end"])
    return Cap(source, pct=Decimal(row.cap_pct or 0))


def statement_visibility(rows: Sequence[ServiceLevelRecord]) -> str:
    return narrowest(*(r.visibility for r in rows))


def claim_deadline(rows: Sequence[ServiceLevelRecord], period: Period) -> date | None:
    """The earliest claim deadline the credited levels state: the period's last day plus its window."""
    last = period.following().first_day - timedelta(days=1)
    deadlines = []
    for row in rows:
        days = (row.details or {}).get("claim_days")
        if not days:
            continue
        if (row.details or {}).get("claim_business_days"):
            deadlines.append(add_business_days(last, int(days)))
        else:
            deadlines.append(last + timedelta(days=int(days)))
    return min(deadlines, default=None)


def add_business_days(start: date, days: int) -> date:
    """`days` Monday-to-Friday days after `start` (no public holidays: the contract's calendar is not known)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def save_statement(
    session: Session, *, engagement: str, period: str, fees: object, currency: str, actor: str
) -> tuple[CreditResult, CreditStatement]:
    """Compute a period's credits and keep them as its statement (replacing an earlier one)."""
    code = currency_code(currency)
    base = exact(fees, "fees")
    result = credits_for(session, engagement=engagement, period=period, fees=base, currency=code)  # the reader's
    kept = result
    if current() != "en":  # the statement's working is kept in English, the record's words
        with speaking("en"):
            kept = credits_for(session, engagement=engagement, period=period, fees=base, currency=code)
    when = Period.parse(period)
    rows = in_force_rows([r for r in register.levels(session, engagement=engagement) if r.status == "approved"], when)
    credited = [rows[line.level.level] for line in result.lines if line.credit_amount and line.level.level in rows]
    row = records.statement_of(session, engagement=engagement, period=str(when), lock=True)
    if row is None:
        row = CreditStatement(
            engagement=engagement, period=str(when), fees="0", currency=code, computed_by=actor, result={}
        )
    row.fees = decimal_text(result.fees) or "0"
    row.currency = code
    row.result = statement_json(kept)
    row.visibility = statement_visibility(list(rows.values()))
    row.claim_deadline = claim_deadline(credited, when)
    row.computed_by, row.computed_at = actor, utcnow()
    session.add(row)
    session.flush()
    return result, row


def statement_json(result: CreditResult) -> dict[str, Any]:
    """A statement as kept: its JSON, the working in English, and the total's parts to say it in another language."""
    kept = {
        **result.as_dict(),
        "working": result.working,
        "left_out": list(result.left_out),
        "total_working": result.total_working,
    }
    if result.total is not None:
        kept[TOTAL_KEY] = result.total.as_dict()
    return kept


def recompute(session: Session, *, engagement: str, period: str | None = None, actor: str = "liaison") -> int:
    """Recompute the kept statements (of one period, or all) with their own fees: how many were."""
    done = 0
    for row in records.statements_of(session, engagement=engagement):
        if period is not None and row.period != period:
            continue
        try:
            save_statement(
                session,
                engagement=engagement,
                period=row.period,
                fees=Decimal(row.fees),
                currency=row.currency,
                actor=actor,
            )
        except (NotFound, SlaInputError):
            continue  # no approved level any more, or a level that cannot compute: the last statement stays
        done += 1
    return done


def claim(session: Session, *, engagement: str, period: str, actor: str, side: str | None = None) -> CreditStatement:
    """Mark a period's credits as claimed (once: a second claim says who claimed it)."""
    when = month_of(period)
    row = records.statement_of(session, engagement=engagement, period=str(when), lock=True)
    if row is None or (side is not None and row.visibility not in visible_to(side)):
        raise NotFound(
            _("No credits computed for {period} yet: `liaison sla credits --period {period} --fees N`.").format(
                period=when
            )
        )
    if row.claimed_at is not None:
        raise Conflict(
            _("The credits for {period} were claimed by {who} on {date}.").format(
                period=when, who=row.claimed_by, date=row.claimed_at.date()
            )
        )
    row.claimed_by, row.claimed_at = actor, utcnow()
    session.add(row)
    session.flush()
    return row
