"""Mediation threads in Slack, through the real Bolt app and the real WebClient against the local Slack API.

`/liaison mediate` posts the header (the thread), its buttons and modals move the case, 📌 adds evidence, and
the header is edited in place after every change. The scenarios that touch the database's locking and unique
keys run on SQLite and PostgreSQL (the `db` fixture).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot import issues
from bot.db import session
from bot.localslack.api import Call
from bot.mediation import lifecycle as mediations
from bot.mediation import queries
from bot.records import cases
from bot.records.case_schemas import IssueCreate
from bot.records.cases import MediationRecord, TimelineEntry
from bot.records.roles import grant_role
from bot.slack import seal
from bot.slack.blocks import mediation as mb
from bot.slack.blocks import mediation_modals as mm
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT, at_once, count
from tests.test_slack_app import Slack, meta_of, opened, running_slack, sealed

TITLE = "Service credits for missed first response time in March"
ROLES = {"UMED": "mediator", "UADM": "admin", "UCLIENT": "client-owner", "UVENDOR": "vendor-owner"}
BUTTONS = {
    mb.ADD_CLIENT_POSITION,
    mb.ADD_VENDOR_POSITION,
    mb.SUMMARISE,
    mb.PROPOSE,
    mb.AGREE,
    mb.ESCALATE,
    mb.WITHDRAW,
    mb.CLOSE,
}


@pytest.fixture
def slack(tmp_path: Path, sample_kb: KnowledgeBase) -> Iterator[Slack]:
    """The app on a fresh SQLite file, C1 bound as a shared channel, the parties granted their roles."""
    with running_slack(tmp_path, sample_kb) as running:
        _prepare(running)
        yield running


@pytest.fixture
def slack_db(tmp_path: Path, sample_kb: KnowledgeBase, db: Engine) -> Iterator[Slack]:
    """The same on SQLite and on PostgreSQL."""
    with running_slack(tmp_path, sample_kb, engine=db) as running:
        _prepare(running)
        yield running


def _prepare(slack: Slack) -> None:
    slack.bind("C1", "shared")
    with session(slack.deps.engine) as s:
        for user, role in ROLES.items():
            grant_role(session=s, engagement=ENGAGEMENT, user_id=user, role=role, granted_by="cli")


# -- helpers ---------------------------------------------------------------------------------------
def _text(params: dict[str, Any]) -> str:
    return json.dumps(params.get("blocks", [])) + str(params.get("text", ""))


def _buttons(params: dict[str, Any]) -> dict[str, str]:
    """Each button's value as Liaison wrote it (its seal checked and stripped)."""
    return {
        e["action_id"]: opened(e["value"])
        for b in params.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def _open(slack: Slack, text: str = TITLE, *, user: str = "UMED") -> dict[str, Any]:
    """Open a mediation with the slash command: the header's params, with the ts Slack gave it."""
    before = len(slack.api.calls_to("chat.postMessage"))
    slack.command(f"mediate {text}", user=user)
    header = slack.api.wait_for("chat.postMessage", count=before + 1)[before].params
    ts = _mediation(slack).thread_ts  # set once the post returned
    return {**header, "ts": ts}


def _until(found: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
    """What `found` returns once it is truthy (listeners work in the background)."""
    deadline = time.monotonic() + timeout
    while not (result := found()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return result


def _mediation(slack: Slack) -> MediationRecord:
    """The latest mediation, once its header is known."""

    def latest() -> MediationRecord | None:
        with session(slack.deps.engine) as s:
            rows = queries.list_mediations(session=s, engagement=ENGAGEMENT, statuses=cases.MEDIATION_STATUSES)
        return rows[-1] if rows and rows[-1].thread_ts else None

    return _until(latest, "a mediation")


def _timeline(slack: Slack, mediation_id: int, kind: str | None = None) -> list[TimelineEntry]:
    with session(slack.deps.engine) as s:
        entries = queries.mediation_timeline(session=s, mediation_id=mediation_id)
    return [e for e in entries if kind is None or e.kind == kind]


def _get(slack: Slack, mediation_id: int) -> MediationRecord:
    with session(slack.deps.engine) as s:
        found = queries.get_mediation(session=s, mediation_id=mediation_id)
        assert found is not None
        return found


def _updates(slack: Slack, count: int) -> list[Call]:
    return slack.api.wait_for("chat.update", count=count)


def _whispers(slack: Slack, count: int) -> list[dict[str, Any]]:
    return [c.params for c in slack.api.wait_for("chat.postEphemeral", count=count)]


def _field(block_id: str, value: str | None) -> dict[str, Any]:
    if block_id == mb.TO_USER:
        return {block_id: {block_id: {"type": "users_select", "selected_user": value}}}
    return {block_id: {block_id: {"type": "plain_text_input", "value": value}}}


def _submit(slack: Slack, opened: dict[str, Any], fields: dict[str, str | None], *, user: str, view_id: str) -> Any:
    """Submit a modal Liaison opened (`opened` is its `views.open` view) as Slack sends it."""
    values: dict[str, Any] = {}
    for block_id, value in fields.items():
        values.update(_field(block_id, value))
    return slack.submit(
        callback_id=opened["callback_id"],
        metadata=opened["private_metadata"],
        values=values,
        user=user,
        view_id=view_id,
    )


def _modal(slack: Slack, action_id: str, value: str, *, user: str) -> dict[str, Any]:
    """Click a header button that opens a modal: the modal opened."""
    before = len(slack.api.calls_to("views.open"))
    slack.action(action_id, value, user=user)
    return slack.api.wait_for("views.open", count=before + 1)[before].params["view"]


def _drain(slack: Slack) -> None:
    """Wait for every listener still running in the background (the app takes no more requests after)."""
    slack.app.listener_runner.listener_executor.shutdown(wait=True)


# -- opening ---------------------------------------------------------------------------------------
def test_a_mediator_opens_a_mediation_whose_header_is_its_thread(slack_db: Slack) -> None:
    slack = slack_db
    with session(slack.deps.engine) as s:
        issue = issues.create_issue(
            session=s,
            issue_in=IssueCreate(
                engagement=ENGAGEMENT, title="March credits withheld", created_by="UCLIENT", severity=2
            ),
        )
        issue_id = issue.id
    deadline = date.today() + timedelta(days=30)
    header = _open(slack, f"{TITLE} #{issue_id} by {deadline.isoformat()}")
    mediation = _mediation(slack)

    assert header["channel"] == "C1" and "thread_ts" not in header
    assert mediation.thread_ts == mediation.header_ts == header["ts"] == slack.api.messages("C1")[0]["ts"]
    assert mediation.title == TITLE and mediation.deadline == deadline and mediation.related_issue_ids == [issue_id]
    text = _text(header)
    assert f"Mediation #{mediation.id}: {TITLE}" in text and ENGAGEMENT in text and "Open" in text
    assert all(f"<@{user}>" in text for user in ("UMED", "UCLIENT", "UVENDOR"))
    assert f"#{issue_id}" in text and "March credits withheld" in text and "severity 2" in text
    assert deadline.isoformat() in text and "in 30 days" in text
    assert text.count("not yet stated") == 2 and "0 messages pinned" in text and "none yet" in text
    # the clauses found relevant: where each is, and the start of its verbatim quote
    assert mediation.clause_refs and "Schedule B - Service Level Agreement" in text
    for ref in mediation.clause_refs:
        first_line = ref["quote"].strip().split("\n")[0][:40]
        assert json.dumps(mb.escape(first_line))[1:-1] in text and ref["title"] in text
    assert set(_buttons(header)) == BUTTONS and set(_buttons(header).values()) == {str(mediation.id)}
    assert [e.kind for e in _timeline(slack, mediation.id)] == ["created"]


def test_only_mediators_and_admins_may_open_a_mediation(slack: Slack) -> None:
    for n, user in enumerate(("UNOBODY", "UCLIENT"), 1):
        slack.command(f"mediate {TITLE}", user=user)
        refusal = slack.api.wait_for("response_url", count=n)[-1].params
        assert refusal["response_type"] == "ephemeral" and "Only mediators and admins" in refusal["text"]
    assert slack.api.calls_to("chat.postMessage") == [] and count(slack.deps.engine, MediationRecord) == 0
    _open(slack, user="UADM")  # an engagement admin may
    assert count(slack.deps.engine, MediationRecord) == 1


def test_mediate_explains_itself_when_it_cannot_open(slack: Slack) -> None:
    cases_ = [
        ("mediate", "Usage: `/liaison mediate TITLE"),
        ("mediate #3 by 2030-01-01", "Usage: `/liaison mediate TITLE"),
        ("mediate Credits by 2001-01-01", "already past"),
        ("mediate Credits by 2030-02-31", "not a date"),
        ("mediate Credits #99", "no issue #99"),
    ]
    for n, (text, expected) in enumerate(cases_, 1):
        slack.command(text, user="UMED")
        reply = slack.api.wait_for("response_url", count=n)[-1].params
        assert reply["response_type"] == "ephemeral" and expected in reply["text"], (text, reply["text"])
    slack.command(f"mediate {TITLE}", user="UMED", channel="C9")
    reply = slack.api.wait_for("response_url", count=len(cases_) + 1)[-1].params
    assert "/liaison bind" in _text(reply)
    assert slack.api.calls_to("chat.postMessage") == [] and count(slack.deps.engine, MediationRecord) == 0


def test_the_deadline_defaults_to_the_setting(tmp_path: Path, sample_kb: KnowledgeBase) -> None:
    with running_slack(tmp_path, sample_kb, LIAISON_MEDIATION_DEADLINE_DAYS=5) as slack:
        _prepare(slack)
        _open(slack, "Chat backlog")
        assert _mediation(slack).deadline == date.today() + timedelta(days=5)


def test_a_retried_command_opens_one_mediation(slack: Slack) -> None:
    body = slack.api.command_body(text=f"mediate {TITLE}", user="UMED")  # one trigger_id
    for _ in range(3):
        slack.send(body, "application/x-www-form-urlencoded")
    slack.api.wait_for("chat.postMessage")
    _drain(slack)
    assert len(slack.api.calls_to("chat.postMessage")) == 1 and count(slack.deps.engine, MediationRecord) == 1


def test_a_failed_header_post_leaves_no_mediation(slack_db: Slack) -> None:
    slack = slack_db
    slack.api.fail("chat.postMessage", error="not_in_channel", status=200)
    slack.command(f"mediate {TITLE}", user="UMED")
    reply = slack.api.wait_for("response_url")[-1].params
    assert reply["response_type"] == "ephemeral" and "not_in_channel" in reply["text"] and "/invite" in reply["text"]
    assert count(slack.deps.engine, MediationRecord) == 0 and count(slack.deps.engine, TimelineEntry) == 0
    _open(slack)  # once Liaison is in the channel, it works
    assert count(slack.deps.engine, MediationRecord) == 1


# -- positions -------------------------------------------------------------------------------------
def test_positions_are_stated_in_a_modal_by_their_side_or_a_mediator(slack_db: Slack) -> None:
    slack = slack_db
    header = _open(slack)
    value = _buttons(header)[mb.ADD_CLIENT_POSITION]
    slack.action(mb.ADD_CLIENT_POSITION, value, user="UVENDOR")
    [refusal] = _whispers(slack, 1)
    assert refusal["user"] == "UVENDOR" and "Only the client's owners and mediators" in refusal["text"]
    assert slack.api.calls_to("views.open") == []

    opened = _modal(slack, mb.ADD_CLIENT_POSITION, value, user="UCLIENT")
    assert opened["callback_id"] == mb.POSITION_VIEW and meta_of(opened)["side"] == "client"
    inputs = {b["block_id"]: b for b in opened["blocks"] if b["type"] == "input"}
    assert inputs[mb.POSITION]["element"]["multiline"] and not inputs[mb.POSITION]["optional"]
    assert inputs[mb.EVIDENCE]["optional"]
    blank = _submit(slack, opened, {mb.POSITION: "  "}, user="UCLIENT", view_id="VPOS0")
    assert json.loads(blank.body)["response_action"] == "errors"
    fields = {mb.POSITION: "We are owed 4% of fees: <!channel> FRT missed", mb.EVIDENCE: "March SLA report"}
    for _ in range(2):  # Slack delivers the submission twice
        response = _submit(slack, fields=fields, opened=opened, user="UCLIENT", view_id="VPOS1")
        assert response.status == 200 and not response.body
    update = _updates(slack, 1)[0].params
    assert update["channel"] == "C1" and update["ts"] == header["ts"]
    assert "&lt;!channel&gt; FRT missed" in _text(update) and "<!channel>" not in _text(update)
    assert "stated by <@UCLIENT>" in _text(update) and "March SLA report" in _text(update)

    opened = _modal(slack, mb.ADD_VENDOR_POSITION, value, user="UMED")  # a mediator may state it for a side
    _submit(slack, opened, {mb.POSITION: "The outage was the client's telco."}, user="UMED", view_id="VPOS2")
    assert "The outage was the client's telco." in _text(_updates(slack, 2)[-1].params)
    _drain(slack)
    mediation = _mediation(slack)
    assert len(_timeline(slack, mediation.id, "position")) == 2
    with session(slack.deps.engine) as s:
        positions = queries.positions_of(session=s, mediation_id=mediation.id)
    assert positions["client"].author == "UCLIENT" and positions["client"].evidence == "March SLA report"
    assert len(slack.api.calls_to("chat.postMessage")) == 1  # only the header: changes edit it


def test_a_forged_submission_from_someone_without_the_role_is_refused(slack: Slack) -> None:
    header = _open(slack)
    opened = _modal(slack, mb.ADD_CLIENT_POSITION, _buttons(header)[mb.ADD_CLIENT_POSITION], user="UCLIENT")
    response = _submit(slack, opened, {mb.POSITION: "Mine now"}, user="UVENDOR", view_id="VFORGED")
    assert "Only the client's owners" in json.loads(response.body)["errors"][mb.POSITION]
    assert _timeline(slack, _mediation(slack).id, "position") == []


# -- evidence --------------------------------------------------------------------------------------
def _react(slack: Slack, ts: str, *, user: str = "UCLIENT", reaction: str = "pushpin", **kw: Any) -> None:
    item = {"type": "message", "channel": "C1", "ts": ts}
    slack.event({"type": "reaction_added", "user": user, "reaction": reaction, "item": item, "event_ts": "1.1"}, **kw)


def test_a_pinned_reply_in_the_thread_is_added_as_evidence_once(slack_db: Slack) -> None:
    slack = slack_db
    header = _open(slack)
    reply = slack.api.add_message("C1", "Ticket 4411: outage began 09:12", user="UVENDOR", thread_ts=header["ts"])
    elsewhere = slack.api.add_message("C1", "lunch?", user="UVENDOR")
    _react(slack, reply["ts"], event_id="EvPin")
    _react(slack, reply["ts"], event_id="EvPin", retry=1)  # Slack retried the event
    _react(slack, reply["ts"], user="UMED", reaction="round_pushpin")  # someone else pins it too
    _react(slack, reply["ts"], reaction="thumbsup")
    _react(slack, elsewhere["ts"])  # not in a mediation thread
    _react(slack, header["ts"])  # the header itself
    update = _updates(slack, 1)[0].params
    assert update["ts"] == header["ts"] and "1 message pinned" in _text(update)
    _drain(slack)
    [evidence] = _timeline(slack, _mediation(slack).id, "evidence")
    assert (evidence.original_ts, evidence.original_author) == (reply["ts"], "UVENDOR")
    assert evidence.actor in ("UCLIENT", "UMED")  # whoever pinned it first
    assert evidence.text == "Ticket 4411: outage began 09:12"
    assert len(slack.api.calls_to("chat.update")) == 1 and len(slack.api.calls_to("chat.postMessage")) == 1


def test_reactions_on_a_closed_mediation_are_ignored(slack: Slack) -> None:
    header = _open(slack)
    mediation_id = _mediation(slack).id
    with session(slack.deps.engine) as s:
        mediations.withdraw(session=s, mediation_id=mediation_id, actor="UMED", reason="settled")
        mediations.close_mediation(session=s, mediation_id=mediation_id, actor="UMED")
    reply = slack.api.add_message("C1", "late evidence", user="UCLIENT", thread_ts=header["ts"])
    _react(slack, reply["ts"])
    _drain(slack)
    assert _timeline(slack, mediation_id, "evidence") == [] and slack.api.calls_to("chat.update") == []


# -- summary ---------------------------------------------------------------------------------------
def test_summarise_posts_a_neutral_summary_in_the_thread(slack: Slack) -> None:
    header = _open(slack)
    mediation_id = _mediation(slack).id
    with session(slack.deps.engine) as s:
        for side, user, text in (
            ("client", "UCLIENT", "First response time was missed in March. Service credits of 4% are due."),
            ("vendor", "UVENDOR", "First response time was missed in March. The cause was a telco outage."),
        ):
            mediations.state_position(session=s, mediation_id=mediation_id, side=side, author=user, text=text)
    slack.action(mb.SUMMARISE, str(mediation_id), user="UCLIENT")
    summary = slack.api.wait_for("chat.postMessage", count=2)[1].params
    assert summary["channel"] == "C1" and summary["thread_ts"] == header["ts"]
    assert "First response time was missed in March" in _text(summary)
    [entry] = _until(lambda: _timeline(slack, mediation_id, "summary"), "the summary on the timeline")
    assert "telco outage" in entry.text and entry.actor == "UCLIENT"
    slack.action(mb.SUMMARISE, str(mediation_id), user="UVENDOR")  # nothing new since: no second post
    assert "still current" in _whispers(slack, 1)[0]["text"]
    assert len(slack.api.calls_to("chat.postMessage")) == 2


# -- outcomes --------------------------------------------------------------------------------------
def test_a_proposal_agreed_by_both_sides_is_closed_by_a_mediator(slack_db: Slack) -> None:
    slack = slack_db
    header = _open(slack)
    value = _buttons(header)[mb.CLOSE]
    mediation_id = int(value)

    slack.action(mb.CLOSE, value, user="UMED")
    assert "Both sides must agree" in _whispers(slack, 1)[-1]["text"]
    slack.action(mb.AGREE, value, user="UCLIENT")
    assert "no proposal to agree to" in _whispers(slack, 2)[-1]["text"]

    opened = _modal(slack, mb.PROPOSE, value, user="UMED")
    assert opened["callback_id"] == mb.PROPOSAL_VIEW
    _submit(slack, opened, {mb.PROPOSAL: "Credits of 2% on the March invoice."}, user="UMED", view_id="VPROP")
    assert "Proposal on the table" in _text(_updates(slack, 1)[-1].params)

    slack.action(mb.AGREE, value, user="UMED")  # a mediator proposes but never agrees for a side
    assert "Only the client's owner or the vendor's owner" in _whispers(slack, 3)[-1]["text"]
    slack.action(mb.AGREE, value, user="UCLIENT")
    assert "Client :white_check_mark: <@UCLIENT>" in _text(_updates(slack, 2)[-1].params)
    slack.action(mb.AGREE, value, user="UVENDOR")
    agreed = _updates(slack, 3)[-1].params
    assert "Agreed by both sides" in _text(agreed) and "Agreed outcome" in _text(agreed)
    assert set(_buttons(agreed)) == {mb.SUMMARISE, mb.ESCALATE, mb.CLOSE}

    slack.action(mb.CLOSE, value, user="UCLIENT")  # an owner may not close
    assert "Only mediators and admins" in _whispers(slack, 4)[-1]["text"]
    assert _get(slack, mediation_id).status == "agreed"
    slack.action(mb.CLOSE, value, user="UMED")
    closed = _updates(slack, 4)[-1].params
    assert "Closed" in _text(closed) and _buttons(closed) == {}
    _drain(slack)
    mediation = _get(slack, mediation_id)
    assert (mediation.status, mediation.client_agreed_by, mediation.vendor_agreed_by) == (
        "closed",
        "UCLIENT",
        "UVENDOR",
    )
    assert mediation.outcome_text == "Credits of 2% on the March invoice."
    updates = slack.api.calls_to("chat.update")
    assert len(updates) == 4 and {(c.params["channel"], c.params["ts"]) for c in updates} == {("C1", header["ts"])}
    assert len(slack.api.calls_to("chat.postMessage")) == 1


def test_two_agree_clicks_at_the_same_moment_both_count(slack_db: Slack) -> None:
    slack = slack_db
    _open(slack)
    mediation_id = _mediation(slack).id
    with session(slack.deps.engine) as s:
        mediations.record_proposal(session=s, mediation_id=mediation_id, actor="UMED", text="Credits of 2%.")
    users, lock = itertools.cycle(["UCLIENT", "UVENDOR"]), threading.Lock()

    def click() -> int:
        with lock:
            user = next(users)
        return slack.action(mb.AGREE, str(mediation_id), user=user).status

    assert at_once(2, click) == [200, 200]
    _updates(slack, 2)
    _drain(slack)
    mediation = _get(slack, mediation_id)
    assert (mediation.status, mediation.client_agreed_by, mediation.vendor_agreed_by) == (
        "agreed",
        "UCLIENT",
        "UVENDOR",
    )
    agreed = [e.data["side"] for e in _timeline(slack, mediation_id, "outcome") if "side" in e.data]
    assert sorted(agreed) == ["client", "vendor"]
    assert "Agreed by both sides" in _text(slack.api.calls_to("chat.update")[-1].params)


def test_escalate_then_withdraw_then_close(slack: Slack) -> None:
    header = _open(slack)
    value = _buttons(header)[mb.ESCALATE]
    slack.action(mb.ESCALATE, value, user="UNOBODY")
    assert "Only mediators and the client's or vendor's owners" in _whispers(slack, 1)[0]["text"]
    opened = _modal(slack, mb.ESCALATE, value, user="UVENDOR")
    response = _submit(
        slack, opened, {mb.REASON: "Stuck", mb.TO_USER: None, mb.TO_TEXT: ""}, user="UVENDOR", view_id="V1"
    )
    assert set(json.loads(response.body)["errors"]) == {mb.TO_USER}
    _submit(slack, opened, {mb.REASON: "Stuck on the cause", mb.TO_USER: "UBOSS"}, user="UVENDOR", view_id="V2")
    escalated = _updates(slack, 1)[-1].params
    assert "Escalated to:* <@UBOSS>" in _text(escalated)
    assert set(_buttons(escalated)) == {mb.SUMMARISE, mb.WITHDRAW, mb.CLOSE}

    opened = _modal(slack, mb.WITHDRAW, value, user="UMED")
    _submit(slack, opened, {mb.REASON: "Settled between the account leads"}, user="UMED", view_id="V3")
    assert "Withdrawn" in _text(_updates(slack, 2)[-1].params)
    slack.action(mb.CLOSE, value, user="UADM")  # an engagement admin may close
    _updates(slack, 3)
    _drain(slack)
    mediation = _get(slack, int(value))
    assert mediation.status == "closed" and mediation.escalated_to == "UBOSS"
    notes = [e.data.get("note") for e in _timeline(slack, mediation.id, "status")]
    assert notes[:2] == ["to UBOSS: Stuck on the cause", "Settled between the account leads"]


def test_buttons_of_a_finished_step_say_why_not(slack: Slack) -> None:
    header = _open(slack)
    mediation_id = _mediation(slack).id
    with session(slack.deps.engine) as s:
        mediations.withdraw(session=s, mediation_id=mediation_id, actor="UMED")
    slack.action(mb.ADD_CLIENT_POSITION, _buttons(header)[mb.ADD_CLIENT_POSITION], user="UCLIENT")
    assert "is withdrawn: you can't state positions now" in _whispers(slack, 1)[0]["text"]
    assert slack.api.calls_to("views.open") == []


# -- Block Kit limits ------------------------------------------------------------------------------
def _case(**kw: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": 7,
        "engagement": ENGAGEMENT,
        "title": "T",
        "status": "open",
        "channel_id": "C1",
        "deadline": "2030-01-31",
        "opened_by": "UMED",
        "outcome_text": None,
        "escalated_to": None,
        "clause_refs": [],
        "client_agreed_by": None,
        "vendor_agreed_by": None,
        "positions": {},
        "evidence_count": 0,
        "issues": [],
        "parties": {"mediators": ["UMED"], "client_owners": ["UCLIENT"], "vendor_owners": ["UVENDOR"]},
    }
    case.update(kw)
    return case


def test_the_header_stays_within_slacks_limits_and_escapes_user_text() -> None:
    long = "<!channel> " + "word " * 2000
    ref = {"document": "d.md", "section": "1", "page": 3, "quote": long}
    issue = {"id": 1, "title": long, "severity": 1, "status": "open"}
    case = _case(
        title=long,
        clause_refs=[ref] * 4,
        issues=[issue] * 30,
        outcome_text=long,
        positions={"client": {"author": "UCLIENT", "text": long, "evidence": long, "at": "2030-01-01T10:00:00+00:00"}},
    )
    built = mb.header_blocks(case, today=date(2030, 1, 1))
    assert len(built) <= 50
    for block in built:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] in ("section", "context"):
            texts = [block["text"]] if block["type"] == "section" else block["elements"]
            assert all(len(t["text"]) <= 3000 for t in texts)
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000
    assert "<!channel>" not in json.dumps([b for b in built if b["type"] != "header"])
    assert "&lt;!channel&gt;" in json.dumps(built)
    modal = mb.position_modal(case, side="client", channel="C1")
    assert len(modal["private_metadata"]) <= 3000 and len(modal["title"]["text"]) <= 24


def test_a_client_channel_does_not_mention_the_vendors_owners() -> None:
    text = json.dumps(mb.header_blocks(_case(), side="client"))
    assert "<@UCLIENT>" in text and "<@UVENDOR>" not in text and "not mentioned" in text


def test_the_command_text_gives_title_issues_and_deadline() -> None:
    today = date(2030, 1, 1)
    request, _ = mb.read_mediate_text("March credits #12 by 2030-02-01 #13", today=today, default_days=14)
    assert request == mb.MediateRequest("March credits", (12, 13), date(2030, 2, 1))
    request, _ = mb.read_mediate_text("Billing by the vendor", today=today, default_days=14)
    assert request == mb.MediateRequest("Billing by the vendor", (), date(2030, 1, 15))
    # the options come last: a number or a date inside the title is part of it
    request, _ = mb.read_mediate_text("Invoice #4411 billed twice by 2029-12-01 mistake", today=today, default_days=1)
    assert request == mb.MediateRequest("Invoice #4411 billed twice by 2029-12-01 mistake", (), date(2030, 1, 2))


def test_a_forged_button_value_is_told_the_mediation_does_not_exist(slack: Slack) -> None:
    # sealed, as Liaison could have written them (for a mediation since deleted, say): they reach the listener
    for value in ("not-a-number", "999"):
        for action_id in (mb.AGREE, mb.SUMMARISE, mb.PROPOSE, mb.CLOSE):
            assert slack.action(action_id, sealed(value), user="UMED").status == 200
    whispers = _whispers(slack, 8)
    assert all(w["text"] == "That mediation no longer exists." for w in whispers)
    assert slack.api.calls_to("views.open") == [] and slack.api.calls_to("chat.update") == []
    # unsealed, the gate refuses them before any listener runs
    assert slack.action(mb.CLOSE, "999", user="UMED", forged=True).status == 200
    assert slack.api.wait_for("response_url")[-1].params["text"] == seal.REFUSED
    _drain(slack)
    assert len(slack.api.calls_to("chat.postEphemeral")) == 8
    assert slack.api.calls_to("views.open") == [] and slack.api.calls_to("chat.update") == []


def test_a_form_without_liaisons_metadata_is_refused_in_the_modal(slack: Slack) -> None:
    position = {mm.POSITION: {mm.POSITION: {"type": "plain_text_input", "value": "We are owed credits."}}}
    proposal = {mm.PROPOSAL: {mm.PROPOSAL: {"type": "plain_text_input", "value": "Split the credits."}}}
    for callback, values, block, metadata in (
        (mm.POSITION_VIEW, position, mm.POSITION, ""),
        (mm.POSITION_VIEW, position, mm.POSITION, json.dumps({"mediation_id": 1, "side": "judge"})),
        (mm.PROPOSAL_VIEW, proposal, mm.PROPOSAL, "not json"),
        (mm.PROPOSAL_VIEW, proposal, mm.PROPOSAL, json.dumps({"mediation_id": "x"})),
    ):
        response = slack.submit(callback_id=callback, metadata=metadata, values=values, user="UMED", view_id="VX")
        body = json.loads(response.body)
        assert body["response_action"] == "errors" and set(body["errors"]) == {block}, (callback, metadata, body)
    assert count(slack.deps.engine, MediationRecord) == 0 and slack.api.calls_to("chat.update") == []
