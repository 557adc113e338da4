"""Terminal rendering of answers and search hits."""

from __future__ import annotations

import textwrap
from typing import Any

import click

from knowledge.answers import Answer, Citation, citation_label

_ROLE = {
    "answer": "",
    "amendment": "amendment",
    "definition": "definition",
    "related": "related",
    "nearest": "nearest",
}


def _quote(text: str, width: int = 96) -> str:
    lines = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width - 4) or [""])
    return "\n".join(f"  > {line}" for line in lines)


def _citation(c: Citation) -> None:
    role = _ROLE.get(c.role, c.role)
    click.secho(f"\n{c.label()}" + (f"  [{role}]" if role else ""), bold=True)
    click.echo(_quote(c.quote))
    click.secho(f"  ({c.document}, characters {c.start}-{c.end})", dim=True)


def print_answer(answer: Answer) -> None:
    click.secho(answer.text, fg=None if answer.found else "yellow")
    for c in answer.citations:
        _citation(c)
    for c in answer.nearest:
        _citation(c)


def print_hits(hits: list[Any]) -> None:
    if not hits:
        click.echo("No matching clauses.")
    for i, hit in enumerate(hits, 1):
        c = hit.chunk
        where = citation_label(title=c.title, document=c.document, section=c.section, page=c.page)
        click.secho(f"{i}. {where}  score {hit.score:.4f}", bold=True)
        click.echo(_quote(c.text[:600] + (" ..." if len(c.text) > 600 else "")))
