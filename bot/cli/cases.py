"""`liaison issues`, `liaison mediations` and `liaison export`: the issue log and mediations from the shell.

Register with `cli.add_command(issues)`, `cli.add_command(mediations)`, `cli.add_command(export)` (or
`for group in GROUPS: cli.add_command(group)`). Like bot/cli/__init__.py, JSON goes to stdout and notes to stderr; the
records database (LIAISON_DATA_DIR's SQLite file, or DATABASE_URL) is migrated before use.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.options import engagement_option, json_option
from bot.cli.translated import Choice, group, option
from bot.i18n import N_, _

if TYPE_CHECKING:  # sqlmodel is imported by the commands that use the records, not at start-up
    from contextlib import AbstractContextManager

    from sqlmodel import Session

CSV_COLUMNS = (
    "id",
    "engagement",
    "title",
    "description",
    "status",
    "severity",
    "category",
    "office",
    "risk",
    "value",
    "side",
    "owner",
    "due",
    "clause_refs",
    "permalink",
    "created_by",
    "created_at",
    "updated_at",
    "resolved_at",
)


def _due(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("use YYYY-MM-DD, e.g. 2026-12-31")) from None


def _records_session() -> AbstractContextManager[Session]:
    from bot.app import load_settings
    from bot.db import records_session

    return records_session(load_settings().resolved_database_url)


def _issue_line(item: dict[str, Any]) -> str:
    extras = [_("sev {severity}").format(severity=item["severity"]), item["category"]]
    if item["side"]:
        extras.append(_("by {side}").format(side=item["side"]))
    if item["owner"]:
        extras.append(_("owner {owner}").format(owner=item["owner"]))
    if item["due"]:
        extras.append(_("due {date}").format(date=item["due"]))
    from bot.sla.breaches import issue_title  # a breach issue Liaison logged, said in the reader's language

    return f"#{item['id']}\t{item['status']}\t{issue_title(item)}\t({', '.join(extras)})"


def _reason(error: Exception) -> str:
    """What was wrong, in the records' own words: a schema's check says each field's problem on one line."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return str(error)
    said = []
    for problem in error.errors():
        cause = (problem.get("ctx") or {}).get("error")
        field = ".".join(str(part) for part in problem["loc"])
        said.append(str(cause) if isinstance(cause, ValueError) else f"{field}: {problem['msg']}")
    return "; ".join(said)


def _fail(error: Exception) -> None:
    click.secho(_("error: {message}").format(message=_reason(error)), fg="red", err=True)
    sys.exit(2)


@group(help=N_("The engagement's issue log: what went wrong, how bad it is, who owns it."))
def issues() -> None:
    pass


@issues.command("add", help=N_("Log an issue."))
@engagement_option
@option("--title", "-t", required=True, help=N_("What went wrong, in one line."))
@option("--description", "-d", default="", help=N_("More detail."))
@option("--severity", type=click.IntRange(1, 4), default=3, show_default=True, help=N_("1 is the worst."))
@option("--side", type=Choice(("client", "vendor")), help=N_("Which side raises it."))
@option(
    "--category",
    type=Choice(
        (
            "finance",
            "accounting",
            "billing",
            "data-processing",
            "customer-service",
            "technical-support",
            "marketing",
            "sales",
            "sla-breach",
            "other",
        )
    ),
    default="other",
    show_default=True,
    help=N_("Back office, front office, an SLA breach, or other."),
)
@option("--risk", type=Choice(("high", "low")), default="low", show_default=True, help=N_("How much is at risk."))
@option(
    "--value",
    type=Choice(("high", "low")),
    default="low",
    show_default=True,
    help=N_("How much fixing it is worth."),
)
@option("--owner", help=N_("Slack user id of who owns the fix, e.g. U0123ABCD."))
@option("--due", callback=_due, help=N_("Due date, YYYY-MM-DD."))
@json_option
def issues_add(
    engagement: str,
    title: str,
    description: str,
    severity: int,
    side: str | None,
    category: str,
    risk: str,
    value: str,
    owner: str | None,
    due: date | None,
    as_json: bool,
) -> None:
    from bot import issues as issue_log
    from bot.records import case_schemas

    try:
        with _records_session() as s:
            issue_in = case_schemas.IssueCreate.model_validate(
                {
                    "engagement": engagement,
                    "title": title,
                    "created_by": "cli",
                    "description": description,
                    "category": category,
                    "severity": severity,
                    "risk": risk,
                    "value": value,
                    "raised_by_side": side,
                    "owner": owner,
                    "due": due,
                }
            )
            issue = issue_log.create_issue(session=s, issue_in=issue_in)
            item = case_schemas.issue_as_dict(issue)
    except ValueError as error:
        _fail(error)
    if as_json:
        click.echo(json.dumps(item))
    else:
        click.echo(
            _("logged issue #{id} in {engagement}: {title}").format(
                id=item["id"], engagement=engagement, title=item["title"]
            )
        )


