"""The mediation header's buttons and the modals they open.

Positions, a proposal, escalation and withdrawal open a modal; agree, close and summarise act at once. Who may
do what is decided from the engagement's roles (`bot.records.EngagementRole`); anyone else gets a private
refusal (or, in a modal, an error) and nothing happens. Modal submissions are applied once per view id, however
often Slack delivers them. After every change the header is edited in place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot import cases, mediations, records, summaries
from bot import questions as workflow
from bot.db import session
from bot.deps import Deps
from bot.slack import blocks, summary_blocks
from bot.slack import mediation_blocks as mb
from bot.slack import mediation_modals as mm
from bot.slack.facts import SlackProbe
from bot.slack.listeners.mediation_common import MANAGERS, id_of, refresh_header

SIDE_OWNERS = {"client": "client-owner", "vendor": "vendor-owner"}
PARTIES = (*MANAGERS, *SIDE_OWNERS.values())  # propose, escalate, withdraw
PARTIES_WHO = "mediators and the client's or vendor's owners"
# the statuses in which a button still makes sense (the workflow checks again when it acts)
STATUSES_FOR = {
    "position": cases.ACTIVE_MEDIATION_STATUSES,
    "propose": cases.ACTIVE_MEDIATION_STATUSES,
    "escalate": ("open", "proposal", "agreed"),
    "withdraw": ("open", "proposal", "escalated"),
}
_VERBS = {"position": "state positions", "propose": "propose outcomes", "escalate": "escalate", "withdraw": "withdraw"}
MODALS = {mb.PROPOSE: ("propose", mm.proposal_modal), mb.ESCALATE: ("escalate", mm.escalate_modal)}
MODALS[mb.WITHDRAW] = ("withdraw", mm.withdraw_modal)


class Refused(Exception):
    """Someone may not do this, or the mediation is no longer in a state to allow it: the message says why."""


def register(app: App, deps: Deps) -> None:
    """Add the header's button listeners and the modals' submission listeners."""

    @app.action(re.compile(r"^mediation_position_(client|vendor)$"))
    def on_position_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        side = mb.POSITION_ACTIONS[action["action_id"]]
        allowed = (SIDE_OWNERS[side], *MANAGERS)
        who = f"the {side}'s owners and mediators"
        modal = lambda case, channel: mm.position_modal(case, side=side, channel=channel)  # noqa: E731
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
        summarise(deps, client, _mediation_id(action), user=body["user"]["id"], channel=_channel_of(body))

    @app.view(mm.POSITION_VIEW)
    def on_position(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form, errors = mm.read_position_form(_values(view))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        (text, evidence), side = form, _meta(view).get("side")
        if side not in SIDE_OWNERS:  # not a form Liaison opened
            ack(response_action="errors", errors={mm.POSITION: "This form has expired: use the button again."})
            return

        def change(s: Session, m: cases.MediationRecord, user: str) -> None:
            _must(s, m, user, (SIDE_OWNERS[side], *MANAGERS), f"the {side}'s owners and mediators", "state positions")
            mediations.state_position(
                session=s, mediation_id=id_of(m), side=side, author=user, text=text, evidence=evidence
            )

        submit(deps, ack, body, view, client, mm.POSITION, change)

    @app.view(mm.PROPOSAL_VIEW)
    def on_proposal(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        text, errors = mm.read_proposal_form(_values(view))
        if text is None:
            ack(response_action="errors", errors=errors)
            return

        def change(s: Session, m: cases.MediationRecord, user: str) -> None:
            _must(s, m, user, PARTIES, PARTIES_WHO, "propose outcomes")
            mediations.record_proposal(session=s, mediation_id=id_of(m), actor=user, text=text)

        submit(deps, ack, body, view, client, mm.PROPOSAL, change)

    @app.view(mm.ESCALATE_VIEW)
    def on_escalate(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        form, errors = mm.read_escalate_form(_values(view))
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        reason, to = form

        def change(s: Session, m: cases.MediationRecord, user: str) -> None:
            _must(s, m, user, PARTIES, PARTIES_WHO, "escalate")
            mediations.escalate(session=s, mediation_id=id_of(m), actor=user, reason=reason, to=to)

        submit(deps, ack, body, view, client, mm.REASON, change)

    @app.view(mm.WITHDRAW_VIEW)
    def on_withdraw(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        reason, errors = mm.read_withdraw_form(_values(view))
        if reason is None:
            ack(response_action="errors", errors=errors)
            return

        def change(s: Session, m: cases.MediationRecord, user: str) -> None:
            _must(s, m, user, PARTIES, PARTIES_WHO, "withdraw")
            mediations.withdraw(session=s, mediation_id=id_of(m), actor=user, reason=reason)

        submit(deps, ack, body, view, client, mm.REASON, change)


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
        case = mediations.mediation_case(session=s, mediation_id=_mediation_id(action))
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
    user, channel, mediation_id = body["user"]["id"], _channel_of(body), _mediation_id(action)
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
    mediations.agree(session=s, mediation_id=id_of(mediation), side=sides[0], user_id=user)


def close(s: Session, mediation: cases.MediationRecord, user: str) -> None:
    if not _roles(s, mediation, user, MANAGERS):
        raise Refused(f"Only mediators and admins of {mediation.engagement} can close mediation #{mediation.id}.")
    mediations.close_mediation(session=s, mediation_id=id_of(mediation), actor=user)


def summarise(deps: Deps, client: WebClient, mediation_id: int, *, user: str, channel: str) -> None:
    """Post a neutral summary of the case in its thread (unless the last one is still current) and keep it.

    The parties ask for it: mediators, admins and the client's or vendor's owners."""
    with session(deps.engine) as s:
        case = mediations.mediation_case(session=s, mediation_id=mediation_id)
        if case is None or not case.get("header_ts"):
            return _whisper(client, channel, user, "That mediation no longer exists.")
        if not records.has_role(session=s, engagement=case["engagement"], user_id=user, roles=PARTIES):
            return _whisper(client, channel, user, f"Only {PARTIES_WHO} can summarise mediation #{case['id']}.")
        current = any(
            e.kind == "summary" and e.data.get("activity") == case["last_activity_at"]
            for e in mediations.mediation_timeline(session=s, mediation_id=mediation_id)
        )
    if current:
        note = "The last summary in the thread is still current: nothing has changed since."
        return _whisper(client, channel, user, note, refusal=False)
    scope = workflow.scope_of(deps, case["channel_id"], probe=SlackProbe(client))
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
    raw_id = str(_meta(view).get("mediation_id") or "")
    mediation_id = int(raw_id) if raw_id.isdigit() else 0  # 0: no such mediation, so the form says so
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


# -- helpers -------------------------------------------------------------------------------------------
def _roles(s: Session, mediation: cases.MediationRecord, user: str, roles: tuple[str, ...]) -> bool:
    return records.has_role(session=s, engagement=mediation.engagement, user_id=user, roles=roles)


def _mediation_id(action: dict[str, Any]) -> int:
    """The mediation a header button belongs to (its value); 0, which no mediation has, for a forged value."""
    value = str(action.get("value") or "")
    return int(value) if value.isdigit() else 0


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's private metadata as Liaison wrote it ({} if it is missing or not ours)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _values(view: dict[str, Any]) -> dict[str, Any]:
    return (view.get("state") or {}).get("values") or {}


def _channel_of(body: dict[str, Any]) -> str:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _whisper(client: WebClient, channel: str, user: str, text: str, *, refusal: bool = True) -> None:
    """A reply only `user` sees: why not (a refusal), or a note."""
    shown = blocks.refusal_blocks(text) if refusal else [mb.note_block(text)]
    client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=shown)
