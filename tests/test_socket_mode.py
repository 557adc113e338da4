"""`liaison run`: Socket Mode end to end, against a local WebSocket server standing in for Slack's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.server import ServerConnection, serve

from bot.localslack.api import SlackAPI
from tests.conftest import prepare_bot_data


class SocketSlack:
    """Slack's Socket Mode side: says hello, delivers one app_mention envelope, collects the acks."""

    def __init__(self, event: dict) -> None:
        self.event = event
        self.acks: list[dict] = []
        self.acked = threading.Event()
        self.server = serve(self._session, "127.0.0.1", 0)
        self.port = self.server.socket.getsockname()[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _session(self, ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "local"}}))
        ws.send(
            json.dumps(
                {
                    "envelope_id": "env-1",
                    "type": "events_api",
                    "accepts_response_payload": False,
                    "retry_attempt": 0,
                    "retry_reason": "",
                    "payload": {
                        "type": "event_callback",
                        "team_id": "T1",
                        "api_app_id": "A1",
                        "event_id": "EvSocket1",
                        "event_time": 1,
                        "event": self.event,
                    },
                }
            )
        )
        for message in ws:
            data = json.loads(message)
            if data.get("envelope_id"):
                self.acks.append(data)
                self.acked.set()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def socket_slack() -> Iterator[SocketSlack]:
    server = SocketSlack(
        {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> what is the credit cap?",
            "channel": "C1",
            "ts": "1.0001",
        }
    )
    yield server
    server.close()


def test_liaison_run_answers_over_socket_mode(tmp_path: Path, socket_slack: SocketSlack) -> None:
    exe = str(Path(sys.executable).with_name("liaison"))
    with SlackAPI() as api:
        api.respond_with("apps.connections.open", {"ok": True, "url": f"ws://127.0.0.1:{socket_slack.port}/link"})
        env = {
            **os.environ,
            "LIAISON_SCHEDULER": "false",  # the digest and reminders have tests of their own
            "LIAISON_DATA_DIR": str(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "unused-in-socket-mode",
            "SLACK_APP_TOKEN": "xapp-test",
            "SLACK_API_URL": api.url,
            "LIAISON_LLM": "",
        }
        prepare_bot_data(tmp_path, env)
        bot = subprocess.Popen([exe, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert socket_slack.acked.wait(timeout=60), "the envelope was never acknowledged"
            assert socket_slack.acks[0]["envelope_id"] == "env-1"
            posted = api.wait_for("chat.postMessage", timeout=60)[0].params
            assert posted["channel"] == "C1" and posted["thread_ts"] == "1.0001"
            assert "12%" in json.dumps(posted["blocks"])
            assert api.calls_to("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-test"
        finally:
            bot.terminate()
            bot.wait(timeout=10)


def test_liaison_run_needs_an_app_token(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).with_name("liaison"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({"LIAISON_DATA_DIR": str(tmp_path), "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s"})
    result = subprocess.run([exe, "run"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "SLACK_APP_TOKEN" in result.stderr
