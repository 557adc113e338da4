"""`liaison demo`: index the bundled sample engagement and answer a few questions, as a new user would."""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

import click

from bot.cli.progress import IndexProgress
from bot.cli.render import print_answer
from bot.i18n import _
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
    click.secho(
        _("Indexing the sample engagement into {engagement!r} (data in {where}):").format(
            engagement=engagement, where=where
        ),
        bold=True,
    )
    for folder, visibility in parts:
        with IndexProgress(enabled=sys.stderr.isatty()) as progress:
            report = kb.index([folder], engagement=engagement, visibility=visibility, progress=progress)
        click.echo(
            _(
                "  {folder}/ ({visibility}): {indexed} indexed, {unchanged} unchanged, "
                "{chunks} chunks in {seconds:.1f}s"
            ).format(
                folder=folder.name,
                visibility=visibility,
                indexed=len(report.indexed),
                unchanged=len(report.unchanged),
                chunks=report.chunks,
                seconds=report.seconds,
            )
        )
        for err in report.failed:
            click.secho(_("  skipped {name}: {reason}").format(name=err.name, reason=err.reason), fg="yellow")
    for question, side in QUESTIONS:
        click.secho(f"\n--- liaison ask {question!r} --engagement {engagement} --side {side}", fg="cyan", bold=True)
        print_answer(kb.answer_question(question, engagement=engagement, side=side))
    sla_demo(kb, engagement)
    click.secho(
        _(
            '\nTry your own: liaison ask "..." --engagement {engagement}   (or index your contracts: '
            "liaison index PATH --engagement NAME)"
        ).format(engagement=engagement),
        bold=True,
    )


EXAMPLE_MONTH = "2025-10"
EXAMPLE_FEES = 800000
EXAMPLE_MEASUREMENTS = {"Average Speed of Answer": "76.4", "Quality Score": "85", "First Contact Resolution": "72"}


def sla_demo(kb: KnowledgeBase, engagement: str) -> None:
    """The SLA register on the sample: the levels the contracts state, then what a month's misses would cost.

    It runs the register's own code on a throwaway database, so nothing is recorded in yours: the levels of the
    SLA schedule and its amendment are approved as a reviewer would, and three example measurements reported.
    """
    import tempfile

    from bot.db import make_engine, session, upgrade
    from bot.sla import measures, register, reviews
    from bot.sla.workflows import drafts_found

    found = drafts_found(kb, engagement)
    click.secho(f"\n--- liaison sla extract --engagement {engagement}", fg="cyan", bold=True)
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'demo.db'}")
        try:
            upgrade(engine)
            with session(engine) as s:
                register.sync_drafts(s, engagement=engagement, found=found, actor="demo")
                rows = register.levels(s, engagement=engagement)
                credited = [r for r in rows if r.kind == "credit" and not reviews.what_is_missing(r)]
                for row in credited[:12]:
                    where = f"{row.document} §{row.section}" if row.section else row.document
                    if row.effective_from:
                        where = _("{where}, from {date}").format(where=where, date=row.effective_from)
                    click.echo(f"  {row.metric}: {row.target_text or row.target}  ({where})")
                click.echo(
                    _(
                        "  ... {drafts} drafts in all ({credited} carry a credit), "
                        "for a reviewer to approve, edit or reject"
                    ).format(drafts=len(rows), credited=len(credited))
                )
                reviews.review(
                    s, engagement=engagement, level_ids=[r.id or 0 for r in credited], status="approved", actor="demo"
                )
                for name, value in EXAMPLE_MEASUREMENTS.items():
                    measures.report(s, engagement=engagement, ref=name, period=EXAMPLE_MONTH, value=value, actor="demo")
                result = measures.credits_for(
                    s, engagement=engagement, period=EXAMPLE_MONTH, fees=EXAMPLE_FEES, currency="USD"
                )
        finally:
            engine.dispose()
    click.secho(
        _(
            "\n--- liaison sla credits --period {month} --fees {fees}   "
            "(the credit levels approved, three example measurements; nothing recorded)"
        ).format(month=EXAMPLE_MONTH, fees=EXAMPLE_FEES),
        fg="cyan",
        bold=True,
    )
    for line in result.lines:
        if line.actual is not None:
            click.echo(f"  {line.working}")
    click.echo(f"  {result.total_working}")
