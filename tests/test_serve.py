"""`liaison serve`: HTTP mode as Slack reaches it, over a real socket, acknowledging well inside 3 seconds."""

from __future__ import annotations

import hmac
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bot.localslack.api import SlackAPI
from bot.localslack.bodies import event_body, sign
from bot.settings import Settings
from bot.slack import seal
from tests.conftest import prepare_bot_data

SECRET = "serve-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int, float]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, time.perf_counter() - started
    except urllib.error.HTTPError as err:
        return err.code, time.perf_counter() - started


def test_http_mode_acks_fast_and_answers_from_cli_indexed_contracts(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).with_name("liaison"))
    with SlackAPI() as api:
        env = {
            **os.environ,
            "LIAISON_SCHEDULER": "false",  # the digest and reminders have tests of their own
            "LIAISON_DATA_DIR": str(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api.url,
            "LIAISON_LLM": "",
        }
        prepare_bot_data(tmp_path, env)
        port = _free_port()
        server = subprocess.Popen(
            [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            body = event_body(
                {
                    "type": "app_mention",
                    "user": "U1",
                    "text": "<@UBOT> what is the credit cap?",
                    "channel": "C1",
                    "ts": "1.0001",
                },
                event_id="EvServe",
            )
            headers = {**sign(body, SECRET), "Content-Type": "application/json"}
            status, seconds = _post(url, body, headers)
            assert status == 200 and seconds < 3.0
            retry, _ = _post(
                url,
                body,
                {
                    **sign(body, SECRET),
                    "Content-Type": "application/json",
                    "X-Slack-Retry-Num": "1",
                    "X-Slack-Retry-Reason": "http_timeout",
                },
            )
            assert retry == 200
            posted = api.wait_for("chat.postMessage", timeout=30)[0].params
            assert "12%" in json.dumps(posted["blocks"])
            forged, _ = _post(url, body, {**sign(body, "not-the-secret"), "Content-Type": "application/json"})
            assert forged == 401
            time.sleep(1.0)
            assert len(api.calls_to("chat.postMessage")) == 1  # the retry was not answered again
            key = Settings(LIAISON_DATA_DIR=tmp_path, SLACK_SIGNING_SECRET=SECRET).seal_key  # the server's
            _mediate_and_log_through_the_cli_and_http(exe, env, url, api, key)
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_serve_refuses_to_start_without_slack_credentials(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).with_name("liaison"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["LIAISON_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [exe, "serve", "--port", str(_free_port())], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "SLACK_BOT_TOKEN" in result.stderr


def _metadata(view: dict[str, Any], key: bytes) -> Any:
    """A modal's private_metadata as the server wrote it (JSON), its seal checked with the server's key."""
    plain, _, signature = view["private_metadata"].rpartition(seal.SEPARATOR)
    assert signature and hmac.compare_digest(signature, seal._signature(plain, key)), view["private_metadata"]
    return json.loads(plain)


def _mediate_and_log_through_the_cli_and_http(
    exe: str, env: dict[str, str], url: str, api: SlackAPI, key: bytes
) -> None:
    """The contracts scripts rely on: roles from the CLI, `/liaison mediate` and `/liaison issue` over HTTP."""

    def command(text: str, user: str) -> None:
        body = api.command_body(text=text, user=user, channel="C1")
        status, _ = _post(url, body, {**sign(body, SECRET), "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200

    def liaison(*args: str) -> str:
        done = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    liaison("roles", "grant", "--engagement", "acme", "--user", "UMED", "--role", "mediator")
    posted = len(api.calls_to("chat.postMessage"))
    command("mediate March credits", user="UOTHER")
    refusal = api.wait_for("response_url", timeout=30)[-1].params
    assert refusal["response_type"] == "ephemeral" and "mediator" in refusal["text"]
    assert len(api.calls_to("chat.postMessage")) == posted  # refused without posting anything
    command("mediate March credits", user="UMED")
    header = api.wait_for("chat.postMessage", count=posted + 1, timeout=30)[-1].params
    assert header["channel"] == "C1" and "March credits" in header["text"]
    [mediation] = json.loads(liaison("mediations", "list", "--engagement", "acme", "--json"))["mediations"]
    assert mediation["title"] == "March credits" and mediation["status"] == "open" and mediation["opened_at"]
    command("issue Chat SLA missed", user="UOTHER")
    view = api.wait_for("views.open", timeout=30)[-1].params["view"]
    assert view["callback_id"] == "log_issue" and _metadata(view, key)["engagement"] == "acme"
