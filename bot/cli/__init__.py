"""The `liaison` command: index contracts, ask and search them, manage engagements.

Errors from the knowledge base become one-line messages here; JSON goes to stdout, progress and
human-readable notes to stderr, so `--json` output can be piped.

Importing this module loads click and a few constants only: each command imports what it uses when it
runs (Chroma, the embedder, SQLModel, Slack), so `liaison --help` answers at once.

The language people read (help pages, tables, summaries, errors; never `--json`) is `--lang LANG` given to the
group, else LIAISON_LANGUAGE, else the POSIX locale (LC_ALL, LC_MESSAGES, LANG; C and POSIX are English), else
English (`bot.cli.translated.language_of`). It is decided here, before the command modules are imported, from
the environment and the command line's own `--lang` (read from `sys.argv` before click parses it, so that a
text translated at import, or `--help` before `--lang`, is said in it too); each run of the group says it again
from its own arguments (`Liaison.main`), and help texts are translated when a page shows them
(`bot.cli.translated`).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from bot.cli.translated import Choice, Group, argument, language_of, leading_lang, option, said, spoken
from bot.i18n import N_, _, ngettext, speaking, use
from knowledge.i18n import COMPLETE, set_default

set_default(spoken(leading_lang(sys.argv[1:])) or language_of(os.environ))

from bot.cli.options import Context, engagement_name, engagement_option, json_option, pass_context  # noqa: E402
from knowledge.errors import KnowledgeError  # noqa: E402
from knowledge.visibility import VISIBILITIES  # noqa: E402


def _json_environment(line: Sequence[str]) -> Mapping[str, str]:
    """The environment that chooses a run's language: for `--json` output, only LIAISON_LANGUAGE (or `--lang`),
    never the machine's POSIX locale, so that a script reads the same texts (credit working, digest lines, why a
    date is missing) on every machine; JSON keys and values that are codes never change with the language."""
    if "--json" not in line:
        return os.environ
    return {k: v for k, v in os.environ.items() if k == "LIAISON_LANGUAGE"}


class Liaison(Group):
    """The `liaison` group: a run speaks its `--lang`, else the environment's language, and only for itself."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        line = list(args) if args is not None else sys.argv[1:]
        given = leading_lang(line)
        with speaking(spoken(given) or language_of(_json_environment(line))):
            return super().main(args, *rest, **extra)

    # Every usage error of a run passes here (the group's own line, then its sub-command's, inside `invoke`): click
    # shows it in the reader's language.
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as error:
            raise said(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            raise said(error) from None


def _lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    code = spoken(value)
    if code is None:
        raise click.BadParameter(
            _("{value!r} is not a language Liaison speaks: use {languages}").format(
                value=value, languages=", ".join(COMPLETE)
            )
        )
    use(code)
    return code


@click.group(
    cls=Liaison,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help=N_(
        "Liaison: answers about your outsourcing contracts, quoted and cited.\n\n"
        "Data lives in LIAISON_DATA_DIR (default: your user data folder). Every command works offline."
    ),
)
@click.version_option(package_name="liaison")
@option(
    "--lang",
    metavar="LANG",
    is_eager=True,
    expose_value=False,
    callback=_lang,
    help=N_(
        "The language to write in: en or it (default: LIAISON_LANGUAGE, else the locale's LC_ALL, LC_MESSAGES or "
        "LANG, else English). JSON output is the same in every language."
    ),
)
def cli() -> None:
    # Before any command imports Chroma, onnxruntime or LangChain: bot.settings turns their telemetry off.
    import bot.settings  # noqa: F401


@cli.command(
    help=N_(
        "Index contract files or folders (PDF, DOCX, Markdown, HTML, reST, text) into an engagement.\n\n"
        "Folders are searched recursively; a document is named by its path inside the folder given "
        '(`liaison index contracts/` names `contracts/a/sla.md` "a/sla.md"), a file given alone by its '
        "file name. Symbolic links out of a folder are not followed. Unchanged files are skipped; changed "
        "files replace their old version. A file that cannot be read is reported with the reason and "
        "skipped. Warns when two documents share a title. Exits 1 only when files were given and none "
        "could be indexed. The title is read from the document (front matter, first heading or title "
        "line, PDF/DOCX/HTML metadata); --title sets it by hand for one file."
    )
)
@argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@engagement_option
@option(
    "--visibility",
    type=Choice(VISIBILITIES),
    default="shared",
    show_default=True,
    help=N_("Who may see these documents: both sides, or only the client's or the vendor's channels."),
)
@option(
    "--title",
    default=None,
    help=N_("Title of the one file given, instead of the one read from it; kept when the file is re-indexed."),
)
@json_option
@pass_context
def index(
    ctx: Context, paths: tuple[Path, ...], engagement: str, visibility: str, title: str | None, as_json: bool
) -> None:
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
        click.echo(_("  indexed    {name} ({n} chunks)").format(name=name, n=chunks))
    for name in report.revisibled:
        click.echo(_("  visibility {name}").format(name=name))
    for err in report.failed:
        click.secho(_("  skipped    {name}: {reason}").format(name=err.name, reason=err.reason), fg="yellow", err=True)
    for warning in report.warnings:
        click.secho(_("  warning    {warning}").format(warning=warning), fg="yellow", err=True)
    mb = report.bytes / 1e6
    if report.embed_seconds:
        summary = _(
            "{engagement}: {indexed} indexed, {unchanged} unchanged, {skipped} skipped; {chunks} chunks from "
            "{mb:.1f} MB in {seconds:.1f}s, {rate:.1f} chunks/s"
        )
    else:
        summary = _(
            "{engagement}: {indexed} indexed, {unchanged} unchanged, {skipped} skipped; {chunks} chunks from "
            "{mb:.1f} MB in {seconds:.1f}s"
        )
    click.echo(
        summary.format(
            engagement=report.engagement,
            indexed=len(report.indexed),
            unchanged=len(report.unchanged),
            skipped=len(report.failed),
            chunks=report.chunks,
            mb=mb,
            seconds=report.seconds,
            rate=report.chunks / report.embed_seconds if report.embed_seconds else 0.0,
        )
    )


@cli.command(
    help=N_(
        "Remove documents from an engagement's index, by name as `liaison documents` lists them.\n\n"
        "A document's name is its path inside the folder it was indexed from (`a/sla.md`), or its file "
        "name when the file was indexed on its own. With --missing-from, a document is kept while its "
        "path (or, for a plain file name, a file of that name anywhere) is still in the folder."
    )
)
@argument("documents", nargs=-1)
@engagement_option
@option("--all", "forget_all", is_flag=True, help=N_("Forget every document of the engagement."))
@option(
    "--missing-from",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help=N_("Forget the documents whose file is no longer in this folder."),
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
        raise click.UsageError(_("name the documents to forget, or use --all / --missing-from FOLDER"))
    unknown = [n for n in names if n not in known]
    removed = ctx.kb.forget(engagement, names)
    if as_json:
        click.echo(json.dumps({"removed": removed, "unknown": unknown}))
        return
    for name in removed:
        click.echo(_("  forgot  {name}").format(name=name))
    for name in unknown:
        click.secho(
            _("  unknown {name} (not indexed in {engagement})").format(name=name, engagement=engagement),
            fg="yellow",
            err=True,
        )


@cli.command(help=N_("List engagements with their document counts."))
@json_option
@pass_context
def engagements(ctx: Context, as_json: bool) -> None:
    counts = ctx.kb.engagements()
    if as_json:
        click.echo(json.dumps({"engagements": [{"name": n, "documents": c} for n, c in sorted(counts.items())]}))
        return
    if not counts:
        click.echo(_("No engagements yet. Index contracts with: liaison index PATH --engagement NAME"))
    for name, count in sorted(counts.items()):
        click.echo(f"{name}\t" + ngettext("{n} document", "{n} documents", count).format(n=count))


@cli.command(
    help=N_('List an engagement\'s documents: name, visibility, chunks and title ("set by hand" if --title set it).')
)
@engagement_option
@json_option
@pass_context
def documents(ctx: Context, engagement: str, as_json: bool) -> None:
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
        title = _("{title} (set by hand)").format(title=d.title) if d.title_manual else d.title
        chunks = _("{n} chunks").format(n=d.chunks)
        click.echo(f"{d.name}\t{d.visibility}\t{chunks}\t{title}")


@cli.command(
    help=N_(
        "Print a document's extracted text exactly as indexed (citation offsets point into it).\n\n"
        "DOCUMENT is the name `liaison documents` lists (a path inside the folder indexed, e.g. "
        "a/sla.md)."
    )
)
@argument("document")
@engagement_option
@pass_context
def show(ctx: Context, document: str, engagement: str) -> None:
    click.echo(ctx.kb.document_text(engagement, document), nl=False)


@cli.command(
    help=N_(
        "Check the contract index for what an interrupted write left behind, and repair it.\n\n"
        "Finds unfinished visibility changes (and finishes them), chunks whose visibility disagrees with "
        "their document's, chunks of old versions and of forgotten documents (deleted), and documents "
        "missing chunks (marked to be re-indexed by the next `liaison index` of their file). `liaison "
        "index` and the bot's start-up run the same repair. Exits 0 when the index is consistent or was "
        "repaired, 1 when problems remain."
    )
)
@option("--engagement", "-e", callback=engagement_name, help=N_("Check one engagement only (default: all)."))
@option("--dry-run", is_flag=True, help=N_("Report what is inconsistent without repairing anything."))
@json_option
@pass_context
def doctor(ctx: Context, engagement: str | None, dry_run: bool, as_json: bool) -> None:
    report = ctx.kb.doctor(engagement, repair=not dry_run)
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        for problem in report.problems:
            said = (
                _("  repaired {where}: {kind}: {detail}")
                if problem.repaired
                else _("  found    {where}: {kind}: {detail}")
            )
            where = f"{problem.engagement} {problem.document}"
            click.echo(said.format(where=where, kind=problem.kind, detail=problem.detail))
        remaining = len(report.remaining)
        if not report.problems:
            summary = _("{documents} documents, {chunks} chunks checked: consistent")
        else:
            summary = _("{documents} documents, {chunks} chunks checked: {repaired} repaired, {remaining} remaining")
        click.echo(
            summary.format(
                documents=report.documents,
                chunks=report.chunks,
                repaired=len(report.problems) - remaining,
                remaining=remaining,
            )
        )
    if report.remaining:
        sys.exit(1)


@cli.command(help=N_("Index the bundled sample engagement and answer a few questions about it."))
@option("--engagement", "-e", default="acme-customer-care", show_default=True, callback=engagement_name)
@pass_context
def demo(ctx: Context, engagement: str) -> None:
    from bot.cli.demo import run_demo

    settings = ctx.settings
    run_demo(ctx.kb, engagement, where=settings.chroma_url or str(settings.data_dir))


def _register_app_commands() -> None:
    """Questions, the Slack app, database, roles, issues, mediations and digests live in their own modules."""
    from bot.cli import app as cli_app
    from bot.cli import cases as cli_cases
    from bot.cli import deadlines as cli_deadlines
    from bot.cli import digest as cli_digest
    from bot.cli import language as cli_language
    from bot.cli import questions as cli_questions
    from bot.cli import sla as cli_sla
    from bot.cli import sla_fees as cli_sla_fees
    from bot.cli import sla_measures as cli_sla_measures

    commands: tuple[click.Command, ...] = (
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
        *cli_language.COMMANDS,
    )
    for command in commands:
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
        return _("DATABASE_URL is not a database URL: {reason}").format(reason=reason)
    try:
        url = make_url(load_settings().resolved_database_url)
    except Exception:  # cannot happen once a connection was tried; say nothing rather than fail here
        where = ""
    else:
        where = url.render_as_string(hide_password=True)
        if url.password and len(url.password) >= 4:  # a driver that echoes the password still does not show it
            reason = reason.replace(url.password, "***")
    if isinstance(exc, OperationalError):
        said = (
            _("cannot reach the records database at {where}: {reason}; check DATABASE_URL")
            if where
            else _("cannot reach the records database: {reason}; check DATABASE_URL")
        )
    else:
        said = (
            _("the records database at {where} failed: {reason}; check DATABASE_URL and run `liaison db upgrade`")
            if where
            else _("the records database failed: {reason}; check DATABASE_URL and run `liaison db upgrade`")
        )
    return said.format(where=where, reason=reason)


def main() -> None:
    gc.disable()  # until the command has loaded its libraries: see bot.cli.options.started
    try:
        cli(standalone_mode=True)
    except KnowledgeError as exc:
        click.secho(_("error: {message}").format(message=exc), fg="red", err=True)
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
        click.secho(_("configuration error: {message}").format(message=exc), fg="red", err=True)
        sys.exit(2)
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import ArgumentError, DBAPIError

        if isinstance(exc, DBAPIError | ArgumentError):  # the records database is down or misconfigured
            click.secho(_("error: {message}").format(message=_records_database_error(exc)), fg="red", err=True)
            sys.exit(1)


if __name__ == "__main__":
    main()
