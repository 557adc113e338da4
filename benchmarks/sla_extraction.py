"""Score extracted service levels against gold annotations: precision and recall per field.

Gold: `benchmarks/data/sla_register_gold.jsonl` (one service level a line, see `benchmarks/data/README.md`).
Predictions: a JSONL file of the same shape, either one SL a line or what `liaison sla extract --json`
prints, `{"service_levels": [SL, ...]}`, one object a line (one engagement each). Run from the
repository root:

    .venv/bin/python benchmarks/sla_extraction.py predictions.jsonl
    .venv/bin/python benchmarks/sla_extraction.py predictions.jsonl --gold other.jsonl --out /tmp/sla.json
    .venv/bin/python benchmarks/sla_extraction.py --docs ../shared/bench/sla/docs    # run knowledge.slas itself
    .venv/bin/python benchmarks/sla_extraction.py --docs ../shared/bench/sla-it/docs \
        --gold benchmarks/data/sla_register_gold_it.jsonl                             # the Italian documents

With `--docs`, each file of the folder is loaded with `knowledge.loaders.load_document`, its levels drafted
with `knowledge.slas.extract_levels` and converted to the SL shape of `liaison sla extract --json` (the
document named by its file name), then scored; `--save FILE` also writes those predictions as JSONL.

Matching: a predicted level matches a gold level of the same document when its span [start, end)
overlaps the gold quote's span or one of the gold entry's supporting spans (`also`). Each level is
matched once; among overlapping candidates, the pair with the same scope, then the same metric, then
the larger overlap wins. Then each field of a matched pair is compared: numbers exactly (99.9 == 99.90,
a null only equals a null), strings ignoring case, spacing and end punctuation, units after a few aliases
('minute' = 'minutes', 'working days' = 'business days'), sections without 'Section' or '§', tiers as
the set of (from, to, pct), earn-back as (periods, pct), chronic failure as its tests [(run, within)] (a gold
entry without the key states none). For a field, precision = correct matched pairs / predictions and recall =
correct matched pairs / gold entries; the `match` row counts matched pairs alone. The optional fields
(`claim_days`) are scored only on the gold entries that state the key: recall over those entries, precision
over the predictions matched to them (no row when no gold entry states it).
A reStructuredText file (`.rst`) is read as the plain text it is when the loader has no reader of its own.

Deadlines too (`knowledge.deadlines.extract_obligations`), with `--deadlines GOLD` (one obligation a line: document,
kind, the rule's verbatim span, its duration, direction, anchor, renewal and written date):

    .venv/bin/python benchmarks/sla_extraction.py --docs ../shared/bench/sla-it/docs \
        --deadlines benchmarks/data/deadlines_gold_it.jsonl

A drafted obligation matches a gold one of the same document and kind when its rule or quote overlaps the gold rule
(each used once); then duration (amount and unit), direction, anchor, renewal and date are compared.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.slas import LevelDraft

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
GOLD = HERE / "data" / "sla_register_gold.jsonl"

Level = dict[str, Any]

UNIT_ALIASES = {
    "percent": "%",
    "per cent": "%",
    "minute": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "hour": "hours",
    "h": "hours",
    "hrs": "hours",
    "day": "days",
    "calendar days": "days",
    "calendar day": "days",
    "business day": "business days",
    "working day": "business days",
    "working days": "business days",
    "week": "weeks",
    "month": "months",
}


def load_levels(path: Path) -> list[Level]:
    """Service levels of a JSONL file: one SL a line, or `{"service_levels": [...]}` lines."""
    levels: list[Level] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if isinstance(item, dict) and "service_levels" in item:
            levels.extend(item["service_levels"])
        else:
            levels.append(item)
    return levels


def _text(value: object) -> str | None:
    if value is None:
        return None
    return re.sub(r"\s+", " ", str(value)).strip().strip(".,;:").casefold()


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    return float(value) if isinstance(value, int | float) else None


def _unit(value: object) -> str | None:
    text = _text(value)
    return UNIT_ALIASES.get(text, text) if text is not None else None


def _section(value: object) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return re.sub(r"^(section|clause|§)\s*", "", text).strip()


def _credit(level: Level, key: str) -> object:
    credit = level.get("credit")
    return credit.get(key) if isinstance(credit, dict) else None


def _tiers(level: Level) -> frozenset[tuple[float | None, float | None, float | None]] | None:
    tiers = _credit(level, "tiers")
    if not isinstance(tiers, list) or not tiers:
        return None
    return frozenset((_number(t.get("from")), _number(t.get("to")), _number(t.get("pct"))) for t in tiers)


def _numbers_equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return _number(a) is not None and _number(a) == _number(b)


def _equal_by(norm: Callable[[object], object]) -> Callable[[object, object], bool]:
    return lambda a, b: norm(a) == norm(b)


def _earn_back(level: Level) -> tuple[float | None, float | None] | None:
    earn = level.get("earn_back")
    return (_number(earn.get("periods")), _number(earn.get("pct"))) if isinstance(earn, dict) else None


def _chronic(level: Level) -> tuple[tuple[float | None, float | None], ...] | None:
    chronic = level.get("chronic")
    if not isinstance(chronic, dict):
        return None
    return tuple((_number(t.get("run")), _number(t.get("within"))) for t in chronic.get("tests") or [])


# field -> (how to read it from a level, how to compare two readings)
FIELDS: dict[str, tuple[Callable[[Level], object], Callable[[object, object], bool]]] = {
    "metric": (lambda lv: lv.get("metric"), _equal_by(_text)),
    "scope": (lambda lv: lv.get("scope"), _equal_by(_text)),
    "comparison": (lambda lv: lv.get("comparison"), _equal_by(_text)),
    "target": (lambda lv: lv.get("target"), _numbers_equal),
    "target_text": (lambda lv: lv.get("target_text"), _equal_by(_text)),
    "unit": (lambda lv: lv.get("unit"), _equal_by(_unit)),
    "window": (lambda lv: lv.get("window"), _equal_by(_text)),
    "kind": (lambda lv: lv.get("kind"), _equal_by(_text)),
    "credit.model": (lambda lv: _credit(lv, "model"), _equal_by(_text)),
    "credit.tiers": (_tiers, lambda a, b: a == b),
    "credit.pct_per_point": (lambda lv: _credit(lv, "pct_per_point"), _numbers_equal),
    "credit.base": (lambda lv: _credit(lv, "base"), _equal_by(_text)),
    "credit.amount": (lambda lv: _credit(lv, "amount"), _numbers_equal),
    "cap_pct": (lambda lv: lv.get("cap_pct"), _numbers_equal),
    "section": (lambda lv: lv.get("section"), _equal_by(_section)),
    "earn_back": (_earn_back, lambda a, b: a == b),  # (periods, pct); absent in gold: none
    "chronic": (_chronic, lambda a, b: a == b),  # its tests [(run, within)], in order; absent in gold: none
}


# scored only where the gold entry states the key (the English gold predates them)
OPTIONAL: dict[str, tuple[Callable[[Level], object], Callable[[object, object], bool]]] = {
    "claim_days": (lambda lv: lv.get("claim_days"), _numbers_equal),
}


def _spans(gold: Level) -> list[tuple[int, int]]:
    return [(gold["start"], gold["end"])] + [(s["start"], s["end"]) for s in gold.get("also", [])]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match(gold: list[Level], predicted: list[Level]) -> list[tuple[int, int]]:
    """(gold index, predicted index) pairs: same document, overlapping spans, each level used once."""
    candidates: list[tuple[tuple[bool, bool, int, int], int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if p.get("document") != g["document"] or "start" not in p or "end" not in p:
                continue
            span = (int(p["start"]), int(p["end"]))
            overlaps = [_overlap(span, s) for s in _spans(g)]
            if max(overlaps) == 0:
                continue
            key = (_text(g.get("scope")) == _text(p.get("scope")), _text(g.get("metric")) == _text(p.get("metric")))
            candidates.append(((*key, overlaps[0], max(overlaps)), gi, pi))
    candidates.sort(key=lambda c: c[0], reverse=True)
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


@dataclass(frozen=True)
class FieldScore:
    field: str
    correct: int
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def score(gold: list[Level], predicted: list[Level]) -> list[FieldScore]:
    """The `match` row, then one row per field of FIELDS."""
    pairs = match(gold, predicted)
    rows = [FieldScore("match", len(pairs), _ratio(len(pairs), len(predicted)), _ratio(len(pairs), len(gold)))]
    for name, (read, equal) in FIELDS.items():
        correct = sum(1 for gi, pi in pairs if equal(read(gold[gi]), read(predicted[pi])))
        rows.append(FieldScore(name, correct, _ratio(correct, len(predicted)), _ratio(correct, len(gold))))
    for name, (read, equal) in OPTIONAL.items():
        stated = [g for g in gold if name in g]
        if not stated:
            continue
        judged = [(gi, pi) for gi, pi in pairs if name in gold[gi]]
        correct = sum(1 for gi, pi in judged if equal(read(gold[gi]), read(predicted[pi])))
        rows.append(FieldScore(name, correct, _ratio(correct, len(judged)), _ratio(correct, len(stated))))
    return rows


def table(rows: Iterable[FieldScore], n_gold: int, n_pred: int) -> str:
    lines = [f"gold {n_gold}, predicted {n_pred}", f"{'field':22} {'correct':>7} {'P':>6} {'R':>6} {'F1':>6}"]
    lines += [f"{r.field:22} {r.correct:7d} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f}" for r in rows]
    return "\n".join(lines)


def _number_out(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def as_sl(draft: LevelDraft, document: str) -> Level:
    """A draft in the SL shape of `liaison sla extract --json` (without id and status)."""
    credit = draft.credit
    return {
        "document": document,
        "metric": draft.metric,
        "scope": draft.scope,
        "comparison": draft.comparison,
        "target": _number_out(draft.target),
        "target_text": draft.target_text,
        "unit": draft.unit or None,  # "" (unknown) is null in the SL shape
        "window": draft.window,
        "kind": draft.kind,
        "credit": None
        if credit is None
        else {
            "model": credit.model,
            "tiers": [
                {
                    "from": _number_out(t.low),
                    "to": _number_out(t.high),
                    "pct": _number_out(t.pct),
                    "from_inclusive": t.low_inclusive,
                    "to_inclusive": t.high_inclusive,
                }
                for t in credit.tiers
            ],
            "pct_per_point": _number_out(credit.pct_per_point),
            "base": credit.base,
            "amount": _number_out(credit.amount),
        },
        "cap_pct": _number_out(draft.cap_pct),
        "claim_days": draft.claim_days,
        "effective_from": draft.effective_from.isoformat() if draft.effective_from else None,
        "section": draft.section,
        "earn_back": None
        if draft.earn_back is None
        else {"periods": draft.earn_back.periods, "pct": _number_out(draft.earn_back.pct)},
        "chronic": None
        if draft.chronic is None
        else {"tests": [{"run": t.run, "within": t.within} for t in draft.chronic.tests]},
        "quote": draft.quote.text,
        "start": draft.quote.start,
        "end": draft.quote.end,
    }


def extract_folder(folder: Path) -> list[Level]:
    """Draft the levels of every file in `folder` with knowledge.slas, in the SL shape."""
    from knowledge.slas import extract_levels

    levels: list[Level] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != "MANIFEST.md"):
        doc = _load(path)
        levels += [as_sl(d, path.name) for d in extract_levels(doc.text, document=path.name, title=doc.title)]
    return levels


def _load(path: Path) -> Any:
    """The document as Liaison extracts it; a `.rst` file the loader has no reader for, as the text it is."""
    import shutil
    import tempfile

    from knowledge.errors import UnsupportedFormatError
    from knowledge.loaders import load_document

    try:
        return load_document(path, name=path.name)
    except UnsupportedFormatError:
        if path.suffix.lower() != ".rst":
            raise
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / f"{path.stem}.txt"
        shutil.copyfile(path, copy)
        return load_document(copy, name=path.name)


# field -> how to read it from an obligation (gold or drafted, as dicts)
DEADLINE_FIELDS: dict[str, Callable[[Level], object]] = {
    "duration": lambda o: (o["duration"]["amount"], o["duration"]["unit"]) if o.get("duration") else None,
    "direction": lambda o: o.get("direction"),
    "anchor": lambda o: o.get("anchor"),
    "renewal": lambda o: o.get("renewal"),
    "on": lambda o: o.get("on"),
}


def extract_deadlines(folder: Path) -> list[Level]:
    """Draft the obligations of every file in `folder` with knowledge.deadlines, as dicts."""
    from knowledge.deadlines import extract_obligations

    out: list[Level] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != "MANIFEST.md"):
        for d in extract_obligations(_load(path).text):
            out.append(
                {
                    "document": path.name,
                    "kind": d.kind,
                    "rule": d.rule.text,
                    "spans": [(d.rule.start, d.rule.end), (d.quote.start, d.quote.end)],
                    "duration": {"amount": d.duration.amount, "unit": d.duration.unit} if d.duration else None,
                    "direction": d.direction,
                    "anchor": d.anchor,
                    "renewal": d.renewal,
                    "on": d.on.isoformat() if d.on else None,
                }
            )
    return out


def score_deadlines(gold: list[Level], predicted: list[Level]) -> list[FieldScore]:
    """The `match` row (same document and kind, overlapping spans, each used once), then one row per field."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            same = p["document"] == g["document"] and p["kind"] == g["kind"]
            if pi not in used and same and any(_overlap(s, (g["start"], g["end"])) for s in p["spans"]):
                pairs.append((gi, pi))
                used.add(pi)
                break
    rows = [FieldScore("match", len(pairs), _ratio(len(pairs), len(predicted)), _ratio(len(pairs), len(gold)))]
    for name, read in DEADLINE_FIELDS.items():
        correct = sum(1 for gi, pi in pairs if read(gold[gi]) == read(predicted[pi]))
        rows.append(FieldScore(name, correct, _ratio(correct, len(predicted)), _ratio(correct, len(gold))))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("predictions", type=Path, nargs="?", help="predicted service levels (JSONL)")
    parser.add_argument("--docs", type=Path, help="extract the levels of this folder's documents instead")
    parser.add_argument("--save", type=Path, help="with --docs: also write the predictions here (JSONL)")
    parser.add_argument("--gold", type=Path, default=GOLD, help="gold service levels (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="also write the scores as JSON here")
    parser.add_argument("--deadlines", type=Path, help="with --docs: score the drafted deadlines against this gold")
    args = parser.parse_args(argv)
    if (args.predictions is None) == (args.docs is None):
        parser.error("give a predictions file or --docs FOLDER (one of them)")
    if args.deadlines is not None:
        if args.docs is None:
            parser.error("--deadlines needs --docs FOLDER")
        gold_deadlines = load_levels(args.deadlines)
        drafted = extract_deadlines(args.docs)
        print(table(score_deadlines(gold_deadlines, drafted), len(gold_deadlines), len(drafted)))
        return 0
    gold = load_levels(args.gold)
    if args.docs is not None:
        predicted = extract_folder(args.docs)
        if args.save:
            args.save.write_text("".join(json.dumps(p) + "\n" for p in predicted), encoding="utf-8")
    else:
        predicted = load_levels(args.predictions)
    rows = score(gold, predicted)
    print(table(rows, len(gold), len(predicted)))
    if args.out:
        report = {
            "gold": len(gold),
            "predicted": len(predicted),
            "fields": {r.field: {"correct": r.correct, "precision": r.precision, "recall": r.recall} for r in rows},
        }
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
