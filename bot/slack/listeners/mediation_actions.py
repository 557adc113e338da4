"""The mediation header's buttons and the modals they open.

Positions, a proposal, escalation and withdrawal open a modal; agree, close and summarise act at once. Who may
do what is decided by `bot.authorize` in the workflows (`bot.mediation.workflows`); anyone else gets a private
refusal (or, in a modal, an error) and nothing happens. Modal submissions are applied once per view id, however
often Slack delivers them. After every change the header is edited in place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any  # the keyword arguments of a modal's change, handed to its workflow

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import LiaisonError
from bot.i18n import _
from bot.mediation import workflows as mediation
from bot.slack.blocks import answers as blocks
from bot.slack.blocks import mediation as mb
from bot.slack.blocks import mediation_modals as mm
from bot.slack.blocks import summary as summary_blocks
from bot.slack.blocks.kit import InputState, ShownView, View, wire, wire_view
from bot.slack.blocks.mediation_modals import MediationMeta
from bot.slack.facts import SlackProbe
from bot.slack.mediation_header import refresh_header
from bot.slack.payloads import Action, ActionBody, ViewBody, channel_of

MODALS = {mb.PROPOSE: ("propose", mm.proposal_modal), mb.ESCALATE: ("escalate", mm.escalate_modal)}
MODALS[mb.WITHDRAW] = ("withdraw", mm.withdraw_modal)


def register(app: App) -> None:
    """Add the header's button listeners and the modals' submission listeners."""
    app.action(re.compile(r"^mediation_position_(client|vendor)$"))(on_position_button)
    for action_id in MODALS:
        app.action(action_id)(on_modal_button)
    app.action(mb.AGREE)(on_agree)
    app.action(mb.CLOSE)(on_close)
    app.action(mb.SUMMARISE)(on_summarise)
    app.view(mm.POSITION_VIEW)(on_position)
    app.view(mm.PROPOSAL_VIEW)(on_proposal)
    app.view(mm.ESCALATE_VIEW)(on_escalate)
    app.view(mm.WITHDRAW_VIEW)(on_withdraw)


# -- buttons -------------------------------------------------------------------------------------------
def on_position_button(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    ack()
    side = mb.POSITION_ACTIONS[action["action_id"]]
    modal = lambda case, channel: mm.position_modal(case, side=side, channel=channel)  # noqa: E731
    open_modal(context["deps"], client, body, action, "position", modal, side=side)


def on_modal_button(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    ack()
    doing, modal = MODALS[action["action_id"]]
    open_modal(context["deps"], client, body, action, doing, modal)


def on_agree(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    ack()
    act(context["deps"], client, body, action, mediation.agree)


def on_close(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    ack()
    act(context["deps"], client, body, action, mediation.close)


def on_summarise(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    ack()
    summarise(context["deps"], client, _mediation_id(action), user=body["user"]["id"], channel=channel_of(body))


def open_modal(
    deps: Deps,
    client: WebClient,
    body: ActionBody,
    action: Action,
    doing: str,
    modal: Callable[..., View],
    *,
    side: str | None = None,
) -> None:
    """Open a mediation's modal for someone allowed to use it now; otherwise say why not, privately."""
    user, channel = body["user"]["id"], channel_of(body)
    try:
        case = mediation.form_case(deps, _mediation_id(action), user=user, doing=doing, side=side)
    except LiaisonError as err:
        return _whisper(client, channel, user, str(err))
    client.views_open(trigger_id=body["trigger_id"], view=wire_view(modal(case, channel=case["channel_id"])))


def act(deps: Deps, client: WebClient, body: ActionBody, action: Action, change: Callable[..., None]) -> None:
    """Apply a button's change (refusals and workflow errors are told privately), then update the header."""
    user, channel, mediation_id = body["user"]["id"], channel_of(body), _mediation_id(action)
    try:
        change(deps, mediation_id, user=user)
    except LiaisonError as err:
        return _whisper(client, channel, user, str(err))
    refresh_header(deps, client, mediation_id)


