"""Service levels written as tables: tier tables (a measured range per row and the credit it earns) and level
tables (a row per service level, or per severity / priority with a time in each column).

How a table is read:
- a tier table has a credit column (its header names a credit, compensation or refund) and a column of
  percentages. A row whose credit is "None" / "not paid" states the target ("99.9% or higher"); the others
  are tiers. A tier table with no target row is returned as a credit rule for the level stated above it.
- a level table has a value column whose header names what is measured ("Response time", "Target"). With a
  name column ("Service Level", "Metric") each row is one level named by it; otherwise each (row, value
  column) is one level, the metric the column's header and the scope the row's first cell ("Severity 1").
- in a cell that gives a share and a time ("80% of Offered Calls answered within 60 seconds"), the column
  header decides: under a time header ("Execution time") the time is the target; under "Target" the share
  is, and the time stays in `target_text` and in `values["threshold"]` (it defines the event counted, so it
  is part of the metric as written, and the metric's name stays the same when an amendment changes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from knowledge.sla_drafts import Comparison, CreditDraft, LevelDraft, Span, TierDraft
from knowledge.sla_values import Value, comparison_at, durations, percentages
from knowledge.tables import Table, cells, tables_in

MAX_TABLES = 400
MAX_ROWS = 400
MAX_CELL = 2000  # a longer cell is not read for values

_CREDIT_HEAD = re.compile(
    r"(?i)credit|compensation|refund|rebate|discount|penalt|remed|penal[ei]|rimbors|riduzion|sconto"
)
_NAME_HEAD = re.compile(
    r"(?i)^\W*(?:service[ -]levels?|metrics?|kpis?|slas?|measures?|service levels? name|indicator"
    r"|livell[oi][ \t]+di[ \t]+servizio|indicator[ei]|metrica|parametro|misura)\W*$"
)
_TARGET_HEAD = re.compile(
    r"(?i)target|minimum|commitment|standard|threshold|objective|goal"
    r"|garantit|obiettiv|soglia|impegn|valore[ \t]+(?:obiettivo|minimo|atteso|soglia)|requisit"
    r"|livello[ \t]+(?:minimo|atteso)"
)
_TIME_HEAD = re.compile(
    r"(?i)\b(?:time|response|resolution|restor\w*|reply|updates?|frequency|duration|execution|turnaround"
    r"|tempo|tempi|intervento|risposta|ripristino|risoluzione|presa[ \t]+in[ \t]+carico|GTI|GTR|durata|frequenza)\b"
)
_WINDOW_HEAD = re.compile(r"(?i)window|period|measured|finestra|periodo")
_WEIGHT_HEAD = re.compile(r"(?i)weight|allocation")
_NONE_CREDIT = re.compile(
    r"(?i)^\W*(?:none|not paid|no credit|n/?a|nil|0 ?%|-+|—|–|nessun[oa]?|non[ \t]+applicabile|n\.a\.?)?\W*$"
)
_FREQUENCY = re.compile(r"(?i)\b(?:every[ \t]+(?P<unit>hour|day|week|month)|(?P<adverb>hourly|daily|weekly|monthly))\b")
_FREQ_UNITS = {
    "hour": "hours",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "hourly": "hours",
    "daily": "days",
    "weekly": "weeks",
    "monthly": "months",
}
_SEPARATELY = re.compile(r"(?i)separately[ \t]+for[ \t]+(?:each[ \t]+of[ \t]+)?(?:the[ \t]+)?([^.;|\n]{2,80})")
_WINDOW_WORDS = re.compile(
    r"(?i)\b(?:calendar[ \t]+(?:month|quarter|year)|measurement[ \t]+period|reporting[ \t]+period|"
    r"billing[ \t]+(?:month|period|cycle)|service[ \t]+period|rolling[ \t]+\d+[ -]days?(?:[ \t]+period)?)\b"
)
_IT_WINDOW_WORDS = re.compile(
    r"(?i)\b(?:mese[ \t]+(?:civile|solare|di[ \t]+calendario)|trimestre[ \t]+(?:civile|solare)"
    r"|anno[ \t]+(?:civile|solare)|mese|trimestre|semestre|anno"
    r"|(?P<adverb>mensil|trimestral|semestral|annual)(?:e|i|mente))\b"
)
_IT_ADVERBS = {"mensil": "mese", "trimestral": "trimestre", "semestral": "semestre", "annual": "anno"}
_NAMED_TIME = re.compile(r"(?i)respon|resol|restor|repl|acknowledg|update")
_CELL_VERB = re.compile(r"(?i)\b((?:re)?solved|responded|restored|replied|answered)\b")
_VERB_METRIC = {"solve": "resolution time", "resol": "resolution time", "respo": "response time",
                "resto": "restoration time", "repli": "reply time", "answe": "answer time"}  # fmt: skip
_SHARE = re.compile(r"(?i)^(?:availability|uptime)[ \t]+time$")
_REF = re.compile(r"(?i)^\W*(?:SL|KPI|CSL|KSL|SLA|KM|PI)[ -]?\d{1,3}\W*$")
_CODE = re.compile(r"^[A-Z]{2,}(?:[-_][A-Z0-9]+)*[-_ ]\d{1,3}(?:\.\d{1,3})?$")  # "IC-INFRA-SNC-10.1", "SLA 3"
_PER_PERIOD = re.compile(r"[ \t]*/[ \t]*(?P<w>year|month|quarter|anno|mese|trimestre)\b", re.IGNORECASE)


_Raw = tuple[Decimal | None, Decimal | None, bool | None, bool | None, bool, Decimal]
# a range cell read: (low, high, low inclusive, high inclusive, a dash range of two numbers, credit pct)


@dataclass(frozen=True)
class TableFindings:
    """What the tables of a document state: levels, and tier rules with no target row of their own."""

    levels: list[LevelDraft]
    loose: list[CreditDraft]


def clean(text: str) -> str:
    """A cell as words: no Markdown emphasis, HTML breaks, entities, '#' row marks or end colons."""
    text = re.sub(r"(?i)<br\s*/?>|&nbsp;|</?(?:ul|li|p|b|strong|em|i)>", " ", text)
    text = re.sub(
        r"\{%-?[ \t]*data[ \t]+([\w.]{1,200})[ \t]*-?%\}",
        lambda m: re.split(r"[._]", m.group(1))[-1].capitalize(),
        text,
    )
    text = re.sub(r"\*\*|__|\\\*|`", "", text)
    text = re.sub(r"\(in ?%\)|\*+$", "", text)
    text = " ".join(text.split()).strip(" #:*-")
    return text


def _cells(text: str, span: tuple[int, int]) -> list[Span]:
    return [Span.of(text, a, b) for a, b in cells(text, span)]


def table_levels(text: str) -> TableFindings:
    """Every level and loose tier rule the document's tables state, in document order."""
    levels: list[LevelDraft] = []
    loose: list[CreditDraft] = []
    for table in tables_in(text)[:MAX_TABLES]:
        if table.header is None:
            continue
        header = _cells(text, table.header)
        rows = [_cells(text, r) for r in table.rows[:MAX_ROWS]]
        tiers = _tier_table(text, table, header, rows)
        if tiers is not None:
            level, credit = tiers
            if level is not None:
                levels.append(level)
            else:
                loose.append(credit)
            continue
        levels.extend(_level_table(text, table, header, rows))
    return TableFindings(levels, loose)


