"""Check the SLA register's gold annotations against the documents' text as Liaison extracts it.

Every entry of `benchmarks/data/sla_register_gold.jsonl` must name a document of the folder, have
the SL fields with allowed values, and quote the extracted text verbatim at its offsets
(`text[start:end] == quote`, and the same for each supporting span in `also`). Run from the
repository root:

    .venv/bin/python benchmarks/sla_gold_check.py                     # ../shared/bench/sla/docs
    .venv/bin/python benchmarks/sla_gold_check.py path/to/docs --gold other.jsonl

Exits 1 with one line per problem, else prints the entries per document (0 for a hard negative).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.loaders import load_document  # noqa: E402

HERE = Path(__file__).resolve().parent
GOLD = HERE / "data" / "sla_register_gold.jsonl"
DOCS = HERE.parent / ".." / "shared" / "bench" / "sla" / "docs"

COMPARISONS = {">=", "<=", ">", "<", "within"}
KINDS = {"credit", "report"}
MODELS = {"tiers", "per-point", "fixed", "pool", None}
FIELDS = [
    "document",
    "metric",
    "scope",
    "comparison",
    "target",
    "target_text",
    "unit",
    "window",
    "kind",
    "credit",
    "cap_pct",
    "section",
    "quote",
    "start",
    "end",
]
CREDIT_FIELDS = ("model", "tiers", "pct_per_point", "base", "amount")


def _number_or_null(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def problems_of(entry: dict[str, Any], text: str) -> list[str]:
    """What is wrong with one gold entry, given its document's extracted text."""
    found = [f"missing field {name!r}" for name in FIELDS if name not in entry]
    if found:
        return found
    if entry["comparison"] not in COMPARISONS:
        found.append(f"comparison {entry['comparison']!r}")
    if entry["kind"] not in KINDS:
        found.append(f"kind {entry['kind']!r}")
    for name in ("target", "cap_pct"):
        if not _number_or_null(entry[name]):
            found.append(f"{name} is not a number or null")
    if not entry["target_text"]:
        found.append("empty target_text")
    credit = entry["credit"]
    if credit is not None:
        missing = [name for name in CREDIT_FIELDS if name not in credit]
        found += [f"credit lacks {name!r}" for name in missing]
        if not missing:
            if credit["model"] not in MODELS:
                found.append(f"credit model {credit['model']!r}")
            for tier in credit["tiers"]:
                if not (_number_or_null(tier.get("from")) and _number_or_null(tier.get("to"))) or not _number_or_null(
                    tier.get("pct")
                ):
                    found.append(f"tier {tier}")
    spans = [entry, *entry.get("also", [])]
    for span in spans:
        start, end, quote = span["start"], span["end"], span["quote"]
        if not (0 <= start < end <= len(text)):
            found.append(f"span {start}:{end} outside the text ({len(text)} chars)")
        elif text[start:end] != quote:
            found.append(f"text[{start}:{end}] is {text[start:end][:60]!r}, not the quote {quote[:60]!r}")
    return found


def check(gold: Path, docs: Path) -> tuple[list[str], Counter[str]]:
    """Every problem in the gold file (as 'line N: ...'), and the entries per document."""
    texts = {path.name: load_document(path).text for path in sorted(docs.iterdir()) if path.is_file()}
    problems: list[str] = []
    per_document: Counter[str] = Counter({name: 0 for name in texts})
    for number, line in enumerate(gold.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        entry = json.loads(line)
        name = entry.get("document")
        if name not in texts:
            problems.append(f"line {number}: document {name!r} is not in {docs}")
            continue
        per_document[name] += 1
        problems += [f"line {number} ({name}): {p}" for p in problems_of(entry, texts[name])]
    return problems, per_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docs", nargs="?", type=Path, default=DOCS, help="the SLA documents' folder")
    parser.add_argument("--gold", type=Path, default=GOLD, help="the gold JSONL (default: %(default)s)")
    args = parser.parse_args(argv)
    problems, per_document = check(args.gold, args.docs)
    for name, count in sorted(per_document.items()):
        print(f"{count:3d}  {name}")
    print(f"{sum(per_document.values()):3d}  entries")
    for problem in problems:
        print(problem, file=sys.stderr)
    print("FAIL" if problems else "OK: every quote is verbatim at its offsets")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
