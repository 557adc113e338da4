"""The issue log from Slack: `/liaison issue` and the "Log as issue" message shortcut open a modal, its
submission logs the issue and posts its card; the card's menu changes the status and its "Attach" buttons
attach the clauses Liaison suggests; `/liaison issues` lists the open ones.

`handle_issue_command` is called by the `/liaison` command listener (`commands.py`) for the `issue` and
`issues` verbs; `register` adds the modal, shortcut and card listeners.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from bot import access, cases, issues, records
from bot import questions as workflow
from bot.clauses import relevant_clauses
from bot.db import session
from bot.deps import Deps
from bot.slack import issue_blocks as ib
from bot.slack.facts import SlackProbe
from bot.slack.kit import escape
from bot.slack.listeners.home import refresh_homes
from bot.slack.permissions import may_manage
from bot.slack.replies import not_linked
from knowledge.errors import KnowledgeError
from knowledge.store import visible_to

log = logging.getLogger(__name__)
ISSUE_VERBS = ("issue", "issues")
_SLACK_MARKUP = re.compile(r"<([@#!])?([^>|]+)(?:\|([^>]*))?>")


def register(app: App, deps: Deps) -> None:
    @app.view(ib.CALLBACK_ID)
    def on_log_issue(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form, errors = ib.read_issue_form((view.get("state") or {}).get("values") or {})
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        meta = _metadata(view)
        if meta is None:  # not a form Liaison opened (or one from an older version): nothing to log it against
            ack(
                response_action="errors", errors={ib.TITLE: "This form has expired: open it again with /liaison issue."}
            )
            return
        user = body["user"]["id"]
        side = audience_side(deps, client, channel=meta["channel"], user=user, engagement=meta["engagement"])
        if side is None:  # the channel was rebound since the form opened, or the person left the engagement
            gone = f"This form is for {meta['engagement']}, which you can no longer log issues in from here."
            ack(response_action="errors", errors={ib.TITLE: gone[:150]})
            return
        issue, first = log_issue(deps, form, meta=meta, user=user, view_id=view["id"])
        ack()  # closes the modal
        if first:  # a retried submission returns the same issue and says nothing more
            post_card(deps, client, meta=meta, user=user, issue=issue, side=side)

    @app.shortcut(ib.SHORTCUT_ID)
    def on_log_message(ack: Ack, shortcut: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        open_from_message(deps, shortcut, respond, client)

    @app.action(ib.STATUS_ACTION)
    def on_status(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        issue_id, _, status = str((action.get("selected_option") or {}).get("value") or "").partition(":")
        if not issue_id.isdigit() or status not in cases.ISSUE_STATUSES:
            respond(response_type="ephemeral", replace_original=False, text="That status change was not understood.")
            return
        change_status(deps, body, respond, client, int(issue_id), status)

    @app.action(ib.ATTACH_ACTION)
    def on_attach(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        attach(deps, body, action, respond, client)


def _metadata(view: dict[str, Any]) -> dict[str, Any] | None:
    """The form's private metadata ({"channel", "engagement", "side", ...}), or None if it is not ours."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    if not isinstance(meta, dict) or not meta.get("engagement") or not meta.get("channel"):
        return None
    return meta


def handle_issue_command(
    deps: Deps, verb: str, rest: str, ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
) -> bool:
    """`/liaison issue [TITLE]` and `/liaison issues`: True if `verb` was one of them (and was handled)."""
    if verb not in ISSUE_VERBS:
        return False
    ack()
    channel = command["channel_id"]
    scope = workflow.scope_of(deps, channel, probe=SlackProbe(client), user_id=command.get("user_id"))
    if scope is None:
        not_linked(respond, channel)
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


