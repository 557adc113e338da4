"""Recurring obligations, per occurrence, and credit-claim windows read from the contract's text (issue 13).

A monthly report or a notice before each renewal term marked done (or waived) closes only its current occurrence:
its date moves to the next one, the timeline says which was closed and by whom, `whole` closes the obligation,
and the next occurrence is reminded in its turn. A credit-claim rule from the text is dated from the latest
closed period in which the SLA register records a missed approved level, unless a credit statement's own row
covers that period; with none, it waits with the reason. Real SQLite records; reminders through the real
WebClient to the local Slack API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.db import session
from bot.deadlines import claims, register, reviews, windows, workflows
from bot.deadlines.register import Found
from bot.records import deadlines as records
from bot.sla import measures
from bot.sla.workflows import operator
from bot.slack.deadline_posting import send_deadline_reminders
from knowledge.base import KnowledgeBase
from knowledge.deadlines import ObligationDraft
from tests.conftest import ENGAGEMENT
from tests.test_deadlines_register import SQLITE, deps_for, ids, ob, sync
from tests.test_sla_register import SCHEDULE, approve_all
from tests.test_sla_register import base as sla_base
from tests.test_slack_app import running_slack

TODAY = date(2026, 12, 2)
CLAIM_RULE = "within 30 days after the end of the Measurement Period"


def close(engine: Engine, deadline_id: int, status: Any = "done", *, as_of: date = TODAY, whole: bool = False) -> Any:
    with session(engine) as s:
        [done] = reviews.reviewed(
            s, engagement="acme", deadline_ids=[deadline_id], status=status, actor="U7", as_of=as_of, whole=whole
        )
        return done


def dated(engine: Engine, deadline_id: int, as_of: date = TODAY) -> register.Dated:
    with session(engine) as s:
        row = records.deadline_by_id(s, deadline_id)
        assert row is not None
        [found] = register.dated(s, engagement="acme", as_of=as_of, rows=[row])
        s.expunge_all()
        return found


def timeline(engine: Engine, deadline_id: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    with session(engine) as s:
        return [
            (e.kind, e.actor, e.text, e.data) for e in records.events_of(s, engagement="acme", deadline_id=deadline_id)
        ]


def test_done_on_a_monthly_report_closes_its_occurrence_and_the_date_moves_to_the_next(db: Engine) -> None:
    sync(db)
    report = ids(db)[("msa.md", "report")]
    with session(db) as s:
        reviews.review(s, engagement="acme", deadline_ids=[report], status="approved", actor="U1")
    first = dated(db, report)
    assert (first.date, first.recurs) == (date(2026, 12, 7), True)  # the fifth business day of December
    done = close(db, report)
    assert (done.changed, done.occurrence, done.next) == (True, date(2026, 12, 7), date(2027, 1, 7))
    after = dated(db, report)
    assert (after.row.status, after.date) == ("approved", date(2027, 1, 7))  # 1 January is a Friday
    assert [(o["date"], o["status"], o["by"]) for o in after.row.details["occurrences"]] == [
        ("2026-12-07", "done", "U7")
    ]
    assert timeline(db, report)[-1] == (
        "done",
        "U7",
        "occurrence of 2026-12-07 done; next 2027-01-07",
        {"occurrence": "2026-12-07", "next": "2027-01-07", "from": "approved", "to": "approved"},
    )
    assert dated(db, report, as_of=date(2026, 11, 1)).date == date(2027, 1, 7)  # a closed one never comes back
    assert close(db, report).occurrence == date(2027, 1, 7)
    assert dated(db, report).date == date(2027, 2, 5)
    sync(db)  # re-extraction keeps the occurrences closed (the row is reviewed; a draft keeps them too)
    assert dated(db, report).date == date(2027, 2, 5)
    whole = close(db, report, whole=True)
    assert (whole.changed, whole.occurrence) == (True, None)
    assert dated(db, report).row.status == "done"


@SQLITE
def test_a_draft_keeps_its_closed_occurrences_through_re_extraction(db: Engine) -> None:
    sync(db)
    report = ids(db)[("msa.md", "report")]
    assert close(db, report).occurrence == date(2026, 12, 7)
    sync(db)
    found = dated(db, report)
    assert (found.row.status, found.date, len(found.row.details["occurrences"])) == ("draft", date(2027, 1, 7), 1)


@SQLITE
def test_waiving_a_notice_before_a_renewing_term_waives_that_term_only_and_all_waives_it(db: Engine) -> None:
    sync(db)
    notice = ids(db)[("msa.md", "non-renewal-notice")]
    assert dated(db, notice).date == date(2027, 12, 1)  # 90 days before the term ends on 29 February 2028
    waived = close(db, notice, "waived")
    assert (waived.occurrence, waived.next) == (date(2027, 12, 1), date(2028, 11, 30))
    assert dated(db, notice).row.status == "draft"
    assert close(db, notice, "waived", whole=True).occurrence is None
    assert dated(db, notice).row.status == "waived"


@SQLITE
def test_an_obligation_that_does_not_recur_is_done_as_a_whole(db: Engine) -> None:
    sync(db)
    got = ids(db)
    effective, cure = got[("msa.md", "effective")], got[("msa.md", "cure")]
    assert not dated(db, effective).recurs and not dated(db, cure).recurs
    assert close(db, cure).occurrence is None
    assert dated(db, cure).row.status == "done"
    assert close(db, cure).changed is False  # already done


@SQLITE
def test_a_date_set_by_hand_on_a_recurring_one_was_that_occurrences(db: Engine) -> None:
    sync(db)
    report = ids(db)[("msa.md", "report")]
    with session(db) as s:
        reviews.edit(s, engagement="acme", deadline_id=report, changes={"date": "2026-12-09"}, actor="U1")
    assert dated(db, report).date == date(2026, 12, 9)
    done = close(db, report)
    assert (done.occurrence, done.next) == (date(2026, 12, 9), date(2027, 1, 7))
    row = dated(db, report).row
    assert row.details["date"] is None and "date" not in row.details["edited"]
    assert row.details["occurrences"][0]["date_by_hand"] == "2026-12-09"


def test_the_next_occurrence_is_reminded_in_its_turn(tmp_path: Path, fake_kb: KnowledgeBase) -> None:
    with running_slack(tmp_path, fake_kb) as slack:
        slack.bind("CS", "shared")
        engine = slack.deps.engine
        with session(engine) as s:
            report = ob(
                "7.1 Vendor shall deliver the report by the fifth (5th) Business Day of each month.\n",
                "report",
                "by the fifth (5th) Business Day of each month",
                "7.1",
                (5, "business-day", "fifth (5th) Business Day"),
                anchor="period-end",
                day_of_month=5,
            )
            register.sync_drafts(s, engagement=ENGAGEMENT, found=[Found("msa.md", "shared", [report])], actor="cli")
            [row] = records.deadlines_of(s, engagement=ENGAGEMENT)
            deadline_id = row.id or 0
            reviews.review(s, engagement=ENGAGEMENT, deadline_ids=[deadline_id], status="approved", actor="cli")
        client = WebClient(token="xoxb-test", base_url=slack.api.url)

        def remind(day: date) -> list[str]:
            before = len(slack.api.calls_to("chat.postMessage"))
            send_deadline_reminders(slack.deps, client, now=datetime.combine(day, time(9), tzinfo=UTC))
            return [c.params["text"] for c in slack.api.calls_to("chat.postMessage")[before:]]

        assert any("2026-12-07" in text for text in remind(date(2026, 11, 30)))  # 7 days before
        with session(engine) as s:
            [done] = reviews.reviewed(
                s, engagement=ENGAGEMENT, deadline_ids=[deadline_id], status="done", actor="U7", as_of=date(2026, 12, 3)
            )
        assert done.next == date(2027, 1, 7)
        texts = remind(date(2026, 12, 7))  # not the closed occurrence's day: the next one's 90-day reminder
        assert len(texts) == 1 and "on 2027-01-07" in texts[0] and "2026-12-07" not in texts[0]
        assert "*in 30 days*" in remind(date(2026, 12, 8))[0]
        assert remind(date(2026, 12, 9)) == []
        texts = remind(date(2026, 12, 31))
        assert len(texts) == 1 and "*in 7 days*, on 2027-01-07" in texts[0]


def claim_rule(duration: tuple[int, Any, str] = (30, "day", "30 days")) -> ObligationDraft:
    return ob(SCHEDULE, "credit-claim", CLAIM_RULE, "5.5", duration, direction="after", anchor="period-end")


def with_claim_rule(engine: Engine, rule: ObligationDraft | None = None) -> int:
    sla_base(engine)
    approve_all(engine)
    sync(engine, [Found("schedule.md", "shared", [rule or claim_rule()])])
    return ids(engine)[("schedule.md", "credit-claim")]


def missed(engine: Engine, period: str, value: str = "85") -> None:
    with session(engine) as s:  # Quality Score's approved target is 90
        measures.report(s, engagement="acme", ref="quality score", period=period, value=value, actor="U1")


@SQLITE
def test_a_claim_rule_from_the_text_waits_for_a_missed_level_with_the_reason(db: Engine) -> None:
    claim = with_claim_rule(db)
    found = dated(db, claim)
    assert (found.date, found.anchor_missing, found.reason) == (None, True, windows.NO_MISS)
    missed(db, "2026-10", value="95")  # met: nothing to claim
    assert dated(db, claim).reason == windows.NO_MISS
    missed(db, "2026-11")
    assert dated(db, claim, as_of=date(2026, 11, 20)).reason == windows.NOT_CLOSED
    with session(db) as s:
        shown = register.deadline_json(register.dated(s, engagement="acme", as_of=TODAY)[0])
    assert (shown["date"], shown["missing"], shown["anchor_missing"]) == ("2026-12-30", None, False)


@SQLITE
def test_a_claim_rule_is_dated_from_the_latest_closed_missed_period(db: Engine) -> None:
    claim = with_claim_rule(db)
    missed(db, "2026-09")
    missed(db, "2026-10")
    found = dated(db, claim, as_of=date(2026, 11, 5))
    assert (found.date, found.anchor_missing, found.recurs) == (date(2026, 11, 30), False, True)  # 31 Oct + 30 days
    done = close(db, claim, as_of=date(2026, 11, 5))
    assert (done.occurrence, done.next) == (date(2026, 11, 30), None)
    assert "2026-10 is closed" in (dated(db, claim, as_of=date(2026, 11, 5)).reason or "")
    missed(db, "2026-11")
    assert dated(db, claim).date == date(2026, 12, 30)


@SQLITE
def test_business_day_claim_windows_skip_the_engagements_holidays(db: Engine, tmp_path: Path) -> None:
    claim = with_claim_rule(db, claim_rule((10, "business-day", "30 days")))
    missed(db, "2026-10")
    assert dated(db, claim, as_of=date(2026, 11, 2)).date == date(2026, 11, 13)  # weekends only
    workflows.change_settings(deps_for(db, tmp_path), engagement="acme", who=operator(), country="US")
    assert dated(db, claim, as_of=date(2026, 11, 2)).date == date(2026, 11, 16)  # 11 November: Veterans Day


def test_a_credit_statements_row_wins_for_its_period(db: Engine) -> None:
    claim = with_claim_rule(db)
    missed(db, "2026-10")
    with session(db) as s:
        measures.save_statement(
            s, engagement="acme", period="2026-10", fees=Decimal(800000), currency="USD", actor="U1"
        )
        assert claims.sync_claims(s, engagement="acme", actor="cli") == 1
    found = dated(db, claim, as_of=date(2026, 11, 5))
    assert (found.date, found.reason) == (None, windows.ALL_STATED)
    missed(db, "2026-11")  # no statement yet for November: the text's rule dates it
    assert dated(db, claim).date == date(2026, 12, 30)
    with session(db) as s:
        rows = register.dated(s, engagement="acme", as_of=TODAY)
        assert sorted((d.row.details.get("period", ""), d.date) for d in rows) == [
            ("", date(2026, 12, 30)),
            ("2026-10", date(2026, 11, 30)),
        ]
