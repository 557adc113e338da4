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
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

from bot.cli.translated import Group, language_of, leading_lang, option, said, spoken
from bot.i18n import N_, _, speaking, use
from knowledge.i18n import COMPLETE, set_default

set_default(spoken(leading_lang(sys.argv[1:])) or language_of(os.environ))

from knowledge.errors import KnowledgeError  # noqa: E402


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


def _register_app_commands() -> None:
    """The library commands, questions, the Slack app, database, roles, issues, mediations and digests live in their
    own modules."""
    from bot.cli import app as cli_app
    from bot.cli import cases as cli_cases
    from bot.cli import deadlines as cli_deadlines
    from bot.cli import digest as cli_digest
    from bot.cli import language as cli_language
    from bot.cli import library as cli_library
    from bot.cli import questions as cli_questions
    from bot.cli import sla as cli_sla
    from bot.cli import sla_fees as cli_sla_fees
    from bot.cli import sla_measures as cli_sla_measures

    commands: tuple[click.Command, ...] = (
        *cli_library.COMMANDS,
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
