"""Service levels written as sentences: "Provider will make the Cloud Service available 99.9% of the time in
each month", "The response time to the appeal is no more than 60 minutes", "... at least the Target Uptime".

A sentence states a level when it names what is measured (uptime, availability, response, resolution,
reply, restoration) and gives a target: a percentage, a time with its unit, or a capitalised variable
after a comparison ("at least the Target Uptime": target None). Sentences about credits, claims, notices
and definitions state rules or terms, not levels, and are left to `knowledge.sla_rules`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.sla_drafts import Comparison, LevelDraft, Span
from knowledge.sla_values import Value, comparison_at, durations, percentages

MAX_SENTENCE = 1500

_PERCENT_METRIC = re.compile(
    r"(?i)\b(?:(?:monthly|quarterly|annual)[ \t]+)?(?:uptime|availability|available)(?:[ \t]+percentage)?\b"
    # "tasso di disponibilità mensile", "disponibilità garantita", "percentuale di disponibilità"
    r"|(?i:\b(?:(?:tasso|percentuale|livello)[ \t]+di[ \t]+)?disponibilit[àa]"
    r"(?:[ \t]+(?:mensile|trimestrale|annuale))?)"
)
_TIME_METRIC = re.compile(
    r"(?i)\b(?:respond|response|reply|replies|resolved?|solved|restored?|acknowledged?)\b"
    r"|(?i:\b(?:tempo|tempi|garanzia[ \t]+di[ \t]+tempo)[ \t]+di[ \t]+"
    r"(?:risposta|intervento|ripristino|risoluzione|presa[ \t]+in[ \t]+carico)\b"
    r"|\b(?:presa[ \t]+in[ \t]+carico|GTI|GTR)\b"
    # "il ripristino del servizio entro 4 ore", "risolti entro 8 ore lavorative", "risposta entro 30 minuti"
    r"|\b(?:ripristin\w*|risoluzione|risolt[oiae]|risolv\w*|rispost[ae]|intervento)\b)"
)
# "risoluzione del contratto" is its termination, not a resolution time
_TERMINATION_IT = re.compile(
    r"(?i)\b(?:risoluzione|risolv\w*)[ \t]+(?:di[ \t]+diritto[ \t]+)?(?:del|della|dell['’]|il|la|lo)[ \t]*"
    r"(?:presente[ \t]+)?(?:contratto|convenzione|accordo|rapporto)"
)
_NOT_A_LEVEL = re.compile(
    r"(?i)\b(?:credits?|compensation|disputes?|refunds?|terminat\w*|invoices?|notif\w*|notices?|means|defined|excluded|"
    r"excluding|remed\w*|liabilit\w*|if[ \t]+(?:we|provider|the[ \t]+service)[ \t]+(?:don['’]t|does[ \t]+not|fails?))\b"
    # Italian: credits, penalties, claims, notices, definitions, exclusions and examples state rules or terms
    r"|(?i:\b(?:credit[oi]|penal[ei]|penalità|risarciment\w*|rimbors\w*|reclam\w*|contestazion\w*|notific\w*|"
    r"preavvis\w*|recess\w*|indica|significa|si[ \t]+intende|esclus[oiae]|escludendo|ad[ \t]+esempio|per[ \t]+esempio|"
    r"mancato[ \t]+rispetto|non[ \t]+viene[ \t]+raggiunt[oa])\b)"
)
_VARIABLE = re.compile(
    r"(?:at[ \t]+least|within|at[ \t]+or[ \t]+above|meet)[ \t]+the[ \t]+((?:Target|Minimum)(?:[ \t]+[A-Z][a-z]+){1,3})"
)
_WINDOWS = [
    re.compile(r"(?i)\brolling[ \t]+(?:\d{1,3}|[a-z]{3,9}(?:[ \t]*\(\d{1,3}\))?)[ \t-]+(?:days?|weeks?|months?)\b"),
    re.compile(
        r"(?i)\b(?:calendar[ \t]+(?:month|quarter|year)|measurement[ \t]+period|reporting[ \t]+period|"
        r"billing[ \t]+(?:month|cycle|period))\b"
    ),
    re.compile(
        r"(?i)\b(?:mese[ \t]+(?:civile|solare|di[ \t]+calendario)|trimestre[ \t]+(?:civile|solare)|"
        r"anno[ \t]+(?:civile|solare)|periodo[ \t]+di[ \t]+(?:misurazione|osservazione|riferimento))\b"
    ),
    re.compile(r"(?i)\b(?:month|quarter|year)\b"),
    re.compile(r"(?i)\b(?:monthly|quarterly|annual)\b"),
    re.compile(r"(?i)\b(?:mese|trimestre|anno)\b"),
    re.compile(r"(?i)\b(?:mensil(?:e|i|mente)|trimestral(?:e|i|mente)|annual(?:e|i|mente))\b"),
]
_OF_THE_TIME = re.compile(r"[ \t]+of[ \t]+the[ \t]+time\b")
_ADVERB = {"monthly": "month", "quarterly": "quarter", "annual": "year"}
_IT_ADVERB = {"mensil": "mese", "trimestral": "trimestre", "annual": "anno"}
_IT_ADVERB_WORD = re.compile(r"(?i)(mensil|trimestral|annual)(?:e|i|mente)")
_SCOPE = re.compile(
    r"\b(?:Severity|Priority|Sev|P)[ \t]?[0-9]\b|\b(?:Urgent|Critical|High|Medium|Low)[ \t]+priority\b"
    r"|\b(?:Priorità|Gravità|Severità)[ \t]+(?:P[ \t]?)?[0-9]\b"
)
# a level written as a list item with its name before a colon: "- **SLA 3 : IC-INFRA_SNC-03** -- Affidabilità del
# backup: tasso di disponibilità garantito del 99,99%" is the level "Affidabilità del backup"
_LABELLED = re.compile(r"[ \t]*[-*+][ \t]+[^\n]{0,80}?[ \t](?:--|–|—)[ \t]*(?P<label>[^:\n]{3,120}?)[ \t]*:[ \t]")
_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,2}[.)])[ \t]")
_EXAMPLE = re.compile(r"(?i)\b(?:ad|per)[ \t]+esempio\b|\bes\.[ \t]")


def window_in(text: str, a: int, b: int) -> tuple[str, Span] | None:
    """The measurement window named in text[a:b] ('calendar month', 'quarter'), most specific first."""
    for pattern in _WINDOWS:
        m = pattern.search(text, a, b)
        if m:
            word = " ".join(m.group(0).split())
            word = _ADVERB.get(word.casefold(), word)
            if adverb := _IT_ADVERB_WORD.fullmatch(word):
                word = _IT_ADVERB[adverb.group(1).casefold()]
            return word, Span.of(text, m.start(), m.end())
    return None


def prose_levels(text: str, sentences: list[tuple[int, int]]) -> list[LevelDraft]:
    """The levels the sentences (spans into text, outside tables) state, in order."""
    out: list[LevelDraft] = []
    intro: tuple[str, Span] | None = None  # the window of the sentence introducing a list ("calcolate mensilmente:")
    for a, b in sentences:
        item = _ITEM.match(text, a, b) is not None
        if not item:
            intro = window_in(text, a, b) if text[a:b].rstrip(" *").endswith(":") else None
        if b - a > MAX_SENTENCE or _NOT_A_LEVEL.search(text, a, b):
            continue
        for level in _levels_of(text, a, b):
            if item and level.window is None and intro is not None:
                level = replace(level, window=intro[0], values={**level.values, "window": intro[1]})
            out.append(level)
    return out


def _levels_of(text: str, a: int, b: int) -> list[LevelDraft]:
    out: list[LevelDraft] = []
    labelled = _LABELLED.match(text, a, min(b, a + 300))
    label = " ".join(labelled.group("label").replace("**", "").split()) if labelled else None
    metric = _PERCENT_METRIC.search(text, a, b)
    if metric:
        pcts = [p for p in percentages(text, a, b) if p.number >= 50 and not _example(text, a, p)]
        if pcts:
            out.append(_level(text, a, b, label or _percent_name(metric.group(0)), pcts[0], ">="))
    time = _TIME_METRIC.search(text, a, b)
    if time and _TERMINATION_IT.match(text, time.start(), b):
        time = None
    if time:
        found = [
            d for d in durations(text, a, b) if d.unit != "months" and _governs(time, d) and not _example(text, a, d)
        ]
        name = label or _time_name(text, a, b, time.group(0))
        out.extend(_level(text, a, b, name, d, "within") for d in found[:3])
    variable = _VARIABLE.search(text, a, b)
    if not out and variable and (metric or time):
        term = variable.group(1)
        name = re.sub(r"^(?:Target|Minimum)[ \t]+", "", term)
        if time and not metric:
            name = _time_name(text, a, b, time.group(0))
        sign: Comparison = "within" if variable.group(0).casefold().startswith("within") else ">="
        target = Span.of(text, variable.start(1), variable.end(1))
        out.append(_draft(text, a, b, name, None, term, "", sign, {"target": target}))
    return out


def _example(text: str, a: int, value: Value) -> bool:
    """Whether the value is given as an example ("ad esempio tempo medio dell'85% delle richieste"): no target."""
    return _EXAMPLE.search(text, max(a, value.start - 80), value.start) is not None


def _governs(cue: re.Match[str], value: Value) -> bool:
    """Whether the time is the cue's: after it ("respond ... within 4 hours") or just before ("8-hour response")."""
    return cue.start() < value.start < cue.end() + 120 or 0 <= cue.start() - value.end <= 2


