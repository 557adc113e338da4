"""What every `liaison` command shares: the per-invocation context and the common options."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from bot.cli.translated import Choice, option
from bot.i18n import N_, _
from knowledge.visibility import SIDES

if TYPE_CHECKING:  # importing pydantic costs every command, even `liaison --help`: only when settings are read
    from bot.settings import Settings

ENGAGEMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def engagement_name(_ctx: click.Context | None, _param: click.Parameter | None, value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip().lower()
    if not ENGAGEMENT.match(name):
        raise click.BadParameter(_("use 1-64 lowercase letters, digits, '.', '_' or '-', e.g. acme-customer-care"))
    return name


engagement_option = option(
    "--engagement",
    "-e",
    required=True,
    callback=engagement_name,
    help=N_("Engagement name, e.g. acme-customer-care."),
)
side_option = option(
    "--side",
    type=Choice(SIDES),
    default="shared",
    show_default=True,
    help=N_("Who is asking: a client channel, a vendor channel, or one shared by both (sees shared documents only)."),
)
json_option = option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of text."))


class LazyChoice(Choice):
    """A choice whose values come from a module loaded on first use, so the command's own module stays light."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._loaded: tuple[str, ...] | None = None
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded

    @choices.setter
    def choices(self, values: Sequence[str]) -> None:
        self._loaded = tuple(values)


class Context:
    """Settings and the lazily built knowledge base, shared by the commands of one invocation."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._kb: Any = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from bot.app import load_settings

            self._settings = load_settings()
        return self._settings

    @property
    def kb(self) -> Any:
        if self._kb is None:
            from bot.app import build_knowledge

            self._kb = build_knowledge(self.settings, lazy_model=True)  # `liaison documents` loads no model
            started()
        return self._kb


def started() -> None:
    """Start-up is over: what the libraries loaded lives until exit, so it leaves the collector's view, and
    collection resumes for the command's own work.

    `bot.cli.main` turns the collector off while Chroma, pydantic and numpy load: hundreds of thousands of
    long-lived objects, no garbage worth the passes (~0.1 s of a `liaison ask`). Nothing happens when the
    collector is on (tests, or a program calling the commands itself)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


pass_context = click.make_pass_decorator(Context, ensure=True)
