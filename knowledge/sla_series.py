"""Rules over a series of periods as a contract writes them: earn-back and chronic (or "multiple") failure.

- Earn-back: a sentence that earns back, recovers, refunds, reverses or waives a failure's credit when the level
  is met in each of N periods following it. Its share is the percentage the sentence gives of the credit, else
  100 (the credit is waived or reversed in full). Level references it is "not available for" ("SL8") and a
  failure that "forms part of a Chronic ..." are kept so they earn nothing.
- Chronic failure: a sentence about a chronic or multiple failure, or about a failure that gives a right to
  terminate, stating "N consecutive months", "N out of any M consecutive months" or "N months (with)in a
  rolling M-month period"; several tests joined by "or" are kept in order. Its remedy is the sentence giving
  the right (that sentence itself, or the first other one that names the failure and a remedy).

Each value keeps the span it came from; a document with neither clause has none (no default applies).
`on_levels` puts them on the levels they apply to: earn-back on each credit level it is not excluded for;
chronic failure on the levels its sentence names, else on all of them (the "Critical" ones where it says so).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from knowledge.sla_drafts import ChronicDraft, ChronicTest, EarnBackDraft, LevelDraft, Span
from knowledge.sla_values import WORD_NUMBERS, figure, percentages
from knowledge.sla_words import ITALIAN_NUMBER, italian_number

_MAX_SENTENCE = 1500
_MEASURED_WORD = re.compile(  # as knowledge.slas reads
    r"(?i)uptime|availab|response|resol|restor|reply|answer|disponibilit|rispost|risoluzion|ripristin|intervent"
)
_WORDS = "|".join(sorted((w for w in WORD_NUMBERS if len(w) > 2), key=len, reverse=True))
# "three (3)", "3", "three", "3 (three)"
_N = rf"(?:(?i:{_WORDS})[ \t]*\([ \t]*\d{{1,2}}[ \t]*\)|\d{{1,2}}(?:[ \t]*\((?i:{_WORDS})\))?|(?i:{_WORDS}))"
_PERIODS = r"(?:(?:calendar[ \t]+|measurement[ \t]+|consecutive[ \t]+|full[ \t]+|successive[ \t]+)*"
_PERIODS += r"(?:months?|quarters?|measurement[ \t]+periods?|periods?|reporting[ \t]+periods?))"
_EARN = re.compile(
    r"(?i)\bearn(?:ed)?[- \t]?backs?\b|\bearn(?:s|ed)?[ \t]+back\b|\brecover\w*\b|\brefund\w*\b"
    r"|\b(?:credits?|it)[ \t]+(?:shall|will)[ \t]+be[ \t]+(?:reversed|waived|cancell?ed|returned|forgiven)\b"
)
_CREDIT = re.compile(r"(?i)\b(?:service[ \t]+)?credits?\b")
_FOLLOWING = re.compile(
    rf"(?:each[ \t]+of[ \t]+the[ \t]+|the[ \t]+next[ \t]+|the[ \t]+)?(?P<n>{_N})[ \t]+{_PERIODS}[ \t]+"
    r"(?:immediately[ \t]+)?(?:following|after|subsequent|thereafter|succeeding)"
    rf"|(?:following|next|subsequent|succeeding)[ \t]+(?P<n2>{_N})[ \t]+{_PERIODS}",
    re.IGNORECASE,
)
_NOT_FOR = re.compile(
    r"(?i)\b(?:is[ \t]+not[ \t]+available|does[ \t]+not[ \t]+apply|shall[ \t]+not[ \t]+apply|not[ \t]+apply)"
    r"[ \t]+(?:to|for)\b"
)
_REF = re.compile(r"\b(?:SL|CSL|KSL|KPI|SLA)[ \t]?-?\d{1,3}\b")
_IN_CHRONIC = re.compile(r"(?i)\b(?:part[ \t]+of|within|during)[ \t]+(?:a|any)[ \t]+chronic\b")
_CHRONIC = re.compile(
    r"(?i)\bchronic\b|\bmultiple[ \t]+failures?\b|\bpersistent[ \t]+(?:service[ \t]+)?failures?\b"
    r"|\binadempimento[ \t]+(?:grave|reiterato|ripetuto)\b"
    r"|\b(?:reiterat|ripetut)[oia][ \t]+(?:mancat|violazion|inadempi)"
)
_FAILS = re.compile(
    r"(?i)\bfail\w*|\bnot[ \t]+(?:be[ \t]+)?met\b|\bnot[ \t]+meet\b|\bmiss\w*|\bbelow\b|\bbreach\w*"
    r"|\bmancato[ \t]+rispetto\b|\bnon[ \t]+(?:sia|venga|viene|è|sono|siano|vengano)[ \t]+(?:rispettat|raggiunt)\w*"
    r"|\bviolazion\w*|\binadempi\w*|\bal[ \t]+di[ \t]+sotto\b"
)
_REMEDY = re.compile(
    r"(?i)\bterminat\w*|\bstep[- ]in\b|\bremediation[ \t]+plan\b|\bescalat\w*"
    r"|\brisoluzione\b|\brisolvere\b|\bricorrere[ \t]+alla[ \t]+risoluzione|\brecesso\b|\brecedere\b"
    r"|\bpiano[ \t]+di[ \t]+(?:rientro|miglioramento|azioni[ \t]+correttive)\b"
)
_N_IT = (
    rf"(?:(?i:{ITALIAN_NUMBER})[ \t]*\([ \t]*\d{{1,2}}[ \t]*\)|\d{{1,2}}(?:[ \t]*\((?i:{ITALIAN_NUMBER})\))?"
    rf"|(?i:{ITALIAN_NUMBER}))"
)
_UNIT_IT = r"(?:mes[ei]|trimestr[ei]|period[oi][ \t]+di[ \t]+(?:misurazione|osservazione|riferimento)|rilevazion[ei])"
_UNIT = r"(?:(?:calendar[ \t]+|measurement[ \t]+)?(?:months?|quarters?|measurement[ \t]+periods?|periods?))"
_TESTS = re.compile(
    # "two (2) out of any three (3) consecutive months"
    rf"(?P<a_run>{_N})[ \t]+(?:{_UNIT}[ \t]+)?(?:out[ \t]+)?of[ \t]+(?:any[ \t]+|the[ \t]+)?(?:last[ \t]+)?"
    rf"(?P<a_within>{_N})[ \t]+(?:consecutive|successive|rolling)[ \t]+{_UNIT}"
    # "3 Measurement Periods within any rolling period of 6 consecutive Measurement Periods",
    # "any 3 months in a rolling 12-month period", "three (3) months of a rolling twelve (12) month period"
    rf"|(?P<b_run>{_N})[ \t]+{_UNIT}[ \t]+(?:(?:with)?in|of|during)[ \t]+(?:a|any|each)[ \t]+rolling[ \t]+"
    rf"(?:period[ \t]+of[ \t]+)?(?P<b_within>{_N})[ \t]*[- ][ \t]*(?:consecutive[ \t]+)?{_UNIT}"
    # "three (3) consecutive months", "2 consecutive Measurement Periods"
    rf"|(?P<c_run>{_N})[ \t]+(?:consecutive|successive)[ \t]+{_UNIT}"
    rf"|(?P<d_run>{_N})[ \t]+{_UNIT}[ \t]+(?:in[ \t]+a[ \t]+row|running)\b"
    # Italian: "per tre (3) mesi consecutivi", "3 volte (anche non consecutive) nell'arco di 12 mesi"
    rf"|(?P<e_run>{_N_IT})[ \t]+{_UNIT_IT}[ \t]+(?:consecutiv[ie]|successiv[ie]|di[ \t]+seguito)\b"
    rf"|(?P<f_run>{_N_IT})[ \t]+(?:volte|{_UNIT_IT})"
    r"(?:[ \t]*\(?[ \t]*anche[ \t]+non[ \t]+consecutiv[ie][ \t]*\)?)?[ \t]+"
    r"(?:nell['’]arco[ \t]+di|in|su|nel[ \t]+corso[ \t]+di|nell['’]ambito[ \t]+di)[ \t]+"
    r"(?:un[ \t]+periodo[ \t]+di[ \t]+)?"
    rf"(?P<f_within>{_N_IT})[ \t]+{_UNIT_IT}",
    re.IGNORECASE,
)
_OF_CREDIT = re.compile(r"[ \t]+of[ \t]+(?:the|that|such|any|its|each)?[ \t]*(?:[\w-]+[ \t]+){0,3}?credits?\b", re.I)


@dataclass(frozen=True)
class SeriesTerms:
    """A document's earn-back and chronic-failure clauses (None: it states none)."""

    earn_back: EarnBackDraft | None
    chronic: ChronicDraft | None
    chronic_critical_only: bool = False  # the chronic clause names "Critical" service levels only


