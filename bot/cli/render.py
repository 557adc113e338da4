"""Terminal rendering of answers and search hits."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import click

from bot.i18n import N_, _
from knowledge.answers import Answer, Citation
from knowledge.direct import Direct
from knowledge.text import citation_label, marked, starts_mid_sentence

_ROLE = {  # a citation's role (the answer's data) as the reader's label
    "answer": "",
    "amendment": N_("amendment"),
    "definition": N_("definition"),
    "related": N_("related"),
    "nearest": N_("nearest"),
}


def _quote(text: str, width: int = 96) -> str:
    lines = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width - 4) or [""])
    return "\n".join(f"  > {line}" for line in lines)


def _citation(c: Citation) -> None:
    role = _ROLE.get(c.role, c.role)
    role = _(role) if role else role
    click.secho(f"\n{c.label()}" + (f"  [{role}]" if role else ""), bold=True)
    if c.header and c.header_start is not None:
        columns = " ".join(marked(c.header, c.header_start, c.placeholders).split())
        click.secho(_("  columns: {columns}").format(columns=columns), dim=True)
    shown = marked(c.quote, c.start, c.placeholders)  # template slots shown as such
    click.echo(_quote(("\u2026" if starts_mid_sentence(shown) else "") + shown))
    if c.translation:  # with an LLM: beside the verbatim quote, marked, never in its place
        click.secho(_("  machine translation, not the contract's words:"), dim=True)
        click.secho(_quote(c.translation), dim=True)
    click.secho(
        _("  ({document}, characters {start}-{end})").format(document=c.document, start=c.start, end=c.end), dim=True
    )


def _direct(direct: Direct) -> None:
    """The line that answers, verbatim, its value in bold (plain text when not on a terminal), and where it is."""
    raw_before, raw_value, raw_after = direct.parts()
    before = re.sub(r"\s+", " ", marked(raw_before, direct.start, direct.placeholders))
    after = re.sub(r"\s+", " ", marked(raw_after, direct.value_end, direct.placeholders))
    value = re.sub(r"\s+", " ", raw_value)
    line = f"{before}{click.style(value, bold=True)}{after}"
    click.echo(f"\u201c{line}\u201d")
    where = citation_label(title=direct.title, document=direct.document, section=direct.section, page=direct.page)
    click.secho(
        _("  \u2014 {where}, characters {start}-{end}").format(where=where, start=direct.start, end=direct.end),
        dim=True,
    )
    if direct.header:
        columns = marked(direct.header, direct.header_start or 0, direct.placeholders)
        click.secho(_("  columns: {columns}").format(columns=" ".join(columns.split())), dim=True)
    click.echo()


def print_answer(answer: Answer) -> None:
    if answer.direct is not None:
        _direct(answer.direct)
    click.secho(answer.text, fg=None if answer.found else "yellow")
    for c in answer.citations:
        _citation(c)
    for c in answer.nearest:
        _citation(c)


def print_hits(hits: list[Any]) -> None:
    if not hits:
        click.echo(_("No matching clauses."))
    for i, hit in enumerate(hits, 1):
        c = hit.chunk
        where = citation_label(title=c.title, document=c.document, section=c.section, page=c.page, heading=c.heading)
        click.secho(_("{rank}. {where}  score {score:.4f}").format(rank=i, where=where, score=hit.score), bold=True)
        click.echo(_quote(c.text[:600] + (" ..." if len(c.text) > 600 else "")))
