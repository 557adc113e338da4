"""The deadlines register on SQLite and PostgreSQL: drafts synced from hand-built obligations (and the sample
MSA's real extraction), dates computed and rolled forward, review and edits kept, settings, credit-claim windows
from the SLA register, and what each side sees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.authorize import Actor
from bot.db import session
from bot.deadlines import claims, register, reviews, workflows
from bot.deadlines.register import Found
from bot.deadlines.reviews import DeadlineInputError
from bot.deps import Deps
from bot.errors import NotAllowed, NotFound
from bot.records import deadlines as records
from bot.records.deadlines import DeadlineRecord
from bot.settings import Settings
from bot.sla import measures
from bot.sla.workflows import operator
from knowledge.deadlines import Duration, ObligationDraft, extract_obligations
from knowledge.slas import Span
from tests.conftest import at_once, count
from tests.test_sla_register import approve_all
from tests.test_sla_register import base as sla_base

MSA = (
    "1.1 This Agreement is entered into as of 1 March 2025 (the Effective Date).\n"
    "5.1 This Agreement continues for an initial term of three (3) years.\n"
    "5.2 It renews automatically for successive terms of twelve (12) months unless either Party gives notice of "
    "non-renewal at least ninety (90) days before the end of the then-current term.\n"
    "6.1 Vendor shall cure a breach within thirty (30) days after receiving notice of the breach.\n"
    "7.1 Vendor shall deliver the report by the fifth (5th) Business Day of each month.\n"
)
SOW = (
    "2.1 Vendor shall deliver the transition plan ten (10) Business Days after the Go-Live Date.\n"
    "3.1 Client may give notice of non-renewal ten (10) Business Days before the end of the term.\n"
)
STRATEGY = "1. Client should decide on renewal sixty (60) days before the end of the term.\n"


def span(text: str, piece: str) -> Span:
    start = text.index(piece)
    return Span(piece, start, start + len(piece))


def sentence(text: str, piece: str) -> Span:
    line = next(line for line in text.splitlines() if piece in line)
    return span(text, line)


def ob(
    text: str, kind: Any, rule: str, section: str | None, duration: tuple[int, Any, str] | None = None, **kw: Any
) -> ObligationDraft:
    return ObligationDraft(
        kind=kind,
        rule=span(text, rule),
        quote=sentence(text, rule),
        section=section,
        duration=None if duration is None else Duration(duration[0], duration[1], span(text, duration[2])),
        **kw,
    )


def msa_drafts() -> list[ObligationDraft]:
    return [
        ob(MSA, "effective", "1 March 2025", "1.1", on=date(2025, 3, 1), values={"date": span(MSA, "1 March 2025")}),
        ob(
            MSA,
            "term-end",
            "initial term of three (3) years",
            "5.1",
            (3, "year", "three (3) years"),
            direction="after",
            anchor="effective",
        ),
        ob(
            MSA,
            "renewal",
            "renews automatically for successive terms of twelve (12) months",
            "5.2",
            (12, "month", "twelve (12) months"),
            direction="after",
            anchor="term-end",
            renewal="automatic",
        ),
        ob(
            MSA,
            "non-renewal-notice",
            "at least ninety (90) days before the end of the then-current term",
            "5.2",
            (90, "day", "ninety (90) days"),
            direction="before",
            anchor="term-end",
        ),
        ob(
            MSA,
            "cure",
            "within thirty (30) days after receiving notice of the breach",
            "6.1",
            (30, "day", "thirty (30) days"),
            direction="after",
            anchor="breach-notice",
        ),
        ob(
            MSA,
            "report",
            "by the fifth (5th) Business Day of each month",
            "7.1",
            (5, "business-day", "fifth (5th) Business Day"),
            anchor="period-end",
            day_of_month=5,
        ),
    ]


def sow_drafts() -> list[ObligationDraft]:
    return [
        ob(
            SOW,
            "exit",
            "ten (10) Business Days after the Go-Live Date",
            "2.1",
            (10, "business-day", "ten (10) Business Days"),
            direction="after",
            anchor="go-live",
        ),
        ob(
            SOW,
            "non-renewal-notice",
            "ten (10) Business Days before the end of the term",
            "3.1",
            (10, "business-day", "ten (10) Business Days"),
            direction="before",
            anchor="term-end",
        ),
    ]


def strategy_drafts() -> list[ObligationDraft]:
    return [
        ob(
            STRATEGY,
            "other",
            "sixty (60) days before the end of the term",
            "1",
            (60, "day", "sixty (60) days"),
            direction="before",
            anchor="term-end",
        ),
    ]


SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # syncing, dating, claims: PostgreSQL too
TEXTS = {"msa.md": MSA, "sow.md": SOW, "strategy.md": STRATEGY}


def found() -> list[Found]:
    return [
        Found("msa.md", "shared", msa_drafts()),
        Found("sow.md", "shared", sow_drafts()),
        Found("strategy.md", "client-only", strategy_drafts()),
    ]


def sync(engine: Engine, found_: list[Found] | None = None) -> register.Synced:
    with session(engine) as s:
        return register.sync_drafts(s, engagement="acme", found=found() if found_ is None else found_, actor="cli")


def dates(engine: Engine, as_of: date) -> dict[tuple[str, str], date | None]:
    with session(engine) as s:
        return {(d.row.document, d.row.kind): d.date for d in register.dated(s, engagement="acme", as_of=as_of)}


def deps_for(engine: Engine, tmp_path: Path) -> Deps:
    return Deps(settings=Settings(LIAISON_DATA_DIR=tmp_path), kb=None, engine=engine)  # type: ignore[arg-type]


def ids(engine: Engine) -> dict[tuple[str, str], int]:
    with session(engine) as s:
        return {(r.document, r.kind): r.id or 0 for r in records.deadlines_of(s, engagement="acme")}


def test_drafts_are_written_then_updated_and_reviewed_ones_never_touched(db: Engine) -> None:
    assert sync(db) == register.Synced(created=9, updated=0, kept=0, removed=0)
    assert sync(db) == register.Synced(created=0, updated=0, kept=0, removed=0)
    with session(db) as s:
        rows = records.deadlines_of(s, engagement="acme")
        for r in rows:
            assert TEXTS[r.document][r.start : r.end] == r.quote and r.rule in r.quote and r.status == "draft"
        notice = next(r for r in rows if r.kind == "non-renewal-notice" and r.document == "msa.md")
        reviews.review(s, engagement="acme", deadline_ids=[notice.id or 0], status="approved", actor="U1")
    changed = [Found("msa.md", "shared", [msa_drafts()[0], msa_drafts()[3]])]  # the cure and others gone
    assert sync(db, changed) == register.Synced(created=0, updated=0, kept=1, removed=7)
    with session(db) as s:
        kept = records.deadline_by_id(s, notice.id or 0)
        assert kept is not None and kept.status == "approved"
        assert [e.kind for e in records.events_of(s, engagement="acme", deadline_id=notice.id)] == [
            "extracted",
            "approved",
        ]


def test_dates_are_computed_from_the_contracts_term_and_anchors(db: Engine) -> None:
    sync(db)
    got = dates(db, date(2026, 12, 2))
    assert got[("msa.md", "effective")] == date(2025, 3, 1)
    assert got[("msa.md", "term-end")] == date(2028, 2, 29)  # three years from 1 March 2025, a leap day
    assert got[("msa.md", "renewal")] == date(2028, 3, 1)
    assert got[("msa.md", "non-renewal-notice")] == date(2027, 12, 1)  # 90 days before 29 February 2028
    assert got[("msa.md", "report")] == date(2026, 12, 7)  # the fifth business day of December 2026
    assert got[("sow.md", "non-renewal-notice")] == date(2028, 2, 15)  # the SOW counts from the MSA's term
    assert got[("msa.md", "cure")] is None and got[("sow.md", "exit")] is None  # no breach notice, no go-live


@SQLITE
def test_auto_renewal_rolls_forward_so_each_deadline_is_the_one_still_ahead(db: Engine) -> None:
    sync(db)
    after_notice = dates(db, date(2027, 12, 2))
    assert after_notice[("msa.md", "term-end")] == date(2028, 2, 29)
    assert after_notice[("msa.md", "non-renewal-notice")] == date(2028, 11, 30)  # the first renewal term's
    renewed = dates(db, date(2028, 3, 1))
    assert renewed[("msa.md", "term-end")] == date(2029, 2, 28)
    assert renewed[("msa.md", "renewal")] == date(2029, 3, 1)
    assert dates(db, date(2031, 6, 1))[("msa.md", "term-end")] == date(2032, 2, 29)


@SQLITE
def test_business_days_skip_the_engagements_holidays(db: Engine) -> None:
    sync(db)
    assert dates(db, date(2025, 1, 2))[("msa.md", "report")] == date(2025, 1, 7)  # weekends only: 1,2,3,6,7
    with session(db) as s:
        reviews.put_settings(s, engagement="acme", actor="U1", country="it")
    assert dates(db, date(2025, 1, 2))[("msa.md", "report")] == date(
        2025, 1, 9
    )  # New Year and Epiphany skipped: 2,3,7,8,9
    with session(db) as s:
        reviews.put_settings(s, engagement="acme", actor="U1", country="US")
        assert records.settings_of(s, engagement="acme").country == "US"  # type: ignore[union-attr]
    # 10 US business days before Tuesday 29 February 2028 skip Presidents' Day (21 February)
    assert dates(db, date(2026, 12, 2))[("sow.md", "non-renewal-notice")] == date(2028, 2, 14)


@SQLITE
def test_settings_are_checked_and_kept_in_the_timeline(db: Engine) -> None:
    with session(db) as s:
        with pytest.raises(DeadlineInputError, match="no public holiday calendar for XX"):
            reviews.put_settings(s, engagement="acme", actor="U1", country="XX")
        with pytest.raises(DeadlineInputError, match="belongs to a country"):
            reviews.put_settings(s, engagement="acme", actor="U1", subdivision="CA")
        with pytest.raises(DeadlineInputError, match="lead time"):
            reviews.put_settings(s, engagement="acme", actor="U1", lead_days=-1)
        reviews.put_settings(s, engagement="acme", actor="U1", country="US", subdivision="ca", lead_days=60)
        reviews.put_settings(s, engagement="acme", actor="U2", lead_days=30)  # the country stays
        row = records.settings_of(s, engagement="acme")
        assert row is not None and (row.country, row.subdivision, row.lead_days) == ("US", "CA", 30)
        events = records.events_of(s, engagement="acme", deadline_id=None)
        assert [(e.actor, e.data["after"]["lead_days"]) for e in events] == [("U1", 60), ("U2", 30)]


@SQLITE
def test_a_date_or_an_anchor_set_by_hand_is_kept_through_re_extraction(db: Engine) -> None:
    sync(db)
    got = ids(db)
    with session(db) as s:
        reviews.edit(
            s, engagement="acme", deadline_id=got[("sow.md", "exit")], changes={"anchor_date": "2025-08-01"}, actor="U1"
        )
        reviews.edit(
            s, engagement="acme", deadline_id=got[("msa.md", "cure")], changes={"date": "2026-12-20"}, actor="U1"
        )
        with pytest.raises(DeadlineInputError, match="YYYY-MM-DD"):
            reviews.edit(
                s, engagement="acme", deadline_id=got[("msa.md", "cure")], changes={"date": "soon"}, actor="U1"
            )
        with pytest.raises(DeadlineInputError, match="not status"):
            reviews.edit(s, engagement="acme", deadline_id=got[("msa.md", "cure")], changes={"status": "x"}, actor="U1")
    assert sync(db).updated == 0
    after = dates(db, date(2026, 12, 2))
    assert after[("sow.md", "exit")] == date(2025, 8, 15)  # 10 business days after 1 August 2025
    assert after[("msa.md", "cure")] == date(2026, 12, 20)
    with session(db) as s:
        events = records.events_of(s, engagement="acme", deadline_id=got[("msa.md", "cure")])
        assert [(e.kind, e.data.get("before"), e.data.get("after")) for e in events] == [
            ("extracted", None, None),
            ("edited", {"date": None}, {"date": "2026-12-20"}),
        ]
        cure = records.deadline_by_id(s, got[("msa.md", "cure")])
        assert cure is not None and cure.date == date(2026, 12, 20) and cure.details["edited"] == ["date"]


@SQLITE
def test_a_hand_set_effective_date_moves_every_date_counted_from_it(db: Engine) -> None:
    sync(db)
    with session(db) as s:
        reviews.edit(
            s,
            engagement="acme",
            deadline_id=ids(db)[("msa.md", "effective")],
            changes={"date": "2025-04-01"},
            actor="U1",
        )
    got = dates(db, date(2026, 12, 2))
    assert (got[("msa.md", "term-end")], got[("msa.md", "non-renewal-notice")]) == (date(2028, 3, 31), date(2028, 1, 1))


@SQLITE
def test_a_term_end_set_by_hand_rolls_forward_and_moves_the_notice(db: Engine) -> None:
    sync(db)
    with session(db) as s:
        term = ids(db)[("msa.md", "term-end")]
        reviews.edit(s, engagement="acme", deadline_id=term, changes={"date": "2027-06-30"}, actor="U1")
    got = dates(db, date(2026, 12, 2))
    assert (got[("msa.md", "term-end")], got[("msa.md", "non-renewal-notice")]) == (date(2027, 6, 30), date(2027, 4, 1))
    rolled = dates(db, date(2027, 7, 1))
    assert (rolled[("msa.md", "term-end")], rolled[("msa.md", "renewal")]) == (date(2028, 6, 30), date(2028, 7, 1))


@SQLITE
def test_a_term_written_as_an_end_date_renews_from_it(db: Engine) -> None:
    text = (
        "1. This Agreement expires on December 31, 2026 and renews automatically for one (1) year periods.\n"
        "2. Either party may prevent renewal by notice sixty (60) days before the end of the term.\n"
    )
    drafts = [
        ob(text, "term-end", "expires on December 31, 2026", "1", on=date(2026, 12, 31), renewal="automatic"),
        ob(
            text,
            "renewal",
            "renews automatically for one (1) year periods",
            "1",
            (1, "year", "one (1) year"),
            renewal="automatic",
        ),
        ob(
            text,
            "non-renewal-notice",
            "sixty (60) days before the end of the term",
            "2",
            (60, "day", "sixty (60) days"),
            direction="before",
            anchor="term-end",
        ),
    ]
    sync(db, [Found("msa.md", "shared", drafts)])
    assert dates(db, date(2026, 6, 1)) == {
        ("msa.md", "term-end"): date(2026, 12, 31),
        ("msa.md", "non-renewal-notice"): date(2026, 11, 1),
        ("msa.md", "renewal"): date(2027, 1, 1),
    }
    assert dates(db, date(2027, 3, 1))[("msa.md", "term-end")] == date(2027, 12, 31)
    assert dates(db, date(2027, 3, 1))[("msa.md", "non-renewal-notice")] == date(2027, 11, 1)


@SQLITE
def test_a_document_with_its_own_effective_date_but_no_term_counts_from_the_msas(db: Engine) -> None:
    text = (
        "This Amendment takes effect on 1 September 2025.\n"
        "3. Vendor shall give notice thirty (30) days before the end of the term.\n"
    )
    amendment = [
        ob(text, "effective", "1 September 2025", None, on=date(2025, 9, 1)),
        ob(
            text,
            "other",
            "thirty (30) days before the end of the term",
            "3",
            (30, "day", "thirty (30) days"),
            direction="before",
            anchor="term-end",
        ),
    ]
    sync(db, [Found("msa.md", "shared", msa_drafts()), Found("amendment.md", "shared", amendment)])
    got = dates(db, date(2026, 12, 2))
    assert got[("amendment.md", "effective")] == date(2025, 9, 1)
    assert got[("amendment.md", "other")] == date(2028, 1, 30)  # 30 days before the MSA's 29 February 2028


@SQLITE
def test_a_review_changes_all_or_none(db: Engine) -> None:
    sync(db)
    got = ids(db)
    with session(db) as s, pytest.raises(NotFound, match="No deadline 999"):
        reviews.review(s, engagement="acme", deadline_ids=[got[("msa.md", "cure")], 999], status="done", actor="U1")
    with session(db) as s:
        assert records.deadline_by_id(s, got[("msa.md", "cure")]).status == "draft"  # type: ignore[union-attr]
        assert reviews.review(s, engagement="acme", deadline_ids=[got[("msa.md", "cure")]], status="waived", actor="U1")
        assert not reviews.review(
            s, engagement="acme", deadline_ids=[got[("msa.md", "cure")]], status="waived", actor="U1"
        )


def test_unclaimed_credit_statements_are_credit_claim_deadlines_until_claimed(db: Engine, tmp_path: Path) -> None:
    sla_base(db)
    approve_all(db)
    with session(db) as s:
        measures.report(s, engagement="acme", ref="quality score", period="2026-10", value="85", actor="U1")
        measures.save_statement(
            s, engagement="acme", period="2026-10", fees=Decimal(800000), currency="USD", actor="U1"
        )
        assert claims.sync_claims(s, engagement="acme", actor="cli") == 1
        assert claims.sync_claims(s, engagement="acme", actor="cli") == 0
        (d,) = register.dated(s, engagement="acme", as_of=date(2026, 11, 5))
        assert (d.row.kind, d.date, d.row.document, d.row.section) == (
            "credit-claim",
            date(2026, 11, 30),
            "schedule.md",
            None,
        )
        assert (
            d.row.quote
            == "5.5 Client shall claim Service Credits within 30 days after the end of the Measurement Period."
        )
        measures.claim(s, engagement="acme", period="2026-10", actor="U7")
        claims.sync_claims(s, engagement="acme", actor="cli")
        row = records.deadline_by_id(s, d.row.id or 0)
        assert row is not None and (row.status, row.reviewed_by) == ("done", "U7")
    sync(db, [])  # re-extraction never removes the statements' claim windows
    assert count(db, DeadlineRecord) == 1
    with session(db) as s:
        measures.report(s, engagement="acme", ref="quality score", period="2026-11", value="80", actor="U1")
        measures.save_statement(
            s, engagement="acme", period="2026-11", fees=Decimal(800000), currency="USD", actor="U1"
        )
    assert workflows.refresh(deps_for(db, tmp_path), engagement="acme", as_of=date(2026, 12, 2)) == 1
    with session(db) as s:
        stored = {r.details["period"]: (r.date, r.status) for r in records.deadlines_of(s, engagement="acme")}
    assert stored == {"2026-10": (date(2026, 11, 30), "done"), "2026-11": (date(2026, 12, 30), "draft")}


@SQLITE
def test_each_side_sees_its_documents_and_drafts_need_a_role(db: Engine, tmp_path: Path) -> None:
    sync(db)
    deps = deps_for(db, tmp_path)
    day = date(2026, 12, 2)
    everyone = workflows.listing(deps, engagement="acme", who=operator(), as_of=day)
    assert "strategy.md" in {d["document"] for d in everyone}
    vendor = workflows.listing(deps, engagement="acme", who=operator(), as_of=day, side="vendor")
    assert "strategy.md" not in {d["document"] for d in vendor} and len(vendor) == len(everyone) - 1
    nobody = Actor("U9")
    assert workflows.listing(deps, engagement="acme", who=nobody, as_of=day) == []
    with pytest.raises(NotAllowed, match="mediators, admins and owners"):
        workflows.review(deps, engagement="acme", deadline_ids=[everyone[0]["id"]], status="approved", who=nobody)
    workflows.review(
        deps, engagement="acme", deadline_ids=[d["id"] for d in everyone], status="approved", who=operator()
    )
    seen = workflows.listing(deps, engagement="acme", who=nobody, as_of=day, side="client")
    assert len(seen) == len(everyone)
    strategy = next(d for d in everyone if d["document"] == "strategy.md")
    with pytest.raises(NotFound):
        workflows.deadline(deps, engagement="acme", deadline_id=strategy["id"], who=nobody, side="vendor")
    with pytest.raises(NotFound):
        workflows.edit(
            deps, engagement="acme", deadline_id=strategy["id"], changes={"owner": "U1"}, who=operator(), side="vendor"
        )


@SQLITE
def test_the_listing_is_soonest_first_within_a_window_with_the_lead_date(db: Engine, tmp_path: Path) -> None:
    sync(db)
    deps = deps_for(db, tmp_path)
    workflows.change_settings(deps, engagement="acme", who=operator(), lead_days=60)
    rows = workflows.listing(deps, engagement="acme", who=operator(), as_of=date(2026, 12, 2))
    dated = [d["date"] for d in rows if d["date"]]
    assert dated == sorted(dated) and rows[-1]["date"] is None and rows[0]["draft"] is True
    assert {d["kind"] for d in rows if d["anchor_missing"]} == {"cure", "exit"}
    notice = next(d for d in rows if d["kind"] == "non-renewal-notice" and d["document"] == "msa.md")
    assert (notice["date"], notice["lead_date"], notice["section"]) == ("2027-12-01", "2027-10-02", "5.2")
    soon = workflows.listing(deps, engagement="acme", who=operator(), as_of=date(2027, 11, 1), within=30)
    assert [(d["kind"], d["date"]) for d in soon] == [("report", "2027-11-05"), ("non-renewal-notice", "2027-12-01")]
    with pytest.raises(ValueError):
        workflows.listing(deps, engagement="acme", who=operator(), within=-1)


@SQLITE
def test_the_sample_msa_renews_automatically_and_its_notice_date_is_computed(db: Engine) -> None:
    text = (
        Path(__file__).parents[1] / "knowledge/samples/acme-customer-care/01-master-services-agreement.md"
    ).read_text(encoding="utf-8")
    sync(db, [Found("01-master-services-agreement.md", "shared", extract_obligations(text))])
    with session(db) as s:
        rows = register.dated(s, engagement="acme", as_of=date(2026, 12, 2))
    for d in rows:
        assert text[d.row.start : d.row.end] == d.row.quote
    got = {d.row.kind: d.date for d in rows}
    assert got["effective"] == date(2025, 3, 1)
    assert got["term-end"] == date(2028, 2, 29)  # 5.1: "ending on 29 February 2028"
    assert got["renewal"] == date(2028, 3, 1)
    assert got["non-renewal-notice"] == date(2027, 12, 1)  # 5.2: at least 90 days before the end of the term


def test_concurrent_extractions_write_each_draft_once(db: Engine) -> None:
    def extract() -> register.Synced:
        return sync(db)

    done = at_once(3, extract)
    assert sum(d.created for d in done) == 9 and count(db, DeadlineRecord) == 9


@SQLITE
def test_a_shared_document_never_counts_from_a_one_sided_documents_term(db: Engine) -> None:
    plan = "1. Our own plan: the relationship ends on 30 June 2026.\n"
    one_sided = [ob(plan, "term-end", "the relationship ends on 30 June 2026", "1", on=date(2026, 6, 30))]
    sync(db, [Found("plan.md", "vendor-only", one_sided), *found()])
    got = dates(db, date(2026, 1, 2))
    assert got[("plan.md", "term-end")] == date(2026, 6, 30)
    assert got[("sow.md", "non-renewal-notice")] == date(2028, 2, 15)  # the MSA's term, not the plan's
    assert got[("strategy.md", "other")] == date(2027, 12, 31)  # client-only: the shared MSA's term


@SQLITE
def test_a_rule_the_calendar_cannot_place_has_no_date(db: Engine) -> None:
    text = "9. Vendor shall deliver the audit pack by the twenty-fifth (25th) Business Day of each month.\n"
    odd = ob(
        text,
        "report",
        "by the twenty-fifth (25th) Business Day of each month",
        "9",
        (25, "business-day", "twenty-fifth (25th) Business Day"),
        anchor="period-end",
        day_of_month=25,
    )
    sync(db, [Found("msa.md", "shared", [odd])])
    assert dates(db, date(2026, 2, 2)) == {("msa.md", "report"): None}