def on_levels(levels: Sequence[LevelDraft], series: SeriesTerms) -> list[LevelDraft]:
    """The levels with the document's earn-back and chronic-failure clauses on those they apply to."""
    if series.earn_back is None and series.chronic is None:
        return list(levels)
    named = _named_in_chronic(list(levels), series)
    return [_on_level(lv, series, named) for lv in levels]


def _on_level(level: LevelDraft, series: SeriesTerms, named: list[LevelDraft]) -> LevelDraft:
    """The document's earn-back and chronic-failure clauses on a level they apply to: earn-back on a credit level
    it is not excluded for ("not available for SL8": the level's row starts with that reference); chronic failure
    on the levels its sentence names (by what they measure, or their target's words), else on every level, or on
    the "Critical" ones only where the clause says so."""
    earn, chronic = series.earn_back, series.chronic
    if earn is not None and (level.kind != "credit" or _ref_of(level) in earn.excludes):
        earn = None
    if chronic is not None and series.chronic_critical_only and not re.search(r"\bCritical\b", level.quote.text):
        chronic = None
    if chronic is not None and named and not any(level is n for n in named):
        chronic = None
    if earn is None and chronic is None:
        return level
    return replace(level, earn_back=earn, chronic=chronic)


def _named_in_chronic(levels: list[LevelDraft], series: SeriesTerms) -> list[LevelDraft]:
    """The levels the chronic-failure sentence names ("does not meet the Target Uptime": the uptime level)."""
    if series.chronic is None:
        return []
    said = series.chronic.source.text.casefold()
    named = []
    for level in levels:
        key = _MEASURED_WORD.search(level.metric)
        words = level.target_text.casefold() if level.target is None and level.target_text else ""
        if (key and key.group(0).casefold() in said) or (words and words in said):
            named.append(level)
    return named


