"""What the SLA register's listeners share (`bot/slack/listeners/sla.py`: the `/liaison sla` command;
`sla_actions.py`: its buttons and forms): where an action happens, derived now from the channel, private replies,
the register's view, the Report form and a new breach issue's card.

Every handler derives the engagement and the side from the channel at the moment of use (`bot.access`: the
binding, narrowed to shared for Slack Connect or a person of another organisation), never from the payload;
`bot.sla.workflows` re-reads and re-authorizes. The workflows' refusals are said privately, never raised.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import access
from bot.authorize import Actor
from bot.deps import Deps
from bot.errors import LiaisonError
from bot.issues import workflows as issue_log
from bot.sla import home as sla_home
from bot.sla import workflows as sla
from bot.slack.blocks import issues as ib
from bot.slack.blocks import sla as sb
from bot.slack.blocks.kit import Block, section, wire, wire_view
from bot.slack.blocks.text_fit import escape
from bot.slack.facts import SlackProbe, workspace_admin

log = logging.getLogger(__name__)
REFUSALS = (LiaisonError, ValueError)  # SlaInputError is a ValueError


@dataclass(frozen=True)
class Here:
    """Who acts, in which engagement, from which side: derived from the channel now."""

    channel: str
    engagement: str
    side: str
    who: Actor


def here(deps: Deps, client: WebClient, *, channel: str, user: str) -> Here | None:
    """The channel's engagement and side now, and the person as that engagement knows them (None: unbound)."""
    scope = access.scope_of(deps, channel, probe=SlackProbe(client), user_id=user)
    if scope is None:
        return None
    who = sla.person(deps, user, scope.engagement, workspace_admin(client))
    return Here(channel, scope.engagement, scope.side, who)


def say(respond: Respond, text: str, blocks: list[Block] | None = None, *, replace: bool = False) -> None:
    """A private reply: `text` is mrkdwn, already escaped (the blocks, when given, say it in full)."""
    respond(response_type="ephemeral", replace_original=replace, text=text, blocks=wire(blocks or [section(text)]))


def refuse(respond: Respond, err: Exception) -> None:
    say(respond, escape(str(err)))


def register_view(deps: Deps, at: Here) -> tuple[str, list[Block]]:
    levels = sla.listing(deps, engagement=at.engagement, who=at.who, side=at.side)
    latest = sla_home.latest(deps, engagement=at.engagement, side=at.side, today=datetime.now(UTC).date())
    reviewer = sla.may_review(at.who, at.engagement)
    blocks = sb.register_blocks(levels, latest, engagement=at.engagement, side=at.side, reviewer=reviewer)
    return sb.register_text(levels, at.engagement), blocks


def post_breach_card(deps: Deps, client: WebClient, *, channel: str, issue_id: int, side: str) -> None:
    """The new sla-breach issue's card in the channel, as the issue log posts its cards (best effort)."""
    shown = issue_log.issue_card(deps, issue_id, side)
    issue = shown.issue
    blocks = ib.issue_card_blocks(
        issue, user=issue["created_by"], suggestions=shown.suggestions, history=shown.history[1:]
    )
    try:
        client.chat_postMessage(channel=channel, text=ib.issue_confirmation_text(issue), blocks=wire(blocks))
    except SlackApiError as err:  # e.g. not_in_channel: the reply already names the issue
        log.info("could not post breach issue #%s in %s: %s", issue_id, channel, err.response.get("error"))


def open_report_form(deps: Deps, at: Here, client: WebClient, trigger_id: str) -> None:
    levels = [
        lv for lv in sla.listing(deps, engagement=at.engagement, who=at.who, side=at.side) if lv["status"] != "rejected"
    ]
    client.views_open(trigger_id=trigger_id, view=wire_view(sb.report_modal(levels, channel=at.channel)))


def tell(client: WebClient, at: Here, user: str, text: str) -> None:
    """A private note in the channel the form came from (best effort: what was saved stays saved)."""
    try:
        client.chat_postEphemeral(channel=at.channel, user=user, text=text, blocks=wire([section(text)]))
    except SlackApiError as err:
        log.info("could not tell %s in %s: %s", user, at.channel, err.response.get("error"))
