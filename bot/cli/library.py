"""The library commands of `liaison`: index and forget contracts, list engagements and documents, show a
document's text, check and repair the index (`doctor`), and the bundled demo.

Registered on the `liaison` group by bot/cli/__init__.py (`COMMANDS`). JSON goes to stdout, progress and notes to
stderr; each command imports the knowledge base's libraries only when it runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from bot.cli.options import Context, engagement_name, engagement_option, json_option, pass_context
from bot.cli.translated import Choice, argument, command, option
from bot.i18n import N_, _, ngettext
from knowledge.visibility import VISIBILITIES


@command(
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


@command(
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


@command(help=N_("List engagements with their document counts."))
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


@command(
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


@command(
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


@command(
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


@command(help=N_("Index the bundled sample engagement and answer a few questions about it."))
@option("--engagement", "-e", default="acme-customer-care", show_default=True, callback=engagement_name)
@pass_context
def demo(ctx: Context, engagement: str) -> None:
    from bot.cli.demo import run_demo

    settings = ctx.settings
    run_demo(ctx.kb, engagement, where=settings.chroma_url or str(settings.data_dir))


COMMANDS: tuple[click.Command, ...] = (index, forget, engagements, documents, show, doctor, demo)
