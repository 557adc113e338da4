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
from bot.cli.translated import Choice, argument, group, option
from bot.i18n import N_, _

if TYPE_CHECKING:
    from bot.records.deadlines import DeadlineStatus

STATUSES = ("draft", "approved", "done", "waived")
day_type = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _line(d: dict[str, Any]) -> str:
    where = f"{d['document']}{' §' + d['section'] if d['section'] else ''}"
    when = d["date"] or (_("anchor?") if d["anchor_missing"] and d["status"] in ("draft", "approved") else "-")
    lead = " " + _("[decide by {date}]").format(date=d["lead_date"]) if d.get("lead_date") else ""
    why = " " + _("[no date: {why}]").format(why=d["missing"]) if d.get("missing") and not d["date"] else ""
    again = " " + _("[recurring]") if d.get("recurs") else ""
    return f"{d['id']:>4}  {when:<10}  {d['status']:<8}  {d['kind']}: {d['rule']}  ({where}){again}{lead}{why}"


@group(
    invoke_without_command=True,
    help=N_(
        "The deadlines register: dated obligations from the contracts (term, renewal, notice, cure, "
        "claims, reports, exit), reviewed, reminded and exported. Without a sub-command, lists them "
        "soonest first."
    ),
)
@option("--engagement", "-e", callback=engagement_name, help=N_("Engagement name, e.g. acme-customer-care."))
@option("--as-of", type=day_type, help=N_("Compute the dates as of this day (default: today)."))
@option("--within", type=click.IntRange(min=0), help=N_("Only deadlines from --as-of to this many days after."))
@option("--status", type=Choice(STATUSES), help=N_("Only deadlines in this status."))
@option("--ics", "ics_file", type=click.Path(dir_okay=False, path_type=Path), help=N_("Write an iCalendar file."))
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
    here = click.get_current_context()
    if here.invoked_subcommand is not None:
        if engagement is not None:  # `liaison deadlines -e E approve 3` as well as `... approve 3 -e E`
            here.default_map = {**(here.default_map or {}), here.invoked_subcommand: {"engagement": engagement}}
        return
    if engagement is None:
        raise click.UsageError(_("Missing option '--engagement' / '-e'."))
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
        count = text.count(b"BEGIN:VEVENT")
        click.echo(
            _("wrote {n} deadlines to {file}").format(n=count, file=ics_file),
            err=True,
        )
        return
    rows = run(
        lambda: workflows.listing(deps, engagement=engagement, who=operator(), as_of=day, status=status, within=within)
    )
    if as_json:
        dump({"deadlines": rows})
        return
    if not rows:
        click.echo(
            _("No deadlines in {engagement}: `liaison deadlines extract -e {engagement}` drafts them.").format(
                engagement=engagement
            ),
            err=True,
        )
    for row in rows:
        click.echo(_line(row))


@deadlines.command(
    help=N_(
        "Draft dated obligations from the engagement's indexed documents and its unclaimed credit "
        "statements.\n\n"
        "Re-running updates drafts (keeping what you edited) and never touches approved, done or waived "
        "ones."
    )
)
@engagement_option
@json_option
@pass_context
def extract(ctx: Context, engagement: str, as_json: bool) -> None:
    from bot.deadlines import workflows
    from bot.sla.workflows import operator

    done = run(lambda: workflows.extract(deps_of(ctx, kb=True), engagement=engagement, who=operator()))
    if as_json:
        dump({"deadlines": done.deadlines})
        return
    click.echo(
        _(
            "{created} new, {updated} updated, {kept} reviewed and kept, {removed} removed drafts; "
            "{claims} new credit-claim windows"
        ).format(created=done.created, updated=done.updated, kept=done.kept, removed=done.removed, claims=done.claims),
        err=True,
    )
    for row in done.deadlines:
        click.echo(_line(row))


@deadlines.command(help=N_("One obligation: its clause, its date and its timeline."))
@argument("deadline_id", type=int)
@engagement_option
@option("--as-of", type=day_type, help=N_("Compute the date as of this day (default: today)."))
@json_option
@pass_context
def show(ctx: Context, deadline_id: int, engagement: str, as_of: datetime | None, as_json: bool) -> None:
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
        click.echo(_("  no date: {why}").format(why=row["missing"]))
    for event in row["timeline"]:
        click.echo(_event_line(event))


def _event_line(event: dict[str, Any]) -> str:
    """A timeline's line: when, what happened and what it says (in the reader's language), who."""
    from bot.deadlines.events import event_text, kind_name

    return f"  {event['at'][:16]}  {kind_name(event['kind']):<9} {event['actor']}  {event_text(event)}".rstrip()


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
        click.echo(_(REVIEWED[status]).format(ids=", ".join(str(r["id"]) for r in changed) or _("none")), err=True)
    for r in done:
        if r["occurrence"]:
            after = _("next {date}").format(date=r["next"]) if r["next"] else _("the next one has no date yet")
            click.echo(
                _(OCCURRENCE[status]).format(id=r["id"], occurrence=r["occurrence"], after=after),
                err=True,
            )
    if same:
        click.echo(_(ALREADY[status]).format(ids=", ".join(map(str, same))), err=True)


