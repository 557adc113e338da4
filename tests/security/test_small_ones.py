"""Issue #9 item 14, the small ones: a bad signing timestamp is a 401, a down records database is one line, a
file name never becomes mrkdwn, and the bot token goes to Slack's file host only. Real Bolt app, signed
requests, a local Slack API and real HTTP servers; the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot import records
from bot.db import make_engine, session, upgrade
from bot.deps import Deps
from bot.localslack.api import SlackAPI
from bot.localslack.bodies import action_body, event_body, sign
from bot.records.roles import grant_role
from bot.settings import Settings
from bot.slack.app import create_app
from knowledge.base import KnowledgeBase

SECRET = "small-ones-secret"
TOKEN = "xoxb-small-ones"
ENGAGEMENT = "files-test"
DOWN = "postgresql+psycopg://postgres:s3cret-pw@127.0.0.1:1/test"  # nothing listens on port 1


class Recorder(ThreadingHTTPServer):
    """A plain HTTP server on 127.0.0.1 that records every request; it redirects to `redirect_to` if set."""

    daemon_threads = True

    def __init__(self, redirect_to: str | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.redirect_to = redirect_to
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                recorder.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if recorder.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", recorder.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b"# Rates\n\n1. Rates. The overtime rate is USD 41.25 per hour.\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet."""

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class Slack:
    def __init__(self, app: App, api: SlackAPI, deps: Deps) -> None:
        self.app, self.api, self.deps = app, api, deps

    def send(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> int:
        signed = {**sign(body, SECRET), "Content-Type": content_type, **(headers or {})}
        return self.app.dispatch(BoltRequest(body=body, headers=signed)).status

    def add_to_contracts(self, file: dict[str, Any]) -> None:
        payload = {
            "type": "message_action",
            "callback_id": "add_to_contracts",
            "trigger_id": "1.2.3",
            "action_ts": "1.1",
            "user": {"id": "UADMIN"},
            "team": {"id": "T1"},
            "channel": {"id": "CV"},
            "api_app_id": "A1",
            "message": {"ts": "4.0001", "type": "message", "files": [file]},
            "response_url": self.api.response_url(),
        }
        assert self.send(action_body(payload), "application/x-www-form-urlencoded") == 200

    def result(self) -> dict[str, Any]:
        """The final state of the one 'Indexing…' message: its chat.update."""
        return self.api.wait_for("chat.update", timeout=60)[0].params


@contextmanager
def running(tmp_path: Path, kb: KnowledgeBase, *, api_url: str | None = None) -> Iterator[Slack]:
    """The real app on `kb` with a local Slack API; `api_url` overrides the SLACK_API_URL setting (which host
    counts as Slack's) while the Web API client still talks to the local stand-in."""
    with SlackAPI() as api:
        settings = Settings(
            LIAISON_DATA_DIR=tmp_path,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=api_url or api.url,
        )
        engine = make_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
        upgrade(engine)
        with session(engine) as s:
            records.bind_channel(
                session=s, channel_id="CV", team_id="T1", engagement=ENGAGEMENT, side="vendor", user_id="UADMIN"
            )
            grant_role(session=s, engagement=ENGAGEMENT, user_id="UADMIN", role="admin", granted_by="cli")
        deps = Deps(settings=settings, kb=kb, engine=engine)
        app = create_app(settings, deps, client=WebClient(token=TOKEN, base_url=api.url))
        try:
            yield Slack(app, api, deps)
        finally:
            app.listener_runner.listener_executor.shutdown(wait=True)


@pytest.fixture
def slack(tmp_path: Path, fake_kb: KnowledgeBase) -> Iterator[Slack]:
    with running(tmp_path, fake_kb) as s:
        yield s


# -- a non-numeric X-Slack-Request-Timestamp ---------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["not-a-number", "1e9", ""])
def test_a_non_numeric_signing_timestamp_is_a_401_not_a_500(slack: Slack, timestamp: str) -> None:
    body = event_body({"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "CV", "ts": "1.1"})
    assert slack.send(body, "application/json", {"X-Slack-Request-Timestamp": timestamp}) == 401
    assert slack.send(body, "application/json") == 200  # the same body, properly signed, is still served


# -- a records database that is down -----------------------------------------------------------------------


@pytest.mark.parametrize("args", [["issues", "list", "--engagement", "acme"], ["serve", "--port", "0"]])
def test_a_down_records_database_is_one_clear_line_and_exit_1(tmp_path: Path, args: list[str]) -> None:
    exe = str(Path(sys.executable).with_name("liaison"))
    env = {
        **os.environ,
        "LIAISON_DATA_DIR": str(tmp_path),
        "LIAISON_EMBEDDER": "fake",
        "LIAISON_SCHEDULER": "false",
        "DATABASE_URL": DOWN,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": "http://127.0.0.1:1/api/",
    }
    done = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot reach the records database at postgresql+psycopg://postgres:***@127.0.0.1:1/test" in done.stderr
    assert "check DATABASE_URL" in done.stderr and "s3cret-pw" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2  # the message (and at most a library's warning)


# -- a file name in a text fallback ------------------------------------------------------------------------


def test_a_file_name_never_reaches_a_text_fallback_as_mrkdwn(slack: Slack) -> None:
    name = "<!channel> rates & <@U1>.md"
    slack.add_to_contracts(slack.api.add_file(name, b"# Rates\n\n1. Rates. Overtime is USD 41.25 per hour.\n"))
    done = slack.result()
    posted = slack.api.calls_to("chat.postMessage")[0].params
    for text in (posted["text"], done["text"]):
        assert "<!channel>" not in text and "<@U1>" not in text, text
        assert "&lt;!channel&gt; rates &amp; &lt;@U1&gt;.md" in text, text
    assert done["text"].startswith("Indexed")
    for refused in ("<!here>.xlsx", "<!everyone>.pdf"):  # refusals and failures too
        slack.api.reset()
        slack.add_to_contracts(slack.api.add_file(refused, b"PK\x03\x04 not really"))
        text = slack.result()["text"]
        assert "Could not index" in text and "<!" not in text, text


# -- the bot token and url_private_download ----------------------------------------------------------------


def test_the_bot_token_is_never_sent_to_a_file_url_off_slack(slack: Slack) -> None:
    with Recorder() as elsewhere:
        file = slack.api.add_file("rates.md", b"# Rates\n")
        file["url_private_download"] = f"{elsewhere.url}download/{file['id']}"  # another host (port) than Slack's
        slack.add_to_contracts(file)
        done = slack.result()
        assert elsewhere.requests == []  # no request at all, so no token
    assert "Could not index rates.md" in done["text"]
    assert "files.slack.com" in json.dumps(done["blocks"])  # the thread says why
    assert slack.deps.kb.store.get_document(ENGAGEMENT, "rates.md") is None


def test_a_redirect_off_slacks_file_host_is_not_followed_with_the_token(tmp_path: Path, fake_kb: KnowledgeBase) -> None:
    with Recorder() as elsewhere, Recorder(redirect_to=f"{elsewhere.url}stolen") as file_host:
        with running(tmp_path, fake_kb, api_url=file_host.url) as slack:  # file_host stands for Slack's
            file = slack.api.add_file("rates.md", b"# Rates\n")
            file["url_private_download"] = f"{file_host.url}download/{file['id']}"
            slack.add_to_contracts(file)
            done = slack.result()
        assert [headers.get("authorization") for _, headers in file_host.requests] == [f"Bearer {TOKEN}"]
        assert elsewhere.requests == []
    assert "Could not index rates.md" in done["text"]


def test_files_from_slacks_file_host_are_still_indexed(slack: Slack) -> None:
    slack.add_to_contracts(slack.api.add_file("rates.md", b"# Rates\n\n1. Rates. Overtime is USD 41.25 per hour.\n"))
    assert slack.result()["text"].startswith("Indexed rates.md: ")
    [download] = slack.api.calls_to("download")
    assert download.headers["authorization"] == f"Bearer {TOKEN}"
