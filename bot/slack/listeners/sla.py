"""The SLA register from Slack: `/liaison sla [report|dispute|agree|credits|fees|help]`, the register's Approve, Edit
and Reject buttons, the Edit and Report modals, and the credits' Mark claimed button.

Every handler derives the engagement and the side from the channel at the moment of use (`bot.access`: the
binding, narrowed to shared for Slack Connect or a person of another organisation), never from the payload;
button values carry a level's id or a period only, and `bot.sla.workflows` re-reads and re-authorizes. The
workflows' refusals (NotAllowed, NotFound, Conflict, ValueError) are said privately, never raised.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any  # the workflows' JSON

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import access
from bot.authorize import Actor
from bot.deps import Deps
from bot.errors import LiaisonError
from bot.issues import workflows as issue_log
from bot.records.sla import LevelStatus
from bot.sla import fees as sla_fees
from bot.sla import home as sla_home
from bot.sla import workflows as sla
from bot.slack.blocks import issues as ib
from bot.slack.blocks import sla as sb
from bot.slack.blocks import sla_fees as fb
from bot.slack.blocks.kit import Block, ShownView, escape, section, wire, wire_view
from bot.slack.facts import SlackProbe, workspace_admin
from bot.slack.payloads import Action, ActionBody, Command, Handler, ViewBody
from bot.slack.replies import not_linked

log = logging.getLogger(__name__)
REFUSALS = (LiaisonError, ValueError)  # SlaInputError is a ValueError
REPORT_USAGE = (
    'Usage: /liaison sla report LEVEL YYYY-MM VALUE, e.g. /liaison sla report "call answer rate" 2026-10 76.4%'
)


@dataclass(frozen=True)
class Here:
    """Who acts, in which engagement, from which side: derived from the channel now."""

    channel: str
    engagement: str
    side: str
    who: Actor


def register(app: App) -> None:
    app.action(sb.APPROVE)(reviewing("approved"))
    app.action(sb.REJECT)(reviewing("rejected"))
    app.action(sb.EDIT)(on_edit)
    app.action(sb.REPORT)(on_report_form)
    app.action(sb.CLAIM)(on_claim)
    app.action(sb.ATTACH)(on_attach)
    app.view(sb.EDIT_CALLBACK)(on_edit_submit)
    app.view(sb.REPORT_CALLBACK)(on_report_submit)


def here(deps: Deps, client: WebClient, *, channel: str, user: str) -> Here | None:
    """The channel's engagement and side now, and the person as that engagement knows them (None: unbound)."""
    scope = access.scope_of(deps, channel, probe=SlackProbe(client), user_id=user)
    if scope is None:
        return None
    who = sla.person(deps, user, scope.engagement, workspace_admin(client))
    return Here(channel, scope.engagement, scope.side, who)


def _say(respond: Respond, text: str, blocks: list[Block] | None = None, *, replace: bool = False) -> None:
    """A private reply: `text` is mrkdwn, already escaped (the blocks, when given, say it in full)."""
    respond(response_type="ephemeral", replace_original=replace, text=text, blocks=wire(blocks or [section(text)]))


def _refuse(respond: Respond, err: Exception) -> None:
    _say(respond, escape(str(err)))


