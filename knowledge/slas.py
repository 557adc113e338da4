"""SLA extraction: the service levels a document states, drafted by rule, offline and deterministic.

The face of extraction (`extract_levels`, `effective_date` and the drafts they return); the reading is in
`sla_tables` (tier and level tables), `sla_prose` (levels in sentences), `sla_rules` (caps, claim windows,
exclusions, credits in prose, effective dates) and `sla_values` (numbers, percentages, durations, money;
`sla_words` reads Italian number words). English and Italian contracts are read ("disponibilità mensile non
inferiore al 99,9%", "Garanzia di tempo di intervento (GTI)", "entro trenta (30) giorni calendario", penali and
crediti di servizio); a value given as an example ("ad esempio") is no target, and penalties left to an annex
are not invented. Every value keeps the span it came from: `LevelDraft.values[name].text == text[start:end]`.

How the pieces are put together:
- tables first, then sentences; a sentence whose target is a variable the document defines in one of its
  tables ("at or above Target Availability" and the chart's "Target Availability: 99.9% or higher") is the
  table's level, not a second one;
- a tier table with no target row of its own credits the percentage level stated above it;
- a level with a weighting (a "Credit Weighting" column) is credited from the at-risk pool:
  credit = pool allocation (100% unless stated) x the level's weighting x the At-Risk Amount;
- a level is kind "credit" when a credit rule is tied to it (tiers, pool, a weighting) or a sentence about
  credits names what it measures; otherwise "report". Severity 1 and 2 in the sample's 4.2 table are
  "report": their credit is carried by SL8 / SL9 of 3.1, which cite 4.2, so giving them a rule too would
  count one failure twice; Severity 3 and 4 "do not carry Service Credits" at all;
- the cap (first "shall not exceed N% of ..." sentence about credits) and the claim window apply to the
  credit levels, the exclusions to every level; in an amendment each level gets the document's effective date.
Bounded work: only the first `MAX_TEXT` characters are read, sentences over 1,500 characters and cells over
2,000 are skipped, and at most `MAX_LEVELS` levels are returned.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from knowledge.furniture import content_blocks
from knowledge.outline import Outline, numbers_clauses, read_block
from knowledge.sections import sentence_spans
from knowledge.signals import is_amendment
from knowledge.sla_drafts import (
    ChronicDraft,
    ChronicTest,
    Comparison,
    CreditDraft,
    EarnBackDraft,
    Kind,
    LevelDraft,
    Model,
    Span,
    TierDraft,
)
from knowledge.sla_hours import hours_defined, hours_of
from knowledge.sla_prose import prose_levels, window_in
from knowledge.sla_remedy import remedy_in
from knowledge.sla_rules import Rules, base_in, read_rules
from knowledge.sla_rules import effective_date as _effective_date
from knowledge.sla_series import on_levels, read_series
from knowledge.sla_tables import clean, table_levels
from knowledge.sla_values import percentages
from knowledge.tables import cells, table_at, tables_in

__all__ = [
    "ChronicDraft",
    "ChronicTest",
    "Comparison",
    "CreditDraft",
    "EarnBackDraft",
    "Kind",
    "LevelDraft",
    "Model",
    "Span",
    "TierDraft",
    "effective_date",
    "extract_levels",
    "with_series_terms",
]

MAX_TEXT = 2_000_000
MAX_LEVELS = 500
_SPREAD_REACH = 1500  # a table this close below a level's sentence may list the rows it applies to
_RULE_REACH = 3000  # a credit rule in prose applies to the levels stated up to this many characters before it
_MAX_CREDIT_SENTENCES = 200  # sentences about credits a level's name is looked for in
_CREDIT_SENTENCE = re.compile(
    r"(?i)\b(?:service[ \t]+credits?|credits?|compensation|refunds?|credit[oi]|penal[ei]|penalità|risarciment[oi])\b"
)
_DEFINES = re.compile(
    r"[^.]{0,120}?[”\"*'][ \t]*(?:(?:means|is|shall[ \t]+mean|refers[ \t]+to)\b|:(?=[ \t]+[A-Z]))"
    r"|[ \t]*-[ \t]+\*\*[^*\n]{2,80}\*\*[ \t]*(?::|\b(?:indica|significa|si[ \t]+intende)\b)"
)
_GENERIC_WINDOWS = {"mese", "trimestre", "anno"}  # an Italian adverb's window ("mensile"); a definition may say more
_RESTATED_REACH = 2000  # a sentence this close after a table restating one of its targets is no second level
_TIERS_INTRO = 600  # the sentence introducing a tier table is this close above it
_SLA_MISSED = re.compile(
    r"(?i)(?:not|fail\w*[ \t]+to)[ \t]+meet[ \t]+(?:the|this|its|our)[ \t]+(?:SLA|service[ \t]+levels?)\b"
)
_MEASURED = re.compile(
    r"(?i)uptime|availab|response|resol|restor|reply|answer|disponibilit|rispost|risoluzion|ripristin|intervent"
    r"|presa[ \t]+in[ \t]+carico"
)
_NO_CREDIT = re.compile(
    r"(?i)(?:do|does|shall|will)[ \t]+not[ \t]+carry|no[ \t]+service[ \t]+credits?[ \t]+(?:apply|applies)"
    r"|non[ \t]+sono[ \t]+(?:associate|previste|applicate)[ \t]+penali|senza[ \t]+(?:alcuna[ \t]+)?penal[ei]"
)


def effective_date(text: str) -> tuple[date, Span] | None:
    """An amendment's or a document's own effective date ("takes effect on 1 September 2025"), if stated."""
    return _effective_date(text[:MAX_TEXT])


def extract_levels(text: str, *, document: str, title: str = "") -> list[LevelDraft]:
    """The service levels a document states, in document order; [] for a document that states none."""
    t = text[:MAX_TEXT]
    sentences, headings = _sentences(t)
    found = table_levels(t)
    prose = [
        p
        for p in prose_levels(t, sentences)
        if not _defined_in_table(p, found.levels) and not _restated(p, found.levels)
    ]
    prose = _spread_over_rows(t, prose, found.levels)
    levels = sorted([*found.levels, *prose], key=lambda lv: (lv.quote.start, lv.metric))[:MAX_LEVELS]
    for credit in found.loose:
        levels = _attach_tiers(t, levels, credit)
    rules = read_rules(t, sentences, headings)
    effective = effective_date(t) if is_amendment(title, document) else None
    credit_text = [t[a:b] for a, b in sentences if _CREDIT_SENTENCE.search(t, a, b)]
    definitions = [(a, b) for a, b in sentences if _DEFINES.match(t, a, min(b, a + 200))]
    places = sections_at(t, [lv.quote.start for lv in levels])
    series = read_series(t, sentences)
    quarters = _quarter_terms(t, sentences)
    finished = [
        _finish(t, lv, rules, effective, credit_text[:_MAX_CREDIT_SENTENCES], definitions, headings, places)
        for lv in levels
    ]
    drafted = [_quarterly(lv, quarters) for lv in on_levels(finished, series)]
    return _with_hours_and_remedy(t, drafted, sentences)


def _with_hours_and_remedy(text: str, levels: list[LevelDraft], sentences: list[tuple[int, int]]) -> list[LevelDraft]:
    """Each level with the hours it counts (its row, sentence or a note naming its reference) and, for a credit
    level, whether the document makes credits the sole remedy."""
    if not levels:
        return levels
    defined = hours_defined(text, sentences)
    remedy = remedy_in(text, sentences)
    out = []
    for lv in levels:
        ref = lv.values.get("ref")
        hours = hours_of(text, [(lv.quote.start, lv.quote.end)], sentences, defined, ref=ref.text if ref else None)
        out.append(replace(lv, hours=hours, remedy=remedy if lv.kind == "credit" else None))
    return out


def with_series_terms(text: str, levels: list[LevelDraft]) -> list[LevelDraft]:
    """The document's earn-back and chronic-failure clauses on the levels they apply to, for levels drafted apart
    from `extract_levels` (the model-assisted ones): the same rules, the same spans."""
    t = text[:MAX_TEXT]
    sentences, _ = _sentences(t)
    return on_levels(levels, read_series(t, sentences))


def sections_at(text: str, offsets: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """`knowledge.outline.section_at` for many offsets in one pass over the outline (one replay per document,
    not one per level: a document with hundreds of levels stays linear)."""
    outline = Outline(numbers_clauses(text))
    pending = sorted(set(offsets))
    out: dict[int, tuple[str | None, str | None]] = {}
    i = 0
    for a, b, gap in content_blocks(text):
        while i < len(pending) and a > pending[i]:
            out[pending[i]] = (outline.label(), outline.heading())
            i += 1
        if i == len(pending):
            break
        if table_at(text, a) is not None:
            continue  # no clause opens inside a table (as in chunking)
        read_block(outline, text, a, b, gap)
        while i < len(pending) and pending[i] < b:
            twin = outline.copy()
            twin.follow(text, a, b, until=pending[i])
            out[pending[i]] = (twin.label(), twin.heading())
            i += 1
        outline.follow(text, a, b)
    for offset in pending[i:]:
        out[offset] = (outline.label(), outline.heading())
    return out


def _defined_window(text: str, level: LevelDraft, definitions: list[tuple[int, int]]) -> tuple[str, Span] | None:
    """The window named where the document defines the level's metric ('"Uptime" is the percentage of ... in a
    given calendar quarter')."""
    term = level.metric.casefold()
    for a, b in definitions:
        head = re.sub(r"[*_“”\"']", "", text[a : min(b, a + 200)]).casefold()
        if head.startswith(term) or head.lstrip("0123456789. ").startswith(term):
            return window_in(text, a, b)
        defined, colon, _rest = head.lstrip("-0123456789. \t").partition(":")
        defined = defined.strip()
        if colon and len(defined) >= 8 and term.startswith(defined):  # "Tasso di Disponibilità Mensile garantito"
            return window_in(text, a, b)
    return None


