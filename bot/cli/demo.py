"""`liaison demo`: index the bundled sample engagement and answer a few questions, as a new user would."""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

import click

from bot.cli.progress import IndexProgress
from bot.cli.render import print_answer
from knowledge.base import KnowledgeBase

QUESTIONS = [
    ("how long do we have to fix a sev 1?", "shared"),
    ("whats the cap on service credits?", "shared"),
    ("How much notice do we need to give if we don't want the contract to renew?", "shared"),
    ("What is Meridian's target gross margin?", "client"),
    ("What is Meridian's target gross margin?", "vendor"),
    ("Is there a penalty for missing the carbon emissions target?", "shared"),
]


def samples_dir() -> Path:
    return Path(str(files("knowledge").joinpath("samples")))


def run_demo(kb: KnowledgeBase, engagement: str, *, where: str) -> None:
    root = samples_dir()
    parts = [
        (root / "acme-customer-care", "shared"),
        (root / "acme-customer-care-client-only", "client-only"),
        (root / "acme-customer-care-vendor-only", "vendor-only"),
    ]
    click.secho(f"Indexing the sample engagement into {engagement!r} (data in {where}):", bold=True)
    for folder, visibility in parts:
        with IndexProgress(enabled=sys.stderr.isatty()) as progress:
            report = kb.index([folder], engagement=engagement, visibility=visibility, progress=progress)
        click.echo(
            f"  {folder.name}/ ({visibility}): {len(report.indexed)} indexed, {len(report.unchanged)} unchanged, "
            f"{report.chunks} chunks in {report.seconds:.1f}s"
        )
        for err in report.failed:
            click.secho(f"  skipped {err.name}: {err.reason}", fg="yellow")
    for question, side in QUESTIONS:
        click.secho(f"\n--- liaison ask {question!r} --engagement {engagement} --side {side}", fg="cyan", bold=True)
        print_answer(kb.answer_question(question, engagement=engagement, side=side))
    click.secho(
        f'\nTry your own: liaison ask "..." --engagement {engagement}   (or index your contracts: '
        "liaison index PATH --engagement NAME)",
        bold=True,
    )
