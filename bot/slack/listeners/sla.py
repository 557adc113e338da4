"""The SLA register from Slack: `/liaison sla [list|extract|report|dispute|agree|credits|fees|help]`.

Its buttons and forms are in `sla_actions.py`; what both share (where the command happens, derived from the
channel now; private replies; the register's view) is `bot.slack.sla_here`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any  # the workflows' JSON

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import N_, _
from bot.sla import fees as sla_fees
from bot.sla import home as sla_home
from bot.sla import workflows as sla
from bot.slack.blocks import sla as sb
from bot.slack.blocks import sla_fees as fb
from bot.slack.blocks.kit import section
from bot.slack.blocks.text_fit import escape
from bot.slack.payloads import Command, Handler
from bot.slack.replies import not_linked
from bot.slack.sla_here import REFUSALS, Here, here, open_report_form, post_breach_card, refuse, register_view, say

REPORT_USAGE = N_(  # translated where shown
    'Usage: /liaison sla report LEVEL YYYY-MM VALUE, e.g. /liaison sla report "call answer rate" 2026-10 76.4%'
)


def register(app: App) -> None:
    """Nothing to add: `/liaison` routes `sla` here through VERBS; the buttons are `sla_actions.register`."""


# -- /liaison sla --------------------------------------------------------------------------------
def on_sla(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla [VERB ...]`: the register, or one of SUBVERBS."""
    ack()
    verb, _sep, args = rest.strip().partition(" ")
    handler = SUBVERBS.get(verb.lower())
    if verb.lower() == "help":
        say(respond, _("How to use /liaison sla"), sb.help_blocks())
        return
    if handler is None and verb:
        unknown = _("I do not know /liaison sla {verb}.").format(verb=escape(verb))
        say(respond, unknown, sb.help_blocks(_("Unknown: /liaison sla {verb}").format(verb=verb)))
        return
    at = here(deps, client, channel=command["channel_id"], user=command["user_id"])
    if at is None:
        not_linked(respond, command["channel_id"])
        return
    try:
        (handler or show_register)(deps, at, args.strip(), command, respond, client)
    except REFUSALS as err:
        refuse(respond, err)


def show_register(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    say(respond, *register_view(deps, at))


def extract(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla extract`: draft the levels from the engagement's indexed documents (reviewers), then list."""
    done = sla.extract(deps, engagement=at.engagement, who=at.who)
    said = _("Drafts: {created} new, {updated} updated, {removed} removed; {kept} reviewed kept.").format(
        created=done.created, updated=done.updated, removed=done.removed, kept=done.kept
    )
    text, blocks = register_view(deps, at)
    say(respond, said, [section(said), *blocks])


def report(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla report LEVEL YYYY-MM VALUE`, or the Report form when no argument is given."""
    if not args:
        open_report_form(deps, at, client, command["trigger_id"])
        return
    ref, after = sb.split_level(args)
    if not ref or len(after) != 2:
        say(respond, _("Usage: /liaison sla report LEVEL YYYY-MM VALUE"), sb.help_blocks(_(REPORT_USAGE)))
        return
    done = sla.report(
        deps, engagement=at.engagement, ref=ref, period=after[0], value=after[1], who=at.who, via="slack", side=at.side
    )
    say(respond, sb.reported_text(done))
    if done.get("breach_new") and done.get("breach_issue"):
        post_breach_card(deps, client, channel=at.channel, issue_id=int(done["breach_issue"]), side=at.side)


def dispute(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla dispute LEVEL YYYY-MM REASON…`."""
    ref, after = sb.split_level(args)
    if not ref or len(after) < 2:
        say(respond, _("Usage: /liaison sla dispute LEVEL YYYY-MM REASON"))
        return
    _set_status(deps, at, respond, ref, after[0], "disputed", " ".join(after[1:]))


def agree(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla agree LEVEL YYYY-MM`."""
    ref, after = sb.split_level(args)
    if not ref or len(after) != 1:
        say(respond, _("Usage: /liaison sla agree LEVEL YYYY-MM"))
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
    say(respond, sb.status_text(done, ref))


def credits(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla credits YYYY-MM [FEES [CURRENCY]]` (no fees: those set with `/liaison sla fees`)."""
    tokens = args.split()
    if len(tokens) not in (1, 2, 3) or not sb.PERIOD.match(tokens[0]):
        say(
            respond,
            _("Usage: /liaison sla credits YYYY-MM [FEES [CURRENCY]], e.g. /liaison sla credits 2026-10 200000"),
        )
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
    say(respond, sb.credits_text(out), blocks)


def fees(deps: Deps, at: Here, args: str, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison sla fees [AMOUNT [CURRENCY] [from YYYY-MM]]`: set the fees from a month on, or their history."""
    if not args:
        shown = sla_fees.history(deps, engagement=at.engagement, who=at.who)
        say(respond, _("Fees of {engagement}").format(engagement=escape(at.engagement)), fb.history_blocks(shown))
        return
    amount, currency, start = fb.read_fees(args)
    done = sla_fees.set_fees(
        deps, engagement=at.engagement, fees=sb.fees_of(amount), currency=currency, from_period=start, who=at.who
    )
    say(respond, fb.set_text(done))


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


VERBS: dict[str, Handler] = {"sla": on_sla}
