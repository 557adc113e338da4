"""The deadlines register in Slack: `/liaison deadlines` and the reminders' buttons (Mark done, Snooze, Open a
mediation), through the real Bolt app (signed requests, sealed values) and slack_sdk client against the local
Slack API, on real records."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot import home
from bot.db import session
from bot.deadlines import reviews
from bot.mediation import workflows as mediation
from bot.records import deadline_reminders as ledger
from bot.records import deadlines as records
from bot.records.cases import MediationRecord
from bot.records.roles import grant_role
from bot.slack import seal
from bot.slack.blocks import deadlines as db
from bot.slack.blocks import home as hb
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT
from tests.test_deadline_reminders import bound, posts, run, seed
from tests.test_slack_app import Slack, opened


@pytest.fixture
def slack(tmp_path: Path, fake_kb: KnowledgeBase) -> Iterator[Slack]:
    with bound(tmp_path, fake_kb) as running:
        for channel, side in (("CC", "client"), ("CV", "vendor"), ("CS", "shared")):
            running.bind(channel, side)
        with session(running.deps.engine) as s:
            for user, role in (("UM", "mediator"), ("UC", "client-owner")):
                grant_role(session=s, engagement=ENGAGEMENT, user_id=user, role=role, granted_by="cli")
        yield running


def _reply(slack: Slack, count: int = 1) -> dict[str, Any]:
    return slack.api.wait_for("response_url", count=count)[-1].params


def _text(params: dict[str, Any]) -> str:
    return json.dumps(params.get("blocks") or [], ensure_ascii=False)


def _buttons(params: dict[str, Any]) -> dict[str, list[str]]:
    """Each button's action id and the ids it carries (opened from their seals)."""
    out: dict[str, list[str]] = {}
    for b in params.get("blocks") or []:
        for e in b.get("elements", []) if b["type"] == "actions" else []:
            out.setdefault(e["action_id"], []).append(opened(e["value"]))
    return out


def _status(slack: Slack, deadline_id: int) -> str:
    with session(slack.deps.engine) as s:
        row = records.deadline_by_id(s, deadline_id)
        assert row is not None
        return row.status


def _today(slack: Slack) -> Any:
    return mediation.today(slack.deps)


def _threaded(slack: Slack) -> MediationRecord | None:
    with session(slack.deps.engine) as s:
        found = list(s.exec(select(MediationRecord)))
    return found[0] if len(found) == 1 and found[0].thread_ts else None


def _eventually(probe: Callable[[], MediationRecord | None], seconds: float = 5.0) -> MediationRecord:
    """What `probe` finds once the listener (run after Bolt's ack) has written it."""
    stop = time.monotonic() + seconds
    while (found := probe()) is None:
        assert time.monotonic() < stop, "the listener never wrote it"
        time.sleep(0.02)
    return found


# -- /liaison deadlines ----------------------------------------------------------------------------
def test_each_channel_lists_its_sides_upcoming_deadlines_with_their_clause(slack: Slack) -> None:
    today = _today(slack)
    seed(slack.deps.engine, on=today + timedelta(days=40))
    seed(slack.deps.engine, client_only=True, on=today + timedelta(days=10))
    slack.command("deadlines", user="UC", channel="CC")
    client = _reply(slack)
    shown = _text(client)
    assert "2 upcoming deadlines" in client["text"]
    assert "retender" in shown and "Either Party may give notice" in shown
    assert "client-notes.md §2.1" in shown and "msa.md §5.2" in shown and "(in 10 days)" in shown
    assert shown.index("client-notes.md §2.1") < shown.index("msa.md §5.2")  # soonest first
    slack.command("deadlines", user="UC", channel="CV")
    vendor = _text(_reply(slack, 2))
    assert "Either Party" in vendor and "retender" not in vendor  # a client-only obligation, never there


def test_drafts_are_listed_for_role_holders_only_with_the_review_buttons_for_reviewers(slack: Slack) -> None:
    deadline_id = seed(slack.deps.engine, approve=False, on=_today(slack) + timedelta(days=40))
    slack.command("deadlines", user="UNOBODY", channel="CS")
    assert "No upcoming deadlines" in _text(_reply(slack))
    slack.command("deadlines", user="UM", channel="CS")
    listing = _reply(slack, 2)
    assert "_draft_" in _text(listing)
    assert _buttons(listing) == {
        db.APPROVE: [str(deadline_id)],
        db.LIST_DONE: [str(deadline_id)],
        db.WAIVE: [str(deadline_id)],
    }
    slack.action(db.APPROVE, str(deadline_id), user="UNOBODY", channel="CS")
    assert "Only" in _text(_reply(slack, 3)) and _status(slack, deadline_id) == "draft"
    slack.action(db.APPROVE, str(deadline_id), user="UM", channel="CS")
    again = _reply(slack, 4)
    assert again["replace_original"] is True and f"Deadline #{deadline_id} is now *approved*" in _text(again)
    assert _status(slack, deadline_id) == "approved" and db.APPROVE not in _buttons(again)
    slack.action(db.WAIVE, str(deadline_id), user="UM", channel="CS")
    assert "No upcoming deadlines" in _text(_reply(slack, 5))
    assert _status(slack, deadline_id) == "waived"


