"""The `liaison` command: index contracts, ask and search them, manage engagements.

Errors from the knowledge base become one-line messages here; JSON goes to stdout, progress and
human-readable notes to stderr, so `--json` output can be piped.

Importing this module loads click and a few constants only: each command imports what it uses when it
runs (Chroma, the embedder, SQLModel, Slack), so `liaison --help` answers at once.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Any

import click

from bot.cli.options import Context, engagement_name, engagement_option, json_option, pass_context
from knowledge.errors import KnowledgeError
from knowledge.visibility import VISIBILITIES


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="liaison")
def cli() -> None:
    """Liaison: answers about your outsourcing contracts, quoted and cited.

    Data lives in LIAISON_DATA_DIR (default: your user data folder). Every command works offline.
    """
    # Before any command imports Chroma, onnxruntime or LangChain: bot.settings turns their telemetry off.
    import bot.settings  # noqa: F401


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@engagement_option
@click.option(
    "--visibility",
    type=click.Choice(VISIBILITIES),
    default="shared",
    show_default=True,
    help="Who may see these documents: both sides, or only the client's or the vendor's channels.",
)
@click.option(
    "--title",
    default=None,
    help="Title of the one file given, instead of the one read from it; kept when the file is re-indexed.",
)
@json_option
@pass_context
def index(
    ctx: Context, paths: tuple[Path, ...], engagement: str, visibility: str, title: str | None, as_json: bool
) -> None:
    """Index contract files or folders (PDF, DOCX, Markdown, HTML, text) into an engagement.

    Folders are searched recursively; a document is named by its path inside the folder given
    (`liaison index contracts/` names `contracts/a/sla.md` "a/sla.md"), a file given alone by its file
    name. Symbolic links out of a folder are not followed. Unchanged files are skipped; changed files
    replace their old version. A file that cannot be read is reported with the reason and skipped.
    Warns when two documents share a title. Exits 1 only when files were given and none could be indexed.
    The title is read from the document (front matter, first heading or title line, PDF/DOCX/HTML metadata);
    --title sets it by hand for one file.
    """
    from bot.cli.progress import IndexProgress

    with IndexProgress(enabled=not as_json and sys.stderr.isatty()) as progress:
        try:
            report = ctx.kb.index(paths, engagement=engagement, visibility=visibility, progress=progress, title=title)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        _print_report(report)
    if report.failed and not report.indexed and not report.unchanged and not report.revisibled:
        sys.exit(1)


def _print_report(report: Any) -> None:
    for name, chunks in report.indexed:
        click.echo(f"  indexed    {name} ({chunks} chunks)")
    for name in report.revisibled:
        click.echo(f"  visibility {name}")
    for err in report.failed:
        click.secho(f"  skipped    {err.name}: {err.reason}", fg="yellow", err=True)
    for warning in report.warnings:
        click.secho(f"  warning    {warning}", fg="yellow", err=True)
    mb = report.bytes / 1e6
    rate = f", {report.chunks / report.embed_seconds:.1f} chunks/s" if report.embed_seconds else ""
    click.echo(
        f"{report.engagement}: {len(report.indexed)} indexed, {len(report.unchanged)} unchanged, "
        f"{len(report.failed)} skipped; {report.chunks} chunks from {mb:.1f} MB in {report.seconds:.1f}s{rate}"
    )


@cli.command()
@click.argument("documents", nargs=-1)
@engagement_option
@click.option("--all", "forget_all", is_flag=True, help="Forget every document of the engagement.")
@click.option(
    "--missing-from",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Forget the documents whose file is no longer in this folder.",
)
@json_option
@pass_context
def forget(
    ctx: Context,
    documents: tuple[str, ...],
    engagement: str,
    forget_all: bool,
    missing_from: Path | None,
    as_json: bool,
) -> None:
    """Remove documents from an engagement's index, by name as `liaison documents` lists them.

    A document's name is its path inside the folder it was indexed from (`a/sla.md`), or its file
    name when the file was indexed on its own. With --missing-from, a document is kept while its
    path (or, for a plain file name, a file of that name anywhere) is still in the folder.
    """
    names = list(documents)
    known = [d.name for d in ctx.kb.documents(engagement)]
    if forget_all:
        names = known
    if missing_from is not None:
        files = [p for p in missing_from.rglob("*") if p.is_file()]
        present = {p.relative_to(missing_from).as_posix() for p in files}
        base_names = {p.name for p in files}
        names += [n for n in known if n not in present and ("/" in n or n not in base_names)]
    if not names:
        raise click.UsageError("name the documents to forget, or use --all / --missing-from FOLDER")
    unknown = [n for n in names if n not in known]
    removed = ctx.kb.forget(engagement, names)
    if as_json:
        click.echo(json.dumps({"removed": removed, "unknown": unknown}))
        return
    for name in removed:
        click.echo(f"  forgot  {name}")
    for name in unknown:
        click.secho(f"  unknown {name} (not indexed in {engagement})", fg="yellow", err=True)


@cli.command()
@json_option
@pass_context
def engagements(ctx: Context, as_json: bool) -> None:
    """List engagements with their document counts."""
    counts = ctx.kb.engagements()
    if as_json:
        click.echo(json.dumps({"engagements": [{"name": n, "documents": c} for n, c in sorted(counts.items())]}))
        return
    if not counts:
        click.echo("No engagements yet. Index contracts with: liaison index PATH --engagement NAME")
    for name, count in sorted(counts.items()):
        click.echo(f"{name}\t{count} document{'s' if count != 1 else ''}")


@cli.command()
@engagement_option
@json_option
@pass_context
def documents(ctx: Context, engagement: str, as_json: bool) -> None:
    """List an engagement's documents: name, visibility, chunks and title ("set by hand" if --title set it)."""
    docs = ctx.kb.documents(engagement)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "documents": [
                        {
                            "document": d.name,
                            "title": d.title,
                            "title_manual": d.title_manual,
                            "visibility": d.visibility,
                            "kind": d.kind,
                            "chunks": d.chunks,
                            "content_hash": d.content_hash,
                        }
                        for d in docs
                    ]
                }
            )
        )
        return
    for d in docs:
        manual = " (set by hand)" if d.title_manual else ""
        click.echo(f"{d.name}\t{d.visibility}\t{d.chunks} chunks\t{d.title}{manual}")


