"""`liaison sla`: the SLA register from the shell (issue 12's command-line contract). The measurement commands
(report to attach) are in `bot.cli.sla_measures`, the fees in `bot.cli.sla_fees`.

    liaison sla extract  -e E [--json]          drafts from the engagement's indexed documents
    liaison sla list     -e E [--status S] [--json]
    liaison sla show     ID -e E [--json]       one level and its timeline
    liaison sla approve  ID... -e E             (reject likewise)
    liaison sla edit     ID -e E [--target N] [--comparison C] [--cap-pct N] [--pct-per-point N] ...
    liaison sla report   -e E --level ID|NAME --period YYYY-MM --value N [--json]
    liaison sla dispute  -e E --level ID|NAME --period YYYY-MM --reason TEXT   (agree likewise, no reason)
    liaison sla import   FILE.csv -e E          columns level,period,value (a header row)
    liaison sla credits  -e E --period YYYY-MM [--fees N] [--currency USD] [--json]   (fees: those in force)
    liaison sla fees     -e E [--fees N [--currency USD] [--from YYYY-MM]] [--json]   set them, or their history
    liaison sla claim    -e E --period YYYY-MM
    liaison sla attach   -e E --period YYYY-MM --mediation N   the credits as a mediation's evidence

JSON goes to stdout, notes to stderr. The CLI's operator is trusted with every role. A refusal or bad input is
one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from bot.cli.options import Context, engagement_option, json_option, pass_context
from bot.cli.translated import Choice, argument, group, option
from bot.i18n import N_, _

if TYPE_CHECKING:
    from bot.deps import Deps
    from bot.records.sla import LevelStatus


def deps_of(ctx: Context, *, kb: bool = False) -> Deps:
    from bot.db import make_engine, upgrade
    from bot.deps import Deps

    engine = make_engine(ctx.settings.resolved_database_url)
    upgrade(engine)
    return Deps(settings=ctx.settings, kb=ctx.kb if kb else None, engine=engine)  # type: ignore[arg-type]


def fail(message: str) -> NoReturn:
    click.secho(_("error: {message}").format(message=message), fg="red", err=True)
    sys.exit(2)


def run(work: Any) -> Any:
    """Call a workflow; a refusal, a missing record or bad input becomes one line and exit code 2."""
    from bot.errors import Conflict, NotAllowed, NotFound
    from bot.sla.money import SlaInputError

    try:
        return work()
    except (NotAllowed, NotFound, Conflict, SlaInputError, ValueError) as e:
        fail(str(e))


def dump(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


def _line(level: dict[str, Any]) -> str:
    from bot.sla.views import num

    target = level["target"] if level["target"] is not None else level["target_text"] or "?"
    unit = level["unit"] if level["unit"] == "%" else f" {level['unit']}" if level["unit"] else ""
    scope = f" ({level['scope']})" if level["scope"] else ""
    where = f"{level['document']}{' §' + level['section'] if level['section'] else ''}"
    extra = []
    if level["credit"] and level["credit"].get("model"):
        extra.append(_("credit {model}").format(model=level["credit"]["model"]))
    if level["cap_pct"] is not None:
        extra.append(_("cap {pct}%").format(pct=num(str(level["cap_pct"]))))
    if level["effective_from"]:
        extra.append(_("from {date}").format(date=level["effective_from"]))
    if level["version"] > 1:
        extra.append(_("v{version} of {family}").format(version=level["version"], family=level["family"]))
    tail = f" [{', '.join(extra)}]" if extra else ""
    return (
        f"{level['id']:>4}  {level['status']:<8}  {level['metric']}{scope}: {level['comparison']} {target}{unit}"
        f"  ({level['kind']}, {where}){tail}"
    )


@group(help=N_("The SLA register: service levels drafted from the contracts, reviewed, measured, and their credits."))
def sla() -> None:
    pass


@sla.command(
    help=N_(
        "Draft service levels from the engagement's indexed documents.\n\n"
        "Re-running updates drafts (keeping fields you edited) and never touches approved or rejected "
        "levels."
    )
)
@engagement_option
@json_option
@pass_context
def extract(ctx: Context, engagement: str, as_json: bool) -> None:
    from bot.sla import workflows

    done = run(lambda: workflows.extract(deps_of(ctx, kb=True), engagement=engagement, who=workflows.operator()))
    if as_json:
        dump({"service_levels": done.levels})
        return
    click.echo(
        _("{created} new, {updated} updated, {kept} reviewed and kept, {removed} removed drafts").format(
            created=done.created, updated=done.updated, kept=done.kept, removed=done.removed
        ),
        err=True,
    )
    for level in done.levels:
        click.echo(_line(level))


@sla.command("list", help=N_("List the register's service levels (every version)."))
@engagement_option
@option("--status", type=Choice(("draft", "approved", "rejected")), help=N_("Only levels in this status."))
@json_option
@pass_context
def list_levels(ctx: Context, engagement: str, status: str | None, as_json: bool) -> None:
    from bot.sla import workflows

    rows = run(lambda: workflows.listing(deps_of(ctx), engagement=engagement, who=workflows.operator(), status=status))
    if as_json:
        dump({"service_levels": rows})
        return
    if not rows:
        click.echo(
            _("No service levels in {engagement} yet: `liaison sla extract -e {engagement}` drafts them.").format(
                engagement=engagement
            ),
            err=True,
        )
    for level in rows:
        click.echo(_line(level))


@sla.command(help=N_("One service level: its clause, its values and its timeline (review and measurements)."))
@argument("level_id", type=int)
@engagement_option
@json_option
@pass_context
def show(ctx: Context, level_id: int, engagement: str, as_json: bool) -> None:
    from bot.sla import workflows

    level = run(
        lambda: workflows.level(deps_of(ctx), engagement=engagement, level_id=level_id, who=workflows.operator())
    )
    if as_json:
        dump(level)
        return
    click.echo(_line(level))
    click.echo(f"  > {level['quote']}")
    for event in level["timeline"]:
        click.echo(_event_line(event))


def _event_line(event: dict[str, Any]) -> str:
    """A timeline's line: when, what happened (in the reader's language), who, and what it says."""
    from bot.sla.events import event_text, kind_name

    return f"  {event['at'][:16]}  {kind_name(event['kind']):<9} {event['actor']}  {event_text(event)}".rstrip()


def _review(ctx: Context, engagement: str, ids: tuple[int, ...], status: LevelStatus) -> None:
    from bot.sla import workflows

    changed = run(
        lambda: workflows.review(
            deps_of(ctx), engagement=engagement, level_ids=list(ids), status=status, who=workflows.operator()
        )
    )
    same = [i for i in ids if i not in changed]
    click.echo(_(REVIEWED[status]).format(ids=", ".join(map(str, changed)) or _("none")), err=True)
    if same:
        click.echo(_(ALREADY[status]).format(ids=", ".join(map(str, same))), err=True)


REVIEWED = {"approved": N_("approved: {ids}"), "rejected": N_("rejected: {ids}")}  # translated where shown
ALREADY = {"approved": N_("already approved: {ids}"), "rejected": N_("already rejected: {ids}")}


@sla.command(help=N_("Approve service levels: only approved levels compute credits."))
@argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@pass_context
def approve(ctx: Context, ids: tuple[int, ...], engagement: str) -> None:
    _review(ctx, engagement, ids, "approved")


@sla.command(help=N_("Reject service levels extraction got wrong (kept, with who and when)."))
@argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@pass_context
def reject(ctx: Context, ids: tuple[int, ...], engagement: str) -> None:
    _review(ctx, engagement, ids, "rejected")


@sla.command(
    help=N_("Correct a level by hand; the timeline keeps the values before and after, and re-extraction keeps them.")
)
@argument("level_id", type=int)
@engagement_option
@option("--target", help=N_("The target, a number (e.g. 99.9)."))
@option(
    "--comparison",
    type=Choice((">=", "<=", ">", "<", "within")),
    help=N_("How the measured value must compare with the target."),
)
@option("--unit", help=N_("%, minutes, hours, business days..."))
@option("--metric", help=N_("What is measured."))
@option("--scope", help=N_("Which part it applies to (e.g. Severity 1)."))
@option("--window", help=N_("The measurement window (e.g. calendar month)."))
@option("--kind", type=Choice(("credit", "report")), help=N_("credit: carries a credit; report: reported only."))
@option("--cap-pct", help=N_("The credit cap, % of the fees."))
@option("--model", type=Choice(("tiers", "per-point", "fixed", "pool")), help=N_("The credit rule."))
@option("--pct-per-point", help=N_("per-point: % of the fees per point below target."))
@option("--level-pct", help=N_("pool: the level's allocation (credit weighting), %."))
@option("--at-risk-pct", help=N_("pool: the at-risk amount, % of the fees."))
@option("--pool-pct", help=N_("pool: the pool allocation, % (100 when there is none)."))
@option("--amount", help=N_("fixed: the amount per breach."))
@option("--currency", help=N_("fixed: the amount's currency (ISO code)."))
@option("--effective-from", help=N_("The date this version applies from, YYYY-MM-DD."))
@option("--owner", help=N_("Slack user id of who answers for this level."))
@option("--earn-back-periods", help=N_("Earn-back: periods met after a failure to recover it (0: none)."))
@option("--earn-back-pct", help=N_("Earn-back: % of the failure's credit recovered."))
@option("--chronic-run", help=N_("Chronic failure: failures of the level that make one (0: no such rule)."))
@option("--chronic-within", help=N_("Chronic failure: in any this many consecutive periods (0: running)."))
@json_option
@pass_context
def edit(ctx: Context, level_id: int, engagement: str, as_json: bool, **changes: str | None) -> None:
    from bot.sla import workflows

    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        fail(_("say what to change, e.g. --target 99.9 (see --help)"))
    level = run(
        lambda: workflows.edit(
            deps_of(ctx), engagement=engagement, level_id=level_id, changes=given, who=workflows.operator()
        )
    )
    if as_json:
        dump(level)
    else:
        click.echo(_line(level))


COMMANDS = (sla,)
