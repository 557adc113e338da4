"""Issue #9 item 13 (and the HTTP half of 14): `liaison serve` caps request bodies and checks the signature
before anything parses them. Driven over a real socket against a real `liaison serve` process."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.localslack.api import SlackAPI
from bot.localslack.bodies import event_body, sign

SECRET = "limits-secret"
MB = 1024 * 1024


@dataclass
class Served:
    url: str
    port: int
    pid: int
    api: SlackAPI


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    exe = str(Path(sys.executable).with_name("liaison"))
    with SlackAPI() as api:
        env = {
            **os.environ,
            "LIAISON_SCHEDULER": "false",
            "LIAISON_DATA_DIR": str(tmp_path),
            "LIAISON_EMBEDDER": "fake",
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api.url,
            "LIAISON_LLM": "",
        }
        port = _free_port()
        server = subprocess.Popen(
            [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, "liaison serve did not start"
                    time.sleep(0.1)
            yield Served(f"http://127.0.0.1:{port}/slack/events", port, server.pid, api)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _app_calls(served: Served) -> list[str]:
    """The Web API calls the app made, beyond the one `auth.test` Bolt makes at start-up."""
    return [c.method for c in served.api.calls if c.method != "auth.test"]


def _memory_kb(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # Linux: VmHWM restarts from the current RSS


def _status_line(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        piece = sock.recv(4096)
        if not piece:
            break
        data += piece
    return int(data.split(b" ", 2)[1])


def _stream(port: int, headers: dict[str, str], *, size: int, chunked: bool, send_body: bool = True) -> int:
    """POST a JSON body of `size` bytes (`{"x":[0,0,...]}`) built on the fly from one 64 KB piece, so the
    client itself holds no big buffer; stop sending as soon as the server answers. Returns the status."""
    piece = b"0," * 32768
    head, tail = b'{"x":[', b"0]}"
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)}
    lines = [
        "POST /slack/events HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in {**headers, **framing}.items()),
    ]
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

        def send(data: bytes) -> None:
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)

        try:
            if send_body:
                send(head)
                left = size - len(head) - len(tail)
                while left > 0:
                    if select.select([sock], [], [], 0)[0]:
                        break  # answered already: the rest will not be read
                    send(piece[: min(left, len(piece))])
                    left -= len(piece)
                else:
                    send(tail)
                    if chunked:
                        sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading and closed: its answer is already on its way
        return _status_line(sock)


def test_a_40mb_unsigned_body_is_refused_fast_with_bounded_memory(served: Served) -> None:
    before = _memory_kb(served.pid, "VmRSS")
    _reset_peak(served.pid)
    started = time.monotonic()
    status = _stream(served.port, {"Content-Type": "application/json"}, size=40 * MB, chunked=True)
    seconds = time.monotonic() - started
    grown_mb = (_memory_kb(served.pid, "VmHWM") - before) / 1024
    assert grown_mb < 50, f"the server grew by {grown_mb:.0f} MB on one unsigned request"
    assert status in (413, 401)
    assert seconds < 5
    assert _app_calls(served) == []  # nothing reached the app


def test_a_declared_oversize_body_is_refused_before_it_is_sent(served: Served) -> None:
    status = _stream(served.port, {"Content-Type": "application/json"}, size=40 * MB, chunked=False, send_body=False)
    assert status == 413


def test_a_signed_body_over_the_cap_is_refused_too(served: Served) -> None:
    body = json.dumps({"type": "event_callback", "padding": "x" * (2 * MB)})
    status = _stream(served.port, {**sign(body, SECRET), "Content-Type": "application/json"}, size=2 * MB, chunked=True)
    assert status == 413


def test_an_unsigned_or_non_numeric_timestamp_request_gets_401(served: Served) -> None:
    body = event_body({"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C9", "ts": "1.1"})
    signed = sign(body, SECRET)
    for headers in (
        {},
        {"X-Slack-Signature": signed["X-Slack-Signature"]},
        {**signed, "X-Slack-Request-Timestamp": "not-a-number"},
        {**signed, "X-Slack-Request-Timestamp": "1e9"},
        sign(body, SECRET, timestamp=int(time.time()) - 3600),  # outside Slack's 5-minute window
    ):
        assert _post(served.url, body, {**headers, "Content-Type": "application/json"}) == 401, headers
    assert _app_calls(served) == []


def test_a_signed_event_is_still_answered_and_other_paths_are_404(served: Served) -> None:
    body = event_body(
        {"type": "app_mention", "user": "U1", "text": "<@UBOT> what is the cap?", "channel": "C9", "ts": "1.1"},
        event_id="EvLimits",
    )
    assert _post(served.url, body, {**sign(body, SECRET), "Content-Type": "application/json"}) == 200
    posted = served.api.wait_for("chat.postMessage", timeout=30)[0].params
    assert posted["channel"] == "C9" and "/liaison bind" in json.dumps(posted)
    other = served.url.replace("/slack/events", "/elsewhere")
    assert _post(other, body, {**sign(body, SECRET), "Content-Type": "application/json"}) == 404


def _post(url: str, body: str, headers: dict[str, str]) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)
