"""The SLA register's service levels: drafts from the contracts, their review, versions, and what a side sees.

Data functions, keyword-only, taking the caller's session (they never commit); `bot.sla.workflows` opens the
session and checks who may. Rules kept here:

- `sync_drafts` writes what extraction found: a new level is a draft; a draft found again is updated, except
  the fields a person edited; an approved or rejected level is never touched; a draft no longer found (its
  document removed or changed) is deleted unless it has measurements.
- A level restated by an amendment (an `effective_from`) is a new version of the level of the same metric and
  scope in the engagement's other documents: same `family`, the next `version`. A level only an amendment
  states starts its own family.
- Approving checks the level can be computed (a target; a complete credit rule for a credit level) and says
  what to edit otherwise. Every review step is an `SlaEvent` with who, when, and the values before and after.
- A level is seen by the sides its source document is visible to (`knowledge.visibility`).
"""

from __future__ import annotations

# What a side sees over periods (def standings, def statements) is in bot.sla.measures, beside the measurements.
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from bot.errors import Conflict, NotFound
from bot.i18n import _
from bot.records import sla as records
from bot.records.sla import ServiceLevelRecord, decimal_text
from bot.records.tables import utcnow
from bot.sla.views import name_of
from knowledge.visibility import visible_to

if TYPE_CHECKING:
    from knowledge.slas import ChronicDraft, CreditDraft, EarnBackDraft, LevelDraft, Span

CREDIT_FIELDS = ("pct_per_point", "level_pct", "at_risk_pct", "pool_pct", "amount", "currency", "base", "model")
SERIES_FIELDS = ("earn_back", "chronic")  # kept in `details`; an edited one stays through re-extraction


@dataclass(frozen=True)
class Found:
    """One document's drafts, as the knowledge base read them: its name, visibility and the levels it states."""

    document: str
    visibility: str
    levels: Sequence[LevelDraft]
    sections: Mapping[int, str | None] = field(default_factory=dict)  # a span's start -> its clause's label


def spans_of(draft: LevelDraft) -> list[Span]:
    """Every span a draft keeps besides its quote: where its section label is wanted too."""
    found = [*draft.values.values(), *draft.exclusions]
    found += [s for s in (draft.cap, draft.claim, draft.credit.source if draft.credit else None) if s is not None]
    if draft.earn_back is not None:
        found.append(draft.earn_back.source)
    if draft.chronic is not None:
        found += [s for s in (draft.chronic.source, draft.chronic.remedy) if s is not None]
    if draft.hours is not None:
        found += [s for s in (draft.hours.said, draft.hours.definition) if s is not None]
    if draft.remedy is not None:
        found.append(draft.remedy.span)
    return found


@dataclass(frozen=True)
class Synced:
    created: int
    updated: int
    kept: int  # approved or rejected levels left as they are
    removed: int


def level_key(metric: str, scope: str | None) -> str:
    """What identifies a level across documents and re-extractions: its metric and scope, lowercased, words only."""

    def words(text: str | None) -> str:
        return " ".join(re.findall(r"\w+", (text or "").lower()))

    return f"{words(metric)}|{words(scope)}"


def _span(span: Span | None, sections: Mapping[int, str | None]) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"quote": span.text, "start": span.start, "end": span.end, "section": sections.get(span.start)}


def _credit_dict(credit: CreditDraft | None, sections: Mapping[int, str | None]) -> dict[str, Any] | None:
    if credit is None:
        return None
    return {
        "model": credit.model,
        "tiers": [
            {
                "from": decimal_text(t.low),
                "to": decimal_text(t.high),
                "pct": decimal_text(t.pct),
                "from_inclusive": t.low_inclusive,
                "to_inclusive": t.high_inclusive,
            }
            for t in credit.tiers
        ],
        "pct_per_point": decimal_text(credit.pct_per_point),
        "partial": credit.partial,
        "base": credit.base,
        "amount": decimal_text(credit.amount),
        "currency": credit.currency,
        "pool_pct": decimal_text(credit.pool_pct),
        "level_pct": decimal_text(credit.level_pct),
        "at_risk_pct": decimal_text(credit.at_risk_pct),
        "source": _span(credit.source, sections),
    }


def _earn_back_dict(earn: EarnBackDraft | None, sections: Mapping[int, str | None]) -> dict[str, Any] | None:
    if earn is None:
        return None
    return {
        "periods": earn.periods,
        "pct": decimal_text(earn.pct),
        "excludes": list(earn.excludes),
        "not_in_chronic": earn.not_in_chronic,
        "source": _span(earn.source, sections),
        "values": {name: _span(span, sections) for name, span in earn.values.items()},
    }


