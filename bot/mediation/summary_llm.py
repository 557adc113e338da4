"""A mediation summary written by an LLM, and the checks it must pass before anything is shown.

The model writes the summary from fenced data (positions, evidence and clauses are data, never instructions),
and what it returns is checked before anything is shown:
- a contract quote is kept only if it is verbatim inside a clause the model was given, and so in the document;
- an agreed statement is kept only if both positions support it (most of its words, all of its numbers);
- each side's statement must be supported by that side's own position (some of its words, all its numbers),
  and a side that stated a position must not be left out;
- no verdict wording ("is right", "wins", "should pay", "in breach", ...) in the model's own words, nor in a
  side's statement unless that side wrote it.
A model error, invalid JSON or a failed check returns None, and the caller uses the template summary instead.
Not checked: that a paraphrase keeps the meaning of what a side said, or that a quote is the best one for its point.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from bot.i18n import _
from bot.mediation.summary_text import (
    CLAUSES_PER_POINT,
    MAX_CLAUSES,
    MAX_POINTS,
    MIN_QUOTE_CHARS,
    NOT_STATED,
    PARTIES,
    SIDES,
    WHOLE,
    Clauses,
    clause_label,
    clause_ref,
    clip,
    overlaps,
    resolve_pronouns,
)
from bot.records.cases import ClauseRef
from knowledge.text import attribute, fenced, locate, parse_json_reply, stem, tokenize
from prompts import load_prompt

log = logging.getLogger(__name__)

AGREED_SUPPORT = 0.6  # share of an LLM's agreed statement's words found in each position
STATED_SUPPORT = 0.4  # share of an LLM's statement for a side found in that side's position
TEXT_CHARS = 1000  # one statement written by a model

_META = frozenset(map(stem, ("state", "says", "said", "claim", "argue", "assert", "maintain", "contend", "position")))
_VERDICT = re.compile(
    r"\b(?:(?:is|are|was|were)\s+(?:(?:clearly|plainly|obviously|entirely)\s+)?(?:right|correct|wrong|mistaken|"
    r"at\s+fault|to\s+blame|liable|justified|unjustified|in\s+breach|in\s+the\s+(?:right|wrong))"
    r"|wins?|won(?![\'\u2019]t)|prevails?|prevailed"
    r"|(?:should|must)\s+(?:win|prevail|pay|accept|concede|compensate|back\s+down)"
    r"|in\s+(?:the\s+)?(?:client|vendor)'?s?\s+favou?r|favou?rs?\s+the\s+(?:client|vendor)|verdict"
    r"|(?:we|i)\s+(?:recommend|conclude|find|side)|(?:stronger|weaker)\s+(?:case|position|argument))\b",
    re.IGNORECASE,
)


class _Rejected(ValueError):
    """A model's summary failed a check; the template is used instead."""


@dataclass(frozen=True)
class Draft:
    """A model's summary that passed every check; `contract` is empty when no citation survived."""

    agreed: list[str]
    differences: list[tuple[str, str, str]]  # (point, client's statement, vendor's statement)
    contract: list[tuple[str, list[ClauseRef]]]  # (point, clause refs)


def write_summary(
    llm: Any,
    clauses: Clauses,
    *,
    title: str,
    support: dict[str, str],
    pinned: Sequence[tuple[str, str]],
    given: list[ClauseRef],
    claimed: AbstractSet[str],
) -> Draft | None:
    """The model's checked summary (see the module doc), or None if the call, the JSON or a check failed.

    `support` holds each side's position with its evidence, only for sides that stated one; `pinned` is the
    (author, text) of each message pinned as evidence; `given` the clause refs the model may quote; `claimed`
    the sides the template found claims of their own for.
    """
    human = load_prompt("mediation_summary_user").format(
        title=fenced(title),
        positions=_render_positions(support),
        evidence=_render_evidence(pinned),
        clauses=_render_clauses(given),
    )
    try:
        reply = llm.invoke([("system", load_prompt("mediation_summary_system")), ("human", human)])
    except Exception as exc:  # a provider outage must not cost the mediation its summary
        log.warning("LLM call failed, summarising by template: %s", exc)
        return None
    parsed = parse_json_reply(getattr(reply, "content", reply))
    if parsed is None:
        log.warning("LLM reply is not a JSON object, summarising by template")
        return None
    try:
        return _checked(parsed, support, given, claimed, clauses)
    except _Rejected as why:
        log.warning("LLM summary rejected, summarising by template: %s", why)
        return None


# -- the prompt (every piece of data fenced by knowledge.prompting) -------------------------------
def _render_positions(support: dict[str, str]) -> str:
    parts = []
    for s in SIDES:
        body = fenced(support[s].strip()) if s in support else NOT_STATED
        parts.append(f'<position side="{s}">\n{body}\n</position>')
    return "\n\n".join(parts)


def _render_evidence(pinned: Sequence[tuple[str, str]]) -> str:
    items = [
        f'<evidence n="{i}" author="{attribute(author)}">\n{fenced(text)}\n</evidence>'
        for i, (author, text) in enumerate(pinned, 1)
    ]
    return "\n\n".join(items) or "(none)"


def _render_clauses(given: list[ClauseRef]) -> str:
    parts = []
    for i, c in enumerate(given, 1):
        parts.append(
            f'<clause id="C{i}" document="{attribute(c["document"])}" source="{attribute(clause_label(c))}">\n'
            f"{fenced(c['quote'] or '')}\n</clause>"
        )
    return "\n\n".join(parts) or "(no clause found)"


