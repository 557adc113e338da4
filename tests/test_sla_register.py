"""The SLA register on SQLite and PostgreSQL: drafts, review, versions, measurements, breach issues, statements.

Drafts are built here as the extraction (`knowledge.sla_drafts`) returns them, over small texts whose spans are
real, so these tests hold the register's rules apart from the extraction's quality.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import session
from bot.errors import Conflict, NotFound
from bot.records.cases import IssueRecord
from bot.records.sla import Measurement, ServiceLevelRecord
from bot.sla import measures, register, reviews, standing
from bot.sla.terms import Period
from bot.sla.views import level_json
from knowledge.slas import CreditDraft, LevelDraft, Span
from tests.conftest import at_once, count

SCHEDULE = (
    "| SL1 | Average Speed of Answer (voice) | 80% of Offered Calls answered within 60 seconds | Critical | 20% |\n"
    "| SL6 | Quality Score | Average quality score of at least 90% | Critical | 15% |\n"
    "5.1 The At-Risk Amount for a Measurement Period is 10% of the Monthly Fees.\n"
    "5.3 The total Service Credits for any Measurement Period shall not exceed 12% of the Monthly Fees.\n"
    "5.5 Client shall claim Service Credits within 30 days after the end of the Measurement Period.\n"
)
AMENDMENT = (
    "| SL1 | Average Speed of Answer (voice) | 80% of Offered Calls answered within 45 seconds | Critical | 20% |\n"
    "5.3 The total Service Credits shall not exceed 15% of the Monthly Fees.\n"
)


def span(text: str, piece: str) -> Span:
    start = text.index(piece)
    return Span(piece, start, start + len(piece))


def row_of(text: str, ref: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| {ref} "))


def draft(
    text: str,
    ref: str,
    metric: str,
    target: str,
    weight: str,
    *,
    cap: str,
    effective_from: date | None = None,
    credit: bool = True,
) -> LevelDraft:
    row = row_of(text, ref)
    cap_line = next(line for line in text.splitlines() if "shall not exceed" in line)
    at_risk = SCHEDULE.splitlines()[2]
    return LevelDraft(
        metric=metric,
        scope=None,
        comparison=">=",
        target=Decimal(target),
        target_text=target + "%",
        unit="%",
        window="Measurement Period",
        kind="credit" if credit else "report",
        credit=CreditDraft(
            model="pool",
            source=span(text, row),
            pool_pct=Decimal(100),
            level_pct=Decimal(weight),
            at_risk_pct=Decimal(10),
            base="Monthly Fees",
        )
        if credit
        else None,
        cap_pct=Decimal(cap),
        section="3.1",
        quote=span(text, row),
        values={"target": span(text, target + "%"), "at_risk_pct": span(SCHEDULE, at_risk)},
        cap=span(text, cap_line),
        effective_from=effective_from,
        claim=span(SCHEDULE, SCHEDULE.splitlines()[4]),
        claim_days=30,
    )


def schedule_drafts() -> list[LevelDraft]:
    return [
        draft(SCHEDULE, "SL1", "Average Speed of Answer (voice)", "80", "20", cap="12"),
        draft(SCHEDULE, "SL6", "Quality Score", "90", "15", cap="12"),
    ]


def amendment_drafts() -> list[LevelDraft]:
    return [
        draft(
            AMENDMENT, "SL1", "Average Speed of Answer (voice)", "80", "20", cap="15", effective_from=date(2025, 9, 1)
        )
    ]


def sync(engine: Engine, *found: register.Found) -> register.Synced:
    with session(engine) as s:
        return register.sync_drafts(s, engagement="acme", found=found, actor="cli")


def base(engine: Engine) -> dict[str, int]:
    sync(engine, register.Found("schedule.md", "shared", schedule_drafts()))
    with session(engine) as s:
        return {r.metric: r.id or 0 for r in register.levels(s, engagement="acme")}


def approve_all(engine: Engine) -> None:
    with session(engine) as s:
        ids = [r.id or 0 for r in register.levels(s, engagement="acme")]
        reviews.review(s, engagement="acme", level_ids=ids, status="approved", actor="U1")


def test_drafts_are_written_then_updated_and_approved_levels_never_touched(db: Engine) -> None:
    assert sync(db, register.Found("schedule.md", "shared", schedule_drafts())) == register.Synced(2, 0, 0, 0)
    assert sync(db, register.Found("schedule.md", "shared", schedule_drafts())) == register.Synced(0, 0, 0, 0)
    with session(db) as s:
        rows = register.levels(s, engagement="acme")
        assert [(r.metric, r.status, r.version, r.family == r.id) for r in rows] == [
            ("Average Speed of Answer (voice)", "draft", 1, True),
            ("Quality Score", "draft", 1, True),
        ]
        asa, quality = rows
        reviews.review(s, engagement="acme", level_ids=[asa.id or 0], status="approved", actor="U1")
        reviews.edit(s, engagement="acme", level_id=quality.id or 0, changes={"target": "92"}, actor="U2")
    changed = [
        draft(SCHEDULE, "SL1", "Average Speed of Answer (voice)", "80", "25", cap="12"),
        draft(SCHEDULE, "SL6", "Quality Score", "90", "18", cap="12"),
    ]
    assert sync(db, register.Found("schedule.md", "shared", changed)) == register.Synced(0, 1, 1, 0)
    with session(db) as s:
        asa, quality = register.levels(s, engagement="acme")
        assert (asa.status, asa.credit and asa.credit["level_pct"]) == ("approved", "20")  # untouched
        assert (quality.target, quality.credit and quality.credit["level_pct"]) == ("92", "18")  # edit kept
        assert quality.details["edited"] == ["target"]
        kinds = [e.kind for e in register.timeline(s, engagement="acme", level_id=quality.id or 0)]
        assert kinds == ["extracted", "edited", "updated"]
        edited = register.timeline(s, engagement="acme", level_id=quality.id or 0)[1]
        assert (edited.actor, edited.data) == ("U2", {"before": {"target": "90"}, "after": {"target": "92"}})
    # the document no longer states Quality Score: its draft goes, the approved level stays
    assert sync(db, register.Found("schedule.md", "shared", changed[:1])) == register.Synced(0, 0, 1, 1)


def test_the_json_is_the_contracts_shape_and_every_quote_is_at_its_span(db: Engine) -> None:
    ids = base(db)
    with session(db) as s:
        sl = level_json(register.get_level(s, engagement="acme", level_id=ids["Quality Score"]))
    assert {
        "id", "metric", "scope", "comparison", "target", "target_text", "unit", "window", "kind", "credit", "cap_pct",
        "effective_from", "status", "document", "section", "quote", "start", "end",
    } <= set(sl)  # fmt: skip
    assert (sl["target"], sl["cap_pct"], sl["status"], sl["comparison"]) == (90, 12, "draft", ">=")
    assert sl["credit"]["model"] == "pool" and sl["credit"]["level_pct"] == 15 and sl["credit"]["tiers"] == []
    assert SCHEDULE[sl["start"] : sl["end"]] == sl["quote"]


def test_an_amendment_adds_a_version_and_each_period_uses_the_one_in_force(db: Engine) -> None:
    ids = base(db)
    sync(
        db,
        register.Found("schedule.md", "shared", schedule_drafts()),
        register.Found("amendment.md", "shared", amendment_drafts()),
    )
    approve_all(db)
    with session(db) as s:
        rows = register.levels(s, engagement="acme")
        v2 = next(r for r in rows if r.document == "amendment.md")
        assert (v2.family, v2.version, v2.effective_from) == (
            ids["Average Speed of Answer (voice)"],
            2,
            date(2025, 9, 1),
        )
        asa = str(ids["Average Speed of Answer (voice)"])
        measures.report(s, engagement="acme", ref=asa, period="2025-08", value="76.4%", actor="U1")
        measures.report(s, engagement="acme", ref=asa, period="2025-10", value="76.4", actor="U1")
        august = measures.credits_for(s, engagement="acme", period="2025-08", fees=Decimal(200000), currency="USD")
        october = measures.credits_for(s, engagement="acme", period="2025-10", fees=Decimal(200000), currency="USD")
    assert [(line.level.version, line.level.source.document) for line in august.lines][0] == (1, "schedule.md")
    assert [(line.level.version, line.level.source.document) for line in october.lines][0] == (2, "amendment.md")
    # the pool: 100% x 20% x 10% of USD 200,000 = USD 4,000 each month; the cap in force is the amendment's 15%
    assert august.total_amount == october.total_amount == Decimal("4000.00")
    assert (august.cap_pct, october.cap_pct) == (Decimal(12), Decimal(15))
    assert "Amendment" not in august.total_working and "amendment.md" in october.total_working


def test_approval_is_refused_until_the_level_can_be_computed(db: Engine) -> None:
    text = "Provider will make the Service available for at least the Target Uptime each calendar month."
    variable = LevelDraft(
        metric="uptime",
        scope=None,
        comparison=">=",
        target=None,
        target_text="Target Uptime",
        unit="",
        window="calendar month",
        kind="credit",
        credit=None,
        cap_pct=None,
        section="1.1",
        quote=span(text, text),
    )
    sync(db, register.Found("terms.md", "shared", [variable]))
    with session(db) as s:
        (row,) = register.levels(s, engagement="acme")
        with pytest.raises(Conflict, match="no target"):
            reviews.review(s, engagement="acme", level_ids=[row.id or 0], status="approved", actor="U1")
        reviews.edit(s, engagement="acme", level_id=row.id or 0, changes={"target": "99.9", "unit": "%"}, actor="U1")
        with pytest.raises(Conflict, match="no credit rule"):
            reviews.review(s, engagement="acme", level_ids=[row.id or 0], status="approved", actor="U1")
        reviews.edit(s, engagement="acme", level_id=row.id or 0, changes={"model": "per-point"}, actor="U1")
        with pytest.raises(Conflict, match="--pct-per-point"):
            reviews.review(s, engagement="acme", level_ids=[row.id or 0], status="approved", actor="U1")
        reviews.edit(s, engagement="acme", level_id=row.id or 0, changes={"pct_per_point": "5"}, actor="U1")
        assert reviews.review(s, engagement="acme", level_ids=[row.id or 0], status="approved", actor="U1") == [row.id]
        with pytest.raises(ValueError, match="comparison"):
            reviews.edit(s, engagement="acme", level_id=row.id or 0, changes={"comparison": "=~"}, actor="U1")
        with pytest.raises(ValueError, match="number"):
            reviews.edit(s, engagement="acme", level_id=row.id or 0, changes={"target": "lots"}, actor="U1")
        measures.report(s, engagement="acme", ref="uptime", period="2026-10", value="97.5", actor="U1")
        result = measures.credits_for(s, engagement="acme", period="2026-10", fees=Decimal(1000), currency="EUR")
    assert result.lines[0].working.startswith("uptime 97.5% vs >= 99.9%: 2 full points below x 5% = 10%")
    assert result.total_amount == Decimal("100.00")


def test_a_name_finds_its_level_and_an_unknown_or_ambiguous_one_is_refused_with_candidates(db: Engine) -> None:
    ids = base(db)
    with session(db) as s:
        assert register.find_level(s, engagement="acme", ref="quality score").id == ids["Quality Score"]
        assert register.find_level(s, engagement="acme", ref=str(ids["Quality Score"])).id == ids["Quality Score"]
        with pytest.raises(NotFound, match="Quality Score"):
            register.find_level(s, engagement="acme", ref="call answer rate")
        with pytest.raises(Conflict, match="2 service levels"):
            register.find_level(s, engagement="acme", ref="e")  # in both names
        with pytest.raises(NotFound):
            register.find_level(s, engagement="other", ref="quality score")


def test_a_miss_logs_one_breach_issue_with_its_clause_and_a_correction_is_noted(db: Engine) -> None:
    base(db)
    approve_all(db)
    with session(db) as s:
        first = measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="88", actor="U1")
        again = measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="87", actor="U2")
        met = measures.report(s, engagement="acme", ref="quality score", period="2026-11", value="95", actor="U1")
    assert (first.met, first.breach_new, again.breach_new, again.breach_issue) == (
        False,
        True,
        False,
        first.breach_issue,
    )
    assert (again.replaced, met.met, met.breach_issue) == (Decimal(88), True, None)
    with session(db) as s:
        issue = s.get(IssueRecord, first.breach_issue)
        assert issue is not None
        assert (issue.category, issue.severity, issue.created_by) == ("sla-breach", 2, "liaison")
        assert "Quality Score in 2026-10: 88% vs >= 90%" in issue.title
        assert issue.clause_refs[0]["quote"] == row_of(SCHEDULE, "SL6")
        measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="91", actor="U3")
    assert count(db, IssueRecord) == 1
    from bot.issues import issue_timeline

    with session(db) as s:
        texts = [e.text for e in issue_timeline(session=s, issue_id=first.breach_issue or 0)]
    assert texts[-1] == "2026-10 corrected to 91% vs >= 90%: met."


def test_concurrent_reports_of_a_miss_log_one_breach_issue(db: Engine) -> None:
    base(db)
    approve_all(db)

    def report() -> measures.Reported:
        with session(db) as s:
            return measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="80", actor="U1")

    done = at_once(4, report)
    assert count(db, IssueRecord) == 1 and count(db, Measurement) == 1
    assert len({d.breach_issue for d in done}) == 1 and sum(d.breach_new for d in done) == 1


def test_the_samples_worked_example_sums_then_caps_and_a_changed_measurement_recomputes(db: Engine) -> None:
    base(db)
    approve_all(db)
    with session(db) as s:
        measures.report(s, engagement="acme", ref="average speed", period="2026-10", value="76.4", actor="U1")
        measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="85", actor="U1")
        result, statement = measures.save_statement(
            s, engagement="acme", period="2026-10", fees=Decimal(800000), currency="USD", actor="U1"
        )
    # Schedule B 5.4: fails SL1 (20%) and SL6 (15%) of an At-Risk Amount of USD 80,000 = USD 28,000, under the cap
    assert (result.total_amount, result.capped, result.total_pct) == (Decimal("28000.00"), False, Decimal("3.5"))
    said = "Total 3.5% of USD 800,000 = USD 28,000, within the cap of USD 96,000 (schedule.md §3.1)"
    assert result.total_working == said
    assert statement.claim_deadline == date(2026, 11, 30)  # 30 days after 31 October
    with session(db) as s:
        measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="95", actor="U2")
        kept = standing.statements(s, engagement="acme", side="shared")
    assert [(k.period, k.total_amount, k.lines_missed, k.claimed) for k in kept] == [
        ("2026-10", Decimal("16000.00"), 1, False)
    ]
    with session(db) as s:
        measures.claim(s, engagement="acme", period="2026-10", actor="U1")
        with pytest.raises(Conflict, match="claimed by U1"):
            measures.claim(s, engagement="acme", period="2026-10", actor="U2")


def test_a_csv_import_records_every_row_or_none(db: Engine) -> None:
    ids = base(db)
    approve_all(db)
    good = f"level,period,value\n{ids['Quality Score']},2026-09,91\nAverage Speed of Answer (voice),2026-09,79.5%\n"
    bad = "level,period,value\nquality score,2026-08,91\nquality score,2026-13,80\n"
    with session(db) as s:
        done = measures.import_csv(s, engagement="acme", text=good, actor="cli")
    assert [(d.met, d.measurement.via) for d in done] == [(True, "csv"), (False, "csv")]
    with pytest.raises(ValueError, match="row 3: a period is YYYY-MM"), session(db) as s:
        measures.import_csv(s, engagement="acme", text=bad, actor="cli")
    with session(db) as s:
        assert [m.period for m in s.exec(select(Measurement))] == ["2026-09", "2026-09"]  # row 2 rolled back
    with pytest.raises(ValueError, match="header"), session(db) as s:
        measures.import_csv(s, engagement="acme", text="1,2026-09,91\n", actor="cli")


def test_a_measurement_is_disputed_with_a_reason_then_agreed(db: Engine) -> None:
    base(db)
    with session(db) as s:
        measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="88", actor="U1")
        with pytest.raises(ValueError, match="why"):
            measures.set_status(
                s, engagement="acme", ref="quality score", period="2026-10", status="disputed", actor="U2"
            )
        row = measures.set_status(
            s,
            engagement="acme",
            ref="quality score",
            period="2026-10",
            status="disputed",
            actor="U2",
            reason="12 evaluations were of the client's own agents",
        )
        assert (row.status, row.reason) == ("disputed", "12 evaluations were of the client's own agents")
        with pytest.raises(NotFound, match="No measurement"):
            measures.set_status(
                s, engagement="acme", ref="quality score", period="2026-09", status="agreed", actor="U2"
            )
        assert (
            measures.set_status(
                s, engagement="acme", ref="quality score", period="2026-10", status="agreed", actor="U3"
            ).status
            == "agreed"
        )


def test_a_level_from_a_one_sided_document_is_seen_by_that_side_only(db: Engine) -> None:
    sync(
        db,
        register.Found("schedule.md", "shared", schedule_drafts()[:1]),
        register.Found("internal.md", "client-only", schedule_drafts()[1:]),
    )
    approve_all(db)
    with session(db) as s:
        seen = {
            side: [r.metric for r in register.levels(s, engagement="acme", side=side)]
            for side in ("client", "vendor", "shared")
        }
        assert seen == {
            "client": ["Average Speed of Answer (voice)", "Quality Score"],
            "vendor": ["Average Speed of Answer (voice)"],
            "shared": ["Average Speed of Answer (voice)"],
        }
        with pytest.raises(NotFound):
            register.find_level(s, engagement="acme", ref="quality score", side="vendor")
        measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="80", actor="U1")
        measures.save_statement(s, engagement="acme", period="2026-10", fees=Decimal(1000), currency="USD", actor="U1")
        assert [st.period for st in standing.statements(s, engagement="acme", side="client")] == ["2026-10"]
        assert standing.statements(s, engagement="acme", side="shared") == []
        seen = standing.standings(s, engagement="acme", side="vendor", periods=[Period.parse("2026-10")])
        assert [x.metric for x in seen] == ["Average Speed of Answer (voice)"]


def test_rows_are_stored_as_decimal_text(db: Engine) -> None:
    base(db)
    with session(db) as s:
        row = s.exec(select(ServiceLevelRecord).where(ServiceLevelRecord.metric == "Quality Score")).one()
    assert (row.target, row.cap_pct) == ("90", "12")