# -- tier tables -----------------------------------------------------------------------------------
def _tier_table(
    text: str, table: Table, header: list[Span], rows: list[list[Span]]
) -> tuple[LevelDraft | None, CreditDraft] | None:
    credit_col = next(
        (i for i, h in enumerate(header) if _CREDIT_HEAD.search(h.text) and not _WEIGHT_HEAD.search(h.text)), None
    )
    if credit_col is None or not rows:
        return None
    range_col = None
    for i in range(len(header)):
        with_pct = sum(1 for r in rows if i < len(r) and percentages(r[i].text))
        if i != credit_col and with_pct * 2 >= len(rows) and with_pct >= 2:
            range_col = i
            break
    if range_col is None:
        return None
    target_row: tuple[list[Span], tuple[int, int]] | None = None
    raw: list[_Raw] = []
    for cells_, span in zip(rows, table.rows, strict=False):
        if max(range_col, credit_col) >= len(cells_):
            continue
        bounds = _bounds(cells_[range_col].text)
        if bounds is None:
            continue
        paid = percentages(cells_[credit_col].text)
        if not paid and _NONE_CREDIT.match(clean(cells_[credit_col].text)) and target_row is None:
            target_row = (cells_, span)
        elif paid:
            raw.append((*bounds, paid[0].number))
    if not raw:
        return None
    source = Span.of(text, table.start, table.end)
    base = _base(text, rows, credit_col) or _header_base(header[credit_col].text)
    read = _bounds(target_row[0][range_col].text) if target_row else None
    above: _Raw | None = (*read, Decimal(0)) if read else None
    credit = CreditDraft("tiers", source, tiers=_tiers(raw, above), base=base)
    if target_row is None:
        return None, credit
    cells_, span = target_row
    cell = cells_[range_col]
    value = percentages(text, cell.start, cell.end)[0]
    sign = comparison_at(text, value.start, value.end, cell.start)
    values = {"target": Span.of(text, value.start, value.end), "unit": Span.of(text, value.start, value.end)}
    values["credit"] = source
    level = LevelDraft(
        metric=_share_name(clean(header[range_col].text)),
        scope=None,
        comparison=_sign(sign[0] if sign else ">="),
        target=value.number,
        target_text=cell.text,
        unit="%",
        window=None,
        kind="credit",
        credit=credit,
        cap_pct=None,
        section=None,
        quote=Span.of(text, *span),
        values=values,
    )
    return level, credit