def test_a_click_from_another_sides_channel_finds_nothing(slack: Slack) -> None:
    deadline_id = seed(slack.deps.engine, client_only=True, approve=False, on=_today(slack) + timedelta(days=9))
    slack.action(db.APPROVE, str(deadline_id), user="UM", channel="CV")
    assert f"No deadline {deadline_id} here" in _text(_reply(slack)) and _status(slack, deadline_id) == "draft"


# -- a reminder's buttons --------------------------------------------------------------------------
def _reminded(slack: Slack) -> tuple[int, dict[str, Any]]:
    """An obligation due in 7 days, reminded now: its id and the shared channel's reminder."""
    today = _today(slack)
    deadline_id = seed(slack.deps.engine, on=today + timedelta(days=7))
    assert run(slack, today) == 4
    return deadline_id, next(p for p in posts(slack) if p["channel"] == "CS")


def test_mark_done_on_a_reminder_is_for_reviewers_and_stops_the_reminders(slack: Slack) -> None:
    deadline_id, reminder = _reminded(slack)
    assert _buttons(reminder) == {
        db.DONE: [str(deadline_id)],
        db.SNOOZE: [str(deadline_id)],
        db.MEDIATE: [str(deadline_id)],
    }
    value = _buttons(reminder)[db.DONE][0]
    slack.action(db.DONE, value, user="UNOBODY", channel="CS")
    assert "Only" in _text(_reply(slack)) and _status(slack, deadline_id) == "approved"
    slack.action(db.DONE, value, user="UC", channel="CS")
    done = _reply(slack, 2)
    assert done["replace_original"] is True and "is marked done by &lt;@UC&gt;" not in done["text"]
    assert "is marked done by <@UC>" in done["text"] and "Either Party may give notice" in _text(done)
    assert _status(slack, deadline_id) == "done"
    assert run(slack, _today(slack) + timedelta(days=7)) == 0  # done: not reminded on the day


def test_a_forged_button_value_is_refused_before_any_listener(slack: Slack) -> None:
    deadline_id, _ = _reminded(slack)
    slack.action(db.DONE, str(deadline_id), user="UC", channel="CS", forged=True)
    assert _reply(slack)["text"] == seal.REFUSED and _status(slack, deadline_id) == "approved"


def test_snooze_holds_the_reminders_back_seven_days_then_reminds_once(slack: Slack) -> None:
    today = _today(slack)
    deadline_id = seed(slack.deps.engine, on=today + timedelta(days=30))
    assert run(slack, today) == 4
    slack.action(db.SNOOZE, str(deadline_id), user="UC", channel="CC")
    until = today + timedelta(days=7)
    said = _reply(slack)
    assert said["response_type"] == "in_channel" and f"reminded again on {until.isoformat()}" in said["text"]
    with session(slack.deps.engine) as s:
        snooze = ledger.snooze_of(s, deadline_id=deadline_id)
        assert snooze is not None and snooze.until == until and snooze.snoozed_by == "UC"
        kinds = [e.kind for e in records.events_of(s, engagement=ENGAGEMENT, deadline_id=deadline_id)]
    assert kinds[-1] == "snoozed"
    assert run(slack, today + timedelta(days=6)) == 0
    assert run(slack, until) == 4  # the snooze's reminder, once
    assert "reminded again after a snooze" in _text(posts(slack)[-1])
    assert run(slack, until) == 0 and run(slack, until + timedelta(days=1)) == 0
    assert run(slack, today + timedelta(days=23)) == 4  # the 7-day reminder as usual


def test_a_snooze_is_refused_to_people_without_a_reviewing_role(slack: Slack) -> None:
    deadline_id, _ = _reminded(slack)
    slack.action(db.SNOOZE, str(deadline_id), user="UNOBODY", channel="CS")
    assert "Only" in _text(_reply(slack))
    with session(slack.deps.engine) as s:
        assert ledger.snooze_of(s, deadline_id=deadline_id) is None


