"""Mediation threads in Slack.

`/liaison mediate TITLE [#12 ...] [by YYYY-MM-DD]` (mediators and engagement admins) posts a header message
whose thread is the mediation. The header's buttons open modals (positions, a proposal, escalation,
withdrawal) or act at once (agree, close, summarise); a 📌 reaction on a reply in the thread adds that message
to the case as evidence. After every change the header is edited in place: no new posts.

Who may do what is decided from the engagement's roles (`bot.records.EngagementRole`); anyone else gets a
private refusal and nothing happens. Modal submissions are applied once per view id, however often Slack
delivers them.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import cases, issues, mediations, records, summaries
from bot import questions as workflow
from bot.clauses import relevant_clauses
from bot.db import session
from bot.deps import Deps
from bot.questions import Scope
from bot.slack import blocks, summary_blocks
from bot.slack import mediation_blocks as mb
from knowledge.errors import KnowledgeError

log = logging.getLogger(__name__)

MANAGERS = ("mediator", "admin")  # open and close mediations, act for either side
SIDE_OWNERS = {"client": "client-owner", "vendor": "vendor-owner"}
PARTIES = (*MANAGERS, *SIDE_OWNERS.values())  # propose, escalate, withdraw
PARTIES_WHO = "mediators and the client's or vendor's owners"
EVIDENCE_REACTIONS = ("pushpin", "round_pushpin")
# the statuses in which a button still makes sense (the workflow checks again when it acts)
STATUSES_FOR = {
    "position": cases.ACTIVE_MEDIATION_STATUSES,
    "propose": cases.ACTIVE_MEDIATION_STATUSES,
    "escalate": ("open", "proposal", "agreed"),
    "withdraw": ("open", "proposal", "escalated"),
}
_VERBS = {"position": "state positions", "propose": "propose outcomes", "escalate": "escalate", "withdraw": "withdraw"}
MODALS = {mb.PROPOSE: ("propose", mb.proposal_modal), mb.ESCALATE: ("escalate", mb.escalate_modal)}
MODALS[mb.WITHDRAW] = ("withdraw", mb.withdraw_modal)

_header_locks: dict[int, threading.Lock] = {}
_header_locks_guard = threading.Lock()


class Refused(Exception):
    """Someone may not do this, or the mediation is no longer in a state to allow it: the message says why."""


def register(app: App, deps: Deps) -> None:
    """Add the mediation listeners (buttons, modals, 📌 reactions)."""

    @app.action(re.compile(r"^mediation_position_(client|vendor)$"))
    def on_position_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        side = mb.POSITION_ACTIONS[action["action_id"]]
        allowed = (SIDE_OWNERS[side], *MANAGERS)
        who = f"the {side}'s owners and mediators"
        modal = lambda case, channel: mb.position_modal(case, side=side, channel=channel)  # noqa: E731
        open_modal(deps, client, body, action, "position", allowed, who, modal)

    @app.action(mb.PROPOSE)
    @app.action(mb.ESCALATE)
    @app.action(mb.WITHDRAW)
    def on_modal_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        doing, modal = MODALS[action["action_id"]]
        open_modal(deps, client, body, action, doing, PARTIES, PARTIES_WHO, modal)

    @app.action(mb.AGREE)
    def on_agree(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        act(deps, client, body, action, agree_to_proposal)

    @app.action(mb.CLOSE)
    def on_close(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        act(deps, client, body, action, close)

    @app.action(mb.SUMMARISE)
    def on_summarise(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        summarise(deps, client, int(action["value"]), user=body["user"]["id"], channel=_channel_of(body))

    @app.view(mb.POSITION_VIEW)
    def on_position(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form, errors = mb.read_position_form(_values(view))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        (text, evidence), side = form, json.loads(view["private_metadata"])["side"]

        def change(s: Session, m: cases.MediationRecord, user: str) -> None:
            _must(s, m, user, (SIDE_OWNERS[side], *MANAGERS), f"the {side}'s owners and mediators", "state positions")
            mediations.state_position(
                session=s, mediation_id=_id(m), side=side, author=user, text=text, evidence=evidence
            )

        submit(deps, ack, body, view, client, mb.POSITION, change)

    @app.view(mb.PROPOSAL_VIEW)
    def on_proposal(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        text, errors = mb.read_proposal_form(_values(view))
        if text is None:
            ack(response_action="errors", errors=errors)
            return

        def change(s: Session, m: cases.MediationRecord, user: str) -> None:
            _must(s, m, user, PARTIES, PARTIES_WHO, "propose outcomes")
            mediations.record_proposal(session=s, mediation_id=_id(m), actor=user, text=text)

        submit(deps, ack, body, view, client, mb.PROPOSAL, change)

    @app.view(mb.ESCALATE_VIEW)
    def on_escalate(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form, errors = mb.read_escalate_form(_values(view))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        reason, to = form

        def change(s: Session, m: cases.MediationRecord, user: str) -> None:
            _must(s, m, user, PARTIES, PARTIES_WHO, "escalate")
            mediations.escalate(session=s, mediation_id=_id(m), actor=user, reason=reason, to=to)

        submit(deps, ack, body, view, client, mb.REASON, change)

    @app.view(mb.WITHDRAW_VIEW)
    def on_withdraw(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        reason, errors = mb.read_withdraw_form(_values(view))
        if reason is None:
            ack(response_action="errors", errors=errors)
            return

        def change(s: Session, m: cases.MediationRecord, user: str) -> None:
            _must(s, m, user, PARTIES, PARTIES_WHO, "withdraw")
            mediations.withdraw(session=s, mediation_id=_id(m), actor=user, reason=reason)

        submit(deps, ack, body, view, client, mb.REASON, change)

    @app.event("reaction_added")
    def on_reaction(event: dict[str, Any], client: WebClient) -> None:
        item = event.get("item") or {}
        if event.get("reaction") in EVIDENCE_REACTIONS and item.get("type") == "message" and item.get("ts"):
            pin_evidence(deps, client, channel=item["channel"], ts=item["ts"], user=event.get("user", ""))


# -- /liaison mediate --------------------------------------------------------------------------------
def handle_mediation_command(
    deps: Deps, verb: str, rest: str, ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
) -> bool:
    """`/liaison mediate TITLE`: True if `verb` was one of ours (and was handled)."""
    if verb != mb.VERB:
        return False
    ack()
    channel, user = command["channel_id"], command["user_id"]
    scope = workflow.scope_of(deps, channel)
    if scope is None:
        respond(
            response_type="ephemeral",
            text="This channel is not linked to an engagement.",
            blocks=blocks.unbound_channel_blocks(channel_is_dm=channel.startswith("D")),
        )
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
        return mediations.mediation_case(session=s, mediation_id=_id(mediation))


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


# -- buttons -------------------------------------------------------------------------------------------
def open_modal(
    deps: Deps,
    client: WebClient,
    body: dict[str, Any],
    action: dict[str, Any],
    doing: str,
    allowed: tuple[str, ...],
    who: str,
    modal: Callable[..., dict[str, Any]],
) -> None:
    """Open a mediation's modal for someone allowed to use it now; otherwise say why not, privately."""
    user, channel = body["user"]["id"], _channel_of(body)
    with session(deps.engine) as s:
        case = mediations.mediation_case(session=s, mediation_id=int(action["value"]))
        if case is None:
            return _whisper(client, channel, user, "That mediation no longer exists.")
        may = records.has_role(session=s, engagement=case["engagement"], user_id=user, roles=allowed)
    if not may:
        return _whisper(client, channel, user, f"Only {who} can {_VERBS[doing]} in mediation #{case['id']}.")
    if case["status"] not in STATUSES_FOR[doing]:
        status = f"Mediation #{case['id']} is {case['status']}"
        return _whisper(client, channel, user, f"{status}: you can't {_VERBS[doing]} now.")
    client.views_open(trigger_id=body["trigger_id"], view=modal(case, channel=case["channel_id"]))


