"""Deadline extraction on CUAD (issue 13): the dates and periods `knowledge.deadlines` drafts, against CUAD's
lawyers' normalised answers, beside a simple baseline read in the same run.

    nice .venv/bin/python benchmarks/deadlines_cuad.py ../shared/bench/cuad [--limit N] [--out FILE.json]

Over every contract of `contracts/*.txt` (510), for five categories of `questions.jsonl` (`answer_normalized`):

- Agreement Date: the date the agreement gives itself on its first lines (`deadline_effective.agreement_date`,
  the reader the effective date falls back to), else its effective date, else the first date of its sentences;
- Effective Date: the `effective` obligation's date, when the agreement states one (not the agreement's own
  date, anchor "signature", which CUAD counts as its Agreement Date alone);
- Expiration Date: the `term-end` obligation's written date, or its length from the effective date
  (`bot.deadlines.dates.term_end`: the day before the anniversary), or "perpetual" when the agreement is
  evergreen and states no end;
- Expiration Date (anniversary): the same, with a length counted to the anniversary itself
  (`bot.deadlines.dates.shift`), which is how CUAD's lawyers wrote most computed ends ("three (3) years from
  the Effective Date" of 2/1/18 is 2/1/21): Liaison's term ends the day before, its last day;
- Renewal Term: the `renewal` obligation's period, automatic or by option (an evergreen agreement, "continues
  until terminated", has none: CUAD marks 7 of its 176 answers "perpetual", and most evergreen clauses not at all);
- Notice Period To Terminate Renewal: the `non-renewal-notice` obligation's period.

A contract with no question in a category is one where CUAD found no such value; so is an answer with blanks
("[]/[]/2019") or none. Such a contract expects "no value". Scores per category: `accuracy` = exact matches
over the contracts with a value; `none_right` / `none_wrong` = the share of all contracts where the reader says
"no value can be computed" and CUAD has none / has one; `value_wrong` = the share where it gives a value and
CUAD has none; `overall` = the share of all contracts read rightly (the right value, or rightly none). Dates
match on month, day and year (a two-digit year on its last two digits); periods on amount and unit, 12 months =
1 year, "successive" ignored. An answer listing several values ("6 months; 12 months") matches any of them.

Baselines: the first date of the contract (Agreement, Effective Date); that date plus the first period written
after the word "term" (Expiration Date); the first period after "renew" (Renewal Term); the first period
within 200 characters of "renew" (Notice Period). The first 200 contracts (sorted names) are the development
set; the other 310 are held out and reported apart.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CATEGORIES = (
    "Agreement Date",
    "Effective Date",
    "Expiration Date",
    ANNIVERSARY := "Expiration Date (anniversary)",
    "Renewal Term",
    "Notice Period To Terminate Renewal",
)
DEV = 200
PERPETUAL = "perpetual"
Value = tuple[Any, ...] | str  # a date as (month, day, year, digits), a period as (amount, unit), or "perpetual"


def gold_values(category: str, answer: str | None) -> set[Value]:
    """CUAD's normalised answer as the values it accepts; empty when it states none that can be computed."""
    if not answer:
        return set()
    out: set[Value] = set()
    for part in re.split(r"[;,]|\s/\s", answer):
        part = part.strip()
        if PERPETUAL in part.casefold():
            out.add(PERPETUAL)
        elif category.endswith("Date"):
            m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", part)
            if m:
                month, day = int(m.group(1)), int(m.group(2))
                month, day = (month, day) if month <= 12 else (day, month)  # "31/01/2025"
                out.add((month, day, int(m.group(3)), len(m.group(3))))
        else:
            found = re.findall(r"(\d+(?:\.\d+)?)\)?\s*(day|week|month|year)", part.casefold())
            if found:
                amount, unit = found[-1]
                out.add(_period(float(amount), unit))
    return out


def _period(amount: float, unit: str) -> tuple[float, str]:
    if unit == "year":
        return amount * 12, "month"
    return amount, unit