_LOW_WORDS = re.compile(
    r"(?i)and[ \t]+(?:above|higher|more)|or[ \t]+(?:higher|more|above|greater)|at[ \t]+least|≥|>=|^\W*>"
    r"|\b(?:o|e)[ \t]+(?:superiore|più|oltre)|\balmeno\b|\bnon[ \t]+inferiore\b|\bpari[ \t]+o[ \t]+superiore\b"
)
_HIGH_WORDS = re.compile(
    r"(?i)less[ \t]+than|below|under|fewer[ \t]+than|^\W*<(?!=)|lower[ \t]+than"
    r"|(?<!non[ \t])\binferiore\b|\bmeno[ \t]+del|\bal[ \t]+di[ \t]+sotto"
)
_HIGH_INCL = re.compile(
    r"(?i)or[ \t]+(?:less|lower|below|fewer)|and[ \t]+below|at[ \t]+most|no[ \t]+more[ \t]+than|≤|<="
    r"|\b(?:o|e)[ \t]+inferiore|\bal[ \t]+massimo\b|\bnon[ \t]+superiore\b|\bpari[ \t]+o[ \t]+inferiore\b"
)


def _bounds(cell: str) -> tuple[Decimal | None, Decimal | None, bool | None, bool | None, bool] | None:
    """(low, high, low_inclusive, high_inclusive, explicit pair) of a range cell."""
    found = percentages(cell)
    if len(found) >= 2:
        pair = sorted(found[:2], key=lambda v: v.number)
        low_sign, high_sign = (comparison_at(cell, v.start, v.end) for v in pair)
        low_inc = {">=": True, ">": False}.get(low_sign[0]) if low_sign else None
        high_inc = {"<=": True, "<": False}.get(high_sign[0]) if high_sign else None
        stated = low_inc is not None or high_inc is not None  # "< 99.9% but >= 99.0%"
        return pair[0].number, pair[1].number, low_inc, high_inc, not stated
    if len(found) != 1:
        return None
    number = found[0].number
    if _HIGH_INCL.search(cell):
        return None, number, None, True, False
    if _HIGH_WORDS.search(cell):
        return None, number, None, False, False
    if _LOW_WORDS.search(cell):
        return number, None, True, None, False
    if re.search(r"(?i)more[ \t]+than|above|greater[ \t]+than|^\W*>|\bsuperiore\b|\boltre\b|\bpiù[ \t]+del", cell):
        return number, None, False, None, False
    return None


