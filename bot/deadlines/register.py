"""The deadlines register's obligations: drafts from the contracts and from the SLA register's credit
statements, their dates as of a day, and what a side sees.

Data functions, keyword-only, taking the caller's session (they never commit); `bot.deadlines.workflows` opens
the session and checks who may. Rules kept here:

- `sync_drafts` writes what extraction found: a new obligation is a draft; a draft found again is updated,
  except the fields a person edited (`details["edited"]`); an approved, done or waived one is never touched; a
  draft no longer found (its document removed or changed) and never edited is deleted.
- Credit statements' claim windows are their own obligations (`bot.deadlines.claims`), kept apart from drafts.
- Dates are computed (`bot.deadlines.due`) from each row's terms and its document's contract term (the
  engagement's first complete one where a document states none), as of a day, with the engagement's holidays;
  a date a person set by hand wins. An obligation is seen by the sides its source document is visible to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from bot.deadlines import occurrences, windows
from bot.deadlines.dates import DateError
from bot.deadlines.due import Calendar, Contract, Terms, anchor_missing, contract_of, due, recurs
from bot.errors import NotFound
from bot.i18n import _
from bot.records import deadlines as records
from bot.records.deadlines import DeadlineRecord
from bot.records.tables import insert_once, utcnow
from knowledge.visibility import visible_to

if TYPE_CHECKING:
    from bot.sla.terms import Period
    from knowledge.deadlines import ObligationDraft
    from knowledge.slas import Span

STATEMENT = "sla-statement"  # details["source"] of a credit-claim obligation drafted from a credit statement
FEEDS = ("effective", "term-end")  # kinds whose date set by hand is a term the others count from (and roll)


@dataclass(frozen=True)
class Found:
    """One document's obligations, as the knowledge base read them: its name, visibility and the drafts."""

    document: str
    visibility: str
    obligations: Sequence[ObligationDraft]


@dataclass(frozen=True)
class Synced:
    created: int
    updated: int
    kept: int  # approved, done or waived obligations left as they are
    removed: int


@dataclass(frozen=True)
class Dated:
    """An obligation as of a day: its row, the date (None: not computable yet), whether an anchor is missing
    (and why, when the register can say), and whether it recurs (done closes one occurrence)."""

    row: DeadlineRecord
    date: date | None
    anchor_missing: bool
    recurs: bool = False
    reason: str | None = None


def obligation_key(kind: str, section: str | None, rule: str) -> str:
    """What identifies an obligation within its document across re-extractions: kind, clause and rule's words."""
    words = " ".join(re.findall(r"\w+", rule.lower()))[:300]
    return f"{kind}|{section or ''}|{words}"