def date_value(on: date | None) -> set[Value]:
    return set() if on is None else {("date", on)}


def matches(predicted: Value | None, gold: set[Value]) -> bool:
    if predicted is None:
        return False
    if isinstance(predicted, tuple) and predicted[0] == "date":
        on: date = predicted[1]
        return any(
            isinstance(g, tuple) and len(g) == 4 and g[0] == on.month and g[1] == on.day
            and (on.year % 100 if g[3] == 2 else on.year) == g[2]
            for g in gold
        )  # fmt: skip
    return predicted in gold


def read_contract(path: str) -> dict[str, dict[str, Value | None]]:
    """Liaison's and the baseline's value for each category, for one contract."""
    from bot.deadlines.dates import shift, term_end
    from knowledge.deadline_effective import agreement_date
    from knowledge.deadline_values import Found, dates, periods
    from knowledge.deadlines import extract_obligations

    text = Path(path).read_text(encoding="utf-8", errors="replace")
    drafts = extract_obligations(text)
    by_kind = {}
    for d in drafts:
        by_kind.setdefault(d.kind, d)
    effective = by_kind.get("effective")
    term = by_kind.get("term-end")
    renewal = by_kind.get("renewal")
    notice = by_kind.get("non-renewal-notice")
    cover = agreement_date(text, first=False)
    if cover is None and effective is not None and effective.on is not None:
        cover = Found(effective.on, effective.rule.start, effective.rule.end)  # no date of its own: its effective date
    if cover is None:
        cover = agreement_date(text)

    expiration: Value | None = None
    anniversary: Value | None = None
    if term is not None and term.on is not None:
        expiration = anniversary = ("date", term.on)
    elif term is not None and term.duration is not None and term.anchor in ("effective", "signature"):
        start = effective.on if effective is not None and effective.on is not None else None
        if start is None and cover is not None:
            start = cover.on
        if start is not None:
            expiration = ("date", term_end(start, term.duration.amount, term.duration.unit))
            anniversary = ("date", shift(start, term.duration.amount, term.duration.unit))
    elif (term is not None and term.renewal == "evergreen") or (renewal is not None and renewal.renewal == "evergreen"):
        expiration = anniversary = PERPETUAL
    renewal_value: Value | None = None
    if renewal is not None and renewal.renewal in ("automatic", "option") and renewal.duration is not None:
        renewal_value = _period(renewal.duration.amount, _unit(renewal.duration.unit))
    notice_value = (
        _period(notice.duration.amount, _unit(notice.duration.unit))
        if notice is not None and notice.duration is not None
        else None
    )
    liaison: dict[str, Value | None] = {
        "Agreement Date": ("date", cover.on) if cover is not None else None,
        "Effective Date": ("date", effective.on)
        if effective is not None and effective.on is not None and effective.anchor is None
        else None,
        "Expiration Date": expiration,
        ANNIVERSARY: anniversary,
        "Renewal Term": renewal_value,
        "Notice Period To Terminate Renewal": notice_value,
    }

    first = next(iter(dates(text)), None)
    base_exp: Value | None = None
    base_anniversary: Value | None = None
    m = re.search(r"(?i)\bterm\b", text)
    if first is not None and m is not None:
        after = [p for p in periods(text, m.end(), min(len(text), m.end() + 300)) if p.unit in ("month", "year")]
        if after:
            base_exp = ("date", term_end(first.on, after[0].amount, after[0].unit))
            base_anniversary = ("date", shift(first.on, after[0].amount, after[0].unit))
    renew = re.search(r"(?i)\brenew", text)
    base_renewal = next(iter(periods(text, renew.end(), min(len(text), renew.end() + 200))), None) if renew else None
    base_notice = (
        next(iter(periods(text, max(0, renew.start() - 200), min(len(text), renew.end() + 200))), None)
        if renew
        else None
    )
    baseline: dict[str, Value | None] = {
        "Agreement Date": ("date", first.on) if first else None,
        "Effective Date": ("date", first.on) if first else None,
        "Expiration Date": base_exp,
        ANNIVERSARY: base_anniversary,
        "Renewal Term": _period(base_renewal.amount, _unit(base_renewal.unit)) if base_renewal else None,
        "Notice Period To Terminate Renewal": _period(base_notice.amount, _unit(base_notice.unit))
        if base_notice
        else None,
    }
    return {"liaison": liaison, "baseline": baseline}


