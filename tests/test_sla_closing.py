"""A period's close, end to end: the scheduler's run computes a closed month's credits on the fees in force and
posts a summary, once, to the channels that may read it (the real Bolt app and slack_sdk client against the
local Slack API, real records on SQLite and PostgreSQL); and the fees in Slack, with the credits on them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import session
from bot.digest import schedule as digest_schedule
from bot.records import sla as records
from bot.records.languages import put_channel_language
from bot.records.roles import grant_role
from bot.records.sla import SlaClosing
from bot.scheduler import close_sla_periods
from bot.settings import Settings
from bot.sla import closing, measures, register, reviews
from bot.sla.terms import Period
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT, at_once, count
from tests.test_sla_register import draft, schedule_drafts
from tests.test_slack_app import Slack, running_slack
from tests.test_slack_sla import CLIENT_NOTES

CLOSED = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)  # October closed on 1 November; the 3 days' grace are over
CHANNELS = ("CC", "CV", "CS")  # a client, a vendor and a shared channel; "CM" is the managers' channel


@contextmanager
def _slack(tmp_path: Path, kb: KnowledgeBase, engine: Engine | None = None) -> Iterator[Slack]:
    with running_slack(tmp_path, kb, engine=engine, LIAISON_MANAGERS_CHANNEL="CM") as running:
        for channel, side in zip(CHANNELS, ("client", "vendor", "shared"), strict=True):
            running.bind(channel, side)
        yield running


@pytest.fixture
def slack(tmp_path: Path, fake_kb: KnowledgeBase) -> Iterator[Slack]:
    with _slack(tmp_path, fake_kb) as running:
        yield running


@pytest.fixture
def slack_any(tmp_path: Path, fake_kb: KnowledgeBase, db: Engine) -> Iterator[Slack]:
    """The same on SQLite and on PostgreSQL (the `db` fixture's two databases)."""
    with _slack(tmp_path, fake_kb, engine=db) as running:
        yield running


def seed(slack: Slack, *, client_only: bool = False, fees: str | None = "200000") -> None:
    """The schedule's two levels approved (and a client-only one), October measured, the fees set from January."""
    found = [register.Found("02-sla-schedule.md", "shared", schedule_drafts())]
    if client_only:
        notes = draft(CLIENT_NOTES, "SL9", "Retention Offer Rate", "70", "10", cap="12")
        found.append(register.Found("client-notes.md", "client-only", [notes]))
    with session(slack.deps.engine) as s:
        register.sync_drafts(s, engagement=ENGAGEMENT, found=found, actor="cli")
        ids = [r.id or 0 for r in register.levels(s, engagement=ENGAGEMENT)]
        reviews.review(s, engagement=ENGAGEMENT, level_ids=ids, status="approved", actor="cli")
        for metric, value in (("Quality Score", "85"), ("Average Speed of Answer (voice)", "82")):
            measures.report(s, engagement=ENGAGEMENT, ref=metric, period="2026-10", value=value, actor="UV")
        for user, role in (("UC", "client-owner"), ("UV", "vendor-owner")):
            grant_role(session=s, engagement=ENGAGEMENT, user_id=user, role=role, granted_by="cli")
        if fees is not None:
            records.put_fees(
                s, engagement=ENGAGEMENT, from_period="2026-01", amount=Decimal(fees), currency="USD", actor="cli"
            )


def posted(slack: Slack) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for call in slack.api.calls_to("chat.postMessage"):
        out.setdefault(str(call.params["channel"]), []).append(call.params)
    return out


def blocks_text(params: dict[str, Any]) -> str:
    return json.dumps(params.get("blocks") or [], ensure_ascii=False)


def statement(slack: Slack, period: str = "2026-10") -> records.CreditStatement | None:
    with session(slack.deps.engine) as s:
        return records.statement_of(s, engagement=ENGAGEMENT, period=period)


# -- when a month closes -------------------------------------------------------------------------
def test_a_month_closes_on_the_first_of_the_next_plus_the_grace_days() -> None:
    assert closing.closing_period(date(2026, 11, 3), 3) == Period(2026, 9)
    assert closing.closing_period(date(2026, 11, 4), 3) == Period(2026, 10)
    assert closing.closing_period(date(2026, 11, 1), 0) == Period(2026, 10)
    assert closing.closing_period(date(2027, 1, 10), 3) == Period(2026, 12)
    assert closing.closing_period(date(2027, 1, 2), 3) == Period(2026, 11)
    assert Settings().sla_close_grace_days == 3


def test_the_close_goes_by_the_engagements_time_zone(slack: Slack) -> None:
    seed(slack)
    with session(slack.deps.engine) as s:
        digest_schedule.set_schedule(
            session=s, settings=slack.deps.settings, engagement=ENGAGEMENT, text="mon 08:00 Pacific/Auckland",
            updated_by="cli",
        )  # fmt: skip
    evening = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)  # 4 November, 01:00 in Auckland: October has closed there
    close_sla_periods(slack.deps, slack.app.client, now=evening)
    assert statement(slack) is not None