# What a review says, translated where shown.
REVIEWED = {"approved": N_("approved: {ids}"), "done": N_("done: {ids}"), "waived": N_("waived: {ids}")}
ALREADY = {
    "approved": N_("already approved: {ids}"),
    "done": N_("already done: {ids}"),
    "waived": N_("already waived: {ids}"),
}
OCCURRENCE = {
    "approved": N_(
        "approved: {id}, its occurrence of {occurrence} ({after}; --all to close the whole recurring deadline)"
    ),
    "done": N_("done: {id}, its occurrence of {occurrence} ({after}; --all to close the whole recurring deadline)"),
    "waived": N_("waived: {id}, its occurrence of {occurrence} ({after}; --all to close the whole recurring deadline)"),
}


@deadlines.command(help=N_("Approve deadlines: approved, dated ones are reminded."))
@argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@pass_context
def approve(ctx: Context, ids: tuple[int, ...], engagement: str) -> None:
    _review(ctx, engagement, ids, "approved")


ALL_HELP = N_("A recurring deadline: close the whole deadline, not only its current occurrence.")
OCCURRENCE_HELP = N_(
    "A recurring deadline: close the occurrence due as of this day (default today), e.g. a report delivered late."
)


@deadlines.command(
    help=N_(
        "Mark deadlines done (the notice was sent, the claim made): no more reminders.\n\n"
        "A recurring deadline (a monthly report, a notice before each renewal term) closes only its "
        "current occurrence: its date moves to the next one, which is reminded in its turn. --all closes "
        "it for good; --as-of closes the occurrence that was due on a day past (last month's report, "
        "delivered late)."
    )
)
@argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@option("--all", "whole", is_flag=True, help=ALL_HELP)
@option("--as-of", type=day_type, help=OCCURRENCE_HELP)
@pass_context
def done(ctx: Context, ids: tuple[int, ...], engagement: str, whole: bool, as_of: datetime | None) -> None:
    _review(ctx, engagement, ids, "done", whole, as_of)


@deadlines.command(
    help=N_(
        "Waive deadlines that do not apply (kept, with who and when; left out of the calendar).\n\n"
        "A recurring deadline waives only its current occurrence (its date moves to the next one); --all "
        "waives it."
    )
)
@argument("ids", nargs=-1, type=int, required=True)
@engagement_option
@option("--all", "whole", is_flag=True, help=ALL_HELP)
@option("--as-of", type=day_type, help=OCCURRENCE_HELP)
@pass_context
def waive(ctx: Context, ids: tuple[int, ...], engagement: str, whole: bool, as_of: datetime | None) -> None:
    _review(ctx, engagement, ids, "waived", whole, as_of)


@deadlines.command(
    help=N_(
        "Correct a deadline by hand; the timeline keeps the values before and after, and re-extraction "
        "keeps them.\n\n"
        "--anchor-date is the day the rule counts from where the contract leaves it open (a go-live, a "
        "breach notice, the end of a period); a date counted from the term or a monthly calendar is set "
        "with --date instead."
    )
)
@argument("deadline_id", type=int)
@engagement_option
@option("--date", "date_", type=day_type, help=N_("The deadline's date, set by hand (wins over the computed one)."))
@option("--anchor-date", type=day_type, help=N_("The date the rule counts from (e.g. the SOW's go-live)."))
@option("--owner", help=N_("Slack user id of who answers for this deadline."))
@option(
    "--clear",
    multiple=True,
    type=Choice(("date", "anchor-date", "owner")),
    help=N_("Unset a value set by hand (the date is computed from the rule again)."),
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
            fail(_("--{name} is either set or cleared, not both").format(name=name))
        changes[key] = None
    if not changes:
        fail(_("say what to change: --date YYYY-MM-DD, --anchor-date YYYY-MM-DD, --owner U or --clear NAME"))
    row = run(
        lambda: workflows.edit(
            deps_of(ctx), engagement=engagement, deadline_id=deadline_id, changes=changes, who=operator()
        )
    )
    if as_json:
        dump(row)
    else:
        click.echo(_line(row))


@deadlines.command(help=N_("Show or change the engagement's deadline settings (holiday calendar, lead time)."))
@engagement_option
@option("--country", help=N_("Whose public holidays business days skip: an ISO code (IT, US, GB)."))
@option("--subdivision", help=N_("A state or region of that country with its own holidays (CA, MI)."))
@option("--lead-days", type=click.IntRange(min=0), help=N_("Your own lead time: decide this many days before."))
@option("--clear", multiple=True, type=Choice(("country", "subdivision", "lead_days")), help=N_("Unset a setting."))
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
    days = now["lead_days"]
    lead = _("{n} days").format(n=days) if days is not None else _("none")
    click.echo(
        _("{engagement}: holidays {calendar}; lead time {lead}").format(
            engagement=engagement, calendar=calendar or _("none (weekends only)"), lead=lead
        )
    )


COMMANDS = (deadlines,)
