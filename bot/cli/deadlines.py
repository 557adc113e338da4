"""`liaison deadlines`: the deadlines register from the shell (issue 13's command-line contract).

    liaison deadlines -e E [--as-of YYYY-MM-DD] [--within DAYS] [--status S] [--json]   soonest first
    liaison deadlines -e E --ics FILE [--as-of ...] [--within ...] [--status ...]       an iCalendar file
    liaison deadlines extract  -e E [--json]       drafts from the engagement's documents and credit statements
    liaison deadlines show     ID -e E [--json]    one obligation and its timeline
    liaison deadlines approve  ID... -e E          (done and waive likewise)
    liaison deadlines edit     ID -e E [--date YYYY-MM-DD] [--anchor-date YYYY-MM-DD] [--owner U]
    liaison deadlines settings -e E [--country IT] [--subdivision X] [--lead-days 60] [--clear NAME]

JSON goes to stdout, notes to stderr. The CLI's operator is trusted with every role and sees every side. A
refusal or bad input is one line on stderr and exit code 2.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.options import Context, engagement_name, engagement_option, json_option, pass_context
from bot.cli.sla import deps_of, dump, fail, run

if TYPE_CHECKING:
    from bot.records.deadlines import DeadlineStatus

STATUSES = ("draft", "approved", "done", "waived")
day_type = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _line(d: dict[str, Any]) -> str:
    where = f"{d['document']}{' §' + d['section'] if d['section'] else ''}"
    when = d["date"] or ("anchor?" if d["anchor_missing"] and d["status"] in ("draft", "approved") else "-")
    lead = f" [decide by {d['lead_date']}]" if d.get("lead_date") else ""
    why = f" [no date: {d['missing']}]" if d.get("missing") and not d["date"] else ""
    again = " [recurring]" if d.get("recurs") else ""
    return f"{d['id']:>4}  {when:<10}  {d['status']:<8}  {d['kind']}: {d['rule']}  ({where}){again}{lead}{why}"


@click.group(invoke_without_command=True)
@click.option("--engagement", "-e", callback=engagement_name, help="Engagement name, e.g. acme-customer-care.")
@click.option("--as-of", type=day_type, help="Compute the dates as of this day (default: today).")
@click.option("--within", type=click.IntRange(min=0), help="Only deadlines from --as-of to this many days after.")
@click.option("--status", type=click.Choice(STATUSES), help="Only deadlines in this status.")
@click.option("--ics", "ics_file", type=click.Path(dir_okay=False, path_type=Path), help="Write an iCalendar file.")
@json_option
@pass_context
def deadlines(
    ctx: Context,
    engagement: str | None,
    as_of: datetime | None,
    within: int | None,
    status: str | None,
    ics_file: Path | None,
    as_json: bool,
) -> None:
    """The deadlines register: dated obligations from the contracts (term, renewal, notice, cure, claims,
    reports, exit), reviewed, reminded and exported. Without a sub-command, lists them soonest first."""
    here = click.get_current_context()
    if here.invoked_subcommand is not None:
        if engagement is not None:  # `liaison deadlines -e E approve 3` as well as `... approve 3 -e E`
            here.default_map = {**(here.default_map or {}), here.invoked_subcommand: {"engagement": engagement}}
        return
    if engagement is None:
        raise click.UsageError("Missing option '--engagement' / '-e'.")
    from bot.deadlines import workflows
    from bot.sla.workflows import operator

    deps = deps_of(ctx)
    day = _day(as_of)
    if ics_file is not None:
        text = run(
            lambda: workflows.calendar(
                deps, engagement=engagement, who=operator(), as_of=day, status=status, within=within
            )
        )
        ics_file.write_bytes(text)
        click.echo(f"wrote {text.count(b'BEGIN:VEVENT')} deadlines to {ics_file}", err=True)
        return
    rows = run(
        lambda: workflows.listing(deps, engagement=engagement, who=operator(), as_of=day, status=status, within=within)
    )
    if as_json:
        dump({"deadlines": rows})
        return
    if not rows:
        click.echo(f"No deadlines in {engagement}: `liaison deadlines extract -e {engagement}` drafts them.", err=True)
    for row in rows:
        click.echo(_line(row))


@deadlines.command()
@engagement_option
@json_option
@pass_context
def extract(ctx: Context, engagement: str, as_json: bool) -> None:
    """Draft dated obligations from the engagement's indexed documents and its unclaimed credit statements.

    Re-running updates drafts (keeping what you edited) and never touches approved, done or waived ones.
    """
    from bot.deadlines import workflows
    from bot.sla.workflows import operator

    done = run(lambda: workflows.extract(deps_of(ctx, kb=True), engagement=engagement, who=operator()))
    if as_json:
        dump({"deadlines": done.deadlines})
        return
    click.echo(
        f"{done.created} new, {done.updated} updated, {done.kept} reviewed and kept, {done.removed} removed drafts; "
        f"{done.claims} new credit-claim windows",
        err=True,
    )
    for row in done.deadlines:
        click.echo(_line(row))


@deadlines.command()
@click.argument("deadline_id", type=int)
@engagement_option
@click.option("--as-of", type=day_type, help="Compute the date as of this day (default: today).")
@json_option
@pass_context
def show(ctx: Context, deadline_id: int, engagement: str, as_of: datetime | None, as_json: bool) -> None:
    """One obligation: its clause, its date and its timeline."""
    from bot.deadlines import workflows
    from bot.sla.workflows import operator

    row = run(
        lambda: workflows.deadline(
            deps_of(ctx), engagement=engagement, deadline_id=deadline_id, who=operator(), as_of=_day(as_of)
        )
    )
    if as_json:
        dump(row)
        return
    click.echo(_line(row))
    click.echo(f"  > {row['quote']}")
    if row.get("missing") and not row["date"]:
        click.echo(f"  no date: {row['missing']}")
    for event in row["timeline"]:
        click.echo(f"  {event['at'][:16]}  {event['kind']:<9} {event['actor']}  {event['text'] or _change(event)}")


def _change(event: dict[str, Any]) -> str:
    """An edit's or a review's values before and after, for the timeline: 'date: - -> 2026-12-20'."""
    data = event.get("data") or {}
    if "before" in data and "after" in data:
        return "; ".join(
            f"{name.replace('_', ' ')}: {data['before'].get(name) or '-'} -> {value or '-'}"
            for name, value in data["after"].items()
        )
    if "from" in data and "to" in data and data["from"] != data["to"]:
        return f"{data['from']} -> {data['to']}"
    return ""


def _review(
    ctx: Context,
    engagement: str,
    ids: tuple[int, ...],
    status: DeadlineStatus,
    whole: bool = False,
    as_of: datetime | None = None,
) -> None:
    from bot.deadlines import workflows
    from bot.sla.workflows import operator

    done = run(
        lambda: workflows.reviewed(
            deps_of(ctx),
            engagement=engagement,
            deadline_ids=list(ids),
            status=status,
            who=operator(),
            whole=whole,
            as_of=_day(as_of),
        )
    )
    changed = [r for r in done if r["changed"] and not r["occurrence"]]
    same = [r["id"] for r in done if not r["changed"]]
    if changed or not any(r["occurrence"] for r in done):
        click.echo(f"{status}: {', '.join(str(r['id']) for r in changed) or 'none'}", err=True)
    for r in done:
        if r["occurrence"]:
            after = f"next {r['next']}" if r["next"] else "the next one has no date yet"
            click.echo(
                f"{status}: {r['id']}, its occurrence of {r['occurrence']} ({after}; --all to close the whole "
                "recurring deadline)",
                err=True,
            )
    if same:
        click.echo(f"already {status}: {', '.join(map(str, same))}", err=True)


@deadlines.command()
@click.argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@pass_context
def approve(ctx: Context, ids: tuple[int, ...], engagement: str) -> None:
    """Approve deadlines: approved, dated ones are reminded."""
    _review(ctx, engagement, ids, "approved")


ALL_HELP = "A recurring deadline: close the whole deadline, not only its current occurrence."
OCCURRENCE_HELP = (
    "A recurring deadline: close the occurrence due as of this day (default today), e.g. a report delivered late."
)


@deadlines.command()
@click.argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@click.option("--all", "whole", is_flag=True, help=ALL_HELP)
@click.option("--as-of", type=day_type, help=OCCURRENCE_HELP)
@pass_context
def done(ctx: Context, ids: tuple[int, ...], engagement: str, whole: bool, as_of: datetime | None) -> None:
    """Mark deadlines done (the notice was sent, the claim made): no more reminders.

    A recurring deadline (a monthly report, a notice before each renewal term) closes only its current
    occurrence: its date moves to the next one, which is reminded in its turn. --all closes it for good;
    --as-of closes the occurrence that was due on a day past (last month's report, delivered late).
    """
    _review(ctx, engagement, ids, "done", whole, as_of)


@deadlines.command()
@click.argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@click.option("--all", "whole", is_flag=True, help=ALL_HELP)
@click.option("--as-of", type=day_type, help=OCCURRENCE_HELP)
@pass_context
def waive(ctx: Context, ids: tuple[int, ...], engagement: str, whole: bool, as_of: datetime | None) -> None:
    """Waive deadlines that do not apply (kept, with who and when; left out of the calendar).

    A recurring deadline waives only its current occurrence (its date moves to the next one); --all waives it.
    """
    _review(ctx, engagement, ids, "waived", whole, as_of)


@deadlines.command()
@click.argument("deadline_id", type=int)
@engagement_option
@click.option("--date", "date_", type=day_type, help="The deadline's date, set by hand (wins over the computed one).")
@click.option("--anchor-date", type=day_type, help="The date the rule counts from (e.g. the SOW's go-live).")
@click.option("--owner", help="Slack user id of who answers for this deadline.")
@click.option(
    "--clear",
    multiple=True,
    type=click.Choice(("date", "anchor-date", "owner")),
    help="Unset a value set by hand (the date is computed from the rule again).",
)
@json_option
@pass_context
def edit(
    ctx: Context,
    deadline_id: int,
    engagement: str,
    date_: datetime | None,
    anchor_date: datetime | None,
    owner: str | None,
    clear: tuple[str, ...],
    as_json: bool,
) -> None:
    """Correct a deadline by hand; the timeline keeps the values before and after, and re-extraction keeps them.

    --anchor-date is the day the rule counts from where the contract leaves it open (a go-live, a breach notice,
    the end of a period); a date counted from the term or a monthly calendar is set with --date instead.
    """
    from bot.deadlines import workflows
    from bot.sla.workflows import operator

    changes: dict[str, object] = {}
    if date_ is not None:
        changes["date"] = date_.date().isoformat()
    if anchor_date is not None:
        changes["anchor_date"] = anchor_date.date().isoformat()
    if owner is not None:
        changes["owner"] = owner
    for name in clear:
        key = name.replace("-", "_")
        if key in changes:
            fail(f"--{name} is either set or cleared, not both")
        changes[key] = None
    if not changes:
        fail("say what to change: --date YYYY-MM-DD, --anchor-date YYYY-MM-DD, --owner U or --clear NAME")
    row = run(
        lambda: workflows.edit(
            deps_of(ctx), engagement=engagement, deadline_id=deadline_id, changes=changes, who=operator()
        )
    )
    if as_json:
        dump(row)
    else:
        click.echo(_line(row))


@deadlines.command()
@engagement_option
@click.option("--country", help="Whose public holidays business days skip: an ISO code (IT, US, GB).")
@click.option("--subdivision", help="A state or region of that country with its own holidays (CA, MI).")
@click.option("--lead-days", type=click.IntRange(min=0), help="Your own lead time: decide this many days before.")
@click.option(
    "--clear", multiple=True, type=click.Choice(("country", "subdivision", "lead_days")), help="Unset a setting."
)
@json_option
@pass_context
def settings(
    ctx: Context,
    engagement: str,
    country: str | None,
    subdivision: str | None,
    lead_days: int | None,
    clear: tuple[str, ...],
    as_json: bool,
) -> None:
    """Show or change the engagement's deadline settings (holiday calendar, lead time)."""
    from bot.deadlines import workflows
    from bot.sla.workflows import operator

    deps = deps_of(ctx)
    if country is None and subdivision is None and lead_days is None and not clear:
        now = run(lambda: workflows.settings(deps, engagement=engagement))
    else:
        now = run(
            lambda: workflows.change_settings(
                deps,
                engagement=engagement,
                who=operator(),
                country=country,
                subdivision=subdivision,
                lead_days=lead_days,
                clear=clear,
            )
        )
    if as_json:
        dump(now)
        return
    calendar = now["country"] and f"{now['country']}{'-' + now['subdivision'] if now['subdivision'] else ''}"
    lead = f"{now['lead_days']} days" if now["lead_days"] is not None else "none"
    click.echo(f"{engagement}: holidays {calendar or 'none (weekends only)'}; lead time {lead}")


COMMANDS = (deadlines,)
