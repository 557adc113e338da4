"""HTTP mode: Bolt's ASGI adapter under uvicorn; each request is dispatched off the event loop."""

from __future__ import annotations

import asyncio

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.response import BoltResponse


class ThreadedRequestHandler(SlackRequestHandler):
    """Bolt's ASGI handler, with the (synchronous) dispatch run in a thread so requests do not queue."""

    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        body = await request.get_raw_body()
        bolt_request = BoltRequest(body=body, query=request.query_string, headers=request.get_headers())
        return await asyncio.to_thread(self.app.dispatch, bolt_request)


def serve(app: App, *, host: str, port: int, log_level: str = "info") -> None:
    """Serve Slack's events, commands and interactivity at /slack/events until interrupted."""
    import uvicorn

    uvicorn.run(ThreadedRequestHandler(app), host=host, port=port, log_level=log_level)
