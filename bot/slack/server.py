"""HTTP mode: Bolt's ASGI adapter under uvicorn; each request is dispatched off the event loop.

Before Bolt sees a request, the body is read with a size cap (413 past it, refused on `Content-Length` before
a byte is read) and the Slack signature is checked on the raw bytes (401), because `BoltRequest` parses the
body in its constructor: an unsigned request costs a bounded read and one HMAC, never a parse.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any  # HTTP headers as Bolt gives them, and ASGI messages: open by their specs

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class ThreadedRequestHandler(SlackRequestHandler):
    """Bolt's ASGI handler with a body cap and a signature check first; the (synchronous) dispatch runs in a
    thread so requests do not queue."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        path: str = "/slack/events",
    ) -> None:
        super().__init__(app, path=path)
        self.verifier = SignatureVerifier(signing_secret)  # Slack's own check, with its 5-minute window
        self.max_body_bytes = max_body_bytes

    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        headers = request.get_headers()
        declared = str(headers.get("content-length", "")).strip()
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return _too_large(self.max_body_bytes)
        raw = await read_body(request.receive, limit=self.max_body_bytes)
        if raw is None:
            return _too_large(self.max_body_bytes)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return BoltResponse(status=400, body={"error": "the body is not UTF-8"})
        if not self.is_signed(body, headers):
            return BoltResponse(status=401, body={"error": "invalid request"})
        bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
        return await asyncio.to_thread(self.app.dispatch, bolt_request)

    def is_signed(self, body: str, headers: dict[str, Any]) -> bool:
        """Slack's signature over this exact body, with a numeric timestamp inside the replay window."""
        timestamp = str(headers.get("x-slack-request-timestamp", ""))
        signature = str(headers.get("x-slack-signature", ""))
        if not (timestamp.isascii() and timestamp.isdigit()) or not signature:
            return False  # slack_sdk would raise on int("abc"): a 500 instead of a 401
        return self.verifier.is_valid(body, timestamp, signature)


async def read_body(receive: Callable[[], Awaitable[dict[str, Any]]], *, limit: int) -> bytes | None:
    """The request body from ASGI `http.request` messages, or None as soon as it grows past `limit` bytes."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return None
        body.extend(message.get("body", b""))
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return bytes(body)


def _too_large(limit: int) -> BoltResponse:
    return BoltResponse(
        status=413,
        body={"error": f"request body over {limit // 1024} KB (LIAISON_MAX_REQUEST_KB)"},
        headers={"connection": "close"},  # do not read the rest of a body we will not use
    )


def serve(
    app: App,
    *,
    host: str,
    port: int,
    signing_secret: str,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    log_level: str = "info",
) -> None:
    """Serve Slack's events, commands and interactivity at /slack/events until interrupted."""
    import uvicorn

    handler = ThreadedRequestHandler(app, signing_secret=signing_secret, max_body_bytes=max_body_bytes)
    uvicorn.run(handler, host=host, port=port, log_level=log_level)
