"""The deadlines register from Slack: `/liaison deadlines` (the channel's side's upcoming deadlines, each with its
clause; Approve, Mark done and Waive for its reviewers), and the reminders' Mark done, Snooze and Open a
mediation buttons.

Every handler derives the engagement and the side from the channel at the moment of use (`bot.access`: the
binding, narrowed to shared for Slack Connect or a person of another organisation), never from the payload;
button values carry an obligation's id only (sealed), and the workflows re-read it among those the side may see
and re-authorize (`bot.authorize`). Refusals are said privately, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import access
from bot.access import Scope
from bot.authorize import Actor
from bot.deadlines import reminders
from bot.deadlines import workflows as deadlines
from bot.deps import Deps
from bot.errors import LiaisonError
from bot.i18n import _
from bot.mediation import workflows as mediation
from bot.records.deadlines import DeadlineStatus
from bot.sla.workflows import person
from bot.slack.blocks import deadlines as db
from bot.slack.blocks import mediation as mb
from bot.slack.blocks.kit import Block, section, wire
from bot.slack.blocks.text_fit import escape
from bot.slack.facts import SlackProbe, workspace_admin
from bot.slack.payloads import Action, ActionBody, Command, Handler, channel_of
from bot.slack.replies import not_linked

log = logging.getLogger(__name__)
REFUSALS = (LiaisonError, ValueError)  # DeadlineInputError is a ValueError


@dataclass(frozen=True)
class Here:
    """Who acts, in which engagement, from which side: derived from the channel now."""

    channel: str
    scope: Scope
    who: Actor

    @property
    def engagement(self) -> str:
        return self.scope.engagement

    @property
    def side(self) -> str:
        return self.scope.side


def register(app: App) -> None:
    app.action(db.DONE)(on_done)
    app.action(db.SNOOZE)(on_snooze)
    app.action(db.MEDIATE)(on_mediate)
    app.action(db.APPROVE)(reviewing("approved"))
    app.action(db.LIST_DONE)(reviewing("done"))
    app.action(db.WAIVE)(reviewing("waived"))


def here(deps: Deps, client: WebClient, *, channel: str, user: str) -> Here | None:
    scope = access.scope_of(deps, channel, probe=SlackProbe(client), user_id=user)
    if scope is None:
        return None
    return Here(channel, scope, person(deps, user, scope.engagement, workspace_admin(client)))


def _say(respond: Respond, text: str, blocks: list[Block] | None = None, *, replace: bool = False) -> None:
    """A private reply: `text` is mrkdwn, already escaped."""
    respond(response_type="ephemeral", replace_original=replace, text=text, blocks=wire(blocks or [section(text)]))


def today(deps: Deps) -> date:
    return mediation.today(deps)


# -- /liaison deadlines ----------------------------------------------------------------------------
def on_deadlines(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison deadlines`: the upcoming deadlines this channel's side may see (drafts for role holders)."""
    ack()
    if rest.strip().lower() == "help":
        _say(respond, _(db.HELP))
        return
    at = here(deps, client, channel=command["channel_id"], user=command["user_id"])
    if at is None:
        not_linked(respond, command["channel_id"])
        return
    _say(respond, *listing_view(deps, at))


def listing_view(deps: Deps, at: Here) -> tuple[str, list[Block]]:
    day = today(deps)
    rows = db.upcoming(deadlines.listing(deps, engagement=at.engagement, who=at.who, side=at.side, as_of=day), day)
    reviewer = deadlines.may_review(at.who, at.engagement)
    blocks = db.listing_blocks(rows, engagement=at.engagement, side=at.side, today=day, reviewer=reviewer)
    return db.listing_text(rows, at.engagement), blocks


# -- the buttons -----------------------------------------------------------------------------------
def _clicked(
    deps: Deps, body: ActionBody, action: Action, respond: Respond, client: WebClient
) -> tuple[Here, int] | None:
    """Where the click happened, derived now, and the obligation's id; None (the person told) if unbound."""
    channel = channel_of(body)
    at = here(deps, client, channel=channel, user=body["user"]["id"]) if channel else None
    if at is None:
        not_linked(respond, channel)
        return None
    value = str(action.get("value") or "")
    return (at, int(value)) if value.isdigit() else None


