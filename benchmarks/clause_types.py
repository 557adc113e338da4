"""Kinds of clause asked for by name (`knowledge.clause_types`) on CUAD: how often a contract that has such a
clause would be told it has none, and how often one without would be.

    nice .venv/bin/python benchmarks/clause_types.py ../shared/bench/cuad [--out FILE.json]

For each of CUAD's categories that a kind covers, every contract of `contracts/*.txt` (510) is asked one
question naming the kind ("is there a non-compete?"). A contract with a question of that category in
`questions.jsonl` (a lawyer marked a span) has such a clause: `refused` counts those the check calls absent. A
contract without one is CUAD's "no such clause": `caught` counts those the check calls absent. The check reads
the contract's whole text, as it reads the chunks of an indexed one. CUAD's categories are broad (an audit right
may be "records made available for review", a non-compete "neither party shall, directly or indirectly, sell
..."), so a refused covered contract is a real error; an uncaught uncovered one is left to the fitted model.
Data: CUAD v1 by The Atticus Project, CC BY 4.0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from knowledge.clause_types import absent_clause_type

QUESTIONS = {  # CUAD category -> a question naming the kind, as a user would ask it
    "Non-Compete": "is there a non-compete?",
    "No-Solicit Of Employees": "is there a non-solicit of employees?",
    "Source Code Escrow": "is there a source code escrow?",
    "Audit Rights": "can we audit them?",
    "Insurance": "do they have to carry insurance?",
    "Governing Law": "what's the governing law?",
    "Non-Disparagement": "is there a non-disparagement clause?",
    "Third Party Beneficiary": "are there third party beneficiaries?",
    "Change of Control": "what happens on a change of control?",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cuad", type=Path, help="the CUAD folder (contracts/, questions.jsonl)")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args(argv)
    has: dict[str, set[str]] = defaultdict(set)
    with (args.cuad / "questions.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            category = next((c for c in QUESTIONS if c.lower() == row["category"].lower()), None)
            if category and row["answers"]:
                has[category].add(row["contract"])
    contracts = sorted((args.cuad / "contracts").glob("*.txt"))
    counts: dict[str, dict[str, int]] = {c: defaultdict(int) for c in QUESTIONS}
    for n, path in enumerate(contracts, 1):
        text = path.read_text(encoding="utf-8", errors="replace")
        for category, question in QUESTIONS.items():
            covered = path.name in has[category]
            absent = absent_clause_type(question, [text]) is not None
            counts[category][("covered" if covered else "uncovered") + ("_absent" if absent else "")] += 1
        if n % 50 == 0 or n == len(contracts):
            print(f"\r  {n}/{len(contracts)} contracts", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(
        f"{'category':26s} {'covered':>8s} {'refused':>8s} {'rate':>6s} {'uncovered':>10s} {'caught':>7s} {'rate':>6s}"
    )
    total: dict[str, int] = defaultdict(int)
    results = {}
    for category, c in counts.items():
        covered, refused = c["covered"] + c["covered_absent"], c["covered_absent"]
        uncovered, caught = c["uncovered"] + c["uncovered_absent"], c["uncovered_absent"]
        for key, value in (("covered", covered), ("refused", refused), ("uncovered", uncovered), ("caught", caught)):
            total[key] += value
        results[category] = {"covered": covered, "refused": refused, "uncovered": uncovered, "caught": caught}
        print(
            f"{category:26s} {covered:8d} {refused:8d} {refused / max(1, covered):6.3f} "
            f"{uncovered:10d} {caught:7d} {caught / max(1, uncovered):6.3f}"
        )
    print(
        f"{'all':26s} {total['covered']:8d} {total['refused']:8d} {total['refused'] / max(1, total['covered']):6.3f} "
        f"{total['uncovered']:10d} {total['caught']:7d} {total['caught'] / max(1, total['uncovered']):6.3f}"
    )
    if args.out:
        args.out.write_text(json.dumps({"categories": results, "all": total}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