def _chronic_dict(chronic: ChronicDraft | None, sections: Mapping[int, str | None]) -> dict[str, Any] | None:
    if chronic is None:
        return None
    return {
        "tests": [{"run": t.run, "within": t.within} for t in chronic.tests],
        "source": _span(chronic.source, sections),
        "remedy": _span(chronic.remedy, sections),
        "values": {name: _span(span, sections) for name, span in chronic.values.items()},
    }


def _hours_dict(draft: LevelDraft, sections: Mapping[int, str | None]) -> dict[str, Any] | None:
    hours = draft.hours
    if hours is None:
        return None
    return {
        "all_hours": hours.all_hours,
        "term": hours.term,
        "said": _span(hours.said, sections),
        "definition": _span(hours.definition, sections),
    }


def _remedy_dict(draft: LevelDraft, sections: Mapping[int, str | None]) -> dict[str, Any] | None:
    if draft.remedy is None:
        return None
    return {"sole": draft.remedy.sole, "source": _span(draft.remedy.span, sections)}


def draft_values(
    draft: LevelDraft, document: str, visibility: str, sections: Mapping[int, str | None] | None = None
) -> dict[str, Any]:
    """A draft as the register's columns (`sections`: the clause label at each span's start, where known)."""
    sections = sections or {}
    return {
        "key": level_key(draft.metric, draft.scope),
        "metric": draft.metric,
        "scope": draft.scope,
        "comparison": draft.comparison,
        "target": decimal_text(draft.target),
        "target_text": draft.target_text,
        "unit": draft.unit,
        "window": draft.window,
        "kind": draft.kind,
        "credit": _credit_dict(draft.credit, sections),
        "cap_pct": decimal_text(draft.cap_pct),
        "effective_from": draft.effective_from,
        "document": document,
        "visibility": visibility,
        "section": draft.section,
        "quote": draft.quote.text,
        "start": draft.quote.start,
        "end": draft.quote.end,
        "details": {
            "values": {name: _span(span, sections) for name, span in draft.values.items()},
            "cap": _span(draft.cap, sections),
            "claim": _span(draft.claim, sections),
            "claim_days": draft.claim_days,
            "claim_business_days": draft.claim_business_days,
            "exclusions": [_span(s, sections) for s in draft.exclusions],
            "earn_back": _earn_back_dict(draft.earn_back, sections),
            "chronic": _chronic_dict(draft.chronic, sections),
            "hours": _hours_dict(draft, sections),
            "remedy": _remedy_dict(draft, sections),
            "edited": [],
        },
    }


def sync_drafts(session: Session, *, engagement: str, found: Iterable[Found], actor: str) -> Synced:
    """Write what extraction found (see the module's rules); then link versions across documents."""
    rows = {(r.document, r.key): r for r in records.levels_of(session, engagement=engagement)}
    seen: set[tuple[str, str]] = set()
    created = updated = kept = 0
    for doc in found:
        for draft in doc.levels:
            values = draft_values(draft, doc.document, doc.visibility, doc.sections)
            where = (doc.document, values["key"])
            if where in seen:
                continue  # the same metric and scope twice in one document: the first statement is the level
            seen.add(where)
            row = rows.get(where)
            if row is None:
                row = ServiceLevelRecord(engagement=engagement, **values)
                session.add(row)
                session.flush()
                records.add_event(session, engagement=engagement, kind="extracted", actor=actor, level_id=row.id)
                created += 1
            elif row.status != "draft":
                kept += 1
            elif _refresh(row, values):
                records.add_event(session, engagement=engagement, kind="updated", actor=actor, level_id=row.id)
                updated += 1
    removed = 0
    measured = {m.family for m in records.measurements_of(session, engagement=engagement)}
    for where, row in rows.items():
        if where not in seen and row.status == "draft" and (row.family or row.id) not in measured:
            session.delete(row)
            removed += 1
    session.flush()
    link_versions(session, engagement=engagement)
    return Synced(created, updated, kept, removed)


