"""The issue log from Slack: `/liaison issue` and the "Log as issue" message shortcut open a modal, its
submission logs the issue and posts its card; the card's menu changes the status and its "Attach" buttons
attach the clauses Liaison suggests; `/liaison issues` lists the open ones.

`open_issue_form` and `list_open_issues` are the `/liaison issue` and `/liaison issues` verbs (`commands.py`);
`register` adds the modal, shortcut and card listeners. The rules and the records are `bot.issues.workflows`.
"""

from __future__ import annotations

import json
import logging
from typing import Any  # issues, clause refs, timeline entries: `bot.issues`' JSON, the records' to type

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import access
from bot import questions as workflow
from bot.deps import Deps
from bot.errors import LiaisonError
from bot.i18n import _, speaking
from bot.issues import workflows as issue_log
from bot.records import cases
from bot.slack.blocks import issue_modal
from bot.slack.blocks import issues as ib
from bot.slack.blocks.issue_modal import IssueMeta
from bot.slack.blocks.kit import Block, ShownView, wire, wire_view
from bot.slack.blocks.text_fit import escape, unmarked
from bot.slack.facts import SlackProbe, workspace_admin
from bot.slack.homes import refresh_homes, workspace_url
from bot.slack.language import for_post
from bot.slack.payloads import Action, ActionBody, Command, Handler, Shortcut, ViewBody
from bot.slack.replies import not_linked

log = logging.getLogger(__name__)
ISSUE_VERBS = ("issue", "issues")


def register(app: App) -> None:
    app.view(issue_modal.CALLBACK_ID)(on_log_issue)
    app.shortcut(ib.SHORTCUT_ID)(on_log_message)
    app.action(ib.STATUS_ACTION)(on_status)
    app.action(ib.ATTACH_ACTION)(on_attach)