_TERM_DEFINED = re.compile(r"[“\"*]+([A-Z][\w ]{2,40}?)[”\"*]+[ \t]+(?:means|shall[ \t]+mean|is)\b")


def _quarter_terms(text: str, sentences: list[tuple[int, int]]) -> dict[str, tuple[str, Span]]:
    """The defined terms the document defines as a calendar quarter ('"Measurement Period" means each calendar
    quarter'), with the words and span saying so."""
    out: dict[str, tuple[str, Span]] = {}
    for a, b in sentences:
        m = _TERM_DEFINED.search(text, a, min(b, a + 300))
        if m is None or "quarter" not in text[m.end() : b].casefold():
            continue
        found = window_in(text, m.end(), b)
        if found is not None and "quarter" in found[0].casefold():
            out.setdefault(m.group(1).strip().casefold(), found)
    return out


def _quarterly(level: LevelDraft, terms: dict[str, tuple[str, Span]]) -> LevelDraft:
    """A level whose window is a term defined as a calendar quarter is measured per quarter."""
    found = terms.get((level.window or "").strip().casefold()) if terms else None
    if found is None:
        return level
    return replace(level, window=found[0], values={**level.values, "window": found[1]})


def _sentences(text: str) -> tuple[list[tuple[int, int]], dict[int, str]]:
    """The sentences outside tables, and the heading each one sits under."""
    out: list[tuple[int, int]] = []
    headings: dict[int, str] = {}
    heading = ""
    for a, b, _ in content_blocks(text):
        if table_at(text, a) is not None:
            continue
        m = re.match(r"#{1,6}[ \t]+(.{1,200})", text[a : min(b, a + 210)])
        if m:
            heading = m.group(1).strip()
            continue
        for s in sentence_spans(text, a, b):
            out.append(s)
            headings[s[0]] = heading
    return out, headings