def act(
    deps: Deps,
    client: WebClient,
    body: dict[str, Any],
    action: dict[str, Any],
    change: Callable[[Session, cases.MediationRecord, str], None],
) -> None:
    """Apply a button's change (refusals and workflow errors are told privately), then update the header."""
    user, channel, mediation_id = body["user"]["id"], _channel_of(body), int(action["value"])
    try:
        with session(deps.engine) as s:
            mediation = mediations.get_mediation(session=s, mediation_id=mediation_id)
            if mediation is None:
                raise Refused("That mediation no longer exists.")
            change(s, mediation, user)
    except (Refused, ValueError) as err:
        return _whisper(client, channel, user, _sentence(str(err)))
    refresh_header(deps, client, mediation_id)


def agree_to_proposal(s: Session, mediation: cases.MediationRecord, user: str) -> None:
    """The clicker agrees for their own side (from their role); mediators propose but never agree for a side."""
    sides = [side for side, role in SIDE_OWNERS.items() if _roles(s, mediation, user, (role,))]
    if len(sides) != 1:
        raise Refused(
            "Only the client's owner or the vendor's owner can agree, each for their side."
            if not sides
            else "You own both sides of this engagement, so I can't tell which side you agree for."
        )
    if mediation.status in cases.ACTIVE_MEDIATION_STATUSES and not mediation.outcome_text:
        raise Refused(f"There is no proposal to agree to in mediation #{mediation.id} yet: propose an outcome first.")
    mediations.agree(session=s, mediation_id=_id(mediation), side=sides[0], user_id=user)


