"""Mediation threads in Slack: `/liaison mediate`, and the wiring of the mediation listeners.

`/liaison mediate TITLE [#12 ...] [by YYYY-MM-DD]` (mediators and engagement admins) posts a header message
whose thread is the mediation. The header's buttons open modals (positions, a proposal, escalation,
withdrawal) or act at once (agree, close, summarise): see `mediation_actions`. A 📌 reaction on a reply in the
thread adds that message to the case as evidence: see `mediation_evidence`. After every change the header is
edited in place (`mediation_common.refresh_header`): no new posts.

Who may do what is decided from the engagement's roles (`bot.records.EngagementRole`); anyone else gets a
private refusal and nothing happens.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import issues, mediations, records
from bot import questions as workflow
from bot.clauses import relevant_clauses
from bot.db import session
from bot.deps import Deps
from bot.questions import Scope
from bot.slack import blocks
from bot.slack import mediation_blocks as mb
from bot.slack.facts import SlackProbe
from bot.slack.listeners import mediation_actions, mediation_evidence
from bot.slack.listeners.mediation_common import MANAGERS, id_of, today
from bot.slack.replies import not_linked
from knowledge.errors import KnowledgeError

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    """Add the mediation listeners (buttons, modals, 📌 reactions); the command is routed by `commands`."""
    mediation_actions.register(app, deps)
    mediation_evidence.register(app, deps)


# -- /liaison mediate --------------------------------------------------------------------------------
def handle_mediation_command(
    deps: Deps, verb: str, rest: str, ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
) -> bool:
    """`/liaison mediate TITLE`: True if `verb` was one of ours (and was handled)."""
    if verb != mb.VERB:
        return False
    ack()
    channel, user = command["channel_id"], command["user_id"]
    scope = workflow.scope_of(deps, channel, probe=SlackProbe(client))
    if scope is None:
        not_linked(respond, channel)
        return True
    request, problem = mb.read_mediate_text(rest, today=today(deps), default_days=deps.settings.mediation_deadline_days)
    if request is None:
        _tell(respond, problem)
        return True
    if not _has_role(deps, scope.engagement, user, MANAGERS):
        _tell(respond, f"Only mediators and admins of {scope.engagement} can open a mediation. Ask one to run it.")
        return True
    try:
        opened = open_case(deps, request, scope=scope, channel=channel, user=user, trigger=command["trigger_id"])
    except LookupError as err:
        _tell(respond, f"I can't open that mediation: {err}. Check the issue numbers with `/liaison issues`.")
        return True
    if opened is not None:
        post_header(deps, client, respond, opened, scope=scope)
    return True


def open_case(
    deps: Deps, request: mb.MediateRequest, *, scope: Scope, channel: str, user: str, trigger: str
) -> dict[str, Any] | None:
    """The mediation the command opens (once per trigger), or None when another delivery of it is posting it."""
    with session(deps.engine) as s:
        related = [issues.get_issue(session=s, issue_id=i) for i in request.issue_ids]
        found = {issue.id for issue in related if issue is not None and issue.engagement == scope.engagement}
        missing = [f"#{i}" for i in request.issue_ids if i not in found]
        if missing:
            raise LookupError(f"no issue {', '.join(missing)} in {scope.engagement}")
        titles = [issue.title for issue in related if issue is not None]
    clause_refs = _clauses(deps, " ".join([request.title, *titles]), scope)
    with session(deps.engine) as s:
        mediation = mediations.open_mediation(
            session=s,
            engagement=scope.engagement,
            title=request.title,
            channel_id=channel,
            opened_by=user,
            deadline=request.deadline,
            related_issue_ids=request.issue_ids,
            clause_refs=clause_refs,
            source_key=f"command:{trigger}",
        )
        assert mediation.id is not None
        # keyed by when it was opened too: if a failed post discarded it, a redelivery opens and posts it afresh
        key = f"mediation-header:{mediation.id}:{mediation.opened_at.isoformat()}"
        if mediation.thread_ts is not None or not records.claim_event(session=s, key=key):
            return None
        return mediations.mediation_case(session=s, mediation_id=id_of(mediation))


def _clauses(deps: Deps, text: str, scope: Scope) -> list[dict[str, Any]]:
    try:
        return relevant_clauses(deps.kb, text, engagement=scope.engagement, side=scope.side)
    except KnowledgeError as err:  # the clauses help; a mediation opens without them
        log.warning("no clause suggestions for %r: %s", text, err)
        return []


def post_header(deps: Deps, client: WebClient, respond: Respond, case: dict[str, Any], *, scope: Scope) -> None:
    """Post the header (its ts is the thread); if Slack refuses, the mediation is discarded and the user told."""
    try:
        posted = client.chat_postMessage(
            channel=case["channel_id"],
            text=mb.header_text(case),
            blocks=mb.header_blocks(case, side=scope.side, today=today(deps)),
            unfurl_links=False,
        )
    except Exception as err:
        with session(deps.engine) as s:
            mediations.discard_mediation(session=s, mediation_id=case["id"])
        if not isinstance(err, SlackApiError):
            raise
        error = err.response.get("error")
        log.info("could not post mediation #%s in %s: %s", case["id"], case["channel_id"], error)
        _tell(
            respond,
            f"I could not post the mediation in this channel (Slack said `{error}`), so none was opened. "
            "Invite me with `/invite @Liaison` and try again.",
        )
        return
    with session(deps.engine) as s:
        mediations.set_mediation_thread(
            session=s, mediation_id=case["id"], thread_ts=posted["ts"], header_ts=posted["ts"]
        )


def _has_role(deps: Deps, engagement: str, user: str, roles: tuple[str, ...]) -> bool:
    with session(deps.engine) as s:
        return records.has_role(session=s, engagement=engagement, user_id=user, roles=roles)


def _tell(respond: Respond, text: str) -> None:
    respond(response_type="ephemeral", text=text, blocks=blocks.refusal_blocks(text))