def _spread_over_rows(text: str, prose: list[LevelDraft], tabled: list[LevelDraft]) -> list[LevelDraft]:
    """A level stated once for the rows of the table that follows it ("at least 99.9% Uptime" above a table with
    an "Uptime Calculation" column and a row per Service Feature): one level per row, scoped by its first cell."""
    nearest: dict[int, LevelDraft] = {}  # a table's start -> the level stated closest above it
    for level in prose:
        table = next((tb for tb in tables_in(text) if 0 <= tb.start - level.quote.end < _SPREAD_REACH), None)
        if table is not None:
            nearest[table.start] = level
    out: list[LevelDraft] = []
    for level in prose:
        table = next((tb for tb in tables_in(text) if nearest.get(tb.start) is level), None)
        key = _MEASURED.search(level.metric)
        head = text[table.header[0] : table.header[1]] if table is not None and table.header else ""
        own = table is not None and any(table.start <= t.quote.start < table.end for t in tabled)
        if (
            table is None
            or own
            or key is None
            or key.group(0).casefold() not in head.casefold()
            or len(table.rows) > 50
        ):
            out.append(level)
            continue
        for row in table.rows:
            first = cells(text, row)[:1]
            scope = clean(text[first[0][0] : first[0][1]]) if first else ""
            if scope:
                values = {**level.values, "stated": level.quote}
                out.append(replace(level, scope=scope, quote=Span.of(text, *row), values=values))
    return out


def _defined_in_table(level: LevelDraft, tables: list[LevelDraft]) -> bool:
    if level.target is not None:
        return False
    return any(level.target_text.casefold() in t.quote.text.casefold() for t in tables)


def _restated(level: LevelDraft, tables: list[LevelDraft]) -> bool:
    """A sentence just below a table that restates one of its levels ("Un Tasso di Disponibilità Mensile di 99,99 %
    per il piano dati corrisponde a ..." under the table giving it): the table's level, not a second one."""
    if level.target is None:
        return False
    metric = level.metric.casefold()
    return any(
        t.target == level.target
        and t.unit == level.unit
        and metric in t.metric.casefold()
        and 0 <= level.quote.start - t.quote.end < _RESTATED_REACH
        for t in tables
    )


