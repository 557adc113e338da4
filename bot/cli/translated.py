"""click's pieces in the reader's language: help texts translated when a page shows them, not when defined.

click keeps a command's, an option's and an argument's help as given and formats it only when `--help` shows
it. The classes here hand the text through `bot.i18n._` at that moment: the code writes the English (marked
`N_()`, the catalogue's msgid) and the language of the run decides (`liaison --lang it`, else LIAISON_LANGUAGE,
else the POSIX locale: `bot.cli.language_of`). click's own words on a help page (the headings, "Usage:", the
help option's line, "[default: ...]", "[required]") go through the same catalogue.

Use `command`, `group`, `option` and `argument` from here instead of click's: a group made here makes its
sub-commands (`@group.command()`) and sub-groups with these classes too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import click

from bot.i18n import N_, _, ngettext
from knowledge.i18n import COMPLETE, DEFAULT, normalise

LANGUAGE_VARIABLES = ("LIAISON_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

# click's own words, as click writes them (its msgids), for the catalogue: translated when a help page is written.
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("required"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
)


def spoken(tag: str | None) -> str | None:
    """The language of `tag` ('it', 'it_IT.UTF-8') if Liaison speaks it in full, else None."""
    code = normalise(tag)
    return code if code in COMPLETE else None


def language_of(environ: Mapping[str, str]) -> str:
    """The CLI's language from the environment: the first of LIAISON_LANGUAGE, LC_ALL, LC_MESSAGES and LANG
    that is set decides ('C' and 'POSIX' are English, as is a language Liaison does not speak); else English."""
    for name in LANGUAGE_VARIABLES:
        value = (environ.get(name) or "").strip()
        if value:
            return spoken(value) or DEFAULT
    return DEFAULT


def leading_lang(args: Sequence[str]) -> str | None:
    """The value of the `--lang` given to the `liaison` group itself (before the sub-command), as written.

    Read before click parses the line, so that the language is known before anything is said: `liaison --help
    --lang it` as well as `liaison --lang it --help`, and the texts of a module that translates at import."""
    for i, arg in enumerate(args):
        if arg == "--lang":
            return args[i + 1] if i + 1 < len(args) else None
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--" or not arg.startswith("-"):  # the group's options end at its sub-command
            return None
    return None


def _said(text: str | None) -> str | None:
    return _(text) if text else text


class Formatter(click.HelpFormatter):
    """click's help formatter, its headings and usage prefix in the reader's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="{usage} ".format(usage=_("Usage:")) if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_(heading))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        # click's help and version options are its own Options, their help click's English: translated here
        # (a text already translated is no msgid, and comes back as it is).
        super().write_dl([(term, _(text) if text else text) for term, text in rows], col_max, col_spacing)


class Context(click.Context):
    formatter_class = Formatter


class _Said:
    """A help text kept as written (English, marked `N_()`) and read in the language of the moment: a property
    where click has a plain attribute (`help`, `short_help`, `epilog`)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.stored = f"_{name}"

    def __get__(self, obj: object, owner: type | None = None) -> str | None:
        return _said(getattr(obj, self.stored, None))

    def __set__(self, obj: object, value: str | None) -> None:
        setattr(obj, self.stored, value)


class _Helped:
    """`help`, `short_help` and `epilog` in the reader's language."""

    help = _Said()
    short_help = _Said()
    epilog = _Said()


class Command(_Helped, click.Command):  # a property where click has an attribute
    context_class = Context


class Group(_Helped, click.Group):
    context_class = Context
    command_class = Command
    group_class = type  # a sub-group made with `@group.group()` is a Group of this module too


class Argument(click.Argument):
    help = _Said()


class Option(click.Option):
    help = _Said()

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """click's record, its "[default: ...]" and "[required]" in the reader's language."""
        if self.hidden:
            return None
        extra = self.get_help_extra(ctx)
        items = []
        if "envvars" in extra:
            items.append(_("env var: {var}").format(var=", ".join(extra["envvars"])))
        if "default" in extra:
            items.append(_("default: {default}").format(default=extra["default"]))
        if "range" in extra:
            items.append(extra["range"])
        if "required" in extra:
            items.append(_(extra["required"]))
        text = self.help or ""
        if items:
            text = f"{text}  [{'; '.join(items)}]" if text else f"[{'; '.join(items)}]"
        return self.get_help_spec(ctx), text


class Choice(click.Choice):
    """click's choice, its refusal ("'x' is not one of ...") in the reader's language."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        listed = ", ".join(map(repr, self.choices))
        return ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", len(self.choices)).format(
            value=value, choice=listed, choices=listed
        )


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], Command]:
    return click.command(name, cls=Command, **attrs)


def group(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], Group]:
    return click.group(name, cls=Group, **attrs)


option = functools.partial(click.option, cls=Option)
argument = functools.partial(click.argument, cls=Argument)


def _hint(hint: Sequence[str] | str | None) -> str | None:
    return " / ".join(repr(x) for x in hint) if hint is not None and not isinstance(hint, str) else hint


def _maybe(possibilities: Sequence[str] | None) -> str:
    if not possibilities:
        return ""
    listed = ", ".join(repr(p) for p in sorted(possibilities))
    said = ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", len(possibilities))
    return " " + said.format(possibility=listed, possibilities=listed)


def error_text(error: click.ClickException) -> str:
    """click's sentence for a usage error in the reader's language: its own framing ("Missing option", "No such
    option", "Invalid value for") translated; a message our code wrote is translated already, and a value check of
    click's types ("'x' is not one of ...") stays click's English."""
    if isinstance(error, click.MissingParameter):
        text = error.format_message()
        for words in ("Missing argument", "Missing option", "Missing parameter"):
            if text.startswith(words):
                return _(words) + text[len(words) :]
        return text
    if isinstance(error, click.BadParameter):
        hint = error.param_hint if error.param_hint is not None else None
        if hint is None and error.param is not None:
            hint = error.param.get_error_hint(error.ctx)
        if hint is None:
            return _("Invalid value: {message}").format(message=error.message)
        return _("Invalid value for {param_hint}: {message}").format(param_hint=_hint(hint), message=error.message)
    if isinstance(error, click.NoSuchOption):
        message = error.message
        if message == f"No such option {error.option_name!r}.":
            message = _("No such option {name!r}.").format(name=error.option_name)
        return message + _maybe(error.possibilities)
    if isinstance(error, click.exceptions.NoSuchCommand):
        message = error.message
        if message == f"No such command {error.command_name!r}.":
            message = _("No such command {name!r}.").format(name=error.command_name)
        return message + _maybe(error.possibilities)
    return error.format_message()


def show_error(error: click.ClickException, file: Any = None) -> None:
    """`ClickException.show` in the reader's language: the usage, the hint to ask for help, "Error: ..."."""
    ctx = getattr(error, "ctx", None) if isinstance(error, click.UsageError) else None
    color = ctx.color if ctx is not None else error.show_color
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            option_name = max(ctx.command.get_help_option_names(ctx), key=len)
            hint = _("Try '{command} {option}' for help.").format(command=ctx.command_path, option=option_name) + "\n"
        click.echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
    click.echo(_("Error: {message}").format(message=error_text(error)), file=file, err=file is None, color=color)


def said(error: click.ClickException) -> click.ClickException:
    """The error, shown by click in the reader's language (click calls `error.show()` where it catches it)."""
    error.show = functools.partial(show_error, error)  # type: ignore[method-assign]
    return error