def _tiers(raw: list[_Raw], target: _Raw | None = None) -> tuple[TierDraft, ...]:
    """Tiers with their bounds. A dash range ("99.00% - 99.89%") says nothing of its ends: an end no other tier
    (or the target row) shares is inclusive; an end another row states ("< 95.00%", "99.95% and above") is the
    other side of it; an end two dash ranges share ("99.0% - 99.9%", "99.9% - 99.95%") is left unsaid (None)."""
    rows = [*raw, *([target] if target else [])]
    out = []
    for low, high, low_inc, high_inc, pair, pct in raw:
        if pair:
            low_inc = _end(rows, low, "high")
            high_inc = _end(rows, high, "low")
        out.append(TierDraft(low, high, pct, low_inc, high_inc))
    return tuple(out)


def _end(rows: list[_Raw], bound: Decimal | None, side: str) -> bool | None:
    """Whether a dash range includes `bound`, given the rows that meet it from the other side."""
    meeting = [r for r in rows if (r[1] if side == "high" else r[0]) == bound and bound is not None]
    if not meeting:
        return True
    stated = [r[3] if side == "high" else r[2] for r in meeting if not r[4]]
    if stated and stated[0] is not None:
        return not stated[0]
    return None


def _base(text: str, rows: list[list[Span]], col: int) -> str | None:
    """What the credit percentages are of: '5% of monthly fees' -> 'monthly fees'."""
    for r in rows:
        if col < len(r) and percentages(r[col].text):
            m = re.search(r"%[ \t]*(?:of|from)[ \t]+(.{3,160})", r[col].text)
            if m:
                return clean(m.group(1)).rstrip(".")
    return None


_HEADER_BASE = re.compile(
    r"(?i)\(\s*%\s*(?:of|on|del(?:l['’]|la|lo)?|sul(?:l['’]|la|lo)?)[ \t]*(?:the[ \t]+)?([^()]{3,80}?)\s*\)"
)


def _header_base(head: str) -> str | None:
    """What a credit column's percentages are of, as its header says: "Penale (% del canone mensile)"."""
    m = _HEADER_BASE.search(head)
    return clean(m.group(1)) if m else None


def _sign(sign: str) -> Comparison:
    return {">=": ">=", "<=": "<=", ">": ">", "<": "<"}.get(sign, "within")  # type: ignore[return-value]


# -- level tables ----------------------------------------------------------------------------------
def _level_table(text: str, table: Table, header: list[Span], rows: list[list[Span]]) -> list[LevelDraft]:
    heads = [clean(h.text) for h in header]
    name_col = next((i for i, h in enumerate(heads) if _NAME_HEAD.match(h)), None)
    value_cols = [i for i, h in enumerate(heads) if i != name_col and (_TARGET_HEAD.search(h) or _TIME_HEAD.search(h))]
    window_col = next((i for i, h in enumerate(heads) if _WINDOW_HEAD.search(h) and i not in value_cols), None)
    weight_col = next((i for i, h in enumerate(heads) if _WEIGHT_HEAD.search(h)), None)
    pair = _time_and_share(heads, value_cols) if name_col is None else None
    out: list[LevelDraft] = []
    for cells_, span in zip(rows, table.rows, strict=False):
        if pair is not None and (level := _paired_level(text, heads, cells_, span, pair)) is not None:
            out.append(level)  # "| Priorità P1 | 30 min | 95% |": 95% of P1 incidents within 30 minutes
            continue
        if name_col is not None:
            targets = [c for c in value_cols if _TARGET_HEAD.search(heads[c])] or value_cols[:1]
            # the first target column with a value in this row ("| IC-10.1 | Durability ... | 99.9999999% |")
            cols = [c for c in targets if c < len(cells_) and _has_value(text, cells_[c])][:1] or targets[:1]
        else:
            cols = value_cols
        for col in cols:
            if col >= len(cells_) or col == 0:
                continue
            level = _row_level(text, heads, cells_, span, col, name_col, window_col, weight_col)
            if level is not None:
                out.append(level)
    return out


