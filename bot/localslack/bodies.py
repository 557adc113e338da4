"""Slack's HTTP request bodies, both ways: built as Slack sends them to a Bolt app, parsed as slack_sdk sends them.

:func:`sign`, :func:`event_body`, :func:`command_body` and :func:`action_body` build signed inbound requests
for a Bolt app; :func:`parse_body` and :func:`decode_form` read the JSON, form-encoded or multipart bodies a
``WebClient`` posts to the Web API (for :class:`bot.localslack.api.SlackAPI`).
"""

from __future__ import annotations

import json
import time
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any  # request bodies of any Web API method, and events and payloads of any kind: open JSON
from urllib.parse import parse_qs, urlencode

from slack_sdk.signature import SignatureVerifier

from bot.localslack.workspace import AUTH_TEST

# free-text form fields never decoded from JSON, even when they look like it
_JSON_DECODE_SKIP = frozenset({"text", "initial_comment", "title", "filename", "alt_txt", "query", "name"})

# ---------------------------------------------------------------------- inbound requests for a Bolt app


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request-signing headers for ``body``: ``v0=`` + HMAC-SHA256 of ``f"v0:{ts}:{body}"``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": str(signature)}


def event_body(event: dict[str, Any], event_id: str = "Ev1", team: str = "T1") -> str:
    """An Events API ``event_callback`` JSON body wrapping ``event``, authorized for the bot ``UBOT``."""
    return json.dumps(
        {
            "token": "verification-token",
            "team_id": team,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": AUTH_TEST["user_id"],
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )


def command_body(
    command: str = "/liaison",
    text: str = "ask what is the notice period?",
    user: str = "U1",
    channel: str = "C1",
    *,
    team: str = "T1",
    response_url: str = "https://hooks.slack.com/commands/T1/1/x",
) -> str:
    """A slash-command request body, form-encoded as Slack sends it.

    Prefer :meth:`bot.localslack.api.SlackAPI.command_body`, whose ``response_url`` points at the stand-in so
    posts are recorded.
    """
    return urlencode(
        {
            "token": "verification-token",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{time.time_ns()}.1.trigger",
        }
    )


def action_body(payload: dict[str, Any]) -> str:
    """An interactivity request body (block actions, view submissions, shortcuts): ``payload=<json>``."""
    return urlencode({"payload": json.dumps(payload)})


# ---------------------------------------------------------------------- Web API request bodies


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """Parse a JSON, form-encoded or multipart request body into a dict.

    JSON-looking form values such as ``blocks`` are decoded to Python objects; uploaded bytes stay ``bytes``.
    """
    if not raw:
        return {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return _parse_multipart(raw, content_type)
    text = raw.decode("utf-8", errors="replace")
    if kind == "application/json" or text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {"_raw": text}
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    return decode_form(text)


def decode_form(text: str) -> dict[str, Any]:
    """A form-encoded string (a body or a query string) as a dict, JSON-looking values decoded."""
    out: dict[str, Any] = {}
    for key, values in parse_qs(text, keep_blank_values=True).items():
        decoded = [_maybe_json(key, v) for v in values]
        out[key] = decoded[0] if len(decoded) == 1 else decoded
    return out


def _maybe_json(key: str, value: str) -> Any:
    """Decode a form value that looks like JSON (``blocks``, ``files``, ``view`` ...); leave others alone."""
    stripped = value.strip()
    if key in _JSON_DECODE_SKIP or not stripped or stripped[0] not in "[{":
        return value
    try:
        return json.loads(stripped)
    except ValueError:
        return value


def _parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = BytesParser(_class=EmailMessage, policy=HTTP).parsebytes(head + raw)
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        out[name] = data if part.get_filename() else _maybe_json(name, data.decode("utf-8", errors="replace"))
    return out
