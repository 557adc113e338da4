"""`liaison sla fees`: the engagement's fees over time, the base its service credits are a share of.

    liaison sla fees -e E --fees N [--currency USD] [--from YYYY-MM] [--json]   set them from a month on
    liaison sla fees -e E [--json]                                               their history

Without `--from`, fees are set from the last month (in the engagement's time zone), the next to close. `liaison
sla credits` without `--fees` computes on the fees in force in its period. `add_to(sla)` adds the command to
the `liaison sla` group; like the others, JSON goes to stdout and bad input is one line and exit code 2.
"""

from __future__ import annotations

from typing import Any

import click

from bot.cli.options import Context, engagement_option, json_option, pass_context
from bot.cli.sla import deps_of, dump, fail, run
from bot.cli.translated import command, option
from bot.i18n import N_, _


def _line(row: dict[str, Any]) -> str:
    from decimal import Decimal

    from bot.sla.money import money

    return _("from {period}: {fees} (set by {who})").format(
        period=row["from"], fees=money(Decimal(str(row["amount"])), row["currency"]), who=row["set_by"]
    )


@command(help=N_("Set the engagement's fees from a month on, or (without --fees) show them over time."))
@engagement_option
@option("--fees", "amount", default=None, help=N_("The monthly fees the credits are a share of, e.g. 200000."))
@option("--currency", default=None, help=N_("The fees' currency (ISO code; USD if not given)."))
@option("--from", "from_period", default=None, help=N_("The first month they apply to, YYYY-MM."))
@json_option
@pass_context
def fees(
    ctx: Context, engagement: str, amount: str | None, currency: str | None, from_period: str | None, as_json: bool
) -> None:
    from decimal import Decimal, InvalidOperation

    from bot.sla import fees as sla_fees
    from bot.sla import workflows

    if amount is None:
        if currency is not None or from_period is not None:
            fail(_("--currency and --from go with --fees"))
        shown = run(lambda: sla_fees.history(deps_of(ctx), engagement=engagement, who=workflows.operator()))
        if as_json:
            dump(shown)
            return
        for row in shown["fees"]:
            click.echo(_line(row))
        if not shown["fees"]:
            click.echo(
                _("No fees are set for {engagement}: `liaison sla fees -e {engagement} --fees N`.").format(
                    engagement=engagement
                ),
                err=True,
            )
        return
    try:
        value = Decimal(amount.replace(",", "").replace("_", ""))
    except InvalidOperation:
        fail(_("--fees must be a number such as 200000, not {fees!r}").format(fees=amount))
    done = run(
        lambda: sla_fees.set_fees(
            deps_of(ctx),
            engagement=engagement,
            fees=value,
            currency=currency or "USD",
            from_period=from_period,
            who=workflows.operator(),
        )
    )
    if as_json:
        dump(done)
        return
    click.echo(_line(done["set"]))


def add_to(group: click.Group) -> None:
    """Add `fees` to the `liaison sla` group."""
    group.add_command(fees)