def _unit(unit: str) -> str:
    return "day" if unit == "business-day" else unit


def score(rows: Iterable[tuple[set[Value], Value | None]]) -> dict[str, float | int]:
    n = with_value = correct = none_right = none_wrong = value_wrong = 0
    for gold, predicted in rows:
        n += 1
        if gold:
            with_value += 1
            correct += matches(predicted, gold)
            none_wrong += predicted is None
        else:
            none_right += predicted is None
            value_wrong += predicted is not None
    return {
        "contracts": n,
        "with_value": with_value,
        "accuracy": round(correct / with_value, 3) if with_value else 0.0,
        "none_right": round(none_right / n, 3) if n else 0.0,
        "none_wrong": round(none_wrong / n, 3) if n else 0.0,
        "value_wrong": round(value_wrong / n, 3) if n else 0.0,
        "overall": round((correct + none_right) / n, 3) if n else 0.0,  # right value or rightly none, of all
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cuad", type=Path, help="the CUAD folder (contracts/, questions.jsonl)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N contracts (sorted names)")
    parser.add_argument("--out", type=Path, default=None, help="write the scores as JSON")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    names = sorted(p.name for p in (args.cuad / "contracts").glob("*.txt"))
    split = {name: ("dev" if i < DEV else "held-out") for i, name in enumerate(names)}
    names = names[: args.limit] if args.limit else names
    gold: dict[tuple[str, str], set[Value]] = {}
    for line in (args.cuad / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if q["category"] in CATEGORIES or q["category"] == "Expiration Date":
            gold[(q["contract"], q["category"])] = gold_values(q["category"], q["answer_normalized"])
            if q["category"] == "Expiration Date":
                gold[(q["contract"], ANNIVERSARY)] = gold[(q["contract"], q["category"])]

    started = time.perf_counter()
    paths = [str(args.cuad / "contracts" / name) for name in names]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        read = list(pool.map(read_contract, paths, chunksize=8))
    seconds = time.perf_counter() - started

    report: dict[str, Any] = {"contracts": len(names), "seconds": round(seconds, 1), "sets": {}}
    for part in ("dev", "held-out", "all"):
        chosen = [i for i, name in enumerate(names) if part == "all" or split[name] == part]
        if not chosen:
            continue
        table: dict[str, Any] = {}
        for category in CATEGORIES:
            table[category] = {
                reader: score((gold.get((names[i], category), set()), read[i][reader][category]) for i in chosen)
                for reader in ("liaison", "baseline")
            }
        report["sets"][part] = table
    print(f"{len(names)} contracts in {seconds:.1f} s")
    for part, table in report["sets"].items():
        print(f"\n## {part} ({table[CATEGORIES[0]]['liaison']['contracts']} contracts)")
        print(
            f"{'category':36} {'with':>5} {'liaison':>8} {'base':>6} {'none ok':>8} {'none bad':>9} {'val bad':>8}"
            f" {'base val bad':>13} {'overall':>8} {'base overall':>13}"
        )
        for category, by in table.items():
            li, ba = by["liaison"], by["baseline"]
            print(
                f"{category:36} {li['with_value']:>5} {li['accuracy']:>8.3f} {ba['accuracy']:>6.3f}"
                f" {li['none_right']:>8.3f} {li['none_wrong']:>9.3f} {li['value_wrong']:>8.3f}"
                f" {ba['value_wrong']:>13.3f} {li['overall']:>8.3f} {ba['overall']:>13.3f}"
            )
    if args.out:
        args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
