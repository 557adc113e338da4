"""The harness of the hostile review (`benchmarks/hostile_review.py`): the real Bolt app on a temporary database,
driven by signed Slack requests and observed through the local Slack Web API stand-in's recorded calls.

`Review` sends (mentions, commands, clicks, form submissions, sealed or not), waits for the app to settle, tallies
attempts by class, and sets up bindings and roles; `issue_values` fills the issue form as Slack submits it.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slack_bolt import BoltRequest
from slack_sdk import WebClient

from bot import issues, records
from bot.db import make_engine, session, upgrade
from bot.deps import Deps
from bot.localslack.api import SlackAPI
from bot.localslack.bodies import action_body, event_body, sign
from bot.mediation import queries
from bot.records import roles as role_records
from bot.records.cases import ISSUE_STATUSES, MEDIATION_STATUSES
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.seal import seal
from knowledge.base import KnowledgeBase

SECRET = "hostile-secret"
E = "acme-customer-care"


class Review:
    def __init__(self, api: SlackAPI, kb: KnowledgeBase, data: Path) -> None:
        self.api = api
        settings = Settings(
            LIAISON_DATA_DIR=data, SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api.url
        )
        self.engine = make_engine(f"sqlite:///{data / 'liaison.db'}")
        upgrade(self.engine)
        self.deps = Deps(settings=settings, kb=kb, engine=self.engine)
        self.app = create_app(settings, self.deps, client=WebClient(token="xoxb-x", base_url=api.url))
        self.results: dict[str, Counter[str]] = {}
        self.controls: Counter[str] = Counter()
        self.n = 0

    # -- sending ---------------------------------------------------------------------------------
    def send(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> Any:
        signed = {**sign(body, SECRET), "Content-Type": content_type, **(headers or {})}
        return self.app.dispatch(BoltRequest(body=body, headers=signed))

    def _id(self) -> str:
        self.n += 1
        return str(self.n)

    def mention(self, text: str, *, channel: str, user: str) -> None:
        event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "channel": channel}
        self.send(event_body({**event, "ts": f"{self._id()}.1"}, event_id=f"Ev{self.n}"), "application/json")

    def command(self, text: str, *, channel: str, user: str) -> None:
        body = self.api.command_body(text=text, user=user, channel=channel)
        self.send(body, "application/x-www-form-urlencoded")

    def click(
        self, action_id: str, value: str, *, channel: str | None, user: str, sealed: bool = True, menu: bool = False
    ) -> None:
        """A button (or, with `menu`, a menu option) clicked, its value sealed as Liaison writes it or not."""
        sent = seal(value) if sealed else value
        clicked: dict[str, Any] = {"type": "button", "value": sent}
        if menu:
            clicked = {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": sent},
            }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user},
            "team": {"id": "T1"},
            "api_app_id": "A1",
            "trigger_id": f"{self._id()}.trig",
            "actions": [{"action_id": action_id, "block_id": "b", **clicked}],
        }
        if channel:
            payload.update(
                channel={"id": channel},
                container={"type": "message", "message_ts": "9.9", "channel_id": channel},
                message={"ts": "9.9", "text": "x"},
                response_url=self.api.response_url(),
            )
        else:
            payload.update(container={"type": "view", "view_id": "VHOME"}, view={"id": "VHOME", "type": "home"})
        self.send(action_body(payload), "application/x-www-form-urlencoded")

    def submit(self, callback_id: str, metadata: str, values: dict[str, Any], *, user: str, sealed: bool) -> Any:
        payload = {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": user},
            "api_app_id": "A1",
            "view": {
                "id": f"V{self._id()}",
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": seal(metadata) if sealed else metadata,
                "state": {"values": values},
            },
        }
        return self.send(action_body(payload), "application/x-www-form-urlencoded")

    # -- observing -------------------------------------------------------------------------------
    def settle(self, seconds: float = 20.0) -> None:
        """Wait until the app has been quiet for a moment (listeners run in the background)."""
        deadline, last, quiet = time.monotonic() + seconds, -1, 0.0
        while time.monotonic() < deadline:
            now = len(self.api.calls)
            quiet = quiet + 0.1 if now == last else 0.0
            if quiet >= 0.6:
                return
            last = now
            time.sleep(0.1)

    def outgoing(self, since: int) -> str:
        return json.dumps([c.params for c in self.api.calls[since:]], default=str)

    def tally(self, cls: str, got_through: bool) -> None:
        self.results.setdefault(cls, Counter())["attempts"] += 1
        self.results[cls]["through"] += int(got_through)

    def leak_attempt(self, cls: str, marks: tuple[str, ...], act: Callable[[], None]) -> None:
        since = len(self.api.calls)
        act()
        self.settle()
        shown = self.outgoing(since)
        self.tally(cls, any(m in shown for m in marks))

    # -- set-up ----------------------------------------------------------------------------------
    def bind(self, channel: str, side: str, engagement: str = E) -> None:
        with session(self.engine) as s:
            records.bind_channel(
                session=s, channel_id=channel, team_id="T1", engagement=engagement, side=side, user_id="UADMIN"
            )

    def grant(self, user: str, role: str, engagement: str = E) -> None:
        with session(self.engine) as s:
            role_records.grant_role(session=s, engagement=engagement, user_id=user, role=role, granted_by="review")

    def binding(self, channel: str) -> tuple[str, str] | None:
        with session(self.engine) as s:
            row = records.binding_for(session=s, channel_id=channel)
            return None if row is None else (row.engagement, row.side)

    def counts(self) -> tuple[Any, ...]:
        with session(self.engine) as s:
            every = issues.list_issues(session=s, engagement=E, statuses=ISSUE_STATUSES)
            n_media = len(queries.list_mediations(session=s, engagement=E, statuses=MEDIATION_STATUSES))
            return len(every), sum(len(i.clause_refs) for i in every), n_media, tuple(i.status for i in every)


def issue_values(title: str) -> dict[str, Any]:
    def opt(v: str) -> dict[str, Any]:
        return {"selected_option": {"text": {"type": "plain_text", "text": v}, "value": v}}

    return {
        "title": {"title": {"type": "plain_text_input", "value": title}},
        "description": {"description": {"type": "plain_text_input", "value": title}},
        "category": {"category": {"type": "static_select", **opt("other")}},
        "severity": {"severity": {"type": "static_select", **opt("3")}},
        "risk": {"risk": {"type": "radio_buttons", **opt("low")}},
        "value": {"value": {"type": "radio_buttons", **opt("low")}},
        "side": {"side": {"type": "radio_buttons", "selected_option": None}},
        "clause": {"clause": {"type": "plain_text_input", "value": None}},
        "owner": {"owner": {"type": "users_select", "selected_user": None}},
        "due": {"due": {"type": "datepicker", "selected_date": None}},
    }