def close(s: Session, mediation: cases.MediationRecord, user: str) -> None:
    if not _roles(s, mediation, user, MANAGERS):
        raise Refused(f"Only mediators and admins of {mediation.engagement} can close mediation #{mediation.id}.")
    mediations.close_mediation(session=s, mediation_id=_id(mediation), actor=user)


def summarise(deps: Deps, client: WebClient, mediation_id: int, *, user: str, channel: str) -> None:
    """Post a neutral summary of the case in its thread (unless the last one is still current) and keep it."""
    with session(deps.engine) as s:
        case = mediations.mediation_case(session=s, mediation_id=mediation_id)
        if case is None or not case.get("header_ts"):
            return _whisper(client, channel, user, "That mediation no longer exists.")
        current = any(
            e.kind == "summary" and e.data.get("activity") == case["last_activity_at"]
            for e in mediations.mediation_timeline(session=s, mediation_id=mediation_id)
        )
    if current:
        note = "The last summary in the thread is still current: nothing has changed since."
        return _whisper(client, channel, user, note, refusal=False)
    scope = workflow.scope_of(deps, case["channel_id"])
    summary = summaries.summarise(
        deps.kb,
        engagement=case["engagement"],
        side=scope.side if scope else "shared",
        title=case["title"],
        positions={side: {k: p[k] for k in ("text", "evidence", "author")} for side, p in case["positions"].items()},
        evidence=case["evidence"],
        clause_refs=case["clause_refs"],
        llm=getattr(getattr(deps.kb, "answerer", None), "llm", None),
    )
    posted = client.chat_postMessage(
        channel=case["channel_id"],
        thread_ts=case["header_ts"],
        text=summary_blocks.summary_text(summary),
        blocks=summary_blocks.summary_blocks(summary),
        unfurl_links=False,
    )
    with session(deps.engine) as s:
        data = {"activity": case["last_activity_at"], "ts": posted["ts"], "requested_by": user}
        cases.add_entry(s, kind="summary", actor=user, text=summary.as_text(), data=data, mediation_id=mediation_id)


# -- modal submissions ---------------------------------------------------------------------------------
def submit(
    deps: Deps,
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    error_block: str,
    change: Callable[[Session, cases.MediationRecord, str], None],
) -> None:
    """Apply a modal's change once per view id; a refusal shows in the modal; then the header is updated."""
    mediation_id = int(json.loads(view.get("private_metadata") or "{}")["mediation_id"])
    user = body["user"]["id"]
    try:
        with session(deps.engine) as s:
            mediation = mediations.get_mediation(session=s, mediation_id=mediation_id)
            if mediation is None:
                raise Refused("That mediation no longer exists.")
            first = records.claim_event(session=s, key=f"mediation-view:{view['id']}")
            if first:  # a retried submission was applied already
                change(s, mediation, user)  # raising rolls the claim back too, so the user can fix and resubmit
    except (Refused, ValueError) as err:
        ack(response_action="errors", errors={error_block: _sentence(str(err))[:150]})
        return
    ack()  # closes the modal
    if first:
        refresh_header(deps, client, mediation_id)


def _must(
    s: Session, mediation: cases.MediationRecord, user: str, roles: tuple[str, ...], who: str, doing: str
) -> None:
    if not _roles(s, mediation, user, roles):
        raise Refused(f"Only {who} can {doing} in mediation #{mediation.id}.")