def _refresh(row: ServiceLevelRecord, values: Mapping[str, Any]) -> bool:
    """Update a draft from a new extraction, keeping what a person edited: whether anything changed."""
    edited = set(row.details.get("edited", []))
    changed = False
    for name, value in values.items():
        if name in edited or name == "details":
            continue
        if name == "credit" and row.credit and value:
            value = {**value, **{k: row.credit[k] for k in CREDIT_FIELDS if k in edited and k in row.credit}}
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    kept = {name: row.details.get(name) for name in SERIES_FIELDS if name in edited}
    details = {**values["details"], **kept, "edited": sorted(edited)}
    if row.details != details:
        row.details, changed = details, True
    if changed:
        row.updated_at = utcnow()
        row.credit = None if row.credit is None else dict(row.credit)
        row.details = dict(row.details)
    return changed


def link_versions(session: Session, *, engagement: str) -> None:
    """Number the versions: a level restated with an effective date joins the undated level of the same key."""
    rows = records.levels_of(session, engagement=engagement)
    by_key: dict[str, list[ServiceLevelRecord]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    for same in by_key.values():
        bases = sorted((r for r in same if r.effective_from is None), key=lambda r: r.id or 0)
        dated = sorted((r for r in same if r.effective_from is not None), key=lambda r: (r.effective_from, r.id or 0))
        for base in bases:
            _set_family(base, base.id, 1)
        if bases:
            for i, row in enumerate(dated, start=2):
                _set_family(row, bases[0].id, i)
        elif dated:
            for i, row in enumerate(dated, start=1):
                _set_family(row, dated[0].id, i)
        for row in same:
            session.add(row)
    session.flush()


def _set_family(row: ServiceLevelRecord, family: int | None, version: int) -> None:
    if row.family != family or row.version != version:
        row.family, row.version = family, version


def visible(row: ServiceLevelRecord, side: str) -> bool:
    return row.visibility in visible_to(side)


def levels(
    session: Session, *, engagement: str, side: str | None = None, status: str | None = None
) -> list[ServiceLevelRecord]:
    """The engagement's levels (every version), for one side when given (None: all, the CLI's operator)."""
    rows = records.levels_of(session, engagement=engagement)
    return [r for r in rows if (side is None or visible(r, side)) and (status is None or r.status == status)]


def get_level(session: Session, *, engagement: str, level_id: int, lock: bool = False) -> ServiceLevelRecord:
    row = records.level_by_id(session, level_id, lock=lock)
    if row is None or row.engagement != engagement:
        raise NotFound(
            _("No service level {id} in {engagement}. `liaison sla list -e {engagement}` lists them.").format(
                id=level_id, engagement=engagement
            )
        )
    return row


def find_level(session: Session, *, engagement: str, ref: str, side: str | None = None) -> ServiceLevelRecord:
    """A level by its id or by its metric's name (case-insensitive): the version in force today for a name.

    An unknown or ambiguous name is refused with the candidates."""
    rows = [r for r in levels(session, engagement=engagement, side=side) if r.status != "rejected"]
    text = ref.strip()
    if text.isdigit():
        for row in rows:
            if row.id == int(text):
                return row
        raise NotFound(
            _("No service level {id} in {engagement}.").format(id=text, engagement=engagement) + _candidates(rows)
        )
    wanted = " ".join(text.lower().split())
    exact = [r for r in rows if wanted in (r.metric.lower(), name_of(r).lower())]
    matches = exact or [r for r in rows if wanted in name_of(r).lower()]
    families = {r.family or r.id for r in matches}
    if not matches:
        raise NotFound(
            _("No service level named {name!r} in {engagement}.").format(name=ref, engagement=engagement)
            + _candidates(rows)
        )
    if len(families) > 1:
        raise Conflict(
            _("{name!r} names {count} service levels.").format(name=ref, count=len(families)) + _candidates(matches)
        )
    return max(matches, key=lambda r: r.version)


def _candidates(rows: Sequence[ServiceLevelRecord]) -> str:
    if not rows:
        return " " + _("There are none yet: `liaison sla extract` drafts them from the contracts.")
    names = dict.fromkeys(f"{r.id} {name_of(r)}" for r in rows)
    return " " + _("Use one of: {names}.").format(names="; ".join(list(names)[:20]))


def timeline(session: Session, *, engagement: str, level_id: int) -> list[records.SlaEvent]:
    """A level's review history and its measurements' (all versions of its family), oldest first."""
    row = get_level(session, engagement=engagement, level_id=level_id)
    family = row.family or row.id
    ids = [r.id for r in session.exec(select(ServiceLevelRecord).where(col(ServiceLevelRecord.family) == family))]
    return records.events_of(session, level_ids=[i for i in ids if i is not None] or [level_id])