def _ref_of(level: LevelDraft) -> str | None:
    """A table row's reference ("| SL8 | Severity 1 ..." -> "SL8"), if its first cell is one."""
    m = re.match(r"\|?[ \t]*([A-Z]{2,4}[ \t]?-?\d{1,3})[ \t]*\|", level.quote.text)
    return m.group(1).replace(" ", "") if m else None


def count_of(text: str) -> int | None:
    """'three (3)' -> 3, '6' -> 6, 'twelve' -> 12 (None when it is no count)."""
    m = re.search(r"\d{1,2}", text)
    if m:
        value = figure(m.group(0))
        return int(value) if value is not None else None
    word = text.strip().casefold()
    if word in ("a", "an"):
        return None
    return WORD_NUMBERS.get(word) or italian_number(word)


def read_series(text: str, sentences: Sequence[tuple[int, int]]) -> SeriesTerms:
    """The first earn-back and the first chronic-failure clause of a document's sentences (outside tables)."""
    usable = [(a, b) for a, b in sentences if b - a <= _MAX_SENTENCE]
    earn = next((e for i, (a, b) in enumerate(usable) if (e := earn_back_at(text, a, b, usable[i + 1 :]))), None)
    for a, b in usable:
        chronic = chronic_at(text, a, b, usable)
        if chronic is not None:
            critical = bool(re.search(r"\bCritical\b", text[a:b]))
            return SeriesTerms(earn, chronic, critical)
    return SeriesTerms(earn, None)


