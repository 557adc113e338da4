"""The SLA register in Slack: `/liaison sla` and its buttons and modals, through the real Bolt app and slack_sdk
client against the local Slack API, on real records (levels written by `register.sync_drafts`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.cli.demo import samples_dir
from bot.db import session
from bot.records.cases import IssueRecord
from bot.records.roles import grant_role
from bot.records.sla import ServiceLevelRecord
from bot.sla import register, reviews
from bot.slack.blocks import sla as sb
from knowledge.base import KnowledgeBase
from knowledge.sla_drafts import LevelDraft
from tests.conftest import ENGAGEMENT
from tests.test_sla_register import SCHEDULE, draft, schedule_drafts
from tests.test_slack_app import Slack, meta_of, opened, running_slack

CLIENT_NOTES = (
    "| SL9 | Retention Offer Rate | Average retention offer rate of at least 70% | Critical | 10% |\n"
    "5.3 The total Service Credits shall not exceed 12% of the Monthly Fees.\n"
)


@contextmanager
def _bound(tmp_path: Path, kb: KnowledgeBase, engine: Engine | None = None) -> Iterator[Slack]:
    """The app and the local Slack API, with a client (CC), a vendor (CV) and a shared (CS) channel bound."""
    with running_slack(tmp_path, kb, engine=engine) as running:
        running.bind("CC", "client")
        running.bind("CV", "vendor")
        running.bind("CS", "shared")
        yield running


@pytest.fixture
def slack(tmp_path: Path, fake_kb: KnowledgeBase) -> Iterator[Slack]:
    with _bound(tmp_path, fake_kb) as running:
        yield running


@pytest.fixture
def slack_any(tmp_path: Path, fake_kb: KnowledgeBase, db: Engine) -> Iterator[Slack]:
    """The same on SQLite and on PostgreSQL (the `db` fixture's two databases)."""
    with _bound(tmp_path, fake_kb, engine=db) as running:
        yield running


def _client_only() -> list[LevelDraft]:
    return [draft(CLIENT_NOTES, "SL9", "Retention Offer Rate", "70", "10", cap="12")]


def _seed(slack: Slack, *roles: tuple[str, str]) -> dict[str, int]:
    """The schedule's two levels (shared) and a client-only one, as drafts; roles granted. Ids by metric."""
    with session(slack.deps.engine) as s:
        found = [
            register.Found("02-sla-schedule.md", "shared", schedule_drafts()),
            register.Found("client-notes.md", "client-only", _client_only()),
        ]
        register.sync_drafts(s, engagement=ENGAGEMENT, found=found, actor="cli")
        for user, role in roles:
            grant_role(session=s, engagement=ENGAGEMENT, user_id=user, role=role, granted_by="cli")
        rows = register.levels(s, engagement=ENGAGEMENT)
        return {r.metric: r.id or 0 for r in rows}


def _approve_all(slack: Slack, ids: dict[str, int], owner: str | None = None) -> None:
    with session(slack.deps.engine) as s:
        if owner:
            for level_id in ids.values():
                reviews.edit(s, engagement=ENGAGEMENT, level_id=level_id, changes={"owner": owner}, actor="cli")
        reviews.review(s, engagement=ENGAGEMENT, level_ids=list(ids.values()), status="approved", actor="cli")


def _reply(slack: Slack, count: int = 1) -> dict[str, Any]:
    return slack.api.wait_for("response_url", count=count)[-1].params


def _text(params: dict[str, Any]) -> str:
    return json.dumps(params.get("blocks") or [], ensure_ascii=False)


def _buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in params["blocks"] if b["type"] == "actions" for e in b["elements"]]


def _level(slack: Slack, level_id: int) -> ServiceLevelRecord:
    with session(slack.deps.engine) as s:
        row = s.get(ServiceLevelRecord, level_id)
        assert row is not None
        return row


