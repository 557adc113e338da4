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
    click.secho(f"error: {message}", fg="red", err=True)
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
        extra.append(f"credit {level['credit']['model']}")
    if level["cap_pct"] is not None:
        extra.append(f"cap {num(str(level['cap_pct']))}%")
    if level["effective_from"]:
        extra.append(f"from {level['effective_from']}")
    if level["version"] > 1:
        extra.append(f"v{level['version']} of {level['family']}")
    tail = f" [{', '.join(extra)}]" if extra else ""
    return (
        f"{level['id']:>4}  {level['status']:<8}  {level['metric']}{scope}: {level['comparison']} {target}{unit}"
        f"  ({level['kind']}, {where}){tail}"
    )


@click.group()
def sla() -> None:
    """The SLA register: service levels drafted from the contracts, reviewed, measured, and their credits."""


@sla.command()
@engagement_option
@json_option
@pass_context
def extract(ctx: Context, engagement: str, as_json: bool) -> None:
    """Draft service levels from the engagement's indexed documents.

    Re-running updates drafts (keeping fields you edited) and never touches approved or rejected levels.
    """
    from bot.sla import workflows

    done = run(lambda: workflows.extract(deps_of(ctx, kb=True), engagement=engagement, who=workflows.operator()))
    if as_json:
        dump({"service_levels": done.levels})
        return
    click.echo(
        f"{done.created} new, {done.updated} updated, {done.kept} reviewed and kept, {done.removed} removed drafts",
        err=True,
    )
    for level in done.levels:
        click.echo(_line(level))


@sla.command("list")
@engagement_option
@click.option("--status", type=click.Choice(("draft", "approved", "rejected")), help="Only levels in this status.")
@json_option
@pass_context
def list_levels(ctx: Context, engagement: str, status: str | None, as_json: bool) -> None:
    """List the register's service levels (every version)."""
    from bot.sla import workflows

    rows = run(lambda: workflows.listing(deps_of(ctx), engagement=engagement, who=workflows.operator(), status=status))
    if as_json:
        dump({"service_levels": rows})
        return
    if not rows:
        click.echo(
            f"No service levels in {engagement} yet: `liaison sla extract -e {engagement}` drafts them.", err=True
        )
    for level in rows:
        click.echo(_line(level))


@sla.command()
@click.argument("level_id", type=int)
@engagement_option
@json_option
@pass_context
def show(ctx: Context, level_id: int, engagement: str, as_json: bool) -> None:
    """One service level: its clause, its values and its timeline (review and measurements)."""
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
        click.echo(f"  {event['at'][:16]}  {event['kind']:<9} {event['actor']}  {event['text']}")


def _review(ctx: Context, engagement: str, ids: tuple[int, ...], status: LevelStatus) -> None:
    from bot.sla import workflows

    changed = run(
        lambda: workflows.review(
            deps_of(ctx), engagement=engagement, level_ids=list(ids), status=status, who=workflows.operator()
        )
    )
    same = [i for i in ids if i not in changed]
    click.echo(f"{status}: {', '.join(map(str, changed)) or 'none'}", err=True)
    if same:
        click.echo(f"already {status}: {', '.join(map(str, same))}", err=True)


@sla.command()
@click.argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@pass_context
def approve(ctx: Context, ids: tuple[int, ...], engagement: str) -> None:
    """Approve service levels: only approved levels compute credits."""
    _review(ctx, engagement, ids, "approved")


@sla.command()
@click.argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@pass_context
def reject(ctx: Context, ids: tuple[int, ...], engagement: str) -> None:
    """Reject service levels extraction got wrong (kept, with who and when)."""
    _review(ctx, engagement, ids, "rejected")


@sla.command()
@click.argument("level_id", type=int)
@engagement_option
@click.option("--target", help="The target, a number (e.g. 99.9).")
@click.option("--comparison", type=click.Choice((">=", "<=", ">", "<", "within")))
@click.option("--unit", help="%, minutes, hours, business days...")
@click.option("--metric", help="What is measured.")
@click.option("--scope", help="Which part it applies to (e.g. Severity 1).")
@click.option("--window", help="The measurement window (e.g. calendar month).")
@click.option(
    "--kind", type=click.Choice(("credit", "report")), help="credit: carries a credit; report: reported only."
)
@click.option("--cap-pct", help="The credit cap, % of the fees.")
@click.option("--model", type=click.Choice(("tiers", "per-point", "fixed", "pool")), help="The credit rule.")
@click.option("--pct-per-point", help="per-point: % of the fees per point below target.")
@click.option("--level-pct", help="pool: the level's allocation (credit weighting), %.")
@click.option("--at-risk-pct", help="pool: the at-risk amount, % of the fees.")
@click.option("--pool-pct", help="pool: the pool allocation, % (100 when there is none).")
@click.option("--amount", help="fixed: the amount per breach.")
@click.option("--currency", help="fixed: the amount's currency (ISO code).")
@click.option("--effective-from", help="The date this version applies from, YYYY-MM-DD.")
@click.option("--owner", help="Slack user id of who answers for this level.")
@click.option("--earn-back-periods", help="Earn-back: periods met after a failure to recover it (0: none).")
@click.option("--earn-back-pct", help="Earn-back: % of the failure's credit recovered.")
@click.option("--chronic-run", help="Chronic failure: failures of the level that make one (0: no such rule).")
@click.option("--chronic-within", help="Chronic failure: in any this many consecutive periods (0: running).")
@json_option
@pass_context
def edit(ctx: Context, level_id: int, engagement: str, as_json: bool, **changes: str | None) -> None:
    """Correct a level by hand; the timeline keeps the values before and after, and re-extraction keeps them."""
    from bot.sla import workflows

    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        fail("say what to change, e.g. --target 99.9 (see --help)")
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