def _has_value(text: str, cell: Span) -> bool:
    return bool(percentages(text, cell.start, cell.end) or durations(text, cell.start, cell.end))


def _time_and_share(heads: list[str], value_cols: list[int]) -> tuple[int, int] | None:
    """A time column and a share column beside it ("Garanzia di tempo di intervento (GTI)", "Obiettivo di
    prestazione"): each row is one level, the share of events within the time."""
    times = [c for c in value_cols if _TIME_HEAD.search(heads[c]) and not _TARGET_HEAD.search(heads[c])]
    shares = [c for c in value_cols if _TARGET_HEAD.search(heads[c]) and not _TIME_HEAD.search(heads[c])]
    if len(times) == 1 and len(shares) == 1 and len(value_cols) == 2:
        return times[0], shares[0]
    return None


def _paired_level(
    text: str, heads: list[str], row: list[Span], span: tuple[int, int], pair: tuple[int, int]
) -> LevelDraft | None:
    time_col, share_col = pair
    if max(pair) >= len(row) or min(pair) == 0:
        return None
    times = durations(text, row[time_col].start, row[time_col].end)
    shares = percentages(text, row[share_col].start, row[share_col].end)
    if len(times) != 1 or len(shares) != 1:
        return None
    share, time = shares[0], times[0]
    found = comparison_at(text, share.start, share.end, row[share_col].start)
    lo, hi = (found[1], found[2]) if found and found[0] != "within" else (share.start, share.end)
    values = {
        "target": Span.of(text, share.start, share.end),
        "unit": Span.of(text, share.start, share.end),
        "threshold": Span.of(text, time.start, time.end),
        "target_text": Span.of(text, lo, hi),
    }
    first = clean(row[0].text)
    return LevelDraft(
        metric=_metric_of(heads[time_col], row[time_col].text),
        scope=first or None,
        comparison=_sign(found[0] if found else ">="),
        target=share.number,
        target_text=text[lo:hi],
        unit="%",
        window=None,
        kind="report",
        credit=None,
        cap_pct=None,
        section=None,
        quote=Span.of(text, *span),
        values=values,
    )


def _row_level(
    text: str,
    heads: list[str],
    row: list[Span],
    span: tuple[int, int],
    col: int,
    name_col: int | None,
    window_col: int | None,
    weight_col: int | None,
) -> LevelDraft | None:
    cell = row[col]
    if not cell.text or len(cell.text) > MAX_CELL:
        return None
    target = _target(text, cell, timed=bool(_TIME_HEAD.search(heads[col]) and not _TARGET_HEAD.search(heads[col])))
    if target is None:
        return None
    value, sign, threshold, words = target
    values = {"target": Span.of(text, value.start, value.end), "unit": Span.of(text, value.start, value.end)}
    values["target_text"] = words
    if threshold is not None:
        values["threshold"] = Span.of(text, threshold.start, threshold.end)
    first = clean(row[0].text) if row else ""
    if _REF.match(first):
        values["ref"] = row[0]
    scope: str | None = None
    if name_col is not None and name_col < len(row):
        metric = clean(row[name_col].text)
        if _CODE.match(metric):  # "IC-INFRA-SNC-10.1": a reference; the words beside it name the level
            values["ref"] = row[name_col]
            named = [clean(c.text) for i, c in enumerate(row) if i not in (name_col, col) and not _has_value(text, c)]
            metric = next((w for w in named if re.search(r"[^\W\d_]{3}", w)), metric)
    else:
        metric, scope = _metric_of(heads[col], cell.text), first or None
    window = None
    if window_col is not None and window_col < len(row):
        window, scope = _window_cell(text, row[window_col], values, scope)
    elif per := _PER_PERIOD.match(text, value.end, cell.end):  # "99.9999999% / year"
        window = per.group("w")
        values["window"] = Span.of(text, per.start("w"), per.end("w"))
    kind = "report"
    if weight_col is not None and weight_col < len(row) and (weights := percentages(row[weight_col].text)):
        values["level_pct"] = Span.of(
            text, row[weight_col].start + weights[0].start, row[weight_col].start + weights[0].end
        )
        kind = "credit" if weights[0].number > 0 else "report"
    if not metric:
        return None
    return LevelDraft(
        metric=metric,
        scope=scope,
        comparison=sign,
        target=value.number,
        target_text=words.text,
        unit=value.unit,
        window=window,
        kind="credit" if kind == "credit" else "report",
        credit=None,
        cap_pct=None,
        section=None,
        quote=Span.of(text, *span),
        values=values,
    )