# -- the register --------------------------------------------------------------------------------
def test_each_channel_lists_what_its_side_may_see(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    _approve_all(slack, ids)
    slack.command("sla", user="UC", channel="CC")
    client = _text(_reply(slack))
    assert "Retention Offer Rate" in client and "Quality Score" in client and "Average Speed of Answer" in client
    assert "Target &gt;= 90%" in client and "02-sla-schedule.md §3.1" in client and "not measured yet" in client
    for n, channel in enumerate(("CV", "CS"), start=2):
        slack.command("sla", user="UC", channel=channel)
        seen = _text(_reply(slack, n))
        assert "Quality Score" in seen and "Retention Offer Rate" not in seen  # a client-only level, never there


def test_a_client_channel_shared_with_another_organisation_lists_shared_levels_only(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    _approve_all(slack, ids)
    slack.api.channels["CC"] = {"is_ext_shared": True}  # Slack Connect: the vendor's people read along
    slack.command("sla", user="UC", channel="CC")
    seen = _text(_reply(slack))
    assert "Quality Score" in seen and "Retention Offer Rate" not in seen
    slack.action(sb.EDIT, str(ids["Retention Offer Rate"]), user="UC", channel="CC")
    assert "No service level" in _reply(slack, 2)["text"] and not slack.api.calls_to("views.open")


def test_drafts_and_review_buttons_are_for_role_holders_only(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    slack.command("sla", user="UC", channel="CS")
    reply = _reply(slack)
    assert reply["response_type"] == "ephemeral" and "`draft`" in _text(reply)
    values = {(b["action_id"], opened(b["value"])) for b in _buttons(reply)}
    assert (sb.APPROVE, str(ids["Quality Score"])) in values and (sb.REJECT, str(ids["Quality Score"])) in values
    assert (sb.EDIT, str(ids["Quality Score"])) in values
    slack.command("sla", user="UNOBODY", channel="CS")
    nobody = _reply(slack, 2)
    assert "Quality Score" not in _text(nobody) and not any(b["action_id"] == sb.APPROVE for b in _buttons(nobody))


def test_approve_by_button_as_a_role_holder_and_refused_without_one(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    level = str(ids["Quality Score"])
    slack.action(sb.APPROVE, level, user="UNOBODY", channel="CS")
    refused = _reply(slack)
    assert "may approve or reject" in refused["text"] and _level(slack, ids["Quality Score"]).status == "draft"
    slack.action(sb.APPROVE, level, user="UC", channel="CS")
    done = _reply(slack, 2)
    assert done["replace_original"] is True and f"#{level} is now approved" in done["text"]
    row = _level(slack, ids["Quality Score"])
    assert row.status == "approved" and row.reviewed_by == "UC"


def test_a_vendor_channel_cannot_review_a_client_only_level(slack: Slack) -> None:
    ids = _seed(slack, ("UM", "mediator"))
    slack.action(sb.APPROVE, str(ids["Retention Offer Rate"]), user="UM", channel="CV")
    assert "No service level" in _reply(slack)["text"]
    assert _level(slack, ids["Retention Offer Rate"]).status == "draft"


def test_a_forged_button_value_does_nothing(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    slack.action(sb.APPROVE, str(ids["Quality Score"]), user="UC", channel="CS", forged=True)
    assert _level(slack, ids["Quality Score"]).status == "draft"


def test_extract_drafts_from_the_indexed_contracts_for_reviewers_only(slack: Slack) -> None:
    with session(slack.deps.engine) as s:
        grant_role(session=s, engagement=ENGAGEMENT, user_id="UM", role="mediator", granted_by="cli")
        grant_role(session=s, engagement=ENGAGEMENT, user_id="UR", role="client-owner", granted_by="cli")
    slack.command("sla extract", user="UM", channel="CS")
    assert "No documents are indexed" in _reply(slack)["text"]
    slack.deps.kb.index([samples_dir() / ENGAGEMENT / "03-sla-schedule.md"], engagement=ENGAGEMENT)
    slack.command("sla extract", user="UM", channel="CS")
    reply = _reply(slack, 2)
    with session(slack.deps.engine) as s:
        drafted = register.levels(s, engagement=ENGAGEMENT)
    assert drafted and all(r.status == "draft" for r in drafted)
    assert f"Drafts: {len(drafted)} new" in reply["text"] and drafted[0].metric in _text(reply)
    slack.command("sla extract", user="UNOBODY", channel="CS")
    assert "mediators, admins and owners" in _reply(slack, 3)["text"]


# -- measurements ----------------------------------------------------------------------------------
def test_a_reported_miss_logs_one_breach_issue_even_when_retried(slack_any: Slack) -> None:
    slack = slack_any
    ids = _seed(slack, ("UC", "client-owner"))
    _approve_all(slack, ids)
    slack.command('sla report "quality score" 2026-10 85%', user="UC", channel="CS")
    first = _reply(slack)
    slack.command("sla report Quality Score 2026-10 85%", user="UC", channel="CS")  # a retried delivery
    again = _reply(slack, 2)
    with session(slack.deps.engine) as s:
        [issue] = s.exec(select(IssueRecord).where(IssueRecord.category == "sla-breach")).all()
    assert "Recorded Quality Score for 2026-10: 85%, *missed* against &gt;= 90%" in first["text"]
    assert "(02-sla-schedule.md §3.1)" in first["text"] and f"Breach issue #{issue.id} logged." in first["text"]
    assert f"Breach issue #{issue.id} already logged." in again["text"]
    slack.app.listener_runner.listener_executor.shutdown(wait=True)
    [card] = [c.params for c in slack.api.calls_to("chat.postMessage")]
    assert card["channel"] == "CS" and f"#{issue.id}" in card["text"]


def test_a_met_report_and_bad_input_are_said_privately(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    _approve_all(slack, ids)
    slack.command("sla report quality score 2026-10 95", user="UC", channel="CS")
    assert "met against &gt;= 90%" in _reply(slack)["text"]
    slack.command("sla report quality score 2026-10 lots", user="UC", channel="CS")
    assert "is a number" in _reply(slack, 2)["text"]
    slack.command("sla report quality score", user="UC", channel="CS")
    assert "Usage: /liaison sla report" in _reply(slack, 3)["text"]
    slack.command("sla report Retention Offer Rate 2026-10 10", user="UC", channel="CV")
    assert "No service level named" in _reply(slack, 4)["text"]  # client-only, from a vendor channel
    slack.command("sla frobnicate", user="UC", channel="CS")
    assert "/liaison sla credits" in _text(_reply(slack, 5))


def test_dispute_then_agree(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"), ("UV", "vendor-owner"))
    _approve_all(slack, ids)
    slack.command("sla report quality score 2026-10 85", user="UV", channel="CV")
    _reply(slack)  # each command's reply before the next: Bolt runs them on its own threads
    slack.command("sla dispute quality score 2026-10 the sample missed weekend calls", user="UC", channel="CC")
    assert "is now disputed: the sample missed weekend calls" in _reply(slack, 2)["text"]
    slack.command('sla agree "Quality Score" 2026-10', user="UV", channel="CV")
    assert "is now agreed" in _reply(slack, 3)["text"]
    slack.command("sla dispute quality score 2026-10", user="UC", channel="CC")
    assert "Usage: /liaison sla dispute" in _reply(slack, 4)["text"]


def test_the_report_modal_records_the_measurement(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    _approve_all(slack, ids)
    slack.command("sla report", user="UC", channel="CS")
    view = slack.api.wait_for("views.open")[0].params["view"]
    options = next(b for b in view["blocks"] if b.get("block_id") == "level")["element"]["options"]
    assert str(ids["Quality Score"]) in {o["value"] for o in options}
    assert str(ids["Retention Offer Rate"]) not in {o["value"] for o in options}
    state: dict[str, Any] = {
        "level": {"level": {"type": "static_select", "selected_option": {"value": str(ids["Quality Score"])}}},
        "period": {"period": {"type": "plain_text_input", "value": "2026-10"}},
        "value": {"value": {"type": "plain_text_input", "value": "lots"}},
    }
    bad = slack.submit(callback_id=sb.REPORT_CALLBACK, metadata=view["private_metadata"], values=state, user="UC")
    assert set(json.loads(bad.body)["errors"]) == {"value"}
    state["value"]["value"]["value"] = "88.5%"
    ok = slack.submit(callback_id=sb.REPORT_CALLBACK, metadata=view["private_metadata"], values=state, user="UC")
    assert ok.status == 200 and not ok.body
    [note] = [c.params for c in slack.api.wait_for("chat.postEphemeral")]
    assert note["user"] == "UC" and "88.5%, *missed*" in note["text"]


# -- credits -------------------------------------------------------------------------------------
def test_the_credits_view_shows_the_working_and_a_claim_button(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    _approve_all(slack, ids)
    slack.command("sla report quality score 2026-10 85", user="UC", channel="CC")
    _reply(slack)
    slack.command("sla credits 2026-10 200,000 USD", user="UC", channel="CC")
    reply = _reply(slack, 2)
    text = _text(reply)
    assert "USD 200,000" in text and "Quality Score 85% vs &gt;= 90%" in text
    assert "USD 3,000" in text or "USD 3000" in text, text  # 100% x 15% x 10% of 200,000
    assert "02-sla-schedule.md" in text and "Claim by *2026-11-30* (02-sla-schedule.md §3.1)" in text
    [claim] = [b for b in _buttons(reply) if b["action_id"] == sb.CLAIM]
    assert opened(claim["value"]) == "2026-10"
    slack.action(sb.CLAIM, "2026-10", user="UC", channel="CC")
    assert "marked claimed by <@UC>" in _reply(slack, 3)["text"]
    slack.action(sb.CLAIM, "2026-10", user="UC", channel="CC")
    assert "were claimed by UC" in _reply(slack, 4)["text"]


def test_credits_summing_a_client_only_level_are_refused_in_a_shared_channel(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    _approve_all(slack, ids)
    slack.command("sla credits 2026-10 200000", user="UC", channel="CS")
    assert "may not see" in _reply(slack)["text"]
    slack.command("sla credits October lots", user="UC", channel="CS")
    assert "Usage: /liaison sla credits" in _reply(slack, 2)["text"]


# -- the edit modal ------------------------------------------------------------------------------
def test_the_edit_modal_round_trip(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"))
    level = ids["Quality Score"]
    slack.action(sb.EDIT, str(level), user="UC", channel="CS")
    view = slack.api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == sb.EDIT_CALLBACK and meta_of(view) == {"channel": "CS", "level": level}
    row = next(line for line in SCHEDULE.splitlines() if "Quality Score" in line)
    assert f"> {row}" in json.dumps(view, ensure_ascii=False)  # the verbatim quote (it has no & < >)
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["target"]["initial_value"] == "90" and inputs["model"]["initial_option"]["value"] == "pool"
    assert inputs["owner"]["type"] == "users_select"
    state: dict[str, Any] = {
        f: {f: {"type": "plain_text_input", "value": e.get("initial_value")}}
        for f, e in inputs.items()
        if e["type"] == "plain_text_input"
    }
    state["comparison"] = {"comparison": {"type": "static_select", "selected_option": {"value": ">="}}}
    state["model"] = {"model": {"type": "static_select", "selected_option": {"value": "pool"}}}
    state["owner"] = {"owner": {"type": "users_select", "selected_user": "UOWNER"}}
    state["cap_pct"]["cap_pct"]["value"] = "many"
    bad = slack.submit(callback_id=sb.EDIT_CALLBACK, metadata=view["private_metadata"], values=state, user="UC")
    assert set(json.loads(bad.body)["errors"]) == {"cap_pct"}
    state["cap_pct"]["cap_pct"]["value"] = "12"
    state["target"]["target"]["value"] = "88"
    ok = slack.submit(callback_id=sb.EDIT_CALLBACK, metadata=view["private_metadata"], values=state, user="UC")
    assert ok.status == 200 and not ok.body
    edited = _level(slack, level)
    assert (edited.target, edited.owner, edited.cap_pct) == ("88", "UOWNER", "12")
    assert set(edited.details["edited"]) == {"target", "owner"}
    assert "target &gt;= 88%" in slack.api.wait_for("chat.postEphemeral")[0].params["text"]


def test_the_edit_form_is_refused_without_a_reviewer_role(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"), ("UR", "vendor-owner"))
    slack.action(sb.EDIT, str(ids["Quality Score"]), user="UNOBODY", channel="CS")
    assert "edit service levels" in _reply(slack)["text"] and not slack.api.calls_to("views.open")
    metadata = json.dumps({"channel": "CS", "level": ids["Quality Score"]})
    state = {"target": {"target": {"type": "plain_text_input", "value": "1"}}}
    refused = slack.submit(callback_id=sb.EDIT_CALLBACK, metadata=metadata, values=state, user="UNOBODY")
    assert "target" in json.loads(refused.body)["errors"] and _level(slack, ids["Quality Score"]).target == "90"


# -- App Home --------------------------------------------------------------------------------------
def test_app_home_shows_the_owners_levels_at_risk(slack: Slack) -> None:
    ids = _seed(slack, ("UC", "client-owner"), ("UV", "vendor-owner"))
    _approve_all(slack, ids, owner="UC")
    reports = ("quality score 2026-10 85", "average speed of answer 2026-10 95", "retention offer rate 2026-10 60")
    for n, report in enumerate(reports, start=1):  # missed; met; missed, from a client-only document
        slack.command(f"sla report {report}", user="UC", channel="CC")
        _reply(slack, n)
    slack.event({"type": "app_home_opened", "user": "UC", "tab": "home"})
    view = slack.api.wait_for("views.publish")[-1].params["view"]
    text = json.dumps(view, ensure_ascii=False)
    assert "Service levels at risk (2)" in text and "Quality Score" in text and "Retention Offer Rate" in text
    assert "2026-10: 85% vs &gt;= 90%" in text and "*missed*" in text
    assert "Average Speed of Answer" not in text
    slack.event({"type": "app_home_opened", "user": "UV", "tab": "home"})
    vendor = json.dumps(slack.api.wait_for("views.publish", count=2)[-1].params["view"])
    assert "Service levels at risk" not in vendor  # they own none


# -- parsing -----------------------------------------------------------------------------------------
def test_the_level_name_may_be_quoted_or_not() -> None:
    assert sb.split_level('"call answer rate" 2026-10 76.4%') == ("call answer rate", ["2026-10", "76.4%"])
    assert sb.split_level("\u201ccall answer rate\u201d 2026-10 76.4%") == ("call answer rate", ["2026-10", "76.4%"])
    assert sb.split_level("call answer rate 2026-10 76.4%") == ("call answer rate", ["2026-10", "76.4%"])
    assert sb.split_level("7 2026-10 too low") == ("7", ["2026-10", "too", "low"])
    assert sb.fees_of("200,000") == sb.fees_of("200000") and str(sb.fees_of("1,234.50")) == "1234.50"
    with pytest.raises(ValueError):
        sb.fees_of("2,5")


def test_the_credits_view_attaches_the_credits_to_a_mediation_once(slack: Slack) -> None:
    from sqlmodel import select

    from bot.db import session
    from bot.mediation import lifecycle
    from bot.records.cases import TimelineEntry

    ids = _seed(slack, ("UC", "client-owner"))
    _approve_all(slack, ids)
    with session(slack.deps.engine) as s:
        mediation = lifecycle.open_mediation(
            session=s, engagement=ENGAGEMENT, title="October credits", channel_id="CC", opened_by="UM"
        )
    slack.command("sla report quality score 2026-10 85", user="UC", channel="CC")
    _reply(slack)
    slack.command("sla credits 2026-10 200000", user="UC", channel="CC")
    reply = _reply(slack, 2)
    [menu] = [b for b in _buttons(reply) if b["action_id"] == sb.ATTACH]
    [option] = menu["options"]
    assert option["text"]["text"] == f"#{mediation.id} October credits"
    element = {"type": "static_select", "selected_option": {**option, "value": opened(option["value"])}}
    slack.action(sb.ATTACH, "", user="UC", channel="CC", element=element)
    assert f"attached to mediation #{mediation.id}" in _reply(slack, 3)["text"]
    slack.action(sb.ATTACH, "", user="UC", channel="CC", element=element)
    assert "already in" in _reply(slack, 4)["text"]
    slack.action(sb.ATTACH, "", user="UX", channel="CC", element=element)
    assert "Only people with a role" in _reply(slack, 5)["text"]
    with session(slack.deps.engine) as s:
        evidence = s.exec(select(TimelineEntry).where(TimelineEntry.kind == "evidence")).all()
    assert len(evidence) == 1 and "Quality Score 85% vs >= 90%" in evidence[0].text


def test_a_quarterly_level_is_reported_for_its_quarter_and_the_credits_view_shows_an_earn_back(slack: Slack) -> None:
    from tests.test_sla_series_terms import drafts, sections

    assert sb.split_level("average speed of answer 2026-Q3 97%") == ("average speed of answer", ["2026-Q3", "97%"])
    with session(slack.deps.engine) as s:
        found = [register.Found("schedule.md", "shared", drafts(), sections())]
        register.sync_drafts(s, engagement=ENGAGEMENT, found=found, actor="cli")
        grant_role(session=s, engagement=ENGAGEMENT, user_id="UC", role="client-owner", granted_by="cli")
        ids = {r.metric: r.id or 0 for r in register.levels(s, engagement=ENGAGEMENT)}
    _approve_all(slack, ids)
    slack.command('sla report "average speed of answer" 2026-08 97%', user="UC", channel="CC")
    assert "measured per calendar quarter: report the period 2026-Q3, not 2026-08" in _reply(slack)["text"]
    slack.command('sla report "average speed of answer" 2026-Q3 97%', user="UC", channel="CC")
    assert "met against &gt;= 80%" in _reply(slack, 2)["text"]
    for n, (period, value) in enumerate((("2026-06", "85"), ("2026-07", "95"), ("2026-08", "95")), start=3):
        slack.command(f"sla report quality score {period} {value}", user="UC", channel="CC")
        _reply(slack, n)
    slack.command("sla credits 2026-09 100000 USD", user="UC", channel="CC")
    text = _text(_reply(slack, 6))
    assert "measured over the calendar quarter 2026-Q3 (July to September 2026)" in text
    assert "Quality Score not measured" in text and "*Earned back*" not in text  # September not reported yet
    slack.command("sla report quality score 2026-09 95", user="UC", channel="CC")
    _reply(slack, 7)
    slack.command("sla credits 2026-09 100000 USD", user="UC", channel="CC")
    text = _text(_reply(slack, 8))
    assert "*Earned back*" in text and "met in the 3 months after 2026-06: 50% of USD 1,500 = USD 750" in text
