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

from bot.i18n import N_, _
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


class _Helped:
    """`help`, `short_help` and `epilog` kept as written (English) and read in the language of the moment."""

    _help: str | None = None
    _short_help: str | None = None
    _epilog: str | None = None

    @property
    def help(self) -> str | None:
        return _said(self._help)

    @help.setter
    def help(self, value: str | None) -> None:
        self._help = value

    @property
    def short_help(self) -> str | None:
        return _said(self._short_help)

    @short_help.setter
    def short_help(self, value: str | None) -> None:
        self._short_help = value

    @property
    def epilog(self) -> str | None:
        return _said(self._epilog)

    @epilog.setter
    def epilog(self, value: str | None) -> None:
        self._epilog = value


class Command(_Helped, click.Command):  # a property where click has an attribute
    context_class = Context


class Group(_Helped, click.Group):
    context_class = Context
    command_class = Command
    group_class = type  # a sub-group made with `@group.group()` is a Group of this module too


class Argument(click.Argument):
    @property
    def help(self) -> str | None:
        return _said(self._help)

    @help.setter
    def help(self, value: str | None) -> None:
        self._help = value


class Option(click.Option):
    @property
    def help(self) -> str | None:
        return _said(self._help)

    @help.setter
    def help(self, value: str | None) -> None:
        self._help = value

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


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], Command]:
    return click.command(name, cls=Command, **attrs)


def group(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], Group]:
    return click.group(name, cls=Group, **attrs)


option = functools.partial(click.option, cls=Option)
argument = functools.partial(click.argument, cls=Argument)