def on_log_issue(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    deps: Deps = context["deps"]
    form, errors = issue_modal.read_issue_form((view.get("state") or {}).get("values") or {})
    if form is None:
        ack(response_action="errors", errors=errors)
        return
    meta = _metadata(view)
    if meta is None:  # not a form Liaison opened (or one from an older version): nothing to log it against
        ack(
            response_action="errors",
            errors={issue_modal.TITLE: _("This form has expired: open it again with /liaison issue.")},
        )
        return
    user = body["user"]["id"]
    side = audience_side(deps, client, channel=meta["channel"], user=user, engagement=meta["engagement"])
    if side is None:  # the channel was rebound since the form opened, or the person left the engagement
        gone = _("This form is for {engagement}, which you can no longer log issues in from here.").format(
            engagement=meta["engagement"]
        )
        ack(response_action="errors", errors={issue_modal.TITLE: gone[:150]})
        return
    issue_in = issue_log.NewIssue(
        engagement=meta["engagement"],
        title=form.title,
        description=form.description,
        category=form.category,
        severity=form.severity,
        risk=form.risk,
        value=form.value,
        raised_by_side=form.raised_by_side,
        owner=form.owner,
        due=form.due,
        permalink=meta.get("permalink"),
    )
    logged = issue_log.log_issue(deps, issue_in, actor=user, view_id=view["id"])
    ack()  # closes the modal
    if logged.first:  # a retried submission returns the same issue and says nothing more
        post_card(deps, client, meta=meta, user=user, issue=logged.issue, side=side, url=workspace_url(client, context))


def on_log_message(ack: Ack, shortcut: Shortcut, respond: Respond, client: WebClient, context: BoltContext) -> None:
    ack()
    open_from_message(context["deps"], shortcut, respond, client)


def on_status(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    option = action.get("selected_option")
    issue_id, _sep, status = str(option.get("value") or "" if option else "").partition(":")
    if not issue_id.isdigit() or status not in cases.ISSUE_STATUSES:
        respond(response_type="ephemeral", replace_original=False, text=_("That status change was not understood."))
        return
    change_status(context["deps"], body, respond, client, int(issue_id), status, url=workspace_url(client, context))


def on_attach(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    attach(context["deps"], body, action, respond, client)


def _metadata(view: ShownView) -> IssueMeta | None:
    """The form's private metadata ({"channel", "engagement", "permalink", "thread_ts"}), or None if it is not ours."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    if not isinstance(meta, dict) or not meta.get("engagement") or not meta.get("channel"):
        return None
    out: IssueMeta = {"channel": meta["channel"], "engagement": meta["engagement"]}
    for key in ("permalink", "thread_ts"):
        if key in meta:
            out[key] = meta[key]
    return out


def _command_scope(
    deps: Deps, command: Command, respond: Respond, client: WebClient
) -> tuple[str, workflow.Scope | None]:
    channel = command["channel_id"]
    scope = workflow.scope_of(deps, channel, probe=SlackProbe(client), user_id=command.get("user_id"))
    if scope is None:
        not_linked(respond, channel)
    return channel, scope


def open_issue_form(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison issue [TITLE]`: the issue form, for the channel's engagement."""
    ack()
    channel, scope = _command_scope(deps, command, respond, client)
    if scope is not None:
        view = issue_modal.issue_modal(channel=channel, engagement=scope.engagement, side=scope.side, title=rest)
        client.views_open(trigger_id=command["trigger_id"], view=wire_view(view))


def list_open_issues(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison issues`: the open ones. Issues are records both sides share, so any bound channel lists them all."""
    ack()
    _, scope = _command_scope(deps, command, respond, client)
    if scope is not None:
        issues = issue_log.open_issues(deps, scope.engagement)
        respond(
            response_type="ephemeral",
            text=ib.issue_list_text(issues, engagement=scope.engagement),
            blocks=wire(ib.issue_list_blocks(issues, engagement=scope.engagement)),
        )


# -- "Log as issue" ------------------------------------------------------------------------------
def plain_message_text(text: str) -> str:
    """A Slack message's text without its markup: <@U1> -> @U1, <https://x|label> -> label, &amp; -> &."""
    return unmarked(text).strip()


def open_from_message(deps: Deps, shortcut: Shortcut, respond: Respond, client: WebClient) -> None:
    """The modal pre-filled from the message, linked to it; unless the channel is unbound or the message is
    already an issue (then the user is told which)."""
    channel = (shortcut.get("channel") or {}).get("id") or ""
    message = shortcut.get("message") or {}
    scope = workflow.scope_of(deps, channel, probe=SlackProbe(client), user_id=(shortcut.get("user") or {}).get("id"))
    if scope is None:
        not_linked(respond, channel)
        return
    try:
        permalink = client.chat_getPermalink(channel=channel, message_ts=message["ts"])["permalink"]
    except (SlackApiError, KeyError) as err:
        log.info("no permalink for %s/%s: %s", channel, message.get("ts"), err)
        permalink = None
    if permalink and (existing := issue_log.issue_with_permalink(deps, scope.engagement, permalink)) is not None:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=_("This message is already issue #{id}: {title} ({status}).").format(
                id=existing.id, title=escape(existing.title), status=ib.status_name(existing.status)
            ),
        )
        return
    text = plain_message_text(message.get("text") or "")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    view = issue_modal.issue_modal(
        channel=channel,
        engagement=scope.engagement,
        side=scope.side,
        title=first_line,
        description=text,
        permalink=permalink,
        thread_ts=message.get("thread_ts") or message.get("ts"),
    )
    client.views_open(trigger_id=shortcut["trigger_id"], view=wire_view(view))


# -- the card ------------------------------------------------------------------------------------
def card(deps: Deps, issue_id: int, side: str) -> tuple[str, list[Block], dict[str, Any]]:
    """(text, blocks, issue) of an issue's card as it stands."""
    shown = issue_log.issue_card(deps, issue_id, side)
    issue = shown.issue
    card_blocks = ib.issue_card_blocks(
        issue, user=issue["created_by"], suggestions=shown.suggestions, history=shown.history[1:]
    )
    return ib.issue_confirmation_text(issue), card_blocks, issue


def post_card(
    deps: Deps,
    client: WebClient,
    *,
    meta: IssueMeta,
    user: str,
    issue: dict[str, Any],
    side: str,
    url: str | None = None,
) -> None:
    """Post the issue's card in the channel (in the message's thread for "Log as issue"), quoting only what the
    readers there (`side`, derived from that channel) may see; if Liaison may not post there, send it to the user
    directly, as their own side sees it. The issue is logged either way."""
    with speaking(for_post(deps, channel_id=meta["channel"], engagement=issue["engagement"])):
        text, card_blocks, _issue = card(deps, issue["id"], side)  # a card everyone there reads: their language
    try:
        client.chat_postMessage(
            channel=meta["channel"], thread_ts=meta.get("thread_ts"), text=text, blocks=wire(card_blocks)
        )
    except SlackApiError as err:  # e.g. not_in_channel
        log.info("could not post issue #%s in %s: %s", issue["id"], meta["channel"], err.response.get("error"))
        own = audience_side(deps, client, channel=user, user=user, engagement=issue["engagement"]) or "shared"
        if own != side:
            text, card_blocks, _issue = card(deps, issue["id"], own)
        client.chat_postMessage(channel=user, text=text, blocks=wire(card_blocks))
    refresh_homes(deps, client, [user, issue.get("owner")], url=url)


def audience_side(deps: Deps, client: WebClient, *, channel: str, user: str, engagement: str) -> str | None:
    """The side whose documents may be quoted in `channel` about `engagement` now (see `bot.access`)."""
    return access.audience_side(deps, channel=channel, user=user, engagement=engagement, probe=SlackProbe(client))


def _update_card(deps: Deps, body: ActionBody, client: WebClient, issue_id: int, engagement: str) -> None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts")
    if not channel or not ts:
        return
    user = (body.get("user") or {}).get("id") or ""
    side = audience_side(deps, client, channel=channel, user=user, engagement=engagement)
    if side is None:  # not a place of this engagement (a card forwarded elsewhere): leave that message alone
        return
    with speaking(for_post(deps, channel_id=channel, engagement=engagement)):  # never the clicker's language
        text, card_blocks, _issue = card(deps, issue_id, side)
    client.chat_update(channel=channel, ts=ts, text=text, blocks=wire(card_blocks))


def change_status(
    deps: Deps,
    body: ActionBody,
    respond: Respond,
    client: WebClient,
    issue_id: int,
    status: str,
    *,
    url: str | None = None,
) -> None:
    user = body["user"]["id"]
    try:
        issue = issue_log.change_status(deps, issue_id, status, actor=user, is_workspace_admin=workspace_admin(client))
    except LiaisonError as err:
        respond(response_type="ephemeral", replace_original=False, text=str(err))
        return
    _update_card(deps, body, client, issue_id, issue.engagement)
    refresh_homes(deps, client, [issue.created_by, issue.owner], url=url)


def attach(deps: Deps, body: ActionBody, action: Action, respond: Respond, client: WebClient) -> None:
    """Attach a suggested clause: the reporter (or an engagement mediator or admin) confirms it applies."""
    parsed = ib.read_clause_value(str(action.get("value") or ""))
    if parsed is None:
        respond(response_type="ephemeral", replace_original=False, text=_("That clause was not understood."))
        return
    issue_id, ref, digest = parsed
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
    try:
        issue, attached = issue_log.attach_clause(
            deps, issue_id, ref, digest, actor=user, channel=channel, probe=SlackProbe(client)
        )
    except LiaisonError as err:
        respond(response_type="ephemeral", replace_original=False, text=str(err))
        return
    if not attached:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=_("That clause changed or was removed since it was suggested; the card now shows fresh suggestions."),
        )
    _update_card(deps, body, client, issue_id, issue.engagement)


VERBS: dict[str, Handler] = {"issue": open_issue_form, "issues": list_open_issues}