@cli.command()
@click.argument("document")
@engagement_option
@pass_context
def show(ctx: Context, document: str, engagement: str) -> None:
    """Print a document's extracted text exactly as indexed (citation offsets point into it).

    DOCUMENT is the name `liaison documents` lists (a path inside the folder indexed, e.g. a/sla.md).
    """
    click.echo(ctx.kb.document_text(engagement, document), nl=False)


@cli.command()
@click.option("--engagement", "-e", callback=engagement_name, help="Check one engagement only (default: all).")
@click.option("--dry-run", is_flag=True, help="Report what is inconsistent without repairing anything.")
@json_option
@pass_context
def doctor(ctx: Context, engagement: str | None, dry_run: bool, as_json: bool) -> None:
    """Check the contract index for what an interrupted write left behind, and repair it.

    Finds unfinished visibility changes (and finishes them), chunks whose visibility disagrees with
    their document's, chunks of old versions and of forgotten documents (deleted), and documents
    missing chunks (marked to be re-indexed by the next `liaison index` of their file). `liaison index`
    and the bot's start-up run the same repair. Exits 0 when the index is consistent or was repaired,
    1 when problems remain.
    """
    report = ctx.kb.doctor(engagement, repair=not dry_run)
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        for problem in report.problems:
            state = "repaired" if problem.repaired else "found   "
            click.echo(f"  {state} {problem.engagement} {problem.document}: {problem.kind}: {problem.detail}")
        remaining = len(report.remaining)
        summary = f"{report.documents} documents, {report.chunks} chunks checked: "
        if not report.problems:
            summary += "consistent"
        else:
            summary += f"{len(report.problems) - remaining} repaired, {remaining} remaining"
        click.echo(summary)
    if report.remaining:
        sys.exit(1)


@cli.command()
@click.option("--engagement", "-e", default="acme-customer-care", show_default=True, callback=engagement_name)
@pass_context
def demo(ctx: Context, engagement: str) -> None:
    """Index the bundled sample engagement and answer a few questions about it."""
    from bot.cli.demo import run_demo

    settings = ctx.settings
    run_demo(ctx.kb, engagement, where=settings.chroma_url or str(settings.data_dir))


def _register_app_commands() -> None:
    """Questions, the Slack app, database, roles, issues, mediations and digests live in their own modules."""
    from bot.cli import app as cli_app
    from bot.cli import cases as cli_cases
    from bot.cli import deadlines as cli_deadlines
    from bot.cli import digest as cli_digest
    from bot.cli import questions as cli_questions
    from bot.cli import sla as cli_sla
    from bot.cli import sla_fees as cli_sla_fees
    from bot.cli import sla_measures as cli_sla_measures

    for command in (
        *cli_questions.COMMANDS,
        cli_app.serve,
        cli_app.run,
        cli_app.chat,
        cli_app.db,
        cli_app.roles,
        *cli_cases.GROUPS,
        *cli_digest.COMMANDS,
        *cli_sla.COMMANDS,
        *cli_deadlines.COMMANDS,
    ):
        cli.add_command(command)
    cli_sla_measures.add_to(cli_sla.sla)
    cli_sla_fees.add_to(cli_sla.sla)


_register_app_commands()


def _records_database_error(exc: Exception) -> str:
    """One line for a records-database failure: where (password hidden), why, and what to check."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, OperationalError

    from bot.app import load_settings

    text = str(getattr(exc, "orig", None) or exc).strip()  # the driver's own words, without SQLAlchemy's footer
    reason = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, ArgumentError):
        return f"DATABASE_URL is not a database URL: {reason}"
    try:
        url = make_url(load_settings().resolved_database_url)
    except Exception:  # cannot happen once a connection was tried; say nothing rather than fail here
        where = ""
    else:
        where = f" at {url.render_as_string(hide_password=True)}"
        if url.password and len(url.password) >= 4:  # a driver that echoes the password still does not show it
            reason = reason.replace(url.password, "***")
    if isinstance(exc, OperationalError):
        return f"cannot reach the records database{where}: {reason}; check DATABASE_URL"
    return f"the records database{where} failed: {reason}; check DATABASE_URL and run `liaison db upgrade`"


def main() -> None:
    gc.disable()  # until the command has loaded its libraries: see bot.cli.options.started
    try:
        cli(standalone_mode=True)
    except KnowledgeError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    except Exception as exc:  # the libraries' errors, named only once they were loaded (nothing to import before)
        _explain(exc)
        raise
    finally:
        gc.freeze()  # the process ends: its last collections would walk every object loaded (~0.1 s) to free nothing


def _explain(exc: Exception) -> None:
    """Exit with one line for a bad setting or an unreachable records database; return for anything else."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(exc, pydantic.ValidationError):  # a setting that cannot work
        click.secho(f"configuration error: {exc}", fg="red", err=True)
        sys.exit(2)
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import ArgumentError, DBAPIError

        if isinstance(exc, DBAPIError | ArgumentError):  # the records database is down or misconfigured
            click.secho(f"error: {_records_database_error(exc)}", fg="red", err=True)
            sys.exit(1)


if __name__ == "__main__":
    main()
