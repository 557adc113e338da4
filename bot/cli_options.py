"""What every `liaison` command shares: the per-invocation context and the common options."""

from __future__ import annotations

import re
from typing import Any

import click

from bot.settings import Settings
from knowledge.store import SIDES

ENGAGEMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def engagement_name(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip().lower()
    if not ENGAGEMENT.match(name):
        raise click.BadParameter("use 1-64 lowercase letters, digits, '.', '_' or '-', e.g. acme-customer-care")
    return name


engagement_option = click.option(
    "--engagement",
    "-e",
    required=True,
    callback=engagement_name,
    help="Engagement name, e.g. acme-customer-care.",
)
side_option = click.option(
    "--side",
    type=click.Choice(SIDES),
    default="shared",
    show_default=True,
    help="Who is asking: a client channel, a vendor channel, or one shared by both (sees shared documents only).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


class Context:
    """Settings and the lazily built knowledge base, shared by the commands of one invocation."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._kb: Any = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings()
        return self._settings

    @property
    def kb(self) -> Any:
        if self._kb is None:
            from bot.app import build_knowledge

            self._kb = build_knowledge(self.settings)
        return self._kb


pass_context = click.make_pass_decorator(Context, ensure=True)
