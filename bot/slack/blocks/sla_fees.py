"""Block Kit for the SLA register's fees and its period close: `/liaison sla fees` and its history, and the
summary the scheduler posts when a month's credits are computed (or could not be, for want of fees).

Pure functions over the JSON of `bot.sla.fees` and the `bot.sla.closing.CloseNotice`s; reading what was typed
after `/liaison sla fees`. Contract text (the total's working) is escaped and verbatim, with its clauses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any  # the workflows' JSON

from bot.i18n import N_, _, ngettext
from bot.sla.closing import STATEMENT, CloseNotice
from bot.sla.money import money, pct
from bot.sla.totals import total_working_of
from bot.slack.blocks.kit import Block, context, header, section
from bot.slack.blocks.sla import PERIOD
from bot.slack.blocks.text_fit import escape

FEES_USAGE = N_(  # translated where shown
    "Usage: /liaison sla fees [AMOUNT [CURRENCY] [from YYYY-MM]], e.g. /liaison sla fees 200000 USD from 2026-01"
)
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def read_fees(args: str) -> tuple[str, str, str | None]:
    """'200000 USD from 2026-01' -> ("200000", "USD", "2026-01"); the currency and the month are optional
    (USD; None: the workflow's default). ValueError with the usage for anything else."""
    tokens = args.split()
    if not tokens:
        raise ValueError(_(FEES_USAGE))
    amount, rest = tokens[0], tokens[1:]
    currency = "USD"
    if rest and _CURRENCY.match(rest[0]) and rest[0].lower() != "from":
        currency, rest = rest[0].upper(), rest[1:]
    start = None
    if rest:
        if len(rest) != 2 or rest[0].lower() != "from" or not PERIOD.match(rest[1]):
            raise ValueError(_(FEES_USAGE))
        start = rest[1]
    return amount, currency, start


def _amount(row: Mapping[str, Any]) -> str:
    return money(Decimal(str(row["amount"])), str(row["currency"]))


def fees_line(row: Mapping[str, Any]) -> str:
    """'From 2026-01: USD 200,000 (set by <@U1>)'."""
    return _("From {month}: {amount} (set by {user})").format(
        month=row["from"], amount=escape(_amount(row)), user=f"<@{row['set_by']}>"
    )


def set_text(done: Mapping[str, Any]) -> str:
    row = done["set"]
    return _("The fees of {engagement} are {amount} a month from {month}.").format(
        engagement=escape(str(done["engagement"])), amount=escape(_amount(row)), month=row["from"]
    )


def history_blocks(shown: Mapping[str, Any]) -> list[Block]:
    """The fees over time, oldest first, or how to set them."""
    engagement = escape(str(shown["engagement"]))
    rows = shown["fees"]
    if not rows:
        none = _("No fees are set for {engagement}.").format(engagement=engagement)
        return [section(none), context(escape(_(FEES_USAGE)))]
    return [
        header(_("Fees of {engagement}").format(engagement=shown["engagement"])),
        section("\n".join(f"• {fees_line(row)}" for row in rows)),
        context(_("Each amount is in force from its month until a later one.") + " " + escape(_(FEES_USAGE))),
    ]


def close_text(notice: CloseNotice) -> str:
    """The closed period's credits in one line (mrkdwn, escaped), or why they could not be computed."""
    summary = notice.summary
    if notice.kind != STATEMENT:
        return _(
            "The service credits of {engagement} for {period} could not be computed: "
            "no fees are set. {how}; they are computed at the next check."
        ).format(engagement=escape(notice.engagement), period=notice.period, how=escape(str(summary["how"])))
    currency = str(summary["currency"])
    total = money(Decimal(str(summary["total_amount"])), currency)
    share = pct(Decimal(str(summary["total_pct"])))
    fees = money(Decimal(str(summary["fees"])), currency)
    return _("Service credits of {engagement} for {period}: {total} ({share} of {fees}).").format(
        engagement=escape(notice.engagement), period=notice.period, total=total, share=share, fees=fees
    )


def close_blocks(notice: CloseNotice) -> list[Block]:
    """The summary posted when a period closes: the total with its cap and clauses, and the claim deadline."""
    if notice.kind != STATEMENT:
        return [section(close_text(notice))]
    summary = notice.summary
    missed = sum(1 for line in summary.get("lines") or [] if line.get("met") is False)
    measured = sum(1 for line in summary.get("lines") or [] if line.get("actual") is not None)
    cap = summary.get("cap_pct")
    if cap is None:
        cap_text = _("no cap stated")
    elif summary.get("capped"):
        cap_text = _("cap {pct} (capped)").format(pct=pct(Decimal(str(cap))))
    else:
        cap_text = _("cap {pct} (within the cap)").format(pct=pct(Decimal(str(cap))))
    deadline = summary.get("claim_deadline")
    if deadline:
        claim = _("Claim by *{deadline}*.").format(deadline=deadline)
    else:
        claim = _("No claim window is stated for these credits.")
    fees = escape(money(Decimal(str(summary["fees"])), str(summary["currency"])))
    if summary.get("fees_from"):
        fees = _("{fees}, in force from {month}").format(fees=fees, month=summary["fees_from"])
    levels = len(summary.get("lines") or [])
    counts = ngettext(
        "{missed} of {n} service level missed ({measured} measured)",
        "{missed} of {n} service levels missed ({measured} measured)",
        levels,
    ).format(missed=missed, n=levels, measured=measured)
    working = _("`/liaison sla credits {period}` shows the working line by line").format(period=notice.period)
    return [
        header(_("Service credits for {period} (period closed)").format(period=notice.period)),
        section(close_text(notice)),
        section(_("*Total:* {working}").format(working=escape(total_working_of(summary)))),
        section(f"{cap_text} · {claim}"),
        context(" · ".join([counts, _("fees {amount}").format(amount=fees), working])),
    ]