def _span(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else {"quote": span.text, "start": span.start, "end": span.end}


def terms_json(draft: ObligationDraft) -> dict[str, Any]:
    """A draft's structured terms as stored in `details["terms"]`."""
    d = draft.duration
    return {
        "duration": None if d is None else {"amount": d.amount, "unit": d.unit, **(_span(d.span) or {})},
        "direction": draft.direction,
        "anchor": draft.anchor,
        "on": draft.on.isoformat() if draft.on else None,
        "renewal": draft.renewal,
        "day_of_month": draft.day_of_month,
    }


def draft_values(draft: ObligationDraft, document: str, visibility: str) -> dict[str, Any]:
    """A draft as the register's columns."""
    return {
        "key": obligation_key(draft.kind, draft.section, draft.rule.text),
        "kind": draft.kind,
        "rule": draft.rule.text,
        "document": document,
        "visibility": visibility,
        "section": draft.section,
        "quote": draft.quote.text,
        "start": draft.quote.start,
        "end": draft.quote.end,
        "details": {
            "terms": terms_json(draft),
            "rule_span": {"start": draft.rule.start, "end": draft.rule.end},
            "values": {name: _span(span) for name, span in draft.values.items()},
            "edited": [],
        },
    }


def sync_drafts(session: Session, *, engagement: str, found: Iterable[Found], actor: str) -> Synced:
    """Write what extraction found (see the module's rules)."""
    rows = {
        (r.document, r.key): r
        for r in records.deadlines_of(session, engagement=engagement)
        if r.details.get("source") != STATEMENT
    }
    seen: set[tuple[str, str]] = set()
    created = updated = kept = 0
    for doc in found:
        for draft in doc.obligations:
            values = draft_values(draft, doc.document, doc.visibility)
            where = (doc.document, values["key"])
            if where in seen:
                continue
            seen.add(where)
            row = rows.get(where)
            if row is None:
                new = create(session, engagement=engagement, values=values)
                if new is not None:  # else a concurrent extraction wrote it a moment ago
                    records.add_event(session, engagement=engagement, kind="extracted", actor=actor, deadline_id=new.id)
                    created += 1
            elif row.status != "draft":
                kept += 1
            elif _refresh(row, values):
                session.add(row)
                records.add_event(session, engagement=engagement, kind="updated", actor=actor, deadline_id=row.id)
                updated += 1
    removed = 0
    for where, row in rows.items():
        if where not in seen and row.status == "draft" and not row.details.get("edited"):
            session.delete(row)
            removed += 1
    session.flush()
    return Synced(created, updated, kept, removed)


def create(session: Session, *, engagement: str, values: dict[str, Any]) -> DeadlineRecord | None:
    """A new draft, written once however many extractions run at the same moment: None if it was there."""
    now = utcnow()
    row = {"engagement": engagement, "status": "draft", "created_at": now, "updated_at": now, **values}
    if not insert_once(session, DeadlineRecord, row, key=("engagement", "document", "key")):
        return None
    query = select(DeadlineRecord).where(
        DeadlineRecord.engagement == engagement,
        DeadlineRecord.document == values["document"],
        DeadlineRecord.key == values["key"],
    )
    return session.exec(query).one()


def _refresh(row: DeadlineRecord, values: dict[str, Any]) -> bool:
    """Update a draft from a new extraction, keeping what a person edited: whether anything changed."""
    edited = list(row.details.get("edited", []))
    changed = False
    for name, value in values.items():
        if name != "details" and name not in edited and getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    details = {**values["details"], "edited": edited}
    details["terms"] = {**details["terms"], **_kept_terms(row)}
    if "date" in edited:
        details["date"] = row.details.get("date")
    if row.details.get("occurrences"):
        details["occurrences"] = row.details["occurrences"]
    if row.details != details:
        row.details, changed = details, True
    if changed:
        row.updated_at = utcnow()
    return changed


def _kept_terms(row: DeadlineRecord) -> dict[str, Any]:
    terms = row.details.get("terms", {})
    return {"anchor_date": terms["anchor_date"]} if "anchor_date" in row.details.get("edited", []) else {}


def terms_of(row: DeadlineRecord) -> Terms:
    """A row's terms, with the anchor a person gave (and the effective date or the term's end set by hand)."""
    terms = Terms.of(row.kind, row.details.get("terms", {}))
    by_hand = row.details.get("date")
    if by_hand and row.kind == "effective":
        return replace(terms, anchor_date=date.fromisoformat(by_hand))
    if by_hand and row.kind == "term-end":
        return replace(terms, on=date.fromisoformat(by_hand))  # the term ends then: renewals roll from it
    return terms


def calendar_of(session: Session, *, engagement: str) -> Calendar:
    settings = records.settings_of(session, engagement=engagement)
    return Calendar() if settings is None else Calendar(settings.country, settings.subdivision)


def _contracts(rows: Sequence[DeadlineRecord]) -> dict[str, Contract]:
    """Each document's contract term: its own, else the first complete one of a document whose side is as wide
    (a shared document never counts from a one-sided document's term, so no side learns another's dates)."""
    terms: dict[str, list[Terms]] = {}
    sides: dict[str, str] = {}
    for r in rows:
        terms.setdefault(r.document, []).append(terms_of(r))
        sides.setdefault(r.document, r.visibility)
    own = {doc: contract_of(ts) for doc, ts in terms.items()}
    out = {}
    for doc, ts in terms.items():
        allowed = [c for d, c in own.items() if sides[d] in ("shared", sides[doc])]
        base = next((c for c in allowed if c.known), None) or next((c for c in allowed if c.effective), None)
        out[doc] = contract_of(ts, base)
    return out


def dated(
    session: Session, *, engagement: str, as_of: date, rows: Sequence[DeadlineRecord] | None = None
) -> list[Dated]:
    """Every obligation (or those of `rows`) with its date as of `as_of`, soonest first, undated last."""
    every = records.deadlines_of(session, engagement=engagement)
    calendar = calendar_of(session, engagement=engagement)
    contracts = _contracts([r for r in every if r.status != "waived"])
    stated = {str(r.details.get("period")) for r in every if r.details.get("source") == STATEMENT}
    missed: list[Period] | None = None
    out = []
    for row in rows if rows is not None else every:
        contract = contracts.get(row.document) or Contract()
        terms = terms_of(row)
        day = occurrences.counting_from(row, as_of)
        by_hand = row.details.get("date")
        reason = None
        if by_hand and row.kind not in FEEDS:  # the effective date and the term's end feed the terms instead
            when: date | None = date.fromisoformat(by_hand)
        elif _claims_from_text(row, terms):
            missed = windows.missed_periods(session, engagement=engagement) if missed is None else missed
            after = occurrences.closed_through(row)
            try:
                window = windows.claim_window(terms, missed, stated=stated, as_of=as_of, after=after, calendar=calendar)
            except DateError:
                window = windows.Window(None, reason=_("the calendar cannot place this rule"))
            when, reason = window.date, window.reason
        else:
            try:
                when = due(terms, contract, day, calendar)
            except DateError:  # a rule the calendar cannot place ("the 25th Business Day"): no date, not a crash
                when = None
        missing = reason is not None or (when is None and anchor_missing(terms, contract))
        out.append(Dated(row, when, missing, recurs(terms, contract), reason))
    return sorted(out, key=lambda d: (d.date is None, d.date or date.max, d.row.id or 0))


def _claims_from_text(row: DeadlineRecord, terms: Terms) -> bool:
    """A credit-claim rule read from the contract's text, counted from the end of the period of a failure."""
    return (
        row.kind == "credit-claim"
        and row.details.get("source") != STATEMENT
        and terms.anchor == "period-end"
        and terms.anchor_date is None
    )


def refresh_dates(session: Session, *, engagement: str, as_of: date) -> None:
    """Store each obligation's date as of `as_of` (what reminders read)."""
    for d in dated(session, engagement=engagement, as_of=as_of):
        if d.row.date != d.date:
            d.row.date = d.date
            session.add(d.row)
    session.flush()


def visible(row: DeadlineRecord, side: str | None) -> bool:
    return side is None or row.visibility in visible_to(side)


def get_deadline(session: Session, *, engagement: str, deadline_id: int, lock: bool = False) -> DeadlineRecord:
    row = records.deadline_by_id(session, deadline_id, lock=lock)
    if row is None or row.engagement != engagement:
        raise NotFound(
            _("No deadline {id} in {engagement}. `liaison deadlines -e {engagement}` lists them.").format(
                id=deadline_id, engagement=engagement
            )
        )
    return row


def lead_date(when: date | None, lead_days: int | None) -> date | None:
    """The engagement's own decision date: `lead_days` before the obligation's date."""
    return None if when is None or not lead_days else when - timedelta(days=lead_days)


def deadline_json(d: Dated, *, lead_days: int | None = None) -> dict[str, Any]:
    """The contract's JSON for one obligation, plus what reminders and reviewers use."""
    row = d.row
    terms = row.details.get("terms", {})
    lead = lead_date(d.date, lead_days)
    return {
        "id": row.id,
        "kind": row.kind,
        "date": d.date.isoformat() if d.date else None,
        "rule": row.rule,
        "status": row.status,
        "draft": row.status == "draft",
        "document": row.document,
        "section": row.section,
        "quote": row.quote,
        "start": row.start,
        "end": row.end,
        "visibility": row.visibility,
        "anchor": terms.get("anchor"),
        "anchor_missing": d.anchor_missing,
        "missing": d.reason,
        "recurs": d.recurs,
        "occurrences": list(row.details.get("occurrences", [])),
        "anchor_date": terms.get("anchor_date"),
        "lead_date": lead.isoformat() if lead else None,
        "owner": row.owner,
        "edited": list(row.details.get("edited", [])),
    }