def summarise(deps: Deps, client: WebClient, mediation_id: int, *, user: str, channel: str) -> None:
    """Post a neutral summary of the case in its thread (unless the last one is still current) and keep it."""
    try:
        summarised = mediation.summarise(deps, mediation_id, user=user, probe=SlackProbe(client))
    except LiaisonError as err:
        return _whisper(client, channel, user, str(err))
    if summarised is None:
        note = _("The last summary in the thread is still current: nothing has changed since.")
        return _whisper(client, channel, user, note, refusal=False)
    case, summary = summarised.case, summarised.summary
    posted = client.chat_postMessage(
        channel=case["channel_id"],
        thread_ts=case["header_ts"],
        text=summary_blocks.summary_text(summary),
        blocks=wire(summary_blocks.summary_blocks(summary)),
        unfurl_links=False,
    )
    mediation.summary_posted(deps, summarised, ts=posted["ts"], user=user)


# -- modal submissions ---------------------------------------------------------------------------------
def on_position(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    form, errors = mm.read_position_form(_values(view))
    if form is None:
        ack(response_action="errors", errors=errors)
        return
    (text, evidence), side = form, _meta(view).get("side")
    if side not in ("client", "vendor"):  # not a form Liaison opened
        ack(response_action="errors", errors={mm.POSITION: _("This form has expired: use the button again.")})
        return
    submit(context["deps"], ack, body, view, client, mm.POSITION, "position", side=side, text=text, evidence=evidence)


def on_proposal(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    text, errors = mm.read_proposal_form(_values(view))
    if text is None:
        ack(response_action="errors", errors=errors)
        return
    submit(context["deps"], ack, body, view, client, mm.PROPOSAL, "propose", text=text)


def on_escalate(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    form, errors = mm.read_escalate_form(_values(view))
    if form is None:
        ack(response_action="errors", errors=errors)
        return
    reason, to = form
    submit(context["deps"], ack, body, view, client, mm.REASON, "escalate", reason=reason, to=to)


def on_withdraw(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    reason, errors = mm.read_withdraw_form(_values(view))
    if reason is None:
        ack(response_action="errors", errors=errors)
        return
    submit(context["deps"], ack, body, view, client, mm.REASON, "withdraw", reason=reason)


def submit(
    deps: Deps,
    ack: Ack,
    body: ViewBody,
    view: ShownView,
    client: WebClient,
    error_block: str,
    doing: str,
    **form: Any,
) -> None:
    """Apply a modal's change once per view id; a refusal shows in the modal; then the header is updated."""
    raw_id = str(_meta(view).get("mediation_id") or "")
    mediation_id = int(raw_id) if raw_id.isdigit() else 0  # 0: no such mediation, so the form says so
    try:
        first = mediation.submit_form(
            deps, mediation_id, view_id=view["id"], user=body["user"]["id"], doing=doing, **form
        )
    except LiaisonError as err:
        ack(response_action="errors", errors={error_block: str(err)[:150]})
        return
    ack()  # closes the modal
    if first:
        refresh_header(deps, client, mediation_id)


# -- helpers -------------------------------------------------------------------------------------------
def _mediation_id(action: Action) -> int:
    """The mediation a header button belongs to (its value); 0, which no mediation has, for a forged value."""
    value = str(action.get("value") or "")
    return int(value) if value.isdigit() else 0


def _meta(view: ShownView) -> MediationMeta:
    """A modal's private metadata as Liaison wrote it ({} if it is missing or not ours)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    out: MediationMeta = {}
    for key in ("mediation_id", "channel", "side"):
        if isinstance(meta, dict) and key in meta:
            out[key] = meta[key]
    return out


def _values(view: ShownView) -> dict[str, dict[str, InputState]]:
    return (view.get("state") or {}).get("values") or {}


def _whisper(client: WebClient, channel: str, user: str, text: str, *, refusal: bool = True) -> None:
    """A reply only `user` sees: why not (a refusal), or a note."""
    shown = blocks.refusal_blocks(text) if refusal else [mb.note_block(text)]
    client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=wire(shown))