def _metric_of(head: str, cell: str) -> str:
    """The metric a value column measures; "Restoration / Resolution time" with a cell "Resolution within 8
    hours" is "Resolution time"."""
    options = [p.strip() for p in re.split(r"[ \t]*/[ \t]*", head) if p.strip()]
    if len(options) > 1:
        word = cell.split()[0].casefold() if cell.split() else ""
        tail = options[-1].split()[1:] if len(options[-1].split()) > 1 else []
        for option in options:
            if option.split()[0].casefold() == word:
                return " ".join([option.split()[0], *tail]) if len(option.split()) == 1 else option
    if not _NAMED_TIME.search(head) and (verb := _CELL_VERB.search(cell)):
        return _VERB_METRIC[verb.group(1).casefold()[:5]]  # "Execution time" of "... requests are solved in 2h"
    return head


def _share_name(head: str) -> str:
    """A percentage column's metric: "Availability time (in%)" measures availability, the share of the time."""
    return re.sub(r"(?i)[ \t]+time$", "", head) if _SHARE.search(head) else head or "availability"


def _target(text: str, cell: Span, timed: bool) -> tuple[Value, Comparison, Value | None, Span] | None:
    """The target value in a cell, its comparison, the time that defines the counted event (if any), and the
    words that state the target: from the comparison to the value, or to the time ("80% ... within 60 seconds")."""
    pcts = percentages(text, cell.start, cell.end)
    times = durations(text, cell.start, cell.end)
    if len(times) > 1 and not pcts:
        return None  # several times in one cell ("30 minutes for Urgent, 4 hours for High"): not one level
    if times and (timed or not pcts):
        value, default, threshold = times[0], "within", None
    elif pcts:
        value, default, threshold = pcts[0], ">=", (times[0] if times else None)
    else:
        freq = _FREQUENCY.search(text, cell.start, cell.end)
        if freq is None:
            return None
        unit = _FREQ_UNITS[(freq.group("unit") or freq.group("adverb")).casefold()]
        return Value(Decimal(1), unit, freq.start(), freq.end()), "<=", None, Span.of(text, freq.start(), freq.end())
    found = comparison_at(text, value.start, value.end, cell.start)
    lo, hi = (found[1], found[2]) if found and found[0] != "within" else (value.start, value.end)
    if threshold is not None and threshold.end > hi:
        hi = threshold.end
    return value, _sign(found[0] if found else default), threshold, Span.of(text, lo, hi)


def _window_cell(text: str, cell: Span, values: dict[str, Span], scope: str | None) -> tuple[str | None, str | None]:
    m = _WINDOW_WORDS.search(text, cell.start, cell.end)
    window = None
    if m:
        window = " ".join(m.group(0).split())
        window = (
            window[0].upper() + window[1:] if window.casefold().startswith(("measurement", "reporting")) else window
        )
        values["window"] = Span.of(text, m.start(), m.end())
    elif it := _IT_WINDOW_WORDS.search(text, cell.start, cell.end):  # "Trimestrale", "mese solare"
        adverb = it.group("adverb")
        window = _IT_ADVERBS[adverb.casefold()] if adverb else " ".join(it.group(0).casefold().split())
        values["window"] = Span.of(text, it.start(), it.end())
    sep = _SEPARATELY.search(text, cell.start, cell.end)
    if sep:
        values["scope"] = Span.of(text, sep.start(1), sep.end(1))
        scope = sep.group(1).strip()
    elif scope is not None and values.get("ref") is not None:
        scope = None  # a reference ("SL1") names the level, it is no scope
    return window, scope