# -- "Log as issue" ------------------------------------------------------------------------------
def plain_message_text(text: str) -> str:
    """A Slack message's text without its markup: <@U1> -> @U1, <https://x|label> -> label, &amp; -> &."""

    def readable(match: re.Match[str]) -> str:
        kind, target, label = match.groups()
        if kind in ("@", "#"):
            return f"{kind}{label or target}"
        if kind == "!":
            return f"@{(label or target).split('^')[0]}"
        return label or target

    text = _SLACK_MARKUP.sub(readable, text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def open_from_message(deps: Deps, shortcut: dict[str, Any], respond: Respond, client: WebClient) -> None:
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
    if permalink and (existing := _issue_with_permalink(deps, scope.engagement, permalink)) is not None:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=f"This message is already issue #{existing.id}: {escape(existing.title)} ({existing.status}).",
        )
        return
    text = plain_message_text(message.get("text") or "")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    view = ib.issue_modal(
        channel=channel,
        engagement=scope.engagement,
        side=scope.side,
        title=first_line,
        description=text,
        permalink=permalink,
        thread_ts=message.get("thread_ts") or message.get("ts"),
    )
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def _issue_with_permalink(deps: Deps, engagement: str, permalink: str) -> cases.IssueRecord | None:
    with session(deps.engine) as s:
        query = select(cases.IssueRecord).where(
            cases.IssueRecord.engagement == engagement, cases.IssueRecord.permalink == permalink
        )
        return s.exec(query).first()


# -- logging and the card ------------------------------------------------------------------------
def log_issue(deps: Deps, form: ib.IssueForm, *, meta: dict[str, Any], user: str, view_id: str) -> tuple[dict, bool]:
    """The issue a modal submission logs, once per view, and whether this is the first delivery."""
    with session(deps.engine) as s:
        first = records.claim_event(session=s, key=f"issue-confirmation:view:{view_id}")
        issue = issues.create_issue(
            session=s,
            engagement=meta["engagement"],
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
            permalink=meta.get("permalink"),
        )
        return cases.issue_as_dict(issue), first


def open_issues(deps: Deps, engagement: str) -> list[dict[str, Any]]:
    with session(deps.engine) as s:
        return [cases.issue_as_dict(i) for i in issues.list_issues(session=s, engagement=engagement)]


def suggestions_for(deps: Deps, issue: dict[str, Any], side: str) -> list[dict[str, Any]]:
    """The clauses that may apply to an issue, as the channel's side may see them (none if the search fails)."""
    text = f"{issue['title']}\n{issue.get('description') or ''}"
    try:
        return relevant_clauses(deps.kb, text, engagement=issue["engagement"], side=side)
    except Exception:  # suggestions are a help: the issue is logged and shown either way
        log.exception("could not suggest clauses for issue #%s", issue["id"])
        return []


def card(deps: Deps, issue_id: int, side: str) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """(text, blocks, issue) of an issue's card as it stands."""
    with session(deps.engine) as s:
        record = issues.get_issue(session=s, issue_id=issue_id)
        if record is None:
            raise LookupError(f"no issue #{issue_id}")
        issue = cases.issue_as_dict(record)
        history = [cases.entry_as_dict(e) for e in issues.issue_timeline(session=s, issue_id=issue_id)]
    card_blocks = ib.issue_card_blocks(
        issue, user=issue["created_by"], suggestions=suggestions_for(deps, issue, side), history=history[1:]
    )
    return ib.issue_confirmation_text(issue), card_blocks, issue


def post_card(
    deps: Deps, client: WebClient, *, meta: dict[str, Any], user: str, issue: dict[str, Any], side: str
) -> None:
    """Post the issue's card in the channel (in the message's thread for "Log as issue"), quoting only what the
    readers there (`side`, derived from that channel) may see; if Liaison may not post there, send it to the user
    directly, as their own side sees it. The issue is logged either way."""
    text, card_blocks, _ = card(deps, issue["id"], side)
    try:
        client.chat_postMessage(channel=meta["channel"], thread_ts=meta.get("thread_ts"), text=text, blocks=card_blocks)
    except SlackApiError as err:  # e.g. not_in_channel
        log.info("could not post issue #%s in %s: %s", issue["id"], meta["channel"], err.response.get("error"))
        own = audience_side(deps, client, channel=user, user=user, engagement=issue["engagement"]) or "shared"
        if own != side:
            text, card_blocks, _ = card(deps, issue["id"], own)
        client.chat_postMessage(channel=user, text=text, blocks=card_blocks)
    refresh_homes(deps, client, [user, issue.get("owner")])


