"""Block Kit for the SLA register in Slack: the register, a reported measurement, the credits, and the Edit and
Report modals, the App Home's levels at risk; and reading what was typed after `/liaison sla`. Pure functions
over the JSON of `bot.sla.workflows` (and `bot.sla.home.Latest`).

Button values carry ids only (a level's id, a period): the listener re-reads and re-authorizes. Contract text
(metrics, quotes, the working) is escaped and verbatim; every number shown comes with the clause it is from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any  # the workflows' JSON

from bot.i18n import N_, _, current, ngettext
from bot.sla.home import Latest
from bot.sla.money import money, shown
from bot.slack.blocks.kit import (
    MAX_BLOCKS,
    Block,
    Element,
    InputState,
    Option,
    View,
    actions,
    button,
    clip,
    context,
    header,
    plain,
    section,
    text_sections,
)
from bot.slack.blocks.text_fit import escape, quoted
from bot.slack.seal import seal, seal_metadata

APPROVE, REJECT, EDIT, CLAIM, REPORT = "sla_approve", "sla_reject", "sla_edit", "sla_claim", "sla_report_open"
ATTACH = "sla_attach"  # the credits view's "Attach to mediation" menu: its option's value is "PERIOD:MEDIATION"
EDIT_CALLBACK, REPORT_CALLBACK = "sla_edit_submit", "sla_report_submit"
PERIOD = re.compile(r"^\d{4}-(?:\d{1,2}|[Qq][1-4])$")  # a month, or a quarter for a level measured per quarter
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
MODAL_TITLE_CHARS = 24  # Slack's limit on a modal's title, submit and close texts
LEVEL_LIMIT = 20  # levels listed; the rest are counted
COMPARISONS = (">=", "<=", ">", "<", "within")
MODELS = ("tiers", "per-point", "fixed", "pool")
NUMBER_FIELDS = ("target", "cap_pct", "pct_per_point", "level_pct", "at_risk_pct", "pool_pct", "amount")
TEXT_FIELDS = ("unit", "currency")
LABELS = {  # the Edit form's labels, translated where shown
    "target": N_("Target"),
    "comparison": N_("Comparison"),
    "unit": N_("Unit"),
    "cap_pct": N_("Cap (% of the fees)"),
    "model": N_("Credit model"),
    "pct_per_point": N_("Credit % per point below target"),
    "level_pct": N_("Level's allocation %"),
    "at_risk_pct": N_("At-risk amount (% of the fees)"),
    "pool_pct": N_("Pool allocation %"),
    "amount": N_("Fixed amount per breach"),
    "currency": N_("Currency of the fixed amount"),
    "owner": N_("Owner"),
}
# a level's status as the register shows it, in code type (the stored values are the English words)
LEVEL_STATUSES = {"draft": N_("`draft`"), "approved": N_("`approved`"), "rejected": N_("`rejected`")}
MEASUREMENT_STATUSES = {"reported": N_("reported"), "agreed": N_("agreed"), "disputed": N_("disputed")}
HELP = N_(  # translated where shown
    "*The SLA register* (`/liaison sla …` in a bound channel)\n"
    "• `/liaison sla`: the service levels this channel may see\n"
    "• `/liaison sla extract`: draft them from the indexed contracts (mediators, admins and owners)\n"
    '• `/liaison sla report "call answer rate" 2026-10 76.4%`: record a measurement (or `/liaison sla report`'
    " for the form)\n"
    "• `/liaison sla dispute LEVEL 2026-10 REASON…` · `/liaison sla agree LEVEL 2026-10`\n"
    "• `/liaison sla credits 2026-10 [200000 USD]`: a period's credits, with the working (on the fees set)\n"
    "• `/liaison sla fees 200000 USD [from 2026-01]`: set the monthly fees from a month on · `/liaison sla fees`\n"
    "LEVEL is a level's number or its metric's name (quoted if you like)."
)


def help_blocks(problem: str | None = None) -> list[Block]:
    return ([section(f":warning: {escape(problem)}")] if problem else []) + [section(_(HELP))]


def _label(field: str) -> str:
    return _(LABELS[field]) if field in LABELS else field


def level_status(status: str) -> str:
    """A level's status in code type: "`approved`", in the reader's language."""
    return _(LEVEL_STATUSES[status]) if status in LEVEL_STATUSES else f"`{escape(status)}`"


def measurement_status(status: str) -> str:
    """A measurement's status ("reported", "agreed", "disputed"), in the reader's language."""
    return _(MEASUREMENT_STATUSES[status]) if status in MEASUREMENT_STATUSES else status


def clause(item: Mapping[str, Any]) -> str:
    """Where a value comes from: "Schedule 2 (02-sla.md) §4.1" as `document §section`."""
    where = escape(str(item.get("document") or "?"))
    return f"{where} §{escape(str(item['section']))}" if item.get("section") else where


def number_text(value: object) -> str:
    """A number as the reader writes it ('76,4' in Italian); in English exactly as the workflow gave it."""
    if current() == "en" or isinstance(value, bool):
        return str(value)
    try:
        return shown(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def money_text(amount: object, currency: str, *, group_int: bool = True) -> str:
    """'USD 200.000' in Italian; in English 'USD 200,000' for an int (with `group_int`), any other amount as given."""
    if group_int and isinstance(amount, int) and not isinstance(amount, bool):
        return money(Decimal(amount), currency)
    if current() == "en":
        return f"{currency} {amount}"
    try:
        return money(Decimal(str(amount)), currency)
    except (InvalidOperation, KeyError):
        return f"{currency} {amount}"


def quantity(value: object, unit: str | None) -> str:
    unit = unit or ""
    shown_value = number_text(value)
    return f"{shown_value}{unit}" if unit == "%" else f"{shown_value} {unit}".strip()


def target(level: Mapping[str, Any]) -> str:
    if level.get("target") is None:
        stated = level.get("target_text") or _("(no target)")
        return f"{level['comparison']} {stated}"
    return f"{level['comparison']} {quantity(level['target'], level.get('unit'))}"


def name(level: Mapping[str, Any]) -> str:
    return f"{level['metric']} ({level['scope']})" if level.get("scope") else str(level["metric"])


def latest_text(latest: Latest | None) -> str:
    if latest is None:
        return _("not measured yet")
    verdict = _("met") if latest.met else _("missed") if latest.met is False else _("no target in force")
    return _("{period}: {value}, {verdict} ({status})").format(
        period=latest.period,
        value=quantity(latest.actual, latest.unit),
        verdict=verdict,
        status=measurement_status(latest.status or "reported"),
    )


def level_block(level: Mapping[str, Any], latest: Latest | None) -> Block:
    """One level: name, target, kind, status, clause and latest measurement."""
    kind = _("critical (carries a credit)") if level["kind"] == "credit" else _("key measurement (reported only)")
    about = [_("Target {target}").format(target=escape(target(level))), kind, clause(level)]
    if level.get("owner"):
        about.append(_("owner {owner}").format(owner=f"<@{level['owner']}>"))
    lines = [
        f"*#{level['id']} {clip(name(level), 150)}* · {level_status(str(level['status']))}",
        " · ".join(about),
        _("Latest: {latest}").format(latest=escape(latest_text(latest))),
    ]
    return section("\n".join(lines))


def review_buttons(level: Mapping[str, Any]) -> Block:
    ident = str(level["id"])
    shown: list[Element] = []
    if level["status"] != "approved":
        shown.append(button(_("Approve"), APPROVE, ident, "primary"))
    shown.append(button(_("Edit"), EDIT, ident))
    if level["status"] != "rejected":
        shown.append(button(_("Reject"), REJECT, ident, "danger"))
    return actions(*shown)


def register_blocks(
    levels: Sequence[Mapping[str, Any]],
    latest: Mapping[int, Latest],
    *,
    engagement: str,
    side: str,
    reviewer: bool,
) -> list[Block]:
    """The register as the channel's side sees it, with review buttons for reviewers."""
    blocks: list[Block] = [
        header(_("Service levels of {engagement}").format(engagement=engagement)),
        context(
            _("As the {side} side sees them: levels from documents this channel may quote.").format(side=escape(side))
        ),
    ]
    if not levels:
        none = _("No service levels yet: `/liaison sla extract` drafts them from the contracts.")
        return [*blocks, section(none)]
    per = 2 if reviewer else 1
    room = min(LEVEL_LIMIT, (MAX_BLOCKS - 4) // per)
    for level in levels[:room]:
        blocks.append(level_block(level, latest.get(int(level.get("family") or level["id"]))))
        if reviewer:
            blocks.append(review_buttons(level))
    if len(levels) > room:
        more = _("…and {n} more (`liaison sla list` lists them all).").format(n=len(levels) - room)
        blocks.append(context(more))
    blocks.append(actions(button(_("Report a measurement"), REPORT, "report")))
    return blocks


def register_text(levels: Sequence[Mapping[str, Any]], engagement: str) -> str:
    n = len(levels)
    return ngettext("{n} service level of {engagement}", "{n} service levels of {engagement}", n).format(
        n=n, engagement=engagement
    )


def reported_text(done: Mapping[str, Any]) -> str:
    """A recorded measurement: met or missed against the target, with the clause, and the breach issue."""
    value = escape(quantity(done["value"], done.get("unit")))
    name, period = escape(str(done["name"])), done["period"]
    if done.get("met") is None:
        said = _(
            "Recorded {name} for {period}: {value}, no approved target is in force for that period, "
            "so it is not judged yet."
        )
        text = said.format(name=name, period=period, value=value)
    else:
        aim = escape(f"{done['comparison']} {quantity(done['target'], done.get('unit'))}")
        if done["met"]:
            said = _("Recorded {name} for {period}: {value}, met against {aim} ({clause}).")
        else:
            said = _("Recorded {name} for {period}: {value}, *missed* against {aim} ({clause}).")
        text = said.format(name=name, period=period, value=value, aim=aim, clause=clause(done))
    if done.get("replaced") is not None:
        old = escape(quantity(done["replaced"], done.get("unit")))
        text += " " + _("It replaces {value}.").format(value=old)
    if done.get("breach_issue"):
        logged = _("Breach issue #{id} logged.") if done.get("breach_new") else _("Breach issue #{id} already logged.")
        text += " " + logged.format(id=done["breach_issue"])
    return text


def status_text(done: Mapping[str, Any], level: str) -> str:
    status = measurement_status(str(done["status"]))
    if done.get("reason"):
        said = _("The measurement of {level} for {period} is now {status}: {reason}.")
    else:
        said = _("The measurement of {level} for {period} is now {status}.")
    reason = escape(str(done.get("reason") or ""))
    return said.format(level=escape(level), period=done["period"], status=status, reason=reason)


def credits_blocks(
    out: Mapping[str, Any],
    *,
    claim_clauses: Sequence[str],
    claimable: bool,
    claimed_by: str | None = None,
    mediations: Sequence[tuple[int, str]] = (),
) -> list[Block]:
    """A period's credits: each line's working, the total with the cap, the claim deadline, all cited."""
    blocks: list[Block] = [header(_("Service credits for {period}").format(period=out["period"]))]
    fees = money_text(out["fees"], str(out["currency"]))
    if out.get("fees_from"):
        on_fees = _("On monthly fees of {fees} (in force from {month}).").format(
            fees=escape(fees), month=out["fees_from"]
        )
    else:
        on_fees = _("On monthly fees of {fees} (as given).").format(fees=escape(fees))
    blocks.append(context(on_fees))
    lines = [f"• {escape(str(line['working']))}" for line in out["lines"]]
    blocks.extend(text_sections("\n".join(lines) or _("No level in force."), 10, render=lambda s: s))
    blocks.append(section(_("*Total:* {working}").format(working=escape(str(out["total_working"])))))
    if out.get("left_out"):
        left_out = escape("; ".join(str(x) for x in out["left_out"]))
        blocks.append(context(_("Left out: {levels}").format(levels=left_out)))
    for chronic in out.get("chronic") or []:
        blocks.append(section(_("*Chronic failure:* {working}").format(working=escape(str(chronic)))))
    backs = [f"• {escape(str(back['working']))}" for back in out.get("earn_backs") or []]
    if backs:
        blocks.append(section(_("*Earned back* (what was owed for an earlier period, not this one's total):")))
        blocks.extend(text_sections("\n".join(backs), 5, render=lambda s: s))
    deadline = out.get("claim_deadline")
    if deadline and claim_clauses:
        claim = _("Claim by *{deadline}* ({clauses}).").format(deadline=deadline, clauses=", ".join(claim_clauses))
    elif deadline:
        claim = _("Claim by *{deadline}*.").format(deadline=deadline)
    else:
        claim = _("No claim window is stated for these credits.")
    if out.get("claimed"):
        claim += " " + (_("Claimed by {user}.").format(user=f"<@{claimed_by}>") if claimed_by else _("Claimed."))
    blocks.append(section(claim))
    controls: list[Element] = []
    if claimable and not out.get("claimed"):
        controls.append(button(_("Mark claimed"), CLAIM, str(out["period"]), "primary"))
    if mediations:
        controls.append(attach_menu(str(out["period"]), mediations))
    if controls:
        blocks.append(actions(*controls))
    return blocks


def attach_menu(period: str, mediations: Sequence[tuple[int, str]]) -> Element:
    """A menu of the engagement's active mediations: choosing one attaches these credits to it as evidence."""
    options: list[Option] = [
        {"text": plain(f"#{number} {title}"[:75]), "value": seal(f"{period}:{number}")}
        for number, title in mediations[:100]
    ]
    return {
        "type": "static_select",
        "action_id": ATTACH,
        "placeholder": plain(_("Attach to mediation")),
        "options": options,
    }


def credits_text(out: Mapping[str, Any]) -> str:
    return _("Service credits for {period}: {amount} ({pct}%)").format(
        period=out["period"],
        amount=money_text(out["total_amount"], str(out["currency"]), group_int=False),
        pct=number_text(out["total_pct"]),
    )


# -- modals --------------------------------------------------------------------------------------
def _option(value: str, text: str | None = None) -> Option:
    return {"text": plain(text or value), "value": value}


def _text_input(field: str, initial: object, *, optional: bool = True) -> Block:
    element: Element = {"type": "plain_text_input", "action_id": field}
    if initial is not None and str(initial) != "":
        element["initial_value"] = str(initial)
    return {
        "type": "input",
        "block_id": field,
        "label": plain(_label(field)),
        "element": element,
        "optional": optional,
    }


def _select(field: str, choices: Sequence[str], initial: object) -> Block:
    element: Element = {"type": "static_select", "action_id": field, "options": [_option(c) for c in choices]}
    if initial in choices:
        element["initial_option"] = _option(str(initial))
    return {"type": "input", "block_id": field, "label": plain(_label(field)), "element": element, "optional": True}


def edit_modal(level: Mapping[str, Any], *, channel: str) -> View:
    """The review form of one level, showing the clause's verbatim quote; submitted, it calls `edit`."""
    credit = level.get("credit") or {}
    owner: Element = {"type": "users_select", "action_id": "owner"}
    if level.get("owner"):
        owner["initial_user"] = str(level["owner"])
    blocks: list[Block] = [
        section(f"*#{level['id']} {clip(name(level), 150)}* · {clause(level)} · {level_status(str(level['status']))}"),
        *text_sections(str(level.get("quote") or ""), 3, render=quoted),
        _text_input("target", level.get("target")),
        _select("comparison", COMPARISONS, level.get("comparison")),
        _text_input("unit", level.get("unit")),
        _text_input("cap_pct", level.get("cap_pct")),
        _select("model", MODELS, credit.get("model")),
        *(_text_input(f, credit.get(f)) for f in ("pct_per_point", "level_pct", "at_risk_pct", "pool_pct")),
        _text_input("amount", credit.get("amount")),
        _text_input("currency", credit.get("currency")),
        {"type": "input", "block_id": "owner", "label": plain(_label("owner")), "element": owner, "optional": True},
    ]
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "title": plain(_("Review service level"), MODAL_TITLE_CHARS),
        "submit": plain(_("Save"), MODAL_TITLE_CHARS),
        "close": plain(_("Cancel"), MODAL_TITLE_CHARS),
        "private_metadata": seal_metadata({"channel": channel, "level": int(level["id"])}),
        "blocks": blocks,
    }


