"""The SLA register's buttons and forms in Slack: Approve, Edit and Reject on a level, the Edit and Report modals,
and the credits view's Mark claimed and Attach to mediation.

Button values carry a level's id or a period only; where the click happened is derived now from the channel
(`bot.slack.sla_here.here`), and `bot.sla.workflows` re-reads and re-authorizes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any  # the workflows' JSON

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import LiaisonError
from bot.i18n import N_, _
from bot.records.sla import LevelStatus
from bot.sla import workflows as sla
from bot.slack.blocks import sla as sb
from bot.slack.blocks.kit import ShownView, section, wire_view
from bot.slack.blocks.text_fit import escape
from bot.slack.payloads import Action, ActionBody, ViewBody
from bot.slack.replies import not_linked
from bot.slack.sla_here import (
    REFUSALS,
    Here,
    here,
    open_report_form,
    post_breach_card,
    refuse,
    register_view,
    say,
    tell,
)

REVIEWED = {  # a level's new status, as a whole sentence (translated where said)
    "approved": N_("Service level #{id} is now *approved*."),
    "rejected": N_("Service level #{id} is now *rejected*."),
}


def register(app: App) -> None:
    app.action(sb.APPROVE)(reviewing("approved"))
    app.action(sb.REJECT)(reviewing("rejected"))
    app.action(sb.EDIT)(on_edit)
    app.action(sb.REPORT)(on_report_form)
    app.action(sb.CLAIM)(on_claim)
    app.action(sb.ATTACH)(on_attach)
    app.view(sb.EDIT_CALLBACK)(on_edit_submit)
    app.view(sb.REPORT_CALLBACK)(on_report_submit)


# -- the buttons ---------------------------------------------------------------------------------
def _clicked(deps: Deps, body: ActionBody, respond: Respond, client: WebClient) -> Here | None:
    """Where the click happened, derived now; None (and the person told) if the channel is no longer bound."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
    at = here(deps, client, channel=channel, user=body["user"]["id"]) if channel else None
    if at is None:
        not_linked(respond, channel)
    return at


def _level_id(action: Action) -> int | None:
    value = str(action.get("value") or "")
    return int(value) if value.isdigit() else None


