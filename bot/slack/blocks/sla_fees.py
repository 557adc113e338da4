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

from bot.sla.closing import STATEMENT, CloseNotice
from bot.sla.money import money, pct
from bot.slack.blocks.kit import Block, context, header, section
from bot.slack.blocks.sla import PERIOD
from bot.slack.blocks.text_fit import escape

FEES_USAGE = (
    "Usage: /liaison sla fees [AMOUNT [CURRENCY] [from YYYY-MM]], e.g. /liaison sla fees 200000 USD from 2026-01"
)
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def read_fees(args: str) -> tuple[str, str, str | None]:
    """'200000 USD from 2026-01' -> ("200000", "USD", "2026-01"); the currency and the month are optional
    (USD; None: the workflow's default). ValueError with the usage for anything else."""
    tokens = args.split()
    if not tokens:
        raise ValueError(FEES_USAGE)
    amount, rest = tokens[0], tokens[1:]
    currency = "USD"
    if rest and _CURRENCY.match(rest[0]) and rest[0].lower() != "from":
        currency, rest = rest[0].upper(), rest[1:]
    start = None
    if rest:
        if len(rest) != 2 or rest[0].lower() != "from" or not PERIOD.match(rest[1]):
            raise ValueError(FEES_USAGE)
        start = rest[1]
    return amount, currency, start


def _amount(row: Mapping[str, Any]) -> str:
    return money(Decimal(str(row["amount"])), str(row["currency"]))


def fees_line(row: Mapping[str, Any]) -> str:
    """'From 2026-01: USD 200,000 (set by <@U1>)'."""
    return f"From {row['from']}: {escape(_amount(row))} (set by <@{row['set_by']}>)"


def set_text(done: Mapping[str, Any]) -> str:
    row = done["set"]
    return f"The fees of {escape(str(done['engagement']))} are {escape(_amount(row))} a month from {row['from']}."


def history_blocks(shown: Mapping[str, Any]) -> list[Block]:
    """The fees over time, oldest first, or how to set them."""
    engagement = escape(str(shown["engagement"]))
    rows = shown["fees"]
    if not rows:
        return [section(f"No fees are set for {engagement}."), context(escape(FEES_USAGE))]
    return [
        header(f"Fees of {shown['engagement']}"),
        section("\n".join(f"• {fees_line(row)}" for row in rows)),
        context("Each amount is in force from its month until a later one. " + escape(FEES_USAGE)),
    ]


def close_text(notice: CloseNotice) -> str:
    """The closed period's credits in one line (mrkdwn, escaped), or why they could not be computed."""
    summary = notice.summary
    if notice.kind != STATEMENT:
        return (
            f"The service credits of {escape(notice.engagement)} for {notice.period} could not be computed: "
            f"no fees are set. {escape(str(summary['how']))}; they are computed at the next check."
        )
    currency = str(summary["currency"])
    total = money(Decimal(str(summary["total_amount"])), currency)
    share = pct(Decimal(str(summary["total_pct"])))
    fees = money(Decimal(str(summary["fees"])), currency)
    return f"Service credits of {escape(notice.engagement)} for {notice.period}: {total} ({share} of {fees})."


def close_blocks(notice: CloseNotice) -> list[Block]:
    """The summary posted when a period closes: the total with its cap and clauses, and the claim deadline."""
    if notice.kind != STATEMENT:
        return [section(close_text(notice))]
    summary = notice.summary
    missed = sum(1 for line in summary.get("lines") or [] if line.get("met") is False)
    measured = sum(1 for line in summary.get("lines") or [] if line.get("actual") is not None)
    cap = summary.get("cap_pct")
    capped = "capped" if summary.get("capped") else "within the cap"
    cap_text = f"cap {pct(Decimal(str(cap)))} ({capped})" if cap is not None else "no cap stated"
    deadline = summary.get("claim_deadline")
    claim = f"Claim by *{deadline}*." if deadline else "No claim window is stated for these credits."
    since = f", in force from {summary['fees_from']}" if summary.get("fees_from") else ""
    return [
        header(f"Service credits for {notice.period} (period closed)"),
        section(close_text(notice)),
        section(f"*Total:* {escape(str(summary.get('total_working') or ''))}"),
        section(f"{cap_text} · {claim}"),
        context(
            f"{missed} of {len(summary.get('lines') or [])} service levels missed ({measured} measured) · fees "
            f"{escape(money(Decimal(str(summary['fees'])), str(summary['currency'])))}{since} · "
            f"`/liaison sla credits {notice.period}` shows the working line by line"
        ),
    ]