@issues.command("list", help=N_("The engagement's open issues (all with --all), worst first."))
@engagement_option
@option("--all", "show_all", is_flag=True, help=N_("Include resolved and closed issues."))
@json_option
def issues_list(engagement: str, show_all: bool, as_json: bool) -> None:
    from bot import issues as issue_log
    from bot.records import case_schemas, cases

    with _records_session() as s:
        statuses = cases.ISSUE_STATUSES if show_all else None
        items = [
            case_schemas.issue_as_dict(i)
            for i in issue_log.list_issues(session=s, engagement=engagement, statuses=statuses)
        ]
    if as_json:
        click.echo(json.dumps({"issues": items}))
        return
    if not items:
        said = _("no issues in {engagement}") if show_all else _("no open issues in {engagement}")
        click.echo(said.format(engagement=engagement), err=True)
    for item in items:
        click.echo(_issue_line(item))


@group(help=N_("Mediations between the client and the vendor."))
def mediations() -> None:
    pass


@mediations.command("list", help=N_("The engagement's mediations still under way (all with --all), oldest first."))
@engagement_option
@option("--all", "show_all", is_flag=True, help=N_("Include closed and withdrawn mediations."))
@json_option
def mediations_list(engagement: str, show_all: bool, as_json: bool) -> None:
    from bot.mediation import queries as mediation_queries
    from bot.records import case_schemas, cases

    with _records_session() as s:
        statuses = cases.MEDIATION_STATUSES if show_all else None
        found = mediation_queries.list_mediations(session=s, engagement=engagement, statuses=statuses)
        items = [case_schemas.mediation_as_dict(m) for m in found]
    if as_json:
        click.echo(json.dumps({"mediations": items}))
        return
    if not items:
        said = _("no mediations in {engagement}") if show_all else _("no open mediations in {engagement}")
        click.echo(said.format(engagement=engagement), err=True)
    for item in items:
        deadline = "\t" + _("deadline {date}").format(date=item["deadline"]) if item["deadline"] else ""
        click.echo(f"#{item['id']}\t{item['status']}\t{item['title']}{deadline}")


@group(help=N_("Export records for reporting."))
def export() -> None:
    pass


@export.command(
    "issues", help=N_("Every issue of the engagement (worst first) as CSV with a header row, or as a JSON list.")
)
@engagement_option
@option(
    "--format",
    "fmt",
    type=Choice(("csv", "json")),
    default="csv",
    show_default=True,
    help=N_("The file's format (its column names and keys are the same in every language)."),
)
@option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help=N_("File to write (default: stdout)."))
@option("--open-only", is_flag=True, help=N_("Only issues not yet resolved or closed."))
def export_issues(engagement: str, fmt: str, output: Path | None, open_only: bool) -> None:
    from bot import issues as issue_log
    from bot.records import case_schemas, cases

    with _records_session() as s:
        statuses = None if open_only else cases.ISSUE_STATUSES
        items = [
            case_schemas.issue_as_dict(i)
            for i in issue_log.list_issues(session=s, engagement=engagement, statuses=statuses)
        ]
    if fmt == "json":
        text = json.dumps(items, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in items:
            writer.writerow(
                {
                    **{k: "" if v is None else v for k, v in item.items()},
                    "clause_refs": json.dumps(item["clause_refs"]),
                }
            )
        text = buffer.getvalue()
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(
        _("wrote {n} issues to {file}").format(n=len(items), file=output),
        err=True,
    )


GROUPS = (issues, mediations, export)
