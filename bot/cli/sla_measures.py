"""`liaison sla report|dispute|agree|import|credits|claim|attach`: measurements and what they cost, from the shell.

The `liaison sla` group and the register's own commands are in `bot.cli.sla`; `add_to(sla)` adds these to it.
Like them, JSON goes to stdout and notes to stderr, and bad input is one line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.options import Context, engagement_option, json_option, pass_context
from bot.cli.sla import deps_of, dump, fail, run
from bot.cli.translated import argument, command, option
from bot.i18n import N_, _

MAX_CSV_BYTES = 5_000_000


def _period(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from bot.sla.money import SlaInputError
    from bot.sla.terms import Period

    try:
        return str(Period.parse(value))
    except SlaInputError as e:
        raise click.BadParameter(str(e)) from None


period_option = option(
    "--period", required=True, callback=_period, help=N_("The month, YYYY-MM (YYYY-Qn: a level measured per quarter).")
)
level_option = option("--level", "ref", required=True, help=N_("The level's id, or its metric's name."))


@command(help=N_("Record a measurement; a missed approved level logs an sla-breach issue, once per level and period."))
@engagement_option
@level_option
@period_option
@option("--value", required=True, help=N_("The measured value, e.g. 76.4 or 76.4%."))
@json_option
@pass_context
def report(ctx: Context, engagement: str, ref: str, period: str, value: str, as_json: bool) -> None:
    from bot.sla import workflows

    done = run(
        lambda: workflows.report(
            deps_of(ctx), engagement=engagement, ref=ref, period=period, value=value, who=workflows.operator()
        )
    )
    if as_json:
        dump(done)
        return
    said = {
        True: _("{name} {period}: {value} met"),
        False: _("{name} {period}: {value} missed"),
        None: _("{name} {period}: {value} not assessed (no approved target in force)"),
    }[done["met"]]
    value = f"{done['value']}{done['unit'] if done['unit'] == '%' else ''}"
    click.echo(said.format(name=done["name"], period=done["period"], value=value))
    if done["breach_issue"]:
        issue = _("sla-breach issue #{id} logged") if done["breach_new"] else _("sla-breach issue #{id}")
        click.echo(issue.format(id=done["breach_issue"]), err=True)


@command(help=N_("Dispute a period's measurement, with the reason."))
@engagement_option
@level_option
@period_option
@option("--reason", required=True, help=N_("Why the measurement is wrong."))
@pass_context
def dispute(ctx: Context, engagement: str, ref: str, period: str, reason: str) -> None:
    from bot.sla import workflows

    done = run(
        lambda: workflows.set_measurement_status(
            deps_of(ctx),
            engagement=engagement,
            ref=ref,
            period=period,
            status="disputed",
            reason=reason,
            who=workflows.operator(),
        )
    )
    click.echo(_("level {level} {period}: disputed").format(level=done["level"], period=done["period"]), err=True)


@command(help=N_("Agree with a period's measurement."))
@engagement_option
@level_option
@period_option
@pass_context
def agree(ctx: Context, engagement: str, ref: str, period: str) -> None:
    from bot.sla import workflows

    done = run(
        lambda: workflows.set_measurement_status(
            deps_of(ctx), engagement=engagement, ref=ref, period=period, status="agreed", who=workflows.operator()
        )
    )
    click.echo(_("level {level} {period}: agreed").format(level=done["level"], period=done["period"]), err=True)


@command(
    "import",
    help=N_("Record measurements from a CSV with the columns level,period,value (a header row): all rows, or none."),
)
@argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@engagement_option
@json_option
@pass_context
def import_(ctx: Context, file: Path, engagement: str, as_json: bool) -> None:
    from bot.sla import workflows

    if file.stat().st_size > MAX_CSV_BYTES:
        fail(_("{file} is over {mb} MB: split it").format(file=file, mb=MAX_CSV_BYTES // 1_000_000))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        fail(_("{file} is not UTF-8 text").format(file=file))
    done = run(lambda: workflows.import_csv(deps_of(ctx), engagement=engagement, text=text, who=workflows.operator()))
    if as_json:
        dump({"measurements": done})
        return
    missed = [d for d in done if d["met"] is False]
    click.echo(
        _("{n} measurements recorded, {missed} missed").format(n=len(done), missed=len(missed)),
        err=True,
    )


@command(help=N_("Compute a period's service credits from the approved levels, with the working shown line by line."))
@engagement_option
@period_option
@option("--fees", default=None, help=N_("The period's fees, e.g. 200000 (default: those set with `sla fees`)."))
@option("--currency", default=None, help=N_("The fees' currency (ISO code; USD with --fees if not given)."))
@json_option
@pass_context
def credits(ctx: Context, engagement: str, period: str, fees: str | None, currency: str | None, as_json: bool) -> None:
    from decimal import Decimal, InvalidOperation

    from bot.sla import workflows

    try:
        amount = None if fees is None else Decimal(fees.replace(",", "").replace("_", ""))
    except InvalidOperation:
        fail(_("--fees must be a number such as 200000, not {fees!r}").format(fees=fees))
    result = run(
        lambda: workflows.credits(
            deps_of(ctx), engagement=engagement, period=period, fees=amount, currency=currency, who=workflows.operator()
        )
    )
    if as_json:
        keys = (
            "period",
            "fees",
            "currency",
            "lines",
            "total_pct_before_cap",
            "cap_pct",
            "total_pct",
            "total_amount",
            "capped",
            "claim_deadline",
            "claimed",
            "left_out",
            "chronic",
            "earn_backs",
        )
        dump({k: result[k] for k in keys})
        return
    for line in result["working"]:
        click.echo(line)
    for chronic in result["chronic"]:
        click.echo(chronic)
    for back in result["earn_backs"]:
        click.echo(_("earn-back: {working}").format(working=back["working"]))
    for note in result["left_out"]:
        click.echo(_("note: {note}").format(note=note), err=True)
    if result["claim_deadline"]:
        click.echo(_("claim by {date}").format(date=result["claim_deadline"]), err=True)


@command(help=N_("Mark a period's computed credits as claimed."))
@engagement_option
@period_option
@pass_context
def claim(ctx: Context, engagement: str, period: str) -> None:
    from bot.sla import workflows

    done = run(lambda: workflows.claim(deps_of(ctx), engagement=engagement, period=period, who=workflows.operator()))
    click.echo(_("credits for {period} claimed").format(period=done["period"]), err=True)


@command(help=N_("Attach a period's computed credits (the working, each line cited) to a mediation as evidence."))
@engagement_option
@period_option
@option("--mediation", "mediation_id", type=int, required=True, help=N_("The mediation's number."))
@pass_context
def attach(ctx: Context, engagement: str, period: str, mediation_id: int) -> None:
    from bot.sla import workflows

    added = run(
        lambda: workflows.attach_credits(
            deps_of(ctx), engagement=engagement, mediation_id=mediation_id, period=period, who=workflows.operator()
        )
    )
    said = (
        _("credits for {period} attached to mediation #{id}")
        if added
        else _("credits for {period} already in mediation #{id}")
    )
    click.echo(said.format(period=period, id=mediation_id), err=True)


COMMANDS = (report, dispute, agree, import_, credits, claim, attach)


def add_to(group: click.Group) -> None:
    """Add the measurement commands to the `liaison sla` group."""
    for each in COMMANDS:
        group.add_command(each)
