"""The issue log from Slack: `/liaison issue` opens a modal, its submission logs the issue, `/liaison issues` lists.

`handle_issue_command` is called by the `/liaison` command listener (`commands.py`) for the `issue` and
`issues` verbs; `register` adds the modal's submission listener.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import cases, issues, records
from bot import questions as workflow
from bot.db import session
from bot.deps import Deps
from bot.slack import blocks
from bot.slack import issue_blocks as ib

log = logging.getLogger(__name__)
ISSUE_VERBS = ("issue", "issues")


def register(app: App, deps: Deps) -> None:
    @app.view(ib.CALLBACK_ID)
    def on_log_issue(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form, errors = ib.read_issue_form((view.get("state") or {}).get("values") or {})
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        meta = json.loads(view.get("private_metadata") or "{}")
        user = body["user"]["id"]
        issue, first = log_issue(deps, form, engagement=meta["engagement"], user=user, view_id=view["id"])
        ack()  # closes the modal
        if first:  # a retried submission returns the same issue and says nothing more
            post_confirmation(client, channel=meta["channel"], user=user, issue=issue)


def handle_issue_command(
    deps: Deps, verb: str, rest: str, ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
) -> bool:
    """`/liaison issue [TITLE]` and `/liaison issues`: True if `verb` was one of them (and was handled)."""
    if verb not in ISSUE_VERBS:
        return False
    ack()
    channel = command["channel_id"]
    scope = workflow.scope_of(deps, channel)
    if scope is None:
        respond(
            response_type="ephemeral",
            text="This channel is not linked to an engagement.",
            blocks=blocks.unbound_channel_blocks(channel_is_dm=channel.startswith("D")),
        )
    elif verb == "issue":
        view = ib.issue_modal(channel=channel, engagement=scope.engagement, side=scope.side, title=rest)
        client.views_open(trigger_id=command["trigger_id"], view=view)
    else:
        # Issues are records both sides share, so a client, vendor or shared channel lists them all.
        issues = open_issues(deps, scope.engagement)
        respond(
            response_type="ephemeral",
            text=ib.issue_list_text(issues, engagement=scope.engagement),
            blocks=ib.issue_list_blocks(issues, engagement=scope.engagement),
        )
    return True


def log_issue(deps: Deps, form: ib.IssueForm, *, engagement: str, user: str, view_id: str) -> tuple[dict, bool]:
    """The issue a modal submission logs, once per view, and whether this is the first delivery."""
    with session(deps.engine) as s:
        first = records.claim_event(session=s, key=f"issue-confirmation:view:{view_id}")
        issue = issues.create_issue(
            session=s,
            engagement=engagement,
            title=form.title,
            created_by=user,
            description=form.description,
            category=form.category,
            severity=form.severity,
            risk=form.risk,
            value=form.value,
            raised_by_side=form.raised_by_side,
            owner=form.owner,
            due=form.due,
            source_key=f"view:{view_id}",
        )
        return cases.issue_as_dict(issue), first


def open_issues(deps: Deps, engagement: str) -> list[dict[str, Any]]:
    with session(deps.engine) as s:
        return [cases.issue_as_dict(i) for i in issues.list_issues(session=s, engagement=engagement)]


def post_confirmation(client: WebClient, *, channel: str, user: str, issue: dict[str, Any]) -> None:
    """Say in the channel that the issue was logged; if Liaison may not post there, tell the user directly."""
    text = ib.issue_confirmation_text(issue)
    message_blocks = ib.issue_confirmation_blocks(issue, user=user)
    try:
        client.chat_postMessage(channel=channel, text=text, blocks=message_blocks)
    except SlackApiError as err:  # e.g. not_in_channel: the issue is logged either way
        log.info("could not confirm issue #%s in %s: %s", issue["id"], channel, err.response.get("error"))
        client.chat_postMessage(channel=user, text=text, blocks=message_blocks)
