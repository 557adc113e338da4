"""The App Home tab: what `home_for` gathers (SQLite and PostgreSQL), the view it renders, and the tab in Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from bot import home, issues, records
from bot.cli.demo import samples_dir
from bot.db import session
from bot.home import Deadline, EngagementHome, Home, HomeIssue, HomeMediation, Standing
from bot.localslack.bodies import action_body
from bot.mediation import lifecycle as mediations
from bot.records.case_schemas import IssueCreate
from bot.records.questions import questions_since
from bot.records.roles import grant_role
from bot.records.tables import EPOCH, Feedback, QuestionRecord
from bot.slack.blocks import home as hb
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT, count
from tests.test_slack_app import CLIENT_SECRETS, VENDOR_SECRETS, Slack, meta_of, opened, running_slack, sealed

TODAY = date(2026, 3, 10)


@pytest.fixture
def slack(tmp_path: Path, sample_kb: KnowledgeBase) -> Iterator[Slack]:
    """The app, a fresh database and the local Slack API, as in tests/test_slack_app.py."""
    with running_slack(tmp_path, sample_kb) as running:
        yield running


def _local_today() -> date:
    """The date the app uses: the local Slack API says every user is in New York."""
    return datetime.now(ZoneInfo("America/New_York")).date()


# -- home_for, on SQLite and PostgreSQL ----------------------------------------------------------
def _grant(s: Any, user: str, role: str, engagement: str = "acme") -> None:
    grant_role(session=s, engagement=engagement, user_id=user, role=role, granted_by="cli")


def _bind(s: Any, channel: str, side: str, engagement: str = "acme") -> None:
    records.bind_channel(
        session=s, channel_id=channel, team_id="T1", engagement=engagement, side=side, user_id="UADMIN"
    )


def _issue(s: Any, title: str, *, owner: str, severity: int = 3, due: date | None = None, engagement: str = "acme"):
    return issues.create_issue(
        session=s,
        issue_in=IssueCreate(
            engagement=engagement, title=title, created_by="UX", owner=owner, severity=severity, due=due
        ),
    )


def test_home_gathers_the_engagements_a_person_is_part_of(db: Engine) -> None:
    with session(db) as s:
        _grant(s, "UC", "client-owner")
        for channel, side in (("CV", "vendor"), ("CS", "shared"), ("CC", "client")):
            _bind(s, channel, side)
        later = _issue(s, "Chat backlog", owner="UC", severity=3, due=TODAY + timedelta(days=5))
        worst = _issue(s, "Outage on the IVR", owner="UC", severity=1, due=TODAY - timedelta(days=2))
        _issue(s, "Someone else's", owner="UOTHER", severity=1)
        done = _issue(s, "Already fixed", owner="UC")
        issues.set_issue_status(session=s, issue_id=done.id, status="resolved", actor="UC")
        _issue(s, "Globex invoice", owner="UC", engagement="globex")  # no role there: an owned issue is enough
        shared = mediations.open_mediation(
            session=s,
            engagement="acme",
            title="Credits for October",
            channel_id="CS",
            opened_by="UV",
            deadline=TODAY + timedelta(days=1),
        )
        mediations.open_mediation(
            session=s, engagement="acme", title="Vendor-side only", channel_id="CV", opened_by="UV"
        )
        closed = mediations.open_mediation(session=s, engagement="acme", title="Old", channel_id="CS", opened_by="UC")
        mediations.withdraw(session=s, mediation_id=closed.id, actor="UC")
        initech = mediations.open_mediation(
            session=s, engagement="initech", title="Rates", channel_id="CI", opened_by="UZ"
        )
        mediations.state_position(session=s, mediation_id=initech.id, side="client", author="UC", text="Too high")
        mediations.open_mediation(session=s, engagement="hooli", title="Not theirs", channel_id="CH", opened_by="UZ")

        got = home.home_for(session=s, user_id="UC", today=TODAY)

    assert [e.engagement for e in got.engagements] == ["acme", "globex", "initech"]
    acme = got.get("acme")
    assert acme is not None
    assert acme.standing == Standing("acme", ("client-owner",), "client", "CC")
    assert [i.id for i in acme.issues] == [worst.id, later.id]
    assert acme.issues[0].days_left == -2 and acme.issues[1].due == TODAY + timedelta(days=5)
    assert [m.title for m in acme.mediations] == ["Credits for October"]  # not the vendor channel's, not withdrawn
    assert acme.mediations[0].id == shared.id and acme.mediations[0].channel_id == "CS"
    assert [(d.kind, d.ref, d.overdue) for d in acme.deadlines] == [
        ("issue", worst.id, True),
        ("mediation", shared.id, False),
        ("issue", later.id, False),
    ]
    globex = got.get("globex")
    assert globex is not None and globex.standing == Standing("globex", (), "shared", None)
    assert [i.title for i in globex.issues] == ["Globex invoice"] and globex.mediations == ()
    initech_home = got.get("initech")
    assert initech_home is not None
    [rates] = initech_home.mediations
    assert rates.involvement == ("client position",) and rates.positions == ("client",)


def test_a_proposal_awaits_the_persons_side_and_says_who_agreed(db: Engine) -> None:
    with session(db) as s:
        _grant(s, "UV", "vendor-owner")
        _grant(s, "UM", "mediator")
        m = mediations.open_mediation(session=s, engagement="acme", title="Refund", channel_id="CS", opened_by="UM")
        mediations.record_proposal(session=s, mediation_id=m.id, actor="UM", text="Split it")
        mediations.agree(session=s, mediation_id=m.id, side="client", user_id="UC")
        vendor = home.home_for(session=s, user_id="UV", today=TODAY).engagements[0].mediations[0]
        mediator = home.home_for(session=s, user_id="UM", today=TODAY).engagements[0].mediations[0]
        client = home.home_for(session=s, user_id="UC", today=TODAY).engagements[0].mediations[0]
    assert vendor.awaiting_you and vendor.agreed == ("client",) and vendor.status == "proposal"
    assert not mediator.awaiting_you and mediator.involvement == ("mediator", "opened it")
    assert client.involvement == ("agreed for the client",)  # no role: party to it by agreeing


def test_sides_and_the_channel_issues_are_confirmed_in(db: Engine) -> None:
    assert home.side_of(["client-owner"]) == "client"
    assert home.side_of(["vendor-owner"]) == "vendor"
    for roles in (["client-owner", "vendor-owner"], ["mediator"], ["admin"], ["owner"], []):
        assert home.side_of(roles) == "shared"
    with session(db) as s:
        _grant(s, "UV", "vendor-owner")
        _grant(s, "UC", "client-owner")
        _bind(s, "CC", "client")
        assert home.standing_in(session=s, user_id="UV", engagement="acme") == Standing(
            "acme", ("vendor-owner",), "vendor", None
        )  # never the client's channel: the confirmation DMs them
        _bind(s, "CS", "shared")
        assert home.standing_in(session=s, user_id="UV", engagement="acme").channel == "CS"
        assert home.standing_in(session=s, user_id="UC", engagement="acme").channel == "CC"
        assert home.standing_in(session=s, user_id="USTRANGER", engagement="acme") is None


def test_deadlines_are_soonest_first_and_capped(db: Engine) -> None:
    with session(db) as s:
        for n in range(13):
            _issue(s, f"Issue {n}", owner="UC", due=TODAY + timedelta(days=12 - n))
        engagement = home.home_for(session=s, user_id="UC", today=TODAY).engagements[0]
    assert [d.days_left for d in engagement.deadlines] == list(range(0, 10))
    assert engagement.more_deadlines == 3 and engagement.deadlines[0].title == "Issue 12"


# -- the view -----------------------------------------------------------------------------------
def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        for element in block.get("elements", []):
            out.append(element["text"] if isinstance(element.get("text"), str) else element["text"]["text"])
        if "accessory" in block:
            out.append(block["accessory"]["text"]["text"])
    return out


def test_a_crowded_home_stays_within_slacks_limits() -> None:
    title = "<!channel> " + "very long title " * 30
    issue = HomeIssue(1, title, 1, "open", TODAY, -3, None)
    mediation = HomeMediation(2, title, "open", "C1", "1700000000.000100", None, None, 4, ("mediator",), (), (), False)
    deadline = Deadline(TODAY, -3, "issue", 1, title)
    engagements = tuple(
        EngagementHome(
            Standing(f"eng-{n}", ("mediator",), "shared", "C1"), (issue,) * 30, (mediation,) * 20, (deadline,) * 10, 5
        )
        for n in range(20)
    )
    view = hb.home_view(Home("U1", TODAY, engagements), workspace_url="https://acme.slack.com/")
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "more engagements not shown" in json.dumps(view["blocks"][-1])
    assert all(len(t) <= 3000 for t in _texts(view["blocks"]))
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert all(len(b["text"]["text"]) <= 75 for b in buttons)
    dumped = json.dumps(view)
    assert "<!channel>" not in dumped and "&lt;!channel&gt;" in dumped
    assert "and 20 more" in dumped and "and 12 more mediations" in dumped and "and 5 more later" in dumped


def test_an_empty_home_explains_how_to_get_started() -> None:
    view = hb.home_view(Home("U42", TODAY, ()))
    text = json.dumps(view)
    assert view["type"] == "home"
    assert "/liaison bind" in text and "liaison roles grant" in text and "--user U42" in text


def test_a_thread_link_needs_the_workspace_url() -> None:
    link = hb.thread_link(channel="C1", thread_ts="1700000000.000100", workspace_url="https://acme.slack.com/")
    assert link == "<https://acme.slack.com/archives/C1/p1700000000000100|open the thread> in <#C1>"
    assert hb.thread_link(channel="C1", thread_ts="1700000000.000100", workspace_url=None).endswith("in <#C1>")
    assert hb.thread_link(channel="C1", thread_ts=None, workspace_url="https://acme.slack.com/") == "in <#C1>"


# -- the tab in Slack ---------------------------------------------------------------------------
def _open_home(slack: Slack, user: str, tab: str = "home") -> None:
    slack.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": tab, "event_ts": "1.1"})


def _published(slack: Slack, count: int = 1) -> dict[str, Any]:
    return slack.api.wait_for("views.publish", count=count)[count - 1].params


def _home_click(slack: Slack, action_id: str, value: str, *, user: str) -> None:
    """A click on a Home tab button, its value sealed as Liaison writes it (one read back from a view already is)."""
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home", "callback_id": "", "private_metadata": "", "hash": "1.h"},
        "trigger_id": "1.2.home",
        "actions": [
            {"action_id": action_id, "value": sealed(value), "type": "button", "block_id": "b", "action_ts": "1.1"}
        ],
    }
    slack.send(action_body(payload), "application/x-www-form-urlencoded")


def _ask(slack: Slack, question: str, *, user: str, side: str, view_id: str = "VASK1", round_: int = 0) -> Any:
    block_id = f"question_{round_}"
    return slack.submit(
        callback_id=hb.ASK_CALLBACK,
        metadata=json.dumps({"engagement": ENGAGEMENT, "side": side, "round": round_}),
        values={block_id: {block_id: {"type": "plain_text_input", "value": question}}},
        user=user,
        view_id=view_id,
    )


def _seed(slack: Slack) -> dict[str, Any]:
    today = _local_today()
    with session(slack.deps.engine) as s:
        _grant(s, "UC", "client-owner", ENGAGEMENT)
        _grant(s, "UV", "vendor-owner", ENGAGEMENT)
        _grant(s, "UM", "mediator", ENGAGEMENT)
        _bind(s, "CC", "client", ENGAGEMENT)
        _bind(s, "CS", "shared", ENGAGEMENT)
        mine = _issue(
            s, "Invoice 4411 billed twice", owner="UC", severity=2, due=today - timedelta(days=1), engagement=ENGAGEMENT
        )
        _issue(s, "Vendor's staffing gap", owner="UV", severity=1, engagement=ENGAGEMENT)
        m = mediations.open_mediation(
            session=s,
            engagement=ENGAGEMENT,
            title="October service credits",
            channel_id="CS",
            opened_by="UM",
            deadline=today + timedelta(days=4),
        )
        mediations.set_mediation_thread(session=s, mediation_id=m.id, thread_ts="1700000000.000100")
        return {"issue": mine.id, "mediation": m.id}


def test_opening_the_home_tab_publishes_the_persons_engagement(slack: Slack) -> None:
    ids = _seed(slack)
    _open_home(slack, "UC")
    published = _published(slack)
    assert published["user_id"] == "UC"
    view = published["view"]
    text = json.dumps(view)
    assert view["type"] == "home"
    assert ENGAGEMENT in text and "client-owner" in text
    assert f"*#{ids['issue']}* `2 - high` Invoice 4411 billed twice" in text and "overdue by 1 day" in text
    assert "Vendor's staffing gap" not in text  # someone else's issue
    assert "October service credits" in text and "in 4 days" in text
    assert "https://acme.slack.com/archives/CS/p1700000000000100" in text and "<#CS>" in text
    assert "new issues are confirmed in <#CC>" in text
    buttons = {e["action_id"]: e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert opened(buttons[hb.LOG_ISSUE]["value"]) == ENGAGEMENT and opened(buttons[hb.ASK]["value"]) == ENGAGEMENT
    assert buttons[hb.LOG_ISSUE]["text"]["text"] == "Log an issue"
    assert buttons[hb.ASK]["text"]["text"] == "Ask a question"


def test_the_messages_tab_publishes_nothing_and_a_newcomer_gets_started(slack: Slack) -> None:
    _open_home(slack, "UNEW", tab="messages")
    _open_home(slack, "UNEW")
    view = _published(slack)["view"]
    slack.app.listener_runner.listener_executor.shutdown(wait=True)
    assert len(slack.api.calls_to("views.publish")) == 1
    assert "/liaison bind" in json.dumps(view) and "liaison roles grant" in json.dumps(view)


def test_refresh_publishes_the_home_again(slack: Slack) -> None:
    _seed(slack)
    _home_click(slack, hb.REFRESH, "refresh", user="UV")
    text = json.dumps(_published(slack)["view"])
    assert "Vendor's staffing gap" in text and "Invoice 4411" not in text


def test_log_an_issue_opens_the_issue_modal_for_the_engagement_and_side(slack: Slack) -> None:
    _seed(slack)
    _home_click(slack, hb.LOG_ISSUE, ENGAGEMENT, user="UC")
    _home_click(slack, hb.LOG_ISSUE, ENGAGEMENT, user="UV")  # no vendor channel, but a shared one
    _home_click(slack, hb.LOG_ISSUE, ENGAGEMENT, user="UNEW")  # no part of it
    shown = [c.params for c in slack.api.wait_for("views.open", count=3)]
    by_meta = [meta_of(o["view"]) if o["view"].get("private_metadata") else {} for o in shown]
    assert {"channel": "CC", "engagement": ENGAGEMENT} in by_meta  # the side follows from the channel
    assert {"channel": "CS", "engagement": ENGAGEMENT} in by_meta
    assert all(o["trigger_id"] == "1.2.home" for o in shown)
    issue_views = [o["view"] for o in shown if o["view"]["callback_id"] == "log_issue"]
    assert len(issue_views) == 2
    refused = next(o["view"] for o in shown if o["view"]["callback_id"] != "log_issue")
    assert "no longer part" in json.dumps(refused)


def test_log_an_issue_without_a_channel_confirms_in_a_dm(slack: Slack) -> None:
    with session(slack.deps.engine) as s:
        _grant(s, "UV", "vendor-owner", ENGAGEMENT)
        _bind(s, "CC", "client", ENGAGEMENT)  # the client's channel is not the vendor's to post in
    _home_click(slack, hb.LOG_ISSUE, ENGAGEMENT, user="UV")
    view = slack.api.wait_for("views.open")[0].params["view"]
    assert meta_of(view) == {"channel": "UV", "engagement": ENGAGEMENT}


def test_ask_a_question_opens_a_modal_for_the_engagement(slack: Slack) -> None:
    _seed(slack)
    _home_click(slack, hb.ASK, ENGAGEMENT, user="UV")
    view = slack.api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == hb.ASK_CALLBACK and view["submit"]["text"] == "Ask"
    assert meta_of(view) == {"engagement": ENGAGEMENT, "side": "vendor", "round": 0}
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["question_0"]


def _sample_text() -> str:
    return " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in (samples_dir() / ENGAGEMENT).glob("*.md"))


def test_a_question_from_the_home_is_answered_in_the_modal_with_a_verbatim_quote(slack: Slack) -> None:
    _seed(slack)
    response = _ask(slack, "whats the credit cap?", user="UM", side="shared")
    body = json.loads(response.body)
    assert body["response_action"] == "update" and "Looking through the contracts" in json.dumps(body["view"])
    assert "submit" not in body["view"]
    [updated] = [c.params for c in slack.api.wait_for("views.update", timeout=30)]
    assert updated["view_id"] == "VASK1"
    view = updated["view"]
    text = json.dumps(view)
    assert "15%" in text and "Amendment" in text
    with session(slack.deps.engine) as s:
        [row] = questions_since(session=s, engagement=ENGAGEMENT, since=EPOCH)
    assert row.side == "shared" and row.user_id == "UM" and row.source_key == "home:view:VASK1:0"
    quote = " ".join(row.citations[0]["quote"].split())
    assert quote in _sample_text()
    action_ids = {e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert action_ids <= {"feedback_up", "feedback_down"}  # no share or ask-the-owner in a modal
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["question_1"]
    assert meta_of(view)["round"] == 1 and len(view["blocks"]) <= 100


def test_a_vendor_owner_never_gets_client_only_clauses(slack: Slack) -> None:
    _seed(slack)
    question = "What is our budget ceiling for outsourced customer care from March 2028?"
    _ask(slack, question, user="UV", side="client", view_id="VV")  # the modal's side is not trusted
    vendor = json.dumps(slack.api.wait_for("views.update", timeout=30)[0].params["view"])
    _ask(slack, question, user="UC", side="client", view_id="VC")
    client = json.dumps(slack.api.wait_for("views.update", count=2, timeout=30)[1].params["view"])
    assert not any(secret in vendor for secret in CLIENT_SECRETS)
    assert "9.6" in client
    _ask(slack, "What is the target gross margin for SOW No. 1?", user="UM", side="vendor", view_id="VM")
    mediator = json.dumps(slack.api.wait_for("views.update", count=3, timeout=30)[2].params["view"])
    assert not any(secret in mediator for secret in VENDOR_SECRETS + CLIENT_SECRETS)


def test_a_retried_question_is_answered_once(slack: Slack) -> None:
    _seed(slack)
    first = _ask(slack, "whats the credit cap?", user="UC", side="client")
    slack.api.wait_for("views.update", timeout=30)
    again = _ask(slack, "whats the credit cap?", user="UC", side="client")
    slack.app.listener_runner.listener_executor.shutdown(wait=True)
    assert len(slack.api.calls_to("views.update")) == 1
    assert count(slack.deps.engine, QuestionRecord) == 1
    assert json.loads(first.body)["response_action"] == "update"
    repeated = json.loads(again.body)
    assert repeated["response_action"] == "update" and "15%" in json.dumps(repeated["view"])  # not closed


def test_an_empty_question_is_refused_in_the_modal(slack: Slack) -> None:
    _seed(slack)
    body = json.loads(_ask(slack, "   ", user="UC", side="client").body)
    assert body == {"response_action": "errors", "errors": {"question_0": "Type a question."}}


def test_an_issue_logged_without_a_channel_is_confirmed_in_a_dm(slack: Slack) -> None:
    from tests.test_slack_issues import FILLED, _submit

    with session(slack.deps.engine) as s:
        _grant(s, "U1", "client-owner", ENGAGEMENT)  # in a DM the card reads as the person stands in the engagement
    response = _submit(slack, FILLED, channel="U1")  # the channel the Home's modal carries when none is bound
    assert response.status == 200 and not response.body  # logged, the modal closed
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    assert posted["channel"] == "U1" and "Invoice 4411 billed twice" in posted["text"]


def test_feedback_on_an_answer_in_the_modal_is_recorded(slack: Slack) -> None:
    _seed(slack)
    _ask(slack, "whats the credit cap?", user="UC", side="client")
    view = slack.api.wait_for("views.update", timeout=30)[0].params["view"]
    [up] = [
        e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "feedback_up"
    ]
    _home_click(slack, "feedback_up", up["value"], user="UC")
    slack.app.listener_runner.listener_executor.shutdown(wait=True)
    assert count(slack.deps.engine, Feedback) == 1


def test_feedback_in_the_modal_is_thanked_in_place(slack: Slack) -> None:
    _seed(slack)
    _ask(slack, "whats the credit cap?", user="UC", side="client")
    answered = slack.api.wait_for("views.update", timeout=30)[0].params["view"]
    [up] = [
        e
        for b in answered["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "feedback_up"
    ]
    shown = {**answered, "id": "VASK1", "hash": "2.h", "team_id": "T1", "state": {"values": {}}}
    payload = {
        "type": "block_actions",
        "user": {"id": "UC"},
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "container": {"type": "view", "view_id": "VASK1"},
        "view": shown,
        "trigger_id": "1.2.fb",
        "actions": [{"action_id": "feedback_up", "value": up["value"], "type": "button", "block_id": "fb"}],
    }
    slack.send(action_body(payload), "application/x-www-form-urlencoded")
    thanked = slack.api.wait_for("views.update", count=2)[1].params
    assert thanked["view_id"] == "VASK1" and thanked["hash"] == "2.h"
    view = thanked["view"]
    assert "feedback_up" not in json.dumps(view) and "Thanks, noted" in json.dumps(view)
    assert not {"id", "hash", "team_id", "state"} & set(view) and view["callback_id"] == answered["callback_id"]
    kept = [b for b in view["blocks"] if b["type"] == "input"]
    assert kept == [b for b in answered["blocks"] if b["type"] == "input"]
    assert count(slack.deps.engine, Feedback) == 1


def test_an_ask_form_without_liaisons_metadata_answers_nothing(slack: Slack) -> None:
    _seed(slack)
    values = {f"{hb.QUESTION}_0": {f"{hb.QUESTION}_0": {"type": "plain_text_input", "value": "whats the credit cap?"}}}
    response = slack.submit(callback_id=hb.ASK_CALLBACK, metadata="not json", values=values, user="UC", view_id="VB")
    assert response.status == 200
    slack.app.listener_runner.listener_executor.shutdown(wait=True)
    shown = json.dumps([c.params for c in slack.api.calls_to("views.update")]) + (response.body or "")
    assert "12%" not in shown and "15%" not in shown  # no engagement: nothing from any contract
