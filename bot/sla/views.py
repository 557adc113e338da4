"""The SLA register as JSON: the `SL` object of `liaison sla extract|list --json` (issue 12's contract).

Numbers are JSON numbers made by `bot.sla.money.number` from the stored decimal text (exact: 99.95 stays
99.95). Keys beyond the contract's are additive: `version`, `family`, `visibility`, `owner`, the credit's
`partial`, `currency`, `pool_pct`, `level_pct`, `at_risk_pct` and its source, the claim window and the
exclusions, each with its verbatim span, and the earn-back and chronic-failure clauses (`earn_back`, `chronic`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.records.sla import ServiceLevelRecord
from bot.sla.money import number


def num(text: str | None) -> int | float | None:
    return None if text is None else number(Decimal(text))


def credit_json(credit: dict[str, Any] | None) -> dict[str, Any] | None:
    if not credit or not credit.get("model"):
        return None if not credit else {**_credit_numbers(credit), "model": None}
    return _credit_numbers(credit)


def _credit_numbers(credit: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": credit.get("model"),
        "tiers": [
            {
                "from": num(t.get("from")),
                "to": num(t.get("to")),
                "pct": num(t.get("pct")),
                "from_inclusive": t.get("from_inclusive"),
                "to_inclusive": t.get("to_inclusive"),
            }
            for t in credit.get("tiers") or []
        ],
        "pct_per_point": num(credit.get("pct_per_point")),
        "base": credit.get("base"),
        "amount": num(credit.get("amount")),
        "partial": bool(credit.get("partial")),
        "currency": credit.get("currency"),
        "pool_pct": num(credit.get("pool_pct")),
        "level_pct": num(credit.get("level_pct")),
        "at_risk_pct": num(credit.get("at_risk_pct")),
        "source": credit.get("source"),
    }


def level_json(row: ServiceLevelRecord) -> dict[str, Any]:
    """One version of a service level in the CLI contract's shape (quote == extracted_text[start:end])."""
    details = row.details or {}
    return {
        "id": row.id,
        "metric": row.metric,
        "scope": row.scope,
        "comparison": row.comparison,
        "target": num(row.target),
        "target_text": row.target_text,
        "unit": row.unit,
        "window": row.window,
        "kind": row.kind,
        "credit": credit_json(row.credit),
        "cap_pct": num(row.cap_pct),
        "effective_from": row.effective_from.isoformat() if row.effective_from else None,
        "status": row.status,
        "document": row.document,
        "section": row.section,
        "quote": row.quote,
        "start": row.start,
        "end": row.end,
        "family": row.family or row.id,
        "version": row.version,
        "visibility": row.visibility,
        "owner": row.owner,
        "claim": details.get("claim"),
        "claim_days": details.get("claim_days"),
        "claim_business_days": bool(details.get("claim_business_days")),
        "exclusions": details.get("exclusions") or [],
        "edited": details.get("edited") or [],
        "earn_back": earn_back_json(details.get("earn_back")),
        "chronic": chronic_json(details.get("chronic")),
        "hours": hours_json(details.get("hours")),
        "sole_remedy": remedy_json(details.get("remedy")),
    }


def hours_json(hours: dict[str, Any] | None) -> dict[str, Any] | None:
    """The hours the level counts: every hour, or a defined calendar (its term, the level's words, the definition)."""
    if not hours:
        return None
    said = hours.get("said") or {}
    definition = hours.get("definition") or {}
    return {
        "all_hours": bool(hours.get("all_hours")),
        "term": hours.get("term"),
        "quote": said.get("quote"),
        "start": said.get("start"),
        "end": said.get("end"),
        "definition": definition.get("quote"),
        "definition_section": definition.get("section"),
    }


def remedy_json(remedy: dict[str, Any] | None) -> dict[str, Any] | None:
    """Whether the document makes credits the sole remedy (`sole`), with the sentence that says so."""
    if not remedy:
        return None
    source = remedy.get("source") or {}
    return {
        "sole": bool(remedy.get("sole")),
        "quote": source.get("quote"),
        "section": source.get("section"),
        "start": source.get("start"),
        "end": source.get("end"),
    }


def earn_back_json(earn: dict[str, Any] | None) -> dict[str, Any] | None:
    """The level's earn-back clause: periods to meet after a failure, the share of its credit, the clause."""
    if not earn:
        return None
    source = earn.get("source") or {}
    return {
        "periods": earn.get("periods"),
        "pct": num(earn.get("pct")),
        "excludes": earn.get("excludes") or [],
        "not_in_chronic": bool(earn.get("not_in_chronic")),
        "quote": source.get("quote"),
        "section": source.get("section"),
        "start": source.get("start"),
        "end": source.get("end"),
    }


def chronic_json(chronic: dict[str, Any] | None) -> dict[str, Any] | None:
    """The level's chronic-failure clause: its tests (`run` failures in `within` periods, None: running)."""
    if not chronic:
        return None
    source = chronic.get("source") or {}
    tests = chronic.get("tests") or [{}]
    remedy = chronic.get("remedy") or {}
    return {
        "run": tests[0].get("run"),
        "within": tests[0].get("within"),
        "tests": tests,
        "quote": source.get("quote"),
        "section": source.get("section"),
        "start": source.get("start"),
        "end": source.get("end"),
        "remedy": remedy.get("quote"),
        "remedy_section": remedy.get("section"),
    }


def name_of(row: ServiceLevelRecord) -> str:
    return f"{row.metric} ({row.scope})" if row.scope else row.metric


def target_words(row: ServiceLevelRecord) -> str:
    """'>= 80 %', or the contract's words when it gives no number."""
    if row.target is None:
        return f"{row.comparison} {row.target_text or '(no target)'}"
    unit = row.unit if row.unit == "%" else f" {row.unit}" if row.unit else ""
    return f"{row.comparison} {row.target}{unit}"