def _value(values: Mapping[str, Mapping[str, InputState]], field: str) -> str | None:
    state = (values.get(field) or {}).get(field) or {}
    option = state.get("selected_option")
    raw = option["value"] if option else state.get("selected_user") or state.get("value")
    return None if raw is None or not str(raw).strip() else str(raw).strip()


def read_edit(values: Mapping[str, Mapping[str, InputState]]) -> dict[str, object]:
    """The submitted review form as `edit`'s changes (a blank field clears the value)."""
    fields = (*NUMBER_FIELDS, *TEXT_FIELDS, "comparison", "model", "owner")
    return {f: _value(values, f) for f in fields if f in values}


def field_of(message: str, fields: Sequence[str]) -> str | None:
    """The form field an error message is about ("cap-pct must be a number…" -> "cap_pct")."""
    head = message.split(" ", 1)[0].replace("-", "_")
    return head if head in fields else None


def report_modal(levels: Sequence[Mapping[str, Any]], *, channel: str) -> View:
    """The Report form: a level among those the channel may see, a period, a value."""
    options = [_option(str(lv["id"]), f"#{lv['id']} {name(lv)}") for lv in levels[:100]]
    level: Element = {"type": "static_select", "action_id": "level", "options": options}
    return {
        "type": "modal",
        "callback_id": REPORT_CALLBACK,
        "title": plain(_("Report a measurement"), MODAL_TITLE_CHARS),
        "submit": plain(_("Report"), MODAL_TITLE_CHARS),
        "close": plain(_("Cancel"), MODAL_TITLE_CHARS),
        "private_metadata": seal_metadata({"channel": channel}),
        "blocks": [
            {"type": "input", "block_id": "level", "label": plain(_("Service level")), "element": level},
            {**_text_input("period", None, optional=False), "label": plain(_("Period (YYYY-MM, or YYYY-Qn)"))},
            {**_text_input("value", None, optional=False), "label": plain(_("Value (e.g. 76.4%)"))},
        ],
    }


