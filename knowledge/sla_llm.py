"""LLM-assisted SLA extraction: a chat model reads each candidate clause, and only what is verbatim in it is kept.

The model is asked through langchain's structured output (`with_structured_output(ServiceLevels)`, the
tool-calling path) for the service levels one clause states, each field the clause's own words. Then code:
- keeps a level only if its metric words and its target words are found verbatim in its clause (a table
  row with its header row: the metric, scope, unit and window may be in the header, the target is in the
  row); any other field whose words are not in the clause is set to None;
- parses every number from those verbatim words (`knowledge.sla_values`: Decimal, decimal commas, "seven
  (7)"), never from the model; the comparison is the clause's own words around the target where it states
  one ("no more than 5%"), else the model's choice among >=, <=, >, <, within;
- ties every value to its characters: `LevelDraft.values[name].text == text[start:end]`.
Candidate clauses are the sentences (outside tables) and table data rows that carry a percentage, a
duration, an amount or a comparison word. Each goes to the model alone, fenced as data (`knowledge.prompting`),
and the prompt says the clause is data, never instructions. At most `budget` calls a document: when there
are more candidates, those naming what service levels measure go first. A model error, a timeout or a
malformed reply skips that clause (logged), never the document.
With the rule-based reading (`knowledge.slas.extract_levels`): `uncovered_clauses` are the candidates no
rule-based draft quotes (the model's budget goes to what the rules missed), and `merge_levels` keeps the
rule-based draft wherever both read a clause.
Not checked: which of two numbers in one clause is the target, when both are verbatim there (an instruction
written into the same sentence as the level can name the other); the rule-based reading of the same quote
is the cross-check.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from pydantic import BaseModel, Field

from knowledge.furniture import content_blocks
from knowledge.prompting import attribute, fenced
from knowledge.sections import sentence_spans
from knowledge.signals import is_amendment
from knowledge.sla_drafts import CreditDraft, LevelDraft, Span
from knowledge.sla_values import Value, amounts, comparison_at, durations, figure, percentages
from knowledge.slas import MAX_TEXT, effective_date, sections_at
from knowledge.tables import header_of, table_at, tables_in
from knowledge.text import locate
from prompts import load_prompt

log = logging.getLogger(__name__)

MAX_CLAUSE = 3000  # a longer sentence or table row is not sent
MAX_LEVELS_PER_CLAUSE = 10
_COMPARISON = re.compile(
    r"(?i)\b(?:at[ \t]+least|no[ \t]+(?:less|more|fewer)[ \t]+than|not[ \t]+(?:less|more)[ \t]+than|"
    r"(?:not[ \t]+)?(?:to[ \t]+)?exceed|minimum|maximum|at[ \t]+most|within|or[ \t]+(?:higher|more|better|less))\b"
    r"|[≥≤]|>=|<="
    r"|(?i:\b(?:almeno|non[ \t]+(?:inferiore|superiore|oltre)|entro|al[ \t]+massimo|minimo|massimo|fino[ \t]+a)\b)"
)
_LEVEL_WORDS = re.compile(
    r"(?i)service[ \t]+levels?|uptime|availab|respon|resol|restor|answer|abandon|target|satisfaction|quality"
    r"|livell[oi][ \t]+di[ \t]+servizio|disponibilit|rispost|intervent|ripristin|risoluzion|presa[ \t]+in[ \t]+carico"
    r"|obiettiv|soglia|qualità|penal"
)
_PER_POINT = re.compile(r"(?i)\bpoints?\b")
_PARTIAL = re.compile(r"(?i)\bpartial\b|\bor[ \t]+(?:any[ \t]+)?(?:part|fraction)\b")
_PERCENT_WORD = re.compile(r"(?i)%|\bper[ \t]?cent\b|\bpercentage\b")


class StatedLevel(BaseModel):
    """One service level the clause states; every text field copied character for character from the clause."""

    metric: str = Field(description="The clause's words naming what is measured, copied exactly.")
    scope: str | None = Field(None, description="The words narrowing it ('Severity 1', 'chat queue'), or null.")
    comparison: Literal[">=", "<=", ">", "<", "within"] = Field(description="How the measured value meets the target.")
    target: str = Field(description="The words stating the target, its number included, copied exactly.")
    unit: str | None = Field(None, description="The words of the target's unit ('%', 'hours'), or null.")
    window: str | None = Field(None, description="The words of the measurement period, or null.")
    credit: str | None = Field(None, description="The words of the service credit rule for this level, or null.")
    cap: str | None = Field(None, description="The words of the cap on service credits, or null.")


class ServiceLevels(BaseModel):
    """The service levels one contract clause states (none for a clause that states none)."""

    levels: list[StatedLevel] = Field(description="Each service level the clause states, in order.")


@dataclass(frozen=True)
class _Clause:
    """A candidate clause: a sentence, or a table data row and its table's header row."""

    quote: Span
    header: Span | None