def test_open_a_mediation_from_a_reminder_posts_its_header_for_mediators(slack: Slack) -> None:
    deadline_id, _ = _reminded(slack)
    slack.action(db.MEDIATE, str(deadline_id), user="UC", channel="CS")
    assert "mediat" in _text(_reply(slack)).lower()
    with session(slack.deps.engine) as s:
        assert list(s.exec(select(MediationRecord))) == []
    slack.action(db.MEDIATE, str(deadline_id), user="UM", channel="CS")
    header = slack.api.wait_for("chat.postMessage", count=5)[-1].params
    assert header["channel"] == "CS" and f"Deadline #{deadline_id}: Notice of non-renewal" in header["text"]
    case = _eventually(lambda: _threaded(slack))
    assert case.thread_ts and case.deadline == _today(slack) + timedelta(days=7) and case.opened_by == "UM"


def test_reviews_and_reminders_agree_on_what_is_done(slack: Slack) -> None:
    deadline_id, _ = _reminded(slack)
    with session(slack.deps.engine) as s:
        reviews.review(s, engagement=ENGAGEMENT, deadline_ids=[deadline_id], status="done", actor="cli")
    slack.action(db.SNOOZE, str(deadline_id), user="UC", channel="CS")
    assert "only an approved one is reminded" in _text(_reply(slack))


# -- the App Home ----------------------------------------------------------------------------------
def test_the_home_lists_approved_obligations_among_the_next_deadlines_as_the_persons_side_sees_them(
    slack: Slack,
) -> None:
    today = _today(slack)
    shared = seed(slack.deps.engine, on=today + timedelta(days=40))
    client_only = seed(slack.deps.engine, client_only=True, on=today + timedelta(days=10))
    with session(slack.deps.engine) as s:
        grant_role(session=s, engagement=ENGAGEMENT, user_id="UV", role="vendor-owner", granted_by="cli")
        client, vendor = (home.home_for(session=s, user_id=u, today=today).get(ENGAGEMENT) for u in ("UC", "UV"))
    assert client is not None and vendor is not None
    assert [(d.kind, d.ref, d.days_left) for d in client.deadlines] == [
        ("deadline", client_only, 10),
        ("deadline", shared, 40),
    ]
    assert [(d.kind, d.ref) for d in vendor.deadlines] == [("deadline", shared)]  # never the client's own
    shown = json.dumps(hb.engagement_blocks(client), ensure_ascii=False)
    assert f"deadline #{shared} Notice of non-renewal (msa.md §5.2)" in shown and "in 10 days" in shown


def test_the_home_leaves_out_drafts_and_done_obligations(slack: Slack) -> None:
    today = _today(slack)
    seed(slack.deps.engine, approve=False, on=today + timedelta(days=4))
    done = seed(slack.deps.engine, client_only=True, on=today + timedelta(days=5))
    with session(slack.deps.engine) as s:
        reviews.review(s, engagement=ENGAGEMENT, deadline_ids=[done], status="done", actor="cli")
        found = home.home_for(session=s, user_id="UC", today=today).get(ENGAGEMENT)
    assert found is not None and found.deadlines == ()


def test_a_deadline_due_today_cannot_be_snoozed(slack: Slack) -> None:
    today = _today(slack)
    deadline_id = seed(slack.deps.engine, on=today)
    slack.action(db.SNOOZE, str(deadline_id), user="UC", channel="CS")
    assert "is due today" in _text(_reply(slack))
    with session(slack.deps.engine) as s:
        assert ledger.snooze_of(s, deadline_id=deadline_id) is None


def test_done_on_a_recurring_obligation_says_the_next_occurrence() -> None:
    shown = {"id": 4, "kind": "report", "document": "msa.md", "section": "7.1", "status": "approved"}
    assert db.done_text({**shown, "date": "2026-12-07"}, "UC") == (
        "This occurrence of Deadline #4 (Report due (msa.md §7.1)) is marked done by <@UC>: "
        "the next is due on 2026-12-07."
    )
    assert db.done_text({**shown, "status": "done", "date": None}, "UC") == (
        "Deadline #4 (Report due (msa.md §7.1)) is marked done by <@UC>: no more reminders."
    )


def test_a_long_listing_stays_within_slacks_block_limit() -> None:
    row = {"kind": "cure", "document": "msa.md", "section": "6.1", "rule": "within 30 days", "quote": "6.1 Cure."}
    rows = [{**row, "id": n, "date": f"2026-12-{n:02d}", "status": "draft"} for n in range(1, 29)]
    blocks = db.listing_blocks(rows, engagement=ENGAGEMENT, side="shared", today=date(2026, 12, 1), reviewer=True)
    assert len(blocks) + 1 <= 50  # the review's reply puts one line first
    assert "17 later ones not shown" in json.dumps(blocks)