def earn_back_at(text: str, a: int, b: int, after: Sequence[tuple[int, int]] = ()) -> EarnBackDraft | None:
    """The earn-back stated in the sentence text[a:b], if it states one (the next sentence may limit it)."""
    earn = _EARN.search(text, a, b)
    if earn is None or not _CREDIT.search(text, a, b):
        return None
    following = _FOLLOWING.search(text, a, b)
    if following is None:
        return None
    group = "n" if following.group("n") else "n2"
    periods = count_of(following.group(group))
    if not periods:
        return None
    values = {"periods": Span.of(text, following.start(group), following.end(group))}
    limits = [(a, b)]
    if after and _EARN.search(text, *after[0]):
        limits.append(after[0])  # "Earn-back is not available for SL8 ...", "25% of it is earned back" next
    found = (p for la, lb in limits for p in percentages(text, la, lb) if _OF_CREDIT.match(text, p.end, lb))
    share = next(found, None)
    pct = share.number if share is not None else None
    if share is not None:
        values["pct"] = Span.of(text, share.start, share.end)
    excludes: list[str] = []
    not_in_chronic = False
    for la, lb in limits:
        stop = _NOT_FOR.search(text, la, lb)
        if stop is not None:
            excludes += [m.group(0).replace(" ", "") for m in _REF.finditer(text, stop.end(), lb)]
            not_in_chronic = not_in_chronic or bool(_IN_CHRONIC.search(text, stop.end(), lb))
    return EarnBackDraft(
        periods,
        pct if pct is not None else Decimal(100),
        Span.of(text, a, b),
        values,
        tuple(dict.fromkeys(excludes)),
        not_in_chronic,
    )


def chronic_at(text: str, a: int, b: int, sentences: Sequence[tuple[int, int]] = ()) -> ChronicDraft | None:
    """The chronic-failure tests stated in the sentence text[a:b], with the remedy they trigger."""
    named = _CHRONIC.search(text, a, b)
    remedy_here = _REMEDY.search(text, a, b)
    if named is None and not (remedy_here and _FAILS.search(text, a, b)):
        return None
    tests: list[ChronicTest] = []
    values: dict[str, Span] = {}
    for m in _TESTS.finditer(text, a, b):
        for kind in "abcdef":
            run_text = m.group(f"{kind}_run")
            if run_text is None:
                continue
            run = count_of(run_text)
            within_group = f"{kind}_within" if kind in "abf" else None
            within = count_of(m.group(within_group)) if within_group else None
            if not run or (within_group and (not within or within < run)):
                break
            if not values:
                values["run"] = Span.of(text, m.start(f"{kind}_run"), m.end(f"{kind}_run"))
                if within_group:
                    values["within"] = Span.of(text, m.start(within_group), m.end(within_group))
            tests.append(ChronicTest(run, within))
            break
    if not tests:
        return None
    remedy = Span.of(text, a, b) if remedy_here else _remedy(text, named.group(0) if named else "", sentences, a)
    return ChronicDraft(tuple(tests), Span.of(text, a, b), remedy, values)


def _remedy(text: str, name: str, sentences: Sequence[tuple[int, int]], own: int) -> Span | None:
    """The first other sentence naming the failure (its term's word) and a remedy."""
    if not name:
        return None
    word = re.compile(re.escape(name.split()[0]), re.IGNORECASE)
    for a, b in sentences:
        if a != own and word.search(text, a, b) and _REMEDY.search(text, a, b):
            return Span.of(text, a, b)
    return None