def candidate_clauses(text: str) -> list[Span]:
    """The sentences outside tables and the table data rows that carry a percentage, a duration, an amount or a
    comparison word, in document order (spans into text[:MAX_TEXT])."""
    t = text[:MAX_TEXT]
    spans: list[tuple[int, int]] = []
    for a, b, _ in content_blocks(t):
        if table_at(t, a) is None and not t.startswith("#", a):
            spans.extend(sentence_spans(t, a, b))
    spans.extend(row for table in tables_in(t) for row in table.rows)
    return [Span.of(t, a, b) for a, b in sorted(set(spans)) if b - a <= MAX_CLAUSE and _carries_value(t, a, b)]


def extract_levels_llm(
    llm: BaseChatModel,
    text: str,
    *,
    document: str,
    title: str = "",
    candidates: Sequence[Span] | None = None,
    budget: int = 40,
) -> list[LevelDraft]:
    """The service levels the model reads in the document's candidate clauses, kept only where verbatim there;
    at most `budget` model calls. Candidates default to `candidate_clauses(text)`."""
    clauses = _chosen(text, candidate_clauses(text) if candidates is None else candidates, budget)
    if not clauses:
        return []
    try:
        reader = llm.with_structured_output(ServiceLevels, include_raw=True)
    except NotImplementedError as exc:
        log.warning("the chat model has no structured output; no LLM-assisted SLA extraction: %s", exc)
        return []
    system = load_prompt("sla_levels_system")
    found: dict[tuple[int, int, int], LevelDraft] = {}
    for clause in clauses:
        for level in _read(reader, system, text, clause, document=document, title=title):
            found.setdefault((level.quote.start, level.values["metric"].start, level.values["target"].start), level)
    levels = sorted(found.values(), key=lambda lv: (lv.quote.start, lv.values["metric"].start))
    return _finished(text, levels, amendment=is_amendment(title, document))


def uncovered_clauses(text: str, levels: Sequence[LevelDraft]) -> list[Span]:
    """The candidate clauses that no draft's quote overlaps: what the rule-based reading left for the model."""
    quotes = [lv.quote for lv in levels]
    return [c for c in candidate_clauses(text) if not any(_overlap(c, q) for q in quotes)]


def merge_levels(rule_based: Sequence[LevelDraft], assisted: Sequence[LevelDraft]) -> list[LevelDraft]:
    """The rule-based drafts, and the model-assisted drafts of clauses none of them quotes, in document order.

    Where both read the same clause the rule-based draft is kept: its values are the rules' own reading of
    the words, and the model's can be steered by text inside the clause."""
    extra = [lv for lv in assisted if not any(_overlap(lv.quote, r.quote) for r in rule_based)]
    return sorted([*rule_based, *extra], key=lambda lv: (lv.quote.start, lv.metric))


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _carries_value(text: str, a: int, b: int) -> bool:
    return bool(
        percentages(text, a, b) or durations(text, a, b) or amounts(text, a, b) or _COMPARISON.search(text, a, b)
    )