def reviewing(status: LevelStatus) -> Callable[..., None]:
    """The Approve (or Reject) button's listener."""

    def on_review(
        ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        review(context["deps"], body, action, respond, client, status)

    return on_review


def review(
    deps: Deps, body: ActionBody, action: Action, respond: Respond, client: WebClient, status: LevelStatus
) -> None:
    """Approve or reject one level the channel may see, then show the register again."""
    at, level_id = _clicked(deps, body, respond, client), _level_id(action)
    if at is None or level_id is None:
        return
    if not sla.may_review(at.who, at.engagement):
        say(respond, _("Only the engagement's mediators, admins and owners may approve or reject service levels."))
        return
    try:
        sla.level(deps, engagement=at.engagement, level_id=level_id, who=at.who, side=at.side)  # one this side sees
        sla.review(deps, engagement=at.engagement, level_ids=[level_id], status=status, who=at.who)
    except REFUSALS as err:
        refuse(respond, err)
        return
    _text, blocks = register_view(deps, at)
    said = _(REVIEWED[status]).format(id=level_id) if status in REVIEWED else f"#{level_id}: {status}"
    say(respond, said.replace("*", ""), [section(said), *blocks], replace=True)  # the fallback text unbolded


def on_edit(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Open the review form of a level, for a reviewer of the channel's engagement."""
    ack()
    deps: Deps = context["deps"]
    at, level_id = _clicked(deps, body, respond, client), _level_id(action)
    if at is None or level_id is None:
        return
    try:
        if not sla.may_review(at.who, at.engagement):
            raise LiaisonError(_("Only the engagement's mediators, admins and owners may edit service levels."))
        level = sla.level(deps, engagement=at.engagement, level_id=level_id, who=at.who, side=at.side)
    except REFUSALS as err:
        refuse(respond, err)
        return
    client.views_open(trigger_id=body["trigger_id"], view=wire_view(sb.edit_modal(level, channel=at.channel)))


def on_report_form(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    at = _clicked(context["deps"], body, respond, client)
    if at is not None:
        open_report_form(context["deps"], at, client, body["trigger_id"])


def on_claim(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    deps: Deps = context["deps"]
    at, period = _clicked(deps, body, respond, client), str(action.get("value") or "")
    if at is None:
        return
    try:
        done = sla.claim(deps, engagement=at.engagement, period=period, who=at.who, side=at.side)
    except REFUSALS as err:
        refuse(respond, err)
        return
    said = _("The credits for {period} are marked claimed by <@{user}>.")
    say(respond, said.format(period=done["period"], user=done["claimed_by"]))


def on_attach(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """A mediation chosen in the credits view: the period's kept credits become its evidence (once)."""
    ack()
    deps: Deps = context["deps"]
    chosen = action.get("selected_option")
    period, _sep, number = (chosen["value"] if chosen else "").partition(":")
    at = _clicked(deps, body, respond, client)
    if at is None or not number.isdigit():
        return
    try:
        added = sla.attach_credits(
            deps, engagement=at.engagement, mediation_id=int(number), period=period, who=at.who, side=at.side
        )
    except REFUSALS as err:
        refuse(respond, err)
        return
    said = (
        _("The credits for {period} are attached to mediation #{number}'s evidence.")
        if added
        else _("The credits for {period} are already in mediation #{number}'s evidence.")
    )
    say(respond, said.format(period=period, number=number))


# -- the modals ----------------------------------------------------------------------------------
def _meta(view: ShownView) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) and isinstance(meta.get("channel"), str) else {}


def on_edit_submit(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    deps: Deps = context["deps"]
    meta, values = _meta(view), (view.get("state") or {}).get("values") or {}
    user = body["user"]["id"]
    at = here(deps, client, channel=meta["channel"], user=user) if meta.get("level") else None
    if at is None:
        ack(response_action="errors", errors={"target": _("This form has expired: open it again from /liaison sla.")})
        return
    changes = sb.read_edit(values)
    try:
        sla.level(deps, engagement=at.engagement, level_id=int(meta["level"]), who=at.who, side=at.side)
        done = sla.edit(deps, engagement=at.engagement, level_id=int(meta["level"]), changes=changes, who=at.who)
    except REFUSALS as err:
        field = sb.field_of(str(err), list(values)) or "target"
        ack(response_action="errors", errors={field: str(err)[:150]})
        return
    ack()
    tell(
        client,
        at,
        user,
        _("Saved service level #{id} {name}: target {target}.").format(
            id=done["id"], name=escape(sb.name(done)), target=escape(sb.target(done))
        ),
    )


def on_report_submit(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    deps: Deps = context["deps"]
    meta = _meta(view)
    got, errors = sb.read_report((view.get("state") or {}).get("values") or {})
    user = body["user"]["id"]
    at = here(deps, client, channel=meta["channel"], user=user) if meta else None
    if at is None:
        errors = {"level": _("This form has expired: open it again with /liaison sla report.")}
    if errors or at is None:
        ack(response_action="errors", errors=errors)
        return
    try:
        done = sla.report(
            deps,
            engagement=at.engagement,
            ref=got["level"],
            period=got["period"],
            value=got["value"],
            who=at.who,
            via="slack",
            side=at.side,
        )
    except REFUSALS as err:
        ack(response_action="errors", errors={_report_field(str(err), got): str(err)[:150]})
        return
    ack()
    tell(client, at, user, sb.reported_text(done))
    if done.get("breach_new") and done.get("breach_issue"):
        post_breach_card(deps, client, channel=at.channel, issue_id=int(done["breach_issue"]), side=at.side)


def _report_field(message: str, got: dict[str, str]) -> str:
    """The Report form's field a refusal is about: the value or the period it quotes back (in any language), or
    that it names; else the level."""
    if "measurement" in message or repr(got["value"]) in message:
        return "value"
    if "period" in message or got["period"] in message:
        return "period"
    return "level"