# -- what is posted where ------------------------------------------------------------------------
def test_a_closed_month_is_computed_on_the_fees_in_force_and_posted_once_to_every_channel(slack: Slack) -> None:
    seed(slack)
    with session(slack.deps.engine) as s:  # a later change of fees does not reach October
        records.put_fees(s, engagement=ENGAGEMENT, from_period="2026-11", amount=Decimal(1), currency="USD", actor="x")
    assert statement(slack) is None
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 4
    kept = statement(slack)
    assert kept is not None and (kept.fees, kept.currency, kept.computed_by) == ("200000", "USD", "liaison")
    assert kept.result["total_amount"] == 3000 and kept.claim_deadline == date(2026, 11, 30)
    sent = posted(slack)
    assert sorted(sent) == ["CC", "CM", "CS", "CV"] and all(len(messages) == 1 for messages in sent.values())
    message = sent["CS"][0]
    assert message["text"] == f"Service credits of {ENGAGEMENT} for 2026-10: USD 3,000 (1.5% of USD 200,000)."
    text = blocks_text(message)
    assert "Claim by *2026-11-30*" in text and "cap 12% (within the cap)" in text
    assert "02-sla-schedule.md" in text  # the total's working cites its clauses
    assert "1 of 2 service levels missed (2 measured)" in text and "in force from 2026-01" in text
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 0  # once
    assert len(slack.api.calls_to("chat.postMessage")) == 4
    slack.bind("CN", "shared")  # a channel bound after the close gets it at the next run
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 1 and len(posted(slack)["CN"]) == 1


def test_the_close_posts_total_line_is_in_each_posts_language(slack: Slack) -> None:
    seed(slack)
    with session(slack.deps.engine) as s:  # the client's channel speaks Italian; the others English
        put_channel_language(s, channel_id="CC", engagement=ENGAGEMENT, language="it", actor="UADMIN")
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 4
    kept = statement(slack)
    assert kept is not None and kept.result["total_working"].startswith("Total 1.5% of USD 200,000")  # the record
    english, italian = blocks_text(posted(slack)["CS"][0]), blocks_text(posted(slack)["CC"][0])
    total = "Total 1.5% of USD 200,000 = USD 3,000, within the cap of USD 24,000 (02-sla-schedule.md"
    assert f"*Total:* {total}" in english
    totale = "Totale 1,5% di USD 200.000 = USD 3.000, entro il tetto di USD 24.000 (02-sla-schedule.md"
    assert f"*Totale:* {totale}" in italian and total not in italian
    cited = kept.result["total_working"].rpartition(" (")[2]
    assert f"USD 24.000 ({cited}" in italian  # the same clauses cited


def test_a_statement_with_a_client_only_level_is_posted_to_client_channels_only(slack: Slack) -> None:
    seed(slack, client_only=True)
    slack.bind("CX", "client")
    slack.api.channels["CX"] = {"is_ext_shared": True}  # Slack Connect: the vendor's people read along
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 1
    assert list(posted(slack)) == ["CC"]  # not the vendor's, the shared, the managers' nor the Slack Connect one
    kept = statement(slack)
    assert kept is not None and kept.visibility == "client-only"
    assert posted(slack)["CC"][0]["text"].startswith(f"Service credits of {ENGAGEMENT} for 2026-10: USD 3,000")


def test_without_fees_the_close_says_how_to_set_them_once_then_computes_once_they_are(slack: Slack) -> None:
    seed(slack, fees=None)
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 4
    assert statement(slack) is None
    message = posted(slack)["CS"][0]
    assert "could not be computed: no fees are set" in message["text"]
    assert "/liaison sla fees 200000 USD from 2026-10" in message["text"]
    assert f"liaison sla fees --engagement {ENGAGEMENT}" in message["text"]
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 0  # said once
    slack.command("sla fees 150,000 usd from 2026-01", user="UC", channel="CC")
    assert "150,000 a month from 2026-01" in slack.api.wait_for("response_url")[-1].params["text"]
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 4
    kept = statement(slack)
    assert kept is not None and kept.fees == "150000" and kept.result["total_amount"] == 2250
    assert "USD 2,250" in posted(slack)["CV"][-1]["text"]


def test_a_measurement_reported_after_the_close_recomputes_the_kept_statement(slack: Slack) -> None:
    seed(slack)
    close_sla_periods(slack.deps, slack.app.client, now=CLOSED)
    with session(slack.deps.engine) as s:
        measures.report(s, engagement=ENGAGEMENT, ref="Quality Score", period="2026-10", value="95", actor="UV")
    kept = statement(slack)
    assert kept is not None and kept.result["total_amount"] == 0 and kept.fees == "200000"
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 0  # no second summary