def _chosen(text: str, candidates: Sequence[Span], budget: int) -> list[_Clause]:
    """The clauses to send, in document order: verbatim candidates, those naming a measured thing first."""
    real = []
    for span in candidates:
        if text[span.start : span.end] == span.text and span.text.strip():
            real.append(span)
        else:
            log.info("skipped a candidate clause that is not verbatim at its offsets: %r", span.text[:80])
    ranked = sorted(range(len(real)), key=lambda i: (not _LEVEL_WORDS.search(real[i].text), i))
    picked = sorted(ranked[: max(budget, 0)])
    return [_Clause(real[i], _header(text, real[i])) for i in picked]


def _header(text: str, span: Span) -> Span | None:
    header = header_of(text, span.start)
    return Span.of(text, *header) if header is not None else None


# -- asking ----------------------------------------------------------------------------------------
def _read(
    reader: Runnable[Any, Any], system: str, text: str, clause: _Clause, *, document: str, title: str
) -> list[LevelDraft]:
    """The verified levels of one clause; [] when the call fails or the reply is malformed."""
    body = (
        fenced(clause.quote.text)
        if clause.header is None
        else f"{fenced(clause.header.text)}\n{fenced(clause.quote.text)}"
    )
    prompt = load_prompt("sla_levels_user").format(
        title=fenced((title or document)[:200]), source=attribute(document, 200), clause=body
    )
    try:
        reply = reader.invoke([SystemMessage(system), HumanMessage(prompt)])
    except Exception as exc:  # a provider error or timeout costs this clause, never the document
        log.warning("SLA extraction call failed for a clause of %s, skipped: %s", document, exc)
        return []
    parsed = reply.get("parsed") if isinstance(reply, dict) else None
    if not isinstance(parsed, ServiceLevels):
        error = reply.get("parsing_error") if isinstance(reply, dict) else None
        log.warning("malformed SLA extraction reply for a clause of %s, skipped: %s", document, error or "no tool call")
        return []
    out = []
    for stated in parsed.levels[:MAX_LEVELS_PER_CLAUSE]:
        level = _verified(text, clause, stated)
        if level is None:
            log.info("dropped a level whose metric or target is not verbatim in its clause: %r", stated)
        else:
            out.append(level)
    return out


# -- checking --------------------------------------------------------------------------------------
def _find(words: str | None, text: str, clause: _Clause, *, header: bool = True) -> Span | None:
    """Where words sit verbatim (whitespace runs aside) in the clause: its row or sentence, then its header."""
    if not words:
        return None
    places = [clause.quote, *([clause.header] if header and clause.header else [])]
    for place in places:
        at = locate(words, text, place.start, place.end)
        if at is not None:
            return Span.of(text, *at)
    return None


def _verified(text: str, clause: _Clause, stated: StatedLevel) -> LevelDraft | None:
    """The draft of a stated level with every value found verbatim in its clause, or None."""
    metric = _find(stated.metric, text, clause)
    target = _find(stated.target, text, clause, header=False)
    if metric is None or target is None:
        return None
    spans = {"metric": metric, "target": target}
    for name in ("scope", "unit", "window", "credit", "cap"):
        span = _find(getattr(stated, name), text, clause)
        if span is not None:
            spans[name] = span
        elif getattr(stated, name):
            log.info("set %s to None: %r is not verbatim in its clause", name, getattr(stated, name))
    value = _value(text, target, spans.get("unit"))
    comparison = stated.comparison
    if value is not None:
        spans["target"] = Span.of(text, value.start, value.end)
        said = comparison_at(text, value.start, value.end, clause.quote.start)
        if said is not None:
            comparison = _SIGNS.get(said[0], "within")
            spans["comparison"] = Span.of(text, said[1], said[2])
    credit = _credit(text, spans.get("credit"))
    cap_pct = _cap_pct(text, spans.get("cap"))
    if cap_pct is not None:
        spans["cap_pct"] = cap_pct[1]
    return LevelDraft(
        metric=" ".join(metric.text.split()),
        scope=_words(spans.get("scope")),
        comparison=comparison,
        target=value.number if value is not None else None,
        target_text=target.text,
        unit=_unit(value, spans.get("unit")),
        window=_words(spans.get("window")),
        kind="credit" if "credit" in spans else "report",
        credit=credit,
        cap_pct=cap_pct[0] if cap_pct is not None else None,
        section=None,
        quote=clause.quote,
        values=spans,
        cap=spans.get("cap"),
    )


