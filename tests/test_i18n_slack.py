"""The Slack listeners speak the reader's language: /liaison's replies, usage errors, modal errors, the App Home's
notices and the seal's refusal in Italian under `speaking("it")`, English by default.

The real Bolt app, signed requests and the real WebClient against the local Slack API (as tests/test_slack_app.py),
on the fast fake knowledge base. Bolt runs listeners in a thread pool, and context variables do not cross into one
by themselves: the app here gets an executor that runs each listener in a copy of the dispatching context (what
the app's own executor does for a request's language). U1's Slack locale is it-IT as well, so the request's own
language resolution agrees with the test's.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.db import make_engine, upgrade
from bot.deps import Deps
from bot.i18n import _, speaking
from bot.localslack.api import SlackAPI
from bot.settings import Settings
from bot.slack import seal
from bot.slack.app import create_app
from bot.slack.blocks import home as hb
from bot.slack.homes import refresh_homes
from bot.slack.listeners.files import indexed_detail
from knowledge.base import KnowledgeBase
from tests.test_slack_app import SECRET, Slack


class InContext(ThreadPoolExecutor):
    """Runs each listener in a copy of the context it was submitted from (its language among it)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


@contextmanager
def running(tmp_path: Path, kb: KnowledgeBase) -> Iterator[Slack]:
    with SlackAPI() as api:
        settings = Settings(
            LIAISON_DATA_DIR=tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api.url
        )
        engine = make_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
        upgrade(engine)
        executor = InContext(max_workers=2)
        deps = Deps(settings=settings, kb=kb, engine=engine)
        client = WebClient(base_url=api.url, token="xoxb-test")
        app = create_app(settings, deps, client=client, listener_executor=executor)
        api.users["U1"] = {"locale": "it-IT"}  # what users.info says with include_locale
        api.users["U2"] = {"locale": "en-US"}
        try:
            yield Slack(app, api, deps)
        finally:
            executor.shutdown(wait=True)


@pytest.fixture
def slack(tmp_path: Path, fake_kb: KnowledgeBase) -> Iterator[Slack]:
    with running(tmp_path, fake_kb) as app:
        yield app


def _reply(slack: Slack, count: int = 1) -> dict[str, Any]:
    """The last private reply sent to the command's response_url."""
    return slack.api.wait_for("response_url", count=count)[-1].params


def _said(params: dict[str, Any]) -> str:
    return str(params.get("text", "")) + json.dumps(params.get("blocks", []), ensure_ascii=False)


def test_sla_help_and_an_unknown_sla_verb_are_said_in_italian(slack: Slack) -> None:
    with speaking("it"):
        slack.command("sla help")
        assert _reply(slack)["text"] == "Come usare /liaison sla"
        slack.command("sla frobnicate")
        said = _said(_reply(slack, 2))
    assert "Non conosco il comando /liaison sla frobnicate." in said
    assert "Comando sconosciuto: /liaison sla frobnicate" in said
    assert "I do not know" not in said


def test_a_bind_usage_error_and_an_unbound_channel_are_said_in_italian(slack: Slack) -> None:
    with speaking("it"):
        slack.command("bind")
        usage = _reply(slack)
        slack.command("issues", channel="C9")
        unbound = _reply(slack, 2)
    assert usage["text"] == "Uso: /liaison bind INCARICO client|vendor|shared"
    assert "ad esempio `/liaison bind acme-customer-care client`" in _said(usage)
    assert unbound["text"] == "Questo canale non è collegato a un incarico."


def test_english_is_unchanged_by_default(slack: Slack) -> None:
    slack.command("bind", user="U2")
    assert _reply(slack)["text"] == "Usage: /liaison bind ENGAGEMENT client|vendor|shared"
    slack.command("sla frobnicate", user="U2")
    assert "I do not know /liaison sla frobnicate." in _said(_reply(slack, 2))


def test_the_home_tells_in_italian_that_the_person_is_no_longer_part_of_an_engagement(slack: Slack) -> None:
    with speaking("it"):
        slack.action(hb.LOG_ISSUE, "gone-engagement")
        [opened] = slack.api.wait_for("views.open")
    said = json.dumps(opened.params["view"], ensure_ascii=False)
    assert "Non fai più parte di *gone-engagement*" in said and "no longer part" not in said


def test_a_modal_error_is_in_italian(slack: Slack) -> None:
    meta = json.dumps({"engagement": "acme-customer-care", "side": "shared", "round": 0})
    with speaking("it"):
        response = slack.submit(callback_id=hb.ASK_CALLBACK, metadata=meta, values={})
    assert json.loads(response.body) == {
        "response_action": "errors",
        "errors": {f"{hb.QUESTION}_0": "Scrivi una domanda."},
    }


def test_the_seals_refusal_is_in_italian(slack: Slack) -> None:
    with speaking("it"):
        slack.action(hb.LOG_ISSUE, "forged", forged=True)
        refused = _reply(slack)["text"]
    assert refused.startswith("Questo pulsante o modulo non è stato creato da Liaison") and refused != seal.REFUSED


def test_the_indexing_report_counts_clauses_in_italian() -> None:
    with speaking("it"):
        assert indexed_detail("vendor-only", 1) == "1 clausola, visibilità: solo fornitore"
        assert indexed_detail("client-only", 12) == "12 clausole, visibilità: solo cliente"
        assert indexed_detail("shared", 3) == "3 clausole, visibilità: condivisa tra le parti"
    assert indexed_detail("shared", 3) == "3 clauses, visible to: shared"
    assert indexed_detail("client-only", 1) == "1 clause, visible to: client-only"


def test_a_home_refreshed_for_someone_else_is_in_their_own_language(slack: Slack) -> None:
    """An Italian's click (an issue's status) refreshes the Homes of its reporter and owner: each in theirs."""
    client = WebClient(base_url=slack.api.url, token="xoxb-test")
    with speaking("it"):
        refresh_homes(slack.deps, client, ["U2", "U1"], url=None)
        welcome_it = _("Welcome to Liaison")
    views = {c.params["user_id"]: c.params["view"] for c in slack.api.wait_for("views.publish", count=2)}
    assert views["U2"]["blocks"][0]["text"]["text"] == "Welcome to Liaison"  # en-US, though an Italian clicked
    assert views["U1"]["blocks"][0]["text"]["text"] == welcome_it  # it-IT