# -- the reply -----------------------------------------------------------------------------------
def _string(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Rejected(f"{what} is not a string")
    return clip(value, TEXT_CHARS)


def _items(parsed: dict[str, Any], key: str) -> list[Any]:
    value = parsed.get(key) or []
    if not isinstance(value, list):
        raise _Rejected(f"{key!r} is not a list")
    return value[:MAX_POINTS]


def _verdicts(text: str) -> set[str]:
    return {" ".join(m.group(0).lower().split()) for m in _VERDICT.finditer(text)}


def _no_verdict(text: str, what: str, allowed: AbstractSet[str] = frozenset()) -> None:
    extra = _verdicts(text) - allowed
    if extra:
        raise _Rejected(f"{what} takes a side ({', '.join(sorted(extra))})")


def _supported(statement: str, source: str, share: float) -> bool:
    """Whether most of a statement's words and all its numbers are in the source text."""
    words = set(tokenize(statement)) - PARTIES - _META
    if not words:
        return True
    have = set(tokenize(source))
    numbers = {w for w in words if any(ch.isdigit() for ch in w)}
    return numbers <= have and len(words & have) / len(words) >= share


def _resolved(side: str, text: str) -> str:
    return f"{text} {resolve_pronouns(side, text)}"


def _checked(
    parsed: dict[str, Any],
    support: dict[str, str],
    given: list[ClauseRef],
    claimed: AbstractSet[str],
    clauses: Clauses,
) -> Draft:
    sources = {s: _resolved(s, t) for s, t in support.items()}
    said_by = {s: _verdicts(t) for s, t in support.items()}
    both = said_by["client"] & said_by["vendor"] if len(said_by) == 2 else set()
    agreed = []
    for item in _items(parsed, "agreed"):
        text = _string(item, "an agreed statement")
        _no_verdict(text, "an agreed statement", both)
        if text and len(sources) == 2 and all(_supported(text, src, AGREED_SUPPORT) for src in sources.values()):
            agreed.append(text)
        elif text:
            log.info("dropped an agreed statement not found in both positions: %r", text)
    differences = []
    for n, item in enumerate(_items(parsed, "differences"), 1):
        if not isinstance(item, dict):
            raise _Rejected("a difference is not an object")
        point = _string(item.get("point"), "a point") or _("Point {n}").format(n=n)
        _no_verdict(point, "a point")
        says = {}
        for s in SIDES:
            text = _string(item.get(s), f"the {s}'s statement")
            if text and s not in sources:
                raise _Rejected(f"it attributes a statement to the {s}, who has stated no position")
            if text:
                _no_verdict(text, f"the {s}'s statement", said_by[s])
                if not _supported(text, sources[s], STATED_SUPPORT):
                    raise _Rejected(f"the {s}'s statement is not in the {s}'s position: {text!r}")
            says[s] = text
        if says["client"] or says["vendor"]:
            differences.append((clip(point, 200), says["client"], says["vendor"]))
    covered = {s for d in differences for s, text in zip(SIDES, d[1:], strict=True) if text}
    for s in claimed:  # sides the template found claims of their own for
        if s not in covered:
            raise _Rejected(f"it leaves out what the {s} states")
    return Draft(agreed, differences, _cited_contract(parsed, given, clauses))


# -- the citations -------------------------------------------------------------------------------
def _cited_contract(
    parsed: dict[str, Any], given: list[ClauseRef], clauses: Clauses
) -> list[tuple[str, list[ClauseRef]]]:
    """The model's contract points, keeping only quotes verbatim inside a clause it was given."""
    kept: list[ClauseRef] = []
    groups = []
    for item in _items(parsed, "contract"):
        if not isinstance(item, dict):
            continue
        point = _string(item.get("point"), "a point") or _(WHOLE)
        _no_verdict(point, "a contract point")
        group = []
        for citation in (item.get("citations") or [])[: CLAUSES_PER_POINT + 1]:
            ref = _cited(citation, given, clauses) if isinstance(citation, dict) else None
            if ref is None:
                log.info("dropped a citation not verbatim in a given clause: %r", citation)
            elif len(kept) < MAX_CLAUSES and not overlaps(ref, kept):
                kept.append(ref)
                group.append(ref)
        if group:
            groups.append((clip(point, 200), group))
    return groups


def _cited(citation: dict[str, Any], given: list[ClauseRef], clauses: Clauses) -> ClauseRef | None:
    quote = citation.get("quote")
    if not isinstance(quote, str) or len(quote.strip()) < MIN_QUOTE_CHARS:
        return None
    m = re.fullmatch(r"C?(\d+)", str(citation.get("clause") or "").strip(), re.IGNORECASE)
    named = int(m.group(1)) - 1 if m else -1
    document = citation.get("document")
    ranked = sorted(range(len(given)), key=lambda i: (i != named, given[i]["document"] != document, i))
    for i in ranked:
        clause = given[i]
        text = clauses.text(clause["document"])
        span = None
        if text is not None:
            start, end = clause["start"] or 0, len(text) if clause["end"] is None else clause["end"]
            span = locate(quote, text, start, end)
        if text is not None and span:
            return clause_ref(clause, text, *span)
    return None
