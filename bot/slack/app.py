"""The Slack app: built by a factory from settings and dependencies, listeners registered per feature."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any  # the error handler's body is any kind of request, Slack's open JSON (the listeners type theirs)

from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import _
from bot.settings import Settings
from bot.slack import seal
from bot.slack.blocks import answers as blocks
from bot.slack.blocks.kit import wire
from bot.slack.language import ContextExecutor, with_language
from bot.slack.listeners import (
    channels,
    commands,
    deadlines,
    digest,
    feedback,
    files,
    home,
    issues,
    language,
    mediation_actions,
    mediation_evidence,
    mediations,
    questions,
    sla,
    sla_actions,
)
from knowledge.errors import KnowledgeError

log = logging.getLogger(__name__)


class LiaisonApp(App):
    """Bolt's App, answering 401 rather than 500 when the signing timestamp is not a number (slack_sdk's
    verifier calls int() on it), and dispatching each request in a copy of the caller's context (its language,
    set by `bot.slack.language.with_language`, ends with it)."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        timestamp = str(req.headers.get("x-slack-request-timestamp", ["0"])[0])
        if req.mode == "http" and not (timestamp.isascii() and timestamp.isdigit()):
            return BoltResponse(status=401, body={"error": "invalid request"})
        return contextvars.copy_context().run(super().dispatch, req)


# Each feature's listeners, added by its register(app); each feature's /liaison verbs, one table.
LISTENERS = (
    questions,
    commands,
    feedback,
    files,
    issues,
    mediations,
    mediation_actions,
    mediation_evidence,
    home,
    digest,
    channels,
    sla,
    sla_actions,
    deadlines,
    language,
)
VERBS = {
    **commands.VERBS,
    **files.VERBS,
    **issues.VERBS,
    **mediations.VERBS,
    **sla.VERBS,
    **deadlines.VERBS,
    **language.VERBS,
}


def create_app(settings: Settings, deps: Deps, *, client: WebClient, listener_executor: Executor | None = None) -> App:
    """The Bolt app with every listener, on `client` (Slack's, from `bot.app.make_slack_client`, or one pointed
    at a local Slack API); `listener_executor` lets the terminal chat watch the listeners run (Bolt's own thread
    pool otherwise); either runs each listener in a copy of its request's context (`ContextExecutor`)."""
    executor = ContextExecutor(listener_executor or ThreadPoolExecutor(max_workers=5))  # Bolt's own pool size
    app = LiaisonApp(
        signing_secret=settings.slack_signing_secret,
        client=client,  # carries the bot token
        request_verification_enabled=True,
        listener_executor=executor,
    )
    seal.configure(settings.seal_key)
    app.middleware(with_language(deps))  # the language each request is answered in (bot.slack.language)
    app.middleware(seal.verify_seals)  # every button value and modal metadata must be one Liaison signed

    @app.middleware
    def with_deps(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002 (Bolt's name)
        context["deps"] = deps  # what every listener reads as context["deps"]
        context["verbs"] = VERBS  # the /liaison verbs, for listeners.commands
        return next()

    for listeners in LISTENERS:
        listeners.register(app)

    @app.error
    def on_error(
        error: Exception, body: dict[str, Any], respond: Any, client: WebClient, logger: logging.Logger
    ) -> None:
        logger.exception("listener failed: %s (type=%s)", error, body.get("type") or body.get("command"))
        apology = _apology(error)
        try:
            if body.get("response_url") and respond is not None:
                respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text=apology,
                    blocks=wire(blocks.error_blocks(apology)),
                )
            elif (event := body.get("event") or {}).get("channel"):
                client.chat_postMessage(
                    channel=event["channel"],
                    thread_ts=event.get("thread_ts") or event.get("ts"),
                    text=apology,
                    blocks=wire(blocks.error_blocks(apology)),
                )
        except Exception:  # Slack itself failing: the log above is all we can do
            logger.exception("could not tell the user about the failure")

    return app


def _apology(error: Exception) -> str:
    """A short message for the user: the knowledge base's own errors say what to do; others do not leak."""
    if isinstance(error, KnowledgeError):
        return _("Sorry, I could not answer that: {error}").format(error=error)
    return _("Sorry, something went wrong on my side. Please try again in a moment.")