def _attach_tiers(text: str, levels: list[LevelDraft], credit: CreditDraft) -> list[LevelDraft]:
    """A tier table with no target row credits the level whose target the text just above it names ("Se il Tasso
    ... del 99,99 % non viene raggiunto"), else the last percentage level above it."""
    above = [lv for lv in levels if lv.unit == "%" and lv.credit is None and lv.quote.end <= credit.source.start]
    if not above:
        return levels
    intro = max(above[-1].quote.end, credit.source.start - _TIERS_INTRO)
    named = {p.number for p in percentages(text, intro, credit.source.start)}
    owner = next((lv for lv in reversed(above) if lv.target in named), above[-1])
    if credit.base is None and (base := base_in(text, intro, credit.source.start)) is not None:
        credit = replace(credit, base=base)
    return [replace(lv, credit=credit, kind="credit") if lv is owner else lv for lv in levels]


def _finish(
    text: str,
    level: LevelDraft,
    rules: Rules,
    effective: tuple[date, Span] | None,
    credit_text: list[str],
    definitions: list[tuple[int, int]],
    headings: dict[int, str],
    places: dict[int, tuple[str | None, str | None]],
) -> LevelDraft:
    values = dict(level.values)
    credit, kind = _credit(level, rules, credit_text)
    label, heading = places[level.quote.start]
    if label and label.startswith("'"):
        stated = level.values.get("stated", level.quote).start
        label, heading = None, headings.get(stated) or heading  # a definition is no clause
    changes: dict[str, object] = {"credit": credit, "kind": kind, "section": label or heading}
    generic = level.window is None or level.window in _GENERIC_WINDOWS
    if generic and (window := _defined_window(text, level, definitions)) is not None:
        changes["window"], values["window"] = window
    if credit is not None:
        values["credit"] = credit.source
        if credit.model == "pool" and rules.at_risk is not None:
            values["at_risk_pct"] = rules.at_risk  # "The At-Risk Amount ... is 10% of the Monthly Fees"
    if kind == "credit" and rules.cap is not None:
        changes |= {"cap": rules.cap, "cap_pct": rules.cap_pct}
        if rules.cap_value is not None:
            values["cap_pct"] = rules.cap_value
    if kind == "credit" and rules.claim is not None:
        changes |= {"claim": rules.claim, "claim_days": rules.claim_days, "claim_business_days": rules.claim_business}
        values["claim"] = rules.claim
    if effective is not None:
        changes["effective_from"] = effective[0]
        values["effective_from"] = effective[1]
    changes["exclusions"] = tuple(rules.exclusions[:50])
    changes["values"] = values
    return replace(level, **changes)  # type: ignore[arg-type]


def _credit(level: LevelDraft, rules: Rules, credit_text: list[str]) -> tuple[CreditDraft | None, Kind]:
    if level.credit is None and level.unit == "%":
        missed = [c for tg, c in rules.missed_credits if tg == level.target and c.source.start > level.quote.end]
        if missed:
            return missed[0], "credit"  # "del 99,9 % non viene raggiunto ...: un Credito di Servizio del 10 %"
    if level.credit is not None:
        base, defined = level.credit.base, rules.credit_base
        if base and defined and base.casefold() in defined.casefold() and len(defined) > len(base):
            return replace(level.credit, base=defined), "credit"  # "5% of monthly fees": the definition says more
        return level.credit, "credit"
    weight = level.values.get("level_pct")
    if weight is not None:
        return _pool(level, weight, rules), "credit"
    if level.scope and any(_NO_CREDIT.search(s) and level.scope.casefold() in s.casefold() for s in credit_text):
        return None, "report"
    fitting = [c for c in rules.prose_credits if c.model != "per-point" or level.unit == "%"]
    after = [c for c in fitting if 0 <= c.source.start - level.quote.end < _RULE_REACH]
    if after:
        return after[0], "credit"
    if level.kind == "credit" or _named_in_credits(level, credit_text):
        return (fitting[0] if fitting else None), "credit"
    return None, "report"


def _named_in_credits(level: LevelDraft, credit_text: list[str]) -> bool:
    """Whether a sentence about credits names what the level measures (its metric's key word)."""
    m = _MEASURED.search(level.metric)
    key = m.group(0).casefold() if m else ""
    if level.unit == "%" and any(_SLA_MISSED.search(s) for s in credit_text):
        return True  # "If GitHub does not meet the SLA, Customer will be entitled to Service Credits"
    return bool(key) and any(key in s.casefold() and not _NO_CREDIT.search(s) for s in credit_text)


def _pool(level: LevelDraft, weight: Span, rules: Rules) -> CreditDraft:
    found = percentages(weight.text)
    source = rules.formula or rules.at_risk or weight
    return CreditDraft(
        "pool",
        source,
        base="At-Risk Amount",
        pool_pct=rules.pool_pct if rules.pool_pct is not None else Decimal(100),
        level_pct=found[0].number if found else None,
        at_risk_pct=rules.at_risk_pct,
    )