def read_report(values: Mapping[str, Mapping[str, InputState]]) -> tuple[dict[str, str], dict[str, str]]:
    """(level, period and value as typed; errors by block) of a submitted Report form."""
    got = {f: _value(values, f) for f in ("level", "period", "value")}
    errors = {f: _("Required.") for f, v in got.items() if v is None}
    return {f: v for f, v in got.items() if v is not None}, errors


def at_risk_section(levels: Sequence[Latest]) -> Block:
    """The App Home's "Service levels at risk": the person's levels that missed or are disputed, with the clause."""
    lines = []
    for lv in levels[:LEVEL_LIMIT]:
        actual = quantity(lv.actual, lv.unit)
        if lv.target is not None:
            actual = _("{actual} vs {target}").format(
                actual=actual, target=f"{lv.comparison} {quantity(lv.target, lv.unit)}"
            )
        why = _("disputed") if lv.status == "disputed" else _("missed")
        where = clause({"document": lv.document, "section": lv.section})
        lines.append(f"• *#{lv.level}* {clip(lv.name, 150)} · {lv.period}: {escape(actual)} · *{why}* · {where}")
    more = "\n" + _("…and {n} more.").format(n=len(levels) - LEVEL_LIMIT) if len(levels) > LEVEL_LIMIT else ""
    heading = _("*Service levels at risk ({n})*, that you own:").format(n=len(levels))
    return section(heading + "\n" + "\n".join(lines) + more)


# -- what was typed after /liaison sla ------------------------------------------------------------
def split_level(args: str) -> tuple[str, list[str]]:
    """`"call answer rate" 2026-10 …` or `call answer rate 2026-10 …`: the level's name and what follows it
    (unquoted, the name ends before the first YYYY-MM)."""
    text = args.translate(_QUOTES).strip()
    if text[:1] in ('"', "'") and text.find(text[0], 1) > 0:
        end = text.find(text[0], 1)
        return text[1:end].strip(), text[end + 1 :].split()
    tokens = text.split()
    at = next((i for i, t in enumerate(tokens) if PERIOD.match(t)), len(tokens))
    return " ".join(tokens[:at]), tokens[at:]


def fees_of(text: str) -> Decimal:
    """'200000', '200,000' or '200000.50' as a Decimal (a comma only as a thousands separator)."""
    cleaned = text.replace(",", "") if _THOUSANDS.match(text) else text
    try:
        fees = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("the fees are a number such as 200000, not {text!r}").format(text=text)) from None
    if not fees.is_finite() or fees < 0:
        raise ValueError(_("the fees are a number of zero or more, not {text!r}").format(text=text))
    return fees