def test_a_statement_computed_by_hand_keeps_its_own_fees_at_the_close(slack: Slack) -> None:
    seed(slack)
    with session(slack.deps.engine) as s:
        measures.save_statement(
            s, engagement=ENGAGEMENT, period="2026-10", fees=Decimal(100000), currency="USD", actor="UC"
        )
    close_sla_periods(slack.deps, slack.app.client, now=CLOSED)
    kept = statement(slack)
    assert kept is not None and kept.fees == "100000" and kept.computed_by == "liaison"
    assert "USD 1,500" in posted(slack)["CS"][0]["text"] and "in force from" not in blocks_text(posted(slack)["CS"][0])


def test_a_refused_post_is_tried_again_at_the_next_run(slack: Slack) -> None:
    seed(slack)
    slack.api.fail("chat.postMessage", error="channel_not_found", status=200, times=1)
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 3
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 1
    assert sorted(posted(slack)) == ["CC", "CM", "CS", "CV"]
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 0


def test_an_engagement_with_nothing_in_force_that_month_is_not_closed(slack: Slack) -> None:
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 0  # no approved level at all
    seed(slack)
    with session(slack.deps.engine) as s:
        for row in register.levels(s, engagement=ENGAGEMENT):
            row.effective_from = date(2026, 11, 1)  # the levels start after October
            s.add(row)
    assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 0
    assert count(slack.deps.engine, SlaClosing) == 0 and statement(slack) is None


# -- exactly once, however many replicas run -----------------------------------------------------
def test_two_replicas_closing_at_once_compute_and_post_once(slack_any: Slack) -> None:
    seed(slack_any, fees=None)
    first = at_once(2, lambda: closing.due_closes(slack_any.deps, now=CLOSED))
    notices = [n for batch in first for n in batch]
    assert sorted(n.channel_id for n in notices) == ["CC", "CM", "CS", "CV"]
    assert {n.kind for n in notices} == {"no-fees"} and statement(slack_any) is None
    with session(slack_any.deps.engine) as s:
        records.put_fees(
            s, engagement=ENGAGEMENT, from_period="2026-01", amount=Decimal(200000), currency="USD", actor="cli"
        )
    done = at_once(2, lambda: close_sla_periods(slack_any.deps, slack_any.app.client, now=CLOSED))
    assert sum(done) == 4 and sorted(posted(slack_any)) == ["CC", "CM", "CS", "CV"]  # each channel once
    assert all(len(messages) == 1 for messages in posted(slack_any).values())
    with session(slack_any.deps.engine) as s:
        rows = s.exec(select(SlaClosing)).all()
    assert sorted((r.kind, r.target) for r in rows if r.kind == "statement") == [
        ("statement", t) for t in ("", "CC", "CM", "CS", "CV")
    ]
    kept = statement(slack_any)
    assert kept is not None and kept.result["total_amount"] == 3000 and kept.computed_by == "liaison"


# -- the fees in Slack, and the credits on them --------------------------------------------------
def _reply(slack: Slack, n: int) -> dict[str, Any]:
    return slack.api.wait_for("response_url", count=n)[-1].params


def test_fees_are_set_and_shown_in_slack_and_the_credits_use_them(slack: Slack) -> None:
    seed(slack, fees=None)
    slack.command("sla credits 2026-10", user="UC", channel="CC")
    assert "No fees are set for" in _reply(slack, 1)["text"]
    slack.command("sla fees 200000 USD from 2026-01", user="UC", channel="CC")
    assert _reply(slack, 2)["text"] == f"The fees of {ENGAGEMENT} are USD 200,000 a month from 2026-01."
    slack.command("sla fees 250000 from 2026-12", user="UC", channel="CC")
    assert "USD 250,000 a month from 2026-12" in _reply(slack, 3)["text"]
    slack.command("sla fees", user="UV", channel="CV")
    shown = blocks_text(_reply(slack, 4))
    assert "From 2026-01: USD 200,000 (set by <@UC>)" in shown and "From 2026-12: USD 250,000" in shown
    slack.command("sla credits 2026-10", user="UC", channel="CC")
    credits = _reply(slack, 5)
    assert "USD 3,000" in blocks_text(credits) and "USD 200,000 (in force from 2026-01)" in blocks_text(credits)
    slack.command("sla credits 2026-10 100000", user="UC", channel="CC")
    assert "USD 100,000 (as given)" in blocks_text(_reply(slack, 6))
    slack.command("sla fees 1 USD from 2026-10", user="UNOBODY", channel="CS")
    assert "mediators, admins and owners" in _reply(slack, 7)["text"]
    for n, (typed, said) in enumerate(
        (
            ("lots", "a number such as 200000"),
            ("200000 USD since 2026-01", "Usage: /liaison sla fees"),
            ("5 XXQ", "XXQ"),
        ),
        start=8,
    ):
        slack.command(f"sla fees {typed}", user="UC", channel="CC")
        assert said in _reply(slack, n)["text"]
    with session(slack.deps.engine) as s:
        assert [f.from_period for f in records.fees_history(s, engagement=ENGAGEMENT)] == ["2026-01", "2026-12"]