def reviewing(status: DeadlineStatus) -> Callable[..., None]:
    """The listing's Approve, Mark done or Waive button's listener."""

    def on_review(
        ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        review(context["deps"], body, action, respond, client, status)

    return on_review


def review(
    deps: Deps, body: ActionBody, action: Action, respond: Respond, client: WebClient, status: DeadlineStatus
) -> None:
    """Approve, mark done or waive one obligation the channel may see, then show the listing again."""
    clicked = _clicked(deps, body, action, respond, client)
    if clicked is None:
        return
    at, deadline_id = clicked
    try:
        deadlines.review(
            deps, engagement=at.engagement, deadline_ids=[deadline_id], status=status, who=at.who, side=at.side
        )
    except REFUSALS as err:
        _say(respond, escape(str(err)))
        return
    _text, blocks = listing_view(deps, at)
    said = db.reviewed_text(deadline_id, status)
    _say(respond, said, [section(said), *blocks], replace=True)


def on_done(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """A reminder's Mark done: the reminder then says who marked it done (no more reminders)."""
    ack()
    deps: Deps = context["deps"]
    clicked = _clicked(deps, body, action, respond, client)
    if clicked is None:
        return
    at, deadline_id = clicked
    try:
        shown = reminders.mark_done(deps, engagement=at.engagement, deadline_id=deadline_id, who=at.who, side=at.side)
    except REFUSALS as err:
        _say(respond, escape(str(err)))
        return
    text = db.done_text(shown, at.who.user_id)
    respond(replace_original=True, text=text, blocks=wire(db.done_blocks(shown, at.who.user_id)))


def on_snooze(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Snooze: the obligation's reminders wait 7 days, then come back once; the channel is told who snoozed."""
    ack()
    deps: Deps = context["deps"]
    clicked = _clicked(deps, body, action, respond, client)
    if clicked is None:
        return
    at, deadline_id = clicked
    try:
        until = reminders.snooze(
            deps, engagement=at.engagement, deadline_id=deadline_id, who=at.who, side=at.side, today=today(deps)
        )
    except REFUSALS as err:
        _say(respond, escape(str(err)))
        return
    text = db.snoozed_text(deadline_id, until, at.who.user_id)
    respond(response_type="in_channel", replace_original=False, text=text, blocks=wire([section(text)]))


def on_mediate(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Open a mediation about the obligation in this channel (mediators and admins), as `/liaison mediate` does."""
    ack()
    deps: Deps = context["deps"]
    clicked = _clicked(deps, body, action, respond, client)
    if clicked is None:
        return
    at, deadline_id = clicked
    try:
        wanted = reminders.mediation_request(
            deps, engagement=at.engagement, deadline_id=deadline_id, who=at.who, side=at.side, today=today(deps)
        )
        opened = mediation.open_case(
            deps, wanted, scope=at.scope, channel=at.channel, user=at.who.user_id, trigger=body["trigger_id"]
        )
    except REFUSALS as err:
        _say(respond, escape(str(err)))
        return
    if opened is not None:
        _post_header(deps, client, respond, opened, side=at.side)


def _post_header(deps: Deps, client: WebClient, respond: Respond, case: dict[str, object], *, side: str) -> None:
    """The mediation's header, its thread; if Slack refuses it, the mediation is discarded (as `/liaison mediate`)."""
    case_id = int(str(case["id"]))
    try:
        posted = client.chat_postMessage(
            channel=str(case["channel_id"]),
            text=mb.header_text(case),
            blocks=wire(mb.header_blocks(case, side=side, today=today(deps))),
            unfurl_links=False,
        )
    except SlackApiError as err:
        mediation.discard(deps, case_id)
        error = err.response.get("error")
        log.info("could not post mediation #%s in %s: %s", case_id, case["channel_id"], error)
        said = _("I could not post the mediation here (Slack said `{error}`), so none was opened.")
        _say(respond, said.format(error=escape(str(error))))
        return
    mediation.header_posted(deps, case_id, posted["ts"])


VERBS: dict[str, Handler] = {"deadlines": on_deadlines}