def _percent_name(found: str) -> str:
    return "availability" if found.casefold() == "available" else " ".join(found.split())


_IT_TIME_NAMES = {
    "rispost": "tempo di risposta",
    "intervent": "tempo di intervento",
    "ripristin": "tempo di ripristino",
    "risol": "tempo di risoluzione",
    "gti": "tempo di intervento",
    "gtr": "tempo di risoluzione",
}


def _time_name(text: str, a: int, b: int, cue: str) -> str:
    word = cue.casefold()
    italian = re.search(r"rispost|intervent|ripristin|risol|presa[ \t]+in[ \t]+carico|^gti$|^gtr$", word)
    if italian:
        key = italian.group(0)
        return _IT_TIME_NAMES.get(key, "tempo di presa in carico")
    base = (
        "reply time" if word.startswith("repl")
        else "resolution time" if word.startswith(("resol", "solv"))
        else "restoration time" if word.startswith("restor")
        else "response time"
    )  # fmt: skip
    if base == "response time" and re.search(r"(?i)\binitial[ \t]+response", text[a:b]):
        base = "initial response time"
    if base == "response time" and re.search(r"(?i)\bsupport\b", text[a:b]):
        base = "support response time"
    return base


def _level(text: str, a: int, b: int, metric: str, value: Value, default: Comparison) -> LevelDraft:
    found = comparison_at(text, value.start, value.end, a)
    sign: Comparison = found[0] if found else default  # type: ignore[assignment]
    if value.unit != "%" and sign in {"<=", "<"} and default == "within":
        sign = "<="
    lo, hi = (found[1], found[2]) if found else (value.start, value.end)
    if value.unit == "%" and (tail := _OF_THE_TIME.match(text, hi, b)):
        hi = tail.end()
    spans = {"target": Span.of(text, value.start, value.end), "unit": Span.of(text, value.start, value.end)}
    if found:
        spans["comparison"] = Span.of(text, lo, hi)
    return _draft(text, a, b, metric, value, text[lo:hi], value.unit, sign, spans)


def _draft(
    text: str,
    a: int,
    b: int,
    metric: str,
    value: Value | None,
    target_text: str,
    unit: str,
    sign: Comparison,
    spans: dict[str, Span],
) -> LevelDraft:
    window = window_in(text, a, b)
    if window:
        spans["window"] = window[1]
    scope = _SCOPE.search(text, a, b)
    return LevelDraft(
        metric=metric,
        scope=scope.group(0) if scope else None,
        comparison=sign,
        target=value.number if value else None,
        target_text=target_text,
        unit=unit,
        window=window[0] if window else None,
        kind="report",
        credit=None,
        cap_pct=None,
        section=None,
        quote=Span.of(text, a, b),
        values=spans,
    )
