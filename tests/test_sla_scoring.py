"""The SLA extraction scorer (benchmarks/sla_extraction.py) on a tiny hand-made gold and prediction set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.sla_extraction import load_levels, main, match, score

TEXT = (
    "4.1 Availability. The Service will be available at least 99.9% of each calendar month.\n"
    "| Priority | Response |\n| P1 | 30 minutes |\n| P2 | 4 hours |\n"
)


def _level(quote: str, **fields: Any) -> dict[str, Any]:
    start = TEXT.index(quote)
    base: dict[str, Any] = {
        "document": "sla.md",
        "metric": "availability",
        "scope": None,
        "comparison": ">=",
        "target": 99.9,
        "target_text": "at least 99.9%",
        "unit": "%",
        "window": "calendar month",
        "kind": "credit",
        "credit": {
            "model": "tiers",
            "tiers": [{"from": 99.0, "to": 99.9, "pct": 10}, {"from": None, "to": 99.0, "pct": 25}],
            "pct_per_point": None,
            "base": "monthly fees",
            "amount": None,
        },
        "cap_pct": 15,
        "section": "4.1",
        "quote": quote,
        "start": start,
        "end": start + len(quote),
    }
    return base | fields


def _support(priority: str, row: str, target: float, unit: str) -> dict[str, Any]:
    return _level(
        row,
        metric="response time",
        scope=priority,
        comparison="within",
        target=target,
        target_text=row.split("|")[2].strip(),
        unit=unit,
        window=None,
        kind="report",
        credit=None,
        cap_pct=None,
        section=None,
    )


GOLD = [
    _level("The Service will be available at least 99.9% of each calendar month."),
    _support("P1", "| P1 | 30 minutes |", 30, "minutes"),
    _support("P2", "| P2 | 4 hours |", 4, "hours"),
]


def _rows(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, tuple[int, float, float]]:
    return {r.field: (r.correct, r.precision, r.recall) for r in score(gold, predicted)}


def test_identical_predictions_score_one_on_every_field() -> None:
    rows = _rows(GOLD, [dict(g) for g in GOLD])
    assert all(value == (3, 1.0, 1.0) for value in rows.values()), rows


def test_a_wider_span_matches_and_numbers_compare_exactly() -> None:
    wide = _level("4.1 Availability. The Service will be available at least 99.9% of each calendar month.")
    predicted = [
        wide | {"target": 99.90, "section": "Section 4.1", "unit": "percent"},  # the same values, written otherwise
        _support("P1", "| P1 | 30 minutes |", 30.5, "minute"),  # a wrong target
    ]
    rows = _rows(GOLD, predicted)
    assert rows["match"] == (2, 1.0, 2 / 3)
    assert rows["target"] == (1, 0.5, 1 / 3)
    assert rows["unit"] == (2, 1.0, 2 / 3)
    assert rows["section"] == (2, 1.0, 2 / 3)  # 'Section 4.1' is '4.1'; P1's null section equals the gold's null
    assert rows["credit.tiers"] == (2, 1.0, 2 / 3)


def test_each_level_is_matched_once_and_scope_breaks_a_tie() -> None:
    both_rows = TEXT.index("| P1 |"), TEXT.index("| P2 | 4 hours |") + len("| P2 | 4 hours |")
    one_span = {"start": both_rows[0], "end": both_rows[1], "quote": TEXT[both_rows[0] : both_rows[1]]}
    predicted = [
        _support("P2", "| P2 | 4 hours |", 4, "hours") | one_span,
        _support("P1", "| P1 | 30 minutes |", 30, "minutes") | one_span,
    ]
    pairs = match(GOLD, predicted)
    assert pairs == [(1, 1), (2, 0)]
    assert _rows(GOLD, predicted)["scope"] == (2, 1.0, 2 / 3)


def test_a_prediction_in_another_document_or_span_does_not_match() -> None:
    elsewhere = _level("The Service will be available at least 99.9% of each calendar month.", document="other.md")
    off = _support("P2", "| P2 | 4 hours |", 4, "hours") | {"start": 0, "end": 3}
    rows = _rows(GOLD, [elsewhere, off])
    assert rows["match"] == (0, 0.0, 0.0)
    assert rows["metric"] == (0, 0.0, 0.0)


def test_the_cli_reads_engagement_lines_and_writes_json(tmp_path: Path, capsys: Any) -> None:
    gold_file, pred_file, out = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl", tmp_path / "scores.json"
    gold_file.write_text("".join(json.dumps(g) + "\n" for g in GOLD), encoding="utf-8")
    pred_file.write_text(json.dumps({"service_levels": GOLD[:2]}) + "\n", encoding="utf-8")
    assert len(load_levels(pred_file)) == 2
    assert main([str(pred_file), "--gold", str(gold_file), "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["gold"] == 3 and report["predicted"] == 2
    assert report["fields"]["match"] == {"correct": 2, "precision": 1.0, "recall": 2 / 3}
    assert "credit.model" in capsys.readouterr().out


def test_a_tier_bound_or_a_missing_credit_is_wrong() -> None:
    gold = GOLD[:1]
    other_tiers = json.loads(json.dumps(gold[0]))
    other_tiers["credit"]["tiers"][0]["from"] = 99.5
    no_credit = gold[0] | {"credit": None}
    assert _rows(gold, [other_tiers])["credit.tiers"] == (0, 0.0, 0.0)
    assert _rows(gold, [other_tiers])["credit.model"] == (1, 1.0, 1.0)
    assert _rows(gold, [no_credit])["credit.model"] == (0, 0.0, 0.0)
    assert _rows(gold, [no_credit])["credit.pct_per_point"] == (1, 1.0, 1.0)  # null in both
