"""Credit-claim windows from the SLA register: one obligation per unclaimed credit statement, dated by its
`claim_deadline` and quoting the clause of the claim window (a credited level's `details["claim"]` span, verbatim
in that level's document). A statement claimed since marks its obligation done. Data functions taking the
caller's session; they never commit."""

from __future__ import annotations

from sqlmodel import Session

from bot.deadlines.register import STATEMENT, create
from bot.deadlines.reviews import set_status
from bot.records import deadlines as records
from bot.records import sla as sla_records
from bot.records.tables import utcnow
from knowledge.visibility import narrowest


def sync_claims(session: Session, *, engagement: str, actor: str) -> int:
    """One credit-claim obligation per unclaimed credit statement with a claim deadline: how many are new."""
    rows = {
        r.key: r for r in records.deadlines_of(session, engagement=engagement) if r.details.get("source") == STATEMENT
    }
    levels = [r for r in sla_records.levels_of(session, engagement=engagement) if (r.details or {}).get("claim")]
    created = 0
    for statement in sla_records.statements_of(session, engagement=engagement):
        key = f"credit-claim|statement|{statement.period}"
        row = rows.get(key)
        if statement.claimed_at is not None:
            if row is not None and row.status in ("draft", "approved"):
                set_status(session, row, "done", statement.claimed_by or actor, "claimed in the SLA register")
            continue
        if statement.claim_deadline is None:
            continue
        credited = {line.get("level") for line in statement.result.get("lines", [])}
        source = next(
            (lv for lv in levels if lv.id in credited or lv.family in credited), levels[0] if levels else None
        )
        if source is None:
            continue
        claim = source.details["claim"]
        terms = {"on": statement.claim_deadline.isoformat(), "anchor": None, "duration": None, "direction": None}
        if row is None:
            row = create(
                session,
                engagement=engagement,
                values={
                    "key": key,
                    "kind": "credit-claim",
                    "rule": claim["quote"],
                    "date": statement.claim_deadline,
                    "document": source.document,
                    "visibility": narrowest(statement.visibility, source.visibility),  # its sums and its quote
                    "section": claim.get("section"),  # the claim window's own clause, never the level's
                    "quote": claim["quote"],
                    "start": claim["start"],
                    "end": claim["end"],
                    "details": {"source": STATEMENT, "period": statement.period, "terms": terms, "edited": []},
                },
            )
            if row is None:
                continue  # a concurrent extraction wrote it a moment ago
            records.add_event(
                session,
                engagement=engagement,
                kind="extracted",
                actor=actor,
                deadline_id=row.id,
                text=f"credits of {statement.period}",
                data={"period": statement.period},
            )
            created += 1
        elif row.status == "draft" and row.details.get("terms") != terms:
            row.details = {**row.details, "terms": terms}
            row.updated_at = utcnow()
            session.add(row)
    session.flush()
    return created