def audience_side(deps: Deps, client: WebClient, *, channel: str, user: str, engagement: str) -> str | None:
    """The side whose documents may be quoted in `channel` about `engagement` now (see `bot.access`)."""
    return access.audience_side(deps, channel=channel, user=user, engagement=engagement, probe=SlackProbe(client))


def _update_card(deps: Deps, body: dict[str, Any], client: WebClient, issue_id: int, engagement: str) -> None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts")
    if not channel or not ts:
        return
    user = (body.get("user") or {}).get("id") or ""
    side = audience_side(deps, client, channel=channel, user=user, engagement=engagement)
    if side is None:  # not a place of this engagement (a card forwarded elsewhere): leave that message alone
        return
    text, card_blocks, _ = card(deps, issue_id, side)
    client.chat_update(channel=channel, ts=ts, text=text, blocks=card_blocks)


def _may_change(deps: Deps, client: WebClient, user: str, issue: cases.IssueRecord) -> bool:
    """The reporter, the owner, anyone with a role in the engagement, and workspace admins."""
    if user in (issue.created_by, issue.owner):
        return True
    with session(deps.engine) as s:
        if records.has_role(session=s, engagement=issue.engagement, user_id=user, roles=records.ROLES):
            return True
    return may_manage(deps, client, user, issue.engagement)


def change_status(
    deps: Deps, body: dict[str, Any], respond: Respond, client: WebClient, issue_id: int, status: str
) -> None:
    user = body["user"]["id"]
    with session(deps.engine) as s:
        issue = issues.get_issue(session=s, issue_id=issue_id)
    if issue is None:
        respond(response_type="ephemeral", replace_original=False, text=f"Issue #{issue_id} no longer exists.")
        return
    if not _may_change(deps, client, user, issue):
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=f"Only the reporter, the owner and the people with a role in {issue.engagement} "
            f"can change issue #{issue_id}'s status.",
        )
        return
    with session(deps.engine) as s:
        issues.set_issue_status(session=s, issue_id=issue_id, status=status, actor=user)
    _update_card(deps, body, client, issue_id, issue.engagement)
    refresh_homes(deps, client, [issue.created_by, issue.owner])


def _readable_text(deps: Deps, engagement: str, document: str, side: str) -> str:
    """The document's text if `side` may read it now; "" if it is hidden from that side or gone (alike, so a
    click learns nothing about documents it may not see)."""
    stored = deps.kb.store.get_document(engagement, document)
    if stored is None or stored.visibility not in visible_to(side):
        return ""
    try:
        return deps.kb.document_text(engagement, document)
    except KnowledgeError:  # removed in the meantime
        return ""


def attach(deps: Deps, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
    """Attach a suggested clause: the reporter (or an engagement mediator or admin) confirms it applies."""
    parsed = ib.read_clause_value(str(action.get("value") or ""))
    if parsed is None:
        respond(response_type="ephemeral", replace_original=False, text="That clause was not understood.")
        return
    issue_id, ref, digest = parsed
    user = body["user"]["id"]
    with session(deps.engine) as s:
        issue = issues.get_issue(session=s, issue_id=issue_id)
        allowed = issue is not None and (
            user == issue.created_by
            or records.has_role(session=s, engagement=issue.engagement, user_id=user, roles=["mediator", "admin"])
        )
    if issue is None:
        respond(response_type="ephemeral", replace_original=False, text=f"Issue #{issue_id} no longer exists.")
        return
    if not allowed:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=f"Only the person who logged issue #{issue_id} (or a mediator) attaches clauses to it.",
        )
        return
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
    side = audience_side(deps, client, channel=channel, user=user, engagement=issue.engagement)
    text = "" if side is None else _readable_text(deps, issue.engagement, ref["document"], side)
    quote = text[ref["start"] : ref["end"]]
    if not quote or ib.quote_hash(quote) != digest:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text="That clause changed or was removed since it was suggested; the card now shows fresh suggestions.",
        )
    else:
        with session(deps.engine) as s:
            issues.attach_clause(session=s, issue_id=issue_id, ref={**ref, "quote": quote}, actor=user)
    _update_card(deps, body, client, issue_id, issue.engagement)