# -- 📌 evidence -------------------------------------------------------------------------------------
def pin_evidence(deps: Deps, client: WebClient, *, channel: str, ts: str, user: str) -> None:
    """Add a reply in a mediation's thread to its case, once; anything else is ignored quietly."""
    if not _has_open_threads(deps, channel):
        return  # most reactions: no need to ask Slack for the message
    message = fetch_message(client, channel, ts)
    thread_ts = (message or {}).get("thread_ts")
    if message is None or not thread_ts or thread_ts == ts:
        return  # not a reply in a thread (a top-level message, or the header itself)
    with session(deps.engine) as s:
        mediation = mediations.mediation_in_thread(session=s, channel_id=channel, thread_ts=thread_ts)
        if mediation is None or mediation.status not in cases.ACTIVE_MEDIATION_STATUSES:
            return
        added = mediations.add_evidence(
            session=s,
            mediation_id=_id(mediation),
            channel_id=channel,
            message_ts=ts,
            author=message.get("user") or message.get("bot_id") or "unknown",
            text=_message_text(message),
            actor=user,
        )
        mediation_id = mediation.id
    if added is not None:
        refresh_header(deps, client, mediation_id)


def fetch_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """One message, a thread reply or not: conversations.replies answers both, given its ts as the range."""
    try:
        found = client.conversations_replies(channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=10)
    except SlackApiError as err:  # e.g. not_in_channel, thread_not_found: then it is not ours to add
        log.info("could not read message %s in %s: %s", ts, channel, err.response.get("error"))
        return None
    return next((m for m in found.get("messages") or [] if m.get("ts") == ts), None)


def _message_text(message: dict[str, Any]) -> str:
    text = (message.get("text") or "").strip()
    files = ", ".join(str(f.get("name") or f.get("title") or "a file") for f in message.get("files") or [])
    if files:
        text = f"{text}\n[files: {files}]".strip()
    return text or "(a message without text)"


def _has_open_threads(deps: Deps, channel: str) -> bool:
    scope = workflow.scope_of(deps, channel)
    if scope is None:
        return False
    with session(deps.engine) as s:
        statuses = cases.ACTIVE_MEDIATION_STATUSES
        active = mediations.list_mediations(session=s, engagement=scope.engagement, statuses=statuses)
        return any(m.channel_id == channel and m.thread_ts for m in active)


# -- the header ----------------------------------------------------------------------------------------
def refresh_header(deps: Deps, client: WebClient, mediation_id: int) -> None:
    """Edit the header in place to show the mediation as it is now.

    One refresh at a time per mediation (in this process), each reading after the change it follows: the last
    edit Slack gets shows every change, even when two people click at the same moment.
    """
    with _header_locks_guard:
        lock = _header_locks.setdefault(mediation_id, threading.Lock())
    with lock:
        with session(deps.engine) as s:
            case = mediations.mediation_case(session=s, mediation_id=mediation_id)
        if case is None or not case.get("header_ts"):
            return
        scope = workflow.scope_of(deps, case["channel_id"])
        try:
            client.chat_update(
                channel=case["channel_id"],
                ts=case["header_ts"],
                text=mb.header_text(case),
                blocks=mb.header_blocks(case, side=scope.side if scope else "shared", today=today(deps)),
            )
        except SlackApiError as err:  # the change is recorded; the header catches up on the next one
            log.warning("could not update the header of mediation #%s: %s", mediation_id, err.response.get("error"))


# -- helpers -------------------------------------------------------------------------------------------
def today(deps: Deps, now: datetime | None = None) -> date:
    """Today's date where the engagement's people are (LIAISON_TIMEZONE), UTC otherwise."""
    moment = now or records.utcnow()
    zone = deps.settings.timezone
    return (moment.astimezone(ZoneInfo(zone)) if zone else moment).date()


def _has_role(deps: Deps, engagement: str, user: str, roles: tuple[str, ...]) -> bool:
    with session(deps.engine) as s:
        return records.has_role(session=s, engagement=engagement, user_id=user, roles=roles)


def _id(mediation: cases.MediationRecord) -> int:
    assert mediation.id is not None
    return mediation.id


def _roles(s: Session, mediation: cases.MediationRecord, user: str, roles: tuple[str, ...]) -> bool:
    return records.has_role(session=s, engagement=mediation.engagement, user_id=user, roles=roles)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    return (view.get("state") or {}).get("values") or {}


def _channel_of(body: dict[str, Any]) -> str:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tell(respond: Respond, text: str) -> None:
    respond(response_type="ephemeral", text=text, blocks=blocks.refusal_blocks(text))


def _whisper(client: WebClient, channel: str, user: str, text: str, *, refusal: bool = True) -> None:
    """A reply only `user` sees: why not (a refusal), or a note."""
    shown = blocks.refusal_blocks(text) if refusal else [mb.note_block(text)]
    client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=shown)
