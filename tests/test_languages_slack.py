"""Which language Slack requests and posts are answered in (issue 14), end to end: the real Bolt app, signed
requests, the real WebClient against the local Slack API, whose `users.info` gives a person's locale when asked
(`include_locale`).

A person is answered in their Slack locale; a question in its own language, or when too short to tell in the
channel's, its engagement's, then the asker's; a post that answers no one in the channel's setting. Each request
sets its language afresh: nothing leaks into the next one on the same worker thread, or into the caller.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot import languages
from bot.authorize import Actor
from bot.db import make_engine, session, upgrade
from bot.deps import Deps
from bot.localslack.api import SlackAPI
from bot.localslack.chat import run_chat
from bot.mediation import lifecycle as mediations
from bot.records.roles import grant_role
from bot.records.tables import utcnow
from bot.scheduler import close_sla_periods, send_reminders
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.language import ContextExecutor, forget_locales, user_locale
from bot.slack.posting import post_due_digests
from knowledge.base import KnowledgeBase
from knowledge.i18n import current, speaking
from tests.conftest import ENGAGEMENT, write
from tests.test_deadline_reminders import DUE, run, seed
from tests.test_digest import NOW, deps_for
from tests.test_digest import E as DIGEST_ENGAGEMENT
from tests.test_digest import seed as seed_digest
from tests.test_sla_closing import CLOSED
from tests.test_sla_closing import seed as seed_levels
from tests.test_slack_app import SECRET, Slack

ITALIAN = "Qual è il tetto dei crediti di servizio per la disponibilità mancata?"
ENGLISH = "What is the service credit cap for missed availability?"
OPERATOR = Actor("cli", frozenset({"admin"}))


def _text(params: dict[str, Any]) -> str:
    """What a message or reply says: its blocks and its text."""
    return json.dumps(params.get("blocks", []), ensure_ascii=False) + str(params.get("text", ""))


@contextmanager
def app_with(tmp_path: Path, kb: KnowledgeBase, *, workers: int = 5, **env: Any) -> Iterator[Slack]:
    """The real app (as `tests.test_slack_app.running_slack` builds it) on a listener pool of `workers` threads,
    with people U1 (en-US, Slack's default here) and UIT (it-IT)."""
    forget_locales()
    with SlackAPI() as api:
        api.users = {"UIT": {"locale": "it-IT"}, "UES": {"locale": "es-ES"}}
        settings = Settings(
            LIAISON_DATA_DIR=tmp_path,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=api.url,
            **env,
        )
        engine = make_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
        upgrade(engine)
        deps = Deps(settings=settings, kb=kb, engine=engine)
        client = WebClient(token="xoxb-test", base_url=api.url)
        app = create_app(settings, deps, client=client, listener_executor=ThreadPoolExecutor(workers))
        try:
            yield Slack(app, api, deps)
        finally:
            app.listener_runner.listener_executor.shutdown(wait=True)
            engine.dispose()


@pytest.fixture
def kb(fake_kb: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
    sla = write(
        tmp_path / "docs" / "sla.md", "# SLA\n\n5.3 Credit Cap. Service Credits shall not exceed 12% of the Fees.\n"
    )
    assert not fake_kb.index([sla], engagement=ENGAGEMENT, visibility="shared").failed
    return fake_kb


@pytest.fixture
def slack(tmp_path: Path, kb: KnowledgeBase) -> Iterator[Slack]:
    with app_with(tmp_path, kb) as running:
        yield running


def mention(slack: Slack, text: str, *, user: str = "U1", channel: str = "C1", ts: str = "1.0001") -> None:
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "channel": channel, "ts": ts}
    assert slack.event(event).status == 200


def said(slack: Slack, method: str = "chat.postMessage", count: int = 1) -> str:
    return _text(slack.api.wait_for(method, count=count)[count - 1].params)


NOT_LINKED_IT = "Questo canale non è ancora collegato a un incarico."
NOT_LINKED_EN = "This channel is not linked to an engagement yet."


def test_the_locale_is_asked_of_slack_once_an_hour_and_a_failure_is_no_locale(slack: Slack) -> None:
    client = slack.app.client
    assert user_locale(client, "UIT") == "it" and user_locale(client, "UIT") == "it"
    assert len([c for c in slack.api.calls_to("users.info") if c.params.get("user") == "UIT"]) == 1
    slack.api.fail("users.info", error="user_not_found", status=200)
    assert user_locale(client, "UNEW") is None
    assert user_locale(client, "UNEW") == "en"  # a failure is not kept: asked again


def test_a_person_with_an_italian_locale_gets_the_verbs_reply_in_italian(slack: Slack) -> None:
    assert slack.command("language", user="UIT").status == 200
    reply = said(slack, "response_url")
    assert "Le lingue di questo canale" in reply and "nella tua lingua di Slack, Italiano" in reply
    assert slack.command("language", user="U1").status == 200
    reply = said(slack, "response_url", count=2)
    assert "Languages here" in reply and "your Slack language, English" in reply
    assert slack.command("language", user="UES").status == 200  # no Spanish catalogue: English
    assert "does not speak your Slack language yet" in said(slack, "response_url", count=3)


def test_a_person_with_an_italian_locale_gets_the_apology_in_italian(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.api.fail("chat.postMessage", error="channel_not_found", status=200)  # the answer's post fails
    mention(slack, "sla P1?", user="UIT")  # too short to tell: the asker's locale, no setting being made
    apology = said(slack, count=2)
    assert "Mi dispiace, qualcosa è andato storto" in apology, apology


def test_an_italian_question_from_an_english_user_is_answered_in_italian(slack: Slack) -> None:
    mention(slack, ITALIAN, user="U1", channel="C5", ts="1.1")  # C5 is bound to nothing
    assert NOT_LINKED_IT in said(slack)
    mention(slack, ENGLISH, user="UIT", channel="C5", ts="1.2")  # and an English one from an Italian user
    assert NOT_LINKED_EN in said(slack, count=2)


def test_a_private_question_is_answered_in_its_own_language(slack: Slack) -> None:
    slack.command(f"ask {ITALIAN}", user="U1", channel="C5")  # /liaison ask from an en-US user, in Italian
    assert "Questo canale non è collegato a un incarico." in said(slack, "response_url")
    slack.command("ask sla P1?", user="U1", channel="C5")  # too short: the asker's locale
    assert "This channel is not linked to an engagement." in said(slack, "response_url", count=2)


def test_a_short_question_falls_back_to_the_channels_setting(slack: Slack) -> None:
    languages.set_language(slack.deps, engagement=ENGAGEMENT, language="it", who=OPERATOR, channel_id="C5")
    mention(slack, "sla P1?", user="U1", channel="C5", ts="2.1")  # en-US asker, Italian channel
    assert NOT_LINKED_IT in said(slack)
    mention(slack, ENGLISH, user="U1", channel="C5", ts="2.2")  # a question that says its language keeps it
    assert NOT_LINKED_EN in said(slack, count=2)
    mention(slack, "sla P1?", user="U1", channel="C6", ts="2.3")  # nothing set: the asker's locale
    assert NOT_LINKED_EN in said(slack, count=3)


def test_setting_the_channels_language_in_slack_is_for_its_engagements_admins(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.command("language it", user="UIT")
    assert "Solo gli amministratori o i proprietari del workspace" in said(slack, "response_url")  # in Italian
    assert languages.defaults_for(slack.deps, channel_id="C1").channel is None
    with session(slack.deps.engine) as s:
        grant_role(session=s, engagement=ENGAGEMENT, user_id="U1", role="admin", granted_by="cli")
    slack.command("language it-IT", user="U1")
    call = slack.api.wait_for("response_url", count=2)[1].params
    assert call["response_type"] == "in_channel"
    assert "<@U1> ha impostato la lingua di questo canale: Italiano (`it`)." in _text(call)  # in its new language
    assert languages.defaults_for(slack.deps, channel_id="C1").channel == "it"
    slack.command("language fr", user="U1")
    assert "no complete translation for `fr`" in said(slack, "response_url", count=3)  # U1 reads English
    slack.command("language default", user="U1")
    assert "cleared this channel's own language" in said(slack, "response_url", count=4)
    assert languages.defaults_for(slack.deps, channel_id="C1").channel is None


def test_two_requests_on_one_worker_thread_do_not_leak_their_languages(tmp_path: Path, kb: KnowledgeBase) -> None:
    with app_with(tmp_path, kb, workers=1) as slack:  # one listener thread serves both
        assert isinstance(slack.app.listener_runner.listener_executor, ContextExecutor)
        slack.command("language", user="UIT")
        assert "Le lingue di questo canale" in said(slack, "response_url")
        slack.command("language", user="U1")
        assert "Languages here" in said(slack, "response_url", count=2)
        mention(slack, ITALIAN, user="U1", channel="C5", ts="3.1")  # the question listener sets Italian...
        assert NOT_LINKED_IT in said(slack)
        slack.command("language", user="U1")  # ... which ends with it
        assert "Languages here" in said(slack, "response_url", count=3)
        with speaking("it"):  # a request is decided afresh, whatever the caller speaks
            slack.command("language", user="U1")
            assert "Languages here" in said(slack, "response_url", count=4)
        slack.command("language", user="UIT")
        assert "Le lingue di questo canale" in said(slack, "response_url", count=5)
        assert current() == "en"  # and no request's language reached the thread that dispatched it


def test_a_reminder_is_posted_in_each_channels_language(tmp_path: Path, kb: KnowledgeBase) -> None:
    with app_with(tmp_path, kb, LIAISON_MANAGERS_CHANNEL="CM") as slack:
        for channel in ("CS", "CX"):
            slack.bind(channel, "shared")
        languages.set_language(slack.deps, engagement=ENGAGEMENT, language="it", who=OPERATOR)
        languages.set_language(slack.deps, engagement=ENGAGEMENT, language="en", who=OPERATOR, channel_id="CX")
        seed(slack.deps.engine)
        assert run(slack, DUE - timedelta(days=90)) >= 2
        by_channel = {c.params["channel"]: _text(c.params) for c in slack.api.calls_to("chat.postMessage")}
        assert " scade " in by_channel["CS"] and " is due " not in by_channel["CS"]  # the engagement's Italian
        assert " is due " in by_channel["CX"]  # the channel's own English over it
        assert current() == "en"


def test_the_weekly_digest_is_posted_in_each_channels_language(db: Engine, tmp_path: Path) -> None:
    seed_digest(db)  # channels CCLIENT, CVENDOR and CSHARED of `acme`, due at NOW
    deps = deps_for(db, tmp_path)
    languages.set_language(deps, engagement=DIGEST_ENGAGEMENT, language="it", who=OPERATOR, channel_id="CVENDOR")
    with SlackAPI() as api:
        outcomes = post_due_digests(deps, WebClient(token="xoxb-test", base_url=api.url), now=NOW)
        assert {o.status for o in outcomes} == {"posted"} and len(outcomes) == 3
        text = {c.params["channel"]: str(c.params["text"]) for c in api.calls_to("chat.postMessage")}
        charts = {c.params["channel_id"]: str(c.params) for c in api.calls_to("files.completeUploadExternal")}
    assert "Riepilogo settimanale: acme" in text["CVENDOR"] and "Weekly digest" not in text["CVENDOR"]
    assert "Weekly digest: acme" in text["CCLIENT"] and "Weekly digest: acme" in text["CSHARED"]
    assert "segnalazioni e livelli di servizio" in charts["CVENDOR"]
    assert "issues and service levels" in charts["CCLIENT"]
    assert current() == "en"


def test_a_mediation_reminder_is_posted_in_its_channels_language(slack: Slack) -> None:
    slack.bind("C1", "shared")
    slack.bind("C2", "shared")
    languages.set_language(slack.deps, engagement=ENGAGEMENT, language="it", who=OPERATOR, channel_id="C2")
    with session(slack.deps.engine) as s:
        for channel, ts in (("C1", "7.1"), ("C2", "7.2")):
            opened = mediations.open_mediation(
                session=s, engagement=ENGAGEMENT, title="March credits", channel_id=channel, opened_by="UMED"
            )
            assert opened.id is not None
            mediations.set_mediation_thread(session=s, mediation_id=opened.id, thread_ts=ts, header_ts=ts)
    assert send_reminders(slack.deps, slack.app.client, now=utcnow() + timedelta(hours=73)) == 2
    by_channel = {c.params["channel"]: str(c.params["text"]) for c in slack.api.calls_to("chat.postMessage")}
    assert "non c'è attività da 72 ore" in by_channel["C2"]
    assert "Nothing has happened on" in by_channel["C1"]


def test_app_home_is_shown_in_each_persons_slack_language(slack: Slack) -> None:
    for user in ("U1", "UIT"):
        slack.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
    views = {c.params["user_id"]: _text(c.params["view"]) for c in slack.api.wait_for("views.publish", count=2)}
    assert "Welcome to Liaison" in views["U1"]
    assert "Ti diamo il benvenuto in Liaison" in views["UIT"] and "Welcome to Liaison" not in views["UIT"]


def test_the_sla_period_close_is_posted_in_each_channels_language(tmp_path: Path, kb: KnowledgeBase) -> None:
    with app_with(tmp_path, kb, LIAISON_MANAGERS_CHANNEL="CM") as slack:
        slack.bind("CS", "shared")
        slack.bind("CC", "client")
        languages.set_language(slack.deps, engagement=ENGAGEMENT, language="it", who=OPERATOR, channel_id="CS")
        seed_levels(slack)  # the SLA schedule's levels approved, October measured, the fees set
        assert close_sla_periods(slack.deps, slack.app.client, now=CLOSED) == 3  # CS, CC and the managers' CM
        text = {c.params["channel"]: str(c.params["text"]) for c in slack.api.calls_to("chat.postMessage")}
    assert text["CS"].startswith(f"Crediti di servizio di {ENGAGEMENT} per 2026-10:")
    assert text["CC"].startswith(f"Service credits of {ENGAGEMENT} for 2026-10:")
    assert text["CM"].startswith("Service credits of")  # the managers' channel has no setting: the default


def test_the_terminal_chat_speaks_the_clis_language(tmp_path: Path) -> None:
    settings = Settings(LIAISON_DATA_DIR=tmp_path / "data", LIAISON_EMBEDDER="fake:32", _env_file=None)
    out = io.StringIO()
    with speaking("it"):  # `liaison --lang it chat`: the person at the terminal reads Italian
        run_chat(settings, engagement=None, input=io.StringIO("/liaison language\n"), output=out)
    assert "Le lingue di questo canale" in out.getvalue() and "nella tua lingua di Slack, Italiano" in out.getvalue()
    assert current() == "en"