# -- /liaison sla --------------------------------------------------------------------------------
def on_sla(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla [VERB ...]`: the register, or one of SUBVERBS."""
    ack()
    verb, _, args = rest.strip().partition(" ")
    handler = SUBVERBS.get(verb.lower())
    if verb.lower() == "help":
        _say(respond, "How to use /liaison sla", sb.help_blocks())
        return
    if handler is None and verb:
        _say(respond, f"I do not know /liaison sla {escape(verb)}.", sb.help_blocks(f"Unknown: /liaison sla {verb}"))
        return
    at = here(deps, client, channel=command["channel_id"], user=command["user_id"])
    if at is None:
        not_linked(respond, command["channel_id"])
        return
    try:
        (handler or show_register)(deps, at, args.strip(), command, respond, client)
    except REFUSALS as err:
        _refuse(respond, err)


def show_register(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    _say(respond, *register_view(deps, at))


def register_view(deps: Deps, at: Here) -> tuple[str, list[Block]]:
    levels = sla.listing(deps, engagement=at.engagement, who=at.who, side=at.side)
    latest = sla_home.latest(deps, engagement=at.engagement, side=at.side, today=datetime.now(UTC).date())
    reviewer = sla.may_review(at.who, at.engagement)
    blocks = sb.register_blocks(levels, latest, engagement=at.engagement, side=at.side, reviewer=reviewer)
    return sb.register_text(levels, at.engagement), blocks


def extract(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla extract`: draft the levels from the engagement's indexed documents (reviewers), then list."""
    done = sla.extract(deps, engagement=at.engagement, who=at.who)
    said = f"Drafts: {done.created} new, {done.updated} updated, {done.removed} removed; {done.kept} reviewed kept."
    text, blocks = register_view(deps, at)
    _say(respond, said, [section(said), *blocks])


def report(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla report LEVEL YYYY-MM VALUE`, or the Report form when no argument is given."""
    if not args:
        open_report_form(deps, at, client, command["trigger_id"])
        return
    ref, after = sb.split_level(args)
    if not ref or len(after) != 2:
        _say(respond, "Usage: /liaison sla report LEVEL YYYY-MM VALUE", sb.help_blocks(REPORT_USAGE))
        return
    done = sla.report(
        deps, engagement=at.engagement, ref=ref, period=after[0], value=after[1], who=at.who, via="slack", side=at.side
    )
    _say(respond, sb.reported_text(done))
    if done.get("breach_new") and done.get("breach_issue"):
        post_breach_card(deps, client, channel=at.channel, issue_id=int(done["breach_issue"]), side=at.side)


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


def dispute(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla dispute LEVEL YYYY-MM REASON…`."""
    ref, after = sb.split_level(args)
    if not ref or len(after) < 2:
        _say(respond, "Usage: /liaison sla dispute LEVEL YYYY-MM REASON")
        return
    _set_status(deps, at, respond, ref, after[0], "disputed", " ".join(after[1:]))


def agree(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla agree LEVEL YYYY-MM`."""
    ref, after = sb.split_level(args)
    if not ref or len(after) != 1:
        _say(respond, "Usage: /liaison sla agree LEVEL YYYY-MM")
        return
    _set_status(deps, at, respond, ref, after[0], "agreed", "")


def _set_status(deps: Deps, at: Here, respond: Respond, ref: str, period: str, status: str, reason: str) -> None:
    level_id = sla_home.level_id_of(deps, engagement=at.engagement, ref=ref, side=at.side)  # one this side sees
    done = sla.set_measurement_status(
        deps,
        engagement=at.engagement,
        ref=str(level_id),
        period=period,
        status=status,
        who=at.who,
        reason=reason,
        side=at.side,
    )
    _say(respond, sb.status_text(done, ref))


def credits(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla credits YYYY-MM [FEES [CURRENCY]]` (no fees: those set with `/liaison sla fees`)."""
    tokens = args.split()
    if len(tokens) not in (1, 2, 3) or not sb.PERIOD.match(tokens[0]):
        _say(respond, "Usage: /liaison sla credits YYYY-MM [FEES [CURRENCY]], e.g. /liaison sla credits 2026-10 200000")
        return
    out = sla.credits(
        deps,
        engagement=at.engagement,
        period=tokens[0],
        fees=sb.fees_of(tokens[1]) if len(tokens) > 1 else None,
        currency=tokens[2] if len(tokens) == 3 else None,
        who=at.who,
        side=at.side,
    )
    blocks = sb.credits_blocks(
        out,
        claim_clauses=claim_clauses(deps, at, out),
        claimable=sla.may_review(at.who, at.engagement),
        claimed_by=out.get("claimed_by"),
        mediations=sla.active_mediations(deps, engagement=at.engagement),
    )
    _say(respond, sb.credits_text(out), blocks)


def fees(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla fees [AMOUNT [CURRENCY] [from YYYY-MM]]`: set the fees from a month on, or their history."""
    if not args:
        shown = sla_fees.history(deps, engagement=at.engagement, who=at.who)
        _say(respond, f"Fees of {escape(at.engagement)}", fb.history_blocks(shown))
        return
    amount, currency, start = fb.read_fees(args)
    done = sla_fees.set_fees(
        deps, engagement=at.engagement, fees=sb.fees_of(amount), currency=currency, from_period=start, who=at.who
    )
    _say(respond, fb.set_text(done))


def claim_clauses(deps: Deps, at: Here, out: dict[str, Any]) -> list[str]:
    """The clauses stating the claim window of the levels that carry a credit this period."""
    credited = {line["level"] for line in out["lines"] if line.get("credit_pct")}
    found: dict[str, None] = {}
    for level in sla.listing(deps, engagement=at.engagement, who=at.who, side=at.side, status="approved"):
        claim = level.get("claim")
        if (level.get("family") or level["id"]) in credited and claim:
            where = {"document": level["document"], "section": claim.get("section") or level["section"]}
            found[sb.clause(where)] = None
    return list(found)


SUBVERBS: dict[str, Callable[[Deps, Here, str, Command, Respond, WebClient], None]] = {
    "list": show_register,
    "extract": extract,
    "report": report,
    "dispute": dispute,
    "agree": agree,
    "credits": credits,
    "fees": fees,
}


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
        _say(respond, "Only the engagement's mediators, admins and owners may approve or reject service levels.")
        return
    try:
        sla.level(deps, engagement=at.engagement, level_id=level_id, who=at.who, side=at.side)  # one this side sees
        sla.review(deps, engagement=at.engagement, level_ids=[level_id], status=status, who=at.who)
    except REFUSALS as err:
        _refuse(respond, err)
        return
    _, blocks = register_view(deps, at)
    done = section(f"Service level #{level_id} is now *{status}*.")
    _say(respond, f"Service level #{level_id} is now {status}.", [done, *blocks], replace=True)


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
            raise LiaisonError("Only the engagement's mediators, admins and owners may edit service levels.")
        level = sla.level(deps, engagement=at.engagement, level_id=level_id, who=at.who, side=at.side)
    except REFUSALS as err:
        _refuse(respond, err)
        return
    client.views_open(trigger_id=body["trigger_id"], view=wire_view(sb.edit_modal(level, channel=at.channel)))


def on_report_form(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    at = _clicked(context["deps"], body, respond, client)
    if at is not None:
        open_report_form(context["deps"], at, client, body["trigger_id"])


def open_report_form(deps: Deps, at: Here, client: WebClient, trigger_id: str) -> None:
    levels = [
        lv for lv in sla.listing(deps, engagement=at.engagement, who=at.who, side=at.side) if lv["status"] != "rejected"
    ]
    client.views_open(trigger_id=trigger_id, view=wire_view(sb.report_modal(levels, channel=at.channel)))


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
        _refuse(respond, err)
        return
    _say(respond, f"The credits for {done['period']} are marked claimed by <@{done['claimed_by']}>.")


def on_attach(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """A mediation chosen in the credits view: the period's kept credits become its evidence (once)."""
    ack()
    deps: Deps = context["deps"]
    chosen = action.get("selected_option")
    period, _, number = (chosen["value"] if chosen else "").partition(":")
    at = _clicked(deps, body, respond, client)
    if at is None or not number.isdigit():
        return
    try:
        added = sla.attach_credits(
            deps, engagement=at.engagement, mediation_id=int(number), period=period, who=at.who, side=at.side
        )
    except REFUSALS as err:
        _refuse(respond, err)
        return
    said = "attached to" if added else "already in"
    _say(respond, f"The credits for {period} are {said} mediation #{number}'s evidence.")


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
        ack(response_action="errors", errors={"target": "This form has expired: open it again from /liaison sla."})
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
    _tell(
        client,
        at,
        user,
        f"Saved service level #{done['id']} {escape(sb.name(done))}: target {escape(sb.target(done))}.",
    )


def on_report_submit(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    deps: Deps = context["deps"]
    meta = _meta(view)
    got, errors = sb.read_report((view.get("state") or {}).get("values") or {})
    user = body["user"]["id"]
    at = here(deps, client, channel=meta["channel"], user=user) if meta else None
    if at is None:
        errors = {"level": "This form has expired: open it again with /liaison sla report."}
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
        field = "value" if "measurement" in str(err) else "period" if "period" in str(err) else "level"
        ack(response_action="errors", errors={field: str(err)[:150]})
        return
    ack()
    _tell(client, at, user, sb.reported_text(done))
    if done.get("breach_new") and done.get("breach_issue"):
        post_breach_card(deps, client, channel=at.channel, issue_id=int(done["breach_issue"]), side=at.side)


def _tell(client: WebClient, at: Here, user: str, text: str) -> None:
    """A private note in the channel the form came from (best effort: what was saved stays saved)."""
    try:
        client.chat_postEphemeral(channel=at.channel, user=user, text=text, blocks=wire([section(text)]))
    except SlackApiError as err:
        log.info("could not tell %s in %s: %s", user, at.channel, err.response.get("error"))


VERBS: dict[str, Handler] = {"sla": on_sla}