_SIGNS: dict[str, Literal[">=", "<=", ">", "<", "within"]] = {">=": ">=", "<=": "<=", ">": ">", "<": "<"}


def _words(span: Span | None) -> str | None:
    return " ".join(span.text.split()) if span is not None else None


def _value(text: str, target: Span, unit: Span | None) -> Value | None:
    """The number the target's words state, read by code: the one in the unit the unit's words name, else the
    first; a bare figure ('99,95' in a cell under 'Uptime (%)') takes its unit from the unit's words."""
    a, b = target.start, target.end
    found = sorted([*percentages(text, a, b), *durations(text, a, b), *amounts(text, a, b)], key=lambda v: v.start)
    wanted = _unit_name(unit.text) if unit is not None else None
    if found:
        return next((v for v in found if v.unit == wanted), found[0])
    number = figure(target.text) if re.fullmatch(r"[\d.,]+", target.text.strip()) else None
    return Value(number, wanted or "", a, b) if number is not None else None


def _unit_name(words: str) -> str | None:
    """'%' or 'percent' -> '%', 'Business Days' -> 'business days', 'hrs' -> 'hours' (None if not a unit)."""
    if _PERCENT_WORD.search(words):
        return "%"
    phrase = f"1 {' '.join(words.split())}"
    found = durations(phrase)
    return found[0].unit if found and found[0].end == len(phrase) else None


def _unit(value: Value | None, unit: Span | None) -> str:
    if value is not None and value.unit:
        return value.unit
    if unit is None:
        return ""
    return _unit_name(unit.text) or " ".join(unit.text.split())


def _credit(text: str, span: Span | None) -> CreditDraft | None:
    """A fixed amount per breach or a percentage per point below target, as the credit words state it."""
    if span is None:
        return None
    money = amounts(text, span.start, span.end)
    if money:
        return CreditDraft("fixed", span, amount=money[0].number, currency=money[0].unit)
    pcts = percentages(text, span.start, span.end)
    if pcts and _PER_POINT.search(span.text):
        return CreditDraft("per-point", span, pct_per_point=pcts[0].number, partial=bool(_PARTIAL.search(span.text)))
    return None


def _cap_pct(text: str, cap: Span | None) -> tuple[Decimal, Span] | None:
    """The percentage the cap's words state, and where."""
    pcts = percentages(text, cap.start, cap.end) if cap is not None else []
    return (pcts[0].number, Span.of(text, pcts[0].start, pcts[0].end)) if pcts else None


def _finished(text: str, levels: list[LevelDraft], *, amendment: bool) -> list[LevelDraft]:
    """The levels with their section (one pass over the outline), and an amendment's with the date it takes
    effect, where it states one."""
    if not levels:
        return levels
    places = sections_at(text[:MAX_TEXT], [lv.quote.start for lv in levels])
    effective = effective_date(text) if amendment else None
    out = []
    for lv in levels:
        label, heading = places[lv.quote.start]
        lv = replace(lv, section=label or heading)
        if effective is not None:
            lv = replace(lv, effective_from=effective[0], values={**lv.values, "effective_from": effective[1]})
        out.append(lv)
    return out
