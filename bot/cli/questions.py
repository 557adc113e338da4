"""`liaison ask` and `liaison search`: questions to the contracts, one at a time or a batch per run.

Registered on the `liaison` group by bot/cli/__init__.py (`COMMANDS`). JSON goes to stdout, notes to stderr; a bad
`--batch` line is answered with `{"id", "error"}` and the other lines go on.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TypedDict

import click

from bot.cli.options import Context, engagement_name, json_option, pass_context, side_option
from bot.cli.translated import argument, command, option
from bot.i18n import N_, _, speaking
from knowledge.errors import KnowledgeError
from knowledge.visibility import SIDES

if TYPE_CHECKING:
    from knowledge.retrieval import Hit

# An answer's JSON line stays `dict[str, Any]`: it is `Answer.as_dict()`, with whatever keys the answer gains later.


@command(
    help=N_(
        "Answer a question from the engagement's contracts, quoting the clauses it rests on.\n\n"
        'With --batch, the models load once and every line of the file is answered in turn, as {"id", '
        '"found", "answer", "direct", "citations", "nearest"}; a line that cannot be answered (not JSON, '
        'a field missing, an unknown side or engagement) gets {"id", "error"} and the others go on.'
    )
)
@argument("question", required=False)
@option("--engagement", "-e", callback=engagement_name, help=N_("Engagement name (not with --batch)."))
@side_option
@option(
    "--batch",
    type=click.File("r"),
    help=N_(
        'JSONL file: one {"id", "question", "engagement", "side"?} per line; prints one JSON line per question '
        "(with or without --json)."
    ),
)
@json_option
@pass_context
def ask(ctx: Context, question: str | None, engagement: str | None, side: str, batch: Any, as_json: bool) -> None:
    if batch is not None:
        if question or engagement:
            raise click.UsageError(_("give either a QUESTION and --engagement, or --batch FILE.jsonl, not both"))
        _ask_batch(ctx, batch)
        return
    if not question or not engagement:
        raise click.UsageError(_("give a QUESTION and --engagement, or --batch FILE.jsonl"))
    answer = ctx.kb.answer_question(question, engagement=engagement, side=side)
    if as_json:
        click.echo(json.dumps(answer.as_dict()))
    else:
        from bot.cli.render import print_answer

        print_answer(answer)


class BadLine(ValueError):
    """A line of a --batch file that cannot be asked: the message says why."""


def _batch_question(line: str, known: set[str]) -> tuple[Any, str, str, str]:
    """(id, question, engagement, side) of one --batch line, or BadLine saying what is wrong with it."""
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise BadLine(f"not valid JSON ({exc})") from None
    if not isinstance(item, dict):
        raise BadLine('expected a JSON object {"id", "question", "engagement", "side"?}')
    missing = [name for name in ("question", "engagement") if not isinstance(item.get(name), str) or not item[name]]
    if missing:
        raise BadLine(f"{' and '.join(repr(m) for m in missing)} missing (a non-empty string is needed)")
    side = item.get("side") or "shared"
    if side not in SIDES:
        raise BadLine(f"unknown side {side!r}: use {', '.join(SIDES)}")
    try:
        with speaking("en"):  # the line's error is JSON: the same words in every language
            engagement = engagement_name(None, None, item["engagement"])
    except click.BadParameter as exc:
        raise BadLine(f"engagement {item['engagement']!r}: {exc.message}") from None
    if engagement not in known:
        listed = ", ".join(sorted(known)) or "none yet"
        raise BadLine(f"unknown engagement {engagement!r} (indexed: {listed})")
    return item.get("id"), item["question"], engagement, side


def _line_id(line: str) -> Any:
    try:
        item = json.loads(line)
    except ValueError:
        return None
    return item.get("id") if isinstance(item, dict) else None


def _ask_batch(ctx: Context, batch: Any) -> None:
    kb = ctx.kb
    kb.embeddings.load()  # the model loads once, here: a setting that cannot work stops the batch before any line
    known = set(kb.engagements())
    for number, line in enumerate(batch, 1):
        if not line.strip():
            continue
        try:
            item_id, question, engagement, side = _batch_question(line, known)
            answer = kb.answer_question(question, engagement=engagement, side=side).as_dict()
            out: dict[str, Any] = {
                "id": item_id,
                "found": answer["found"],
                "answer": answer["answer"],
                "direct": answer.get("direct"),
                "citations": answer["citations"],
                "nearest": answer["nearest"],
            }
            out.update((k, v) for k, v in answer.items() if k not in out)  # keys Answer gains later
        except (BadLine, KnowledgeError) as exc:
            out = {"id": _line_id(line), "error": f"line {number}: {exc}"}
        click.echo(json.dumps(out))
        sys.stdout.flush()


@command(help=N_("Show the ranked clauses for a question (or for every line of a --batch file)."))
@argument("question", required=False)
@option("--engagement", "-e", callback=engagement_name, help=N_("Engagement name (not with --batch)."))
@side_option
@option("--k", "k", type=click.IntRange(1, 100), default=8, show_default=True, help=N_("How many hits."))
@option(
    "--batch",
    type=click.File("r"),
    help=N_('JSONL file: one {"id", "question", "engagement", "side"?} per line.'),
)
@json_option
@pass_context
def search(
    ctx: Context, question: str | None, engagement: str | None, side: str, k: int, batch: Any, as_json: bool
) -> None:
    if batch is not None:
        _search_batch(ctx, batch, k)
        return
    if not question or not engagement:
        raise click.UsageError(_("give a QUESTION and --engagement, or --batch FILE.jsonl"))
    hits = ctx.kb.search(question, engagement=engagement, side=side, k=k)
    if as_json:
        click.echo(json.dumps({"hits": [_hit_dict(h) for h in hits]}))
        return
    from bot.cli.render import print_hits

    print_hits(hits)


class HitJSON(TypedDict):
    """One ranked clause as `liaison search --json` prints it."""

    document: str
    title: str
    section: str | None
    page: int | None
    start: int
    end: int
    score: float
    text: str


def _hit_dict(hit: Hit) -> HitJSON:
    c = hit.chunk
    return {
        "document": c.document,
        "title": c.title,
        "section": c.section,
        "page": c.page,
        "start": c.start,
        "end": c.end,
        "score": round(hit.score, 6),
        "text": c.text,
    }


def _search_batch(ctx: Context, batch: Any, k: int) -> None:
    for number, line in enumerate(batch, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            with speaking("en"):  # the line's error is JSON: the same words in every language
                engagement = engagement_name(None, None, str(item["engagement"]))
            hits = ctx.kb.search(str(item["question"]), engagement=engagement, side=item.get("side") or "shared", k=k)
            out: dict[str, Any] = {"id": item.get("id"), "hits": [_hit_dict(h) for h in hits]}
        except (ValueError, KeyError, TypeError, click.BadParameter) as exc:
            out = {
                "id": item.get("id") if isinstance(locals().get("item"), dict) else None,
                "error": f"line {number}: {exc}",
            }
        click.echo(json.dumps(out), nl=True)
        sys.stdout.flush()


COMMANDS = (ask, search)
