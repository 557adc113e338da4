"""Mediation threads in Slack: `/liaison mediate`, and the wiring of the mediation listeners.

`/liaison mediate TITLE [#12 ...] [by YYYY-MM-DD]` (mediators and engagement admins) posts a header message
whose thread is the mediation. The header's buttons open modals (positions, a proposal, escalation,
withdrawal) or act at once (agree, close, summarise): see `mediation_actions`. A 📌 reaction on a reply in the
thread adds that message to the case as evidence: see `mediation_evidence`. After every change the header is
edited in place (`bot.slack.mediation_header.refresh_header`): no new posts.

Who may do what is decided by `bot.authorize`, in the workflows (`bot.mediation.workflows`); anyone else gets a
private refusal and nothing happens.
"""

from __future__ import annotations

import logging
from typing import Any  # a mediation is `bot.mediation`'s JSON of it: the records' shape to type

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import questions as workflow
from bot.access import Scope
from bot.deps import Deps
from bot.errors import NotAllowed, NotFound
from bot.i18n import _, speaking
from bot.mediation import workflows as mediation
from bot.slack.blocks import answers as blocks
from bot.slack.blocks import mediation as mb
from bot.slack.blocks.kit import wire
from bot.slack.facts import SlackProbe
from bot.slack.language import for_post
from bot.slack.payloads import Command, Handler
from bot.slack.replies import not_linked

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Nothing to add here: `/liaison mediate` is in `VERBS` (routed by `commands`); the mediation's buttons and
    modals are `mediation_actions`', its 📌 evidence `mediation_evidence`'s, each registered on its own."""


# -- /liaison mediate --------------------------------------------------------------------------------
def mediate(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison mediate TITLE [#12 ...] [by YYYY-MM-DD]`: open a mediation and post its header."""
    ack()
    channel, user = command["channel_id"], command["user_id"]
    scope = workflow.scope_of(deps, channel, probe=SlackProbe(client))
    if scope is None:
        not_linked(respond, channel)
        return
    today = mediation.today(deps)
    request, problem = mb.read_mediate_text(rest, today=today, default_days=deps.settings.mediation_deadline_days)
    if request is None:
        _tell(respond, problem)
        return
    wanted = mediation.MediationOpen(request.title, list(request.issue_ids), request.deadline)
    try:
        opened = mediation.open_case(
            deps, wanted, scope=scope, channel=channel, user=user, trigger=command["trigger_id"]
        )
    except NotAllowed as err:
        _tell(respond, str(err))
        return
    except NotFound as err:
        said = _("I can't open that mediation: {error}. Check the issue numbers with `/liaison issues`.")
        _tell(respond, said.format(error=err))
        return
    if opened is not None:
        post_header(deps, client, respond, opened, scope=scope)


def post_header(deps: Deps, client: WebClient, respond: Respond, case: dict[str, Any], *, scope: Scope) -> None:
    """Post the header (its ts is the thread); if Slack refuses, the mediation is discarded and the user told."""
    with speaking(for_post(deps, channel_id=case["channel_id"], engagement=case.get("engagement"))):
        text = mb.header_text(case)  # the whole channel reads the header: its language
        blocks = mb.header_blocks(case, side=scope.side, today=mediation.today(deps))
    try:
        posted = client.chat_postMessage(channel=case["channel_id"], text=text, blocks=wire(blocks), unfurl_links=False)
    except Exception as err:
        mediation.discard(deps, case["id"])
        if not isinstance(err, SlackApiError):
            raise
        error = err.response.get("error")
        log.info("could not post mediation #%s in %s: %s", case["id"], case["channel_id"], error)
        _tell(
            respond,
            _(
                "I could not post the mediation in this channel (Slack said `{error}`), so none was opened. "
                "Invite me with `/invite @Liaison` and try again."
            ).format(error=error),
        )
        return
    mediation.header_posted(deps, case["id"], posted["ts"])


def _tell(respond: Respond, text: str) -> None:
    respond(response_type="ephemeral", text=text, blocks=wire(blocks.refusal_blocks(text)))


VERBS: dict[str, Handler] = {"mediate": mediate}
