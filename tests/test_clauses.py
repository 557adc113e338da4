"""Clauses relevant to an issue or a mediation: verbatim quotes of one clause each, within the side's documents."""

from __future__ import annotations

import re

from bot.contracts.clauses import _leading, relevant_clauses
from knowledge.base import KnowledgeBase
from tests.conftest import ENGAGEMENT


def test_each_suggestion_quotes_one_clause_verbatim(sample_kb: KnowledgeBase) -> None:
    refs = relevant_clauses(sample_kb, "Invoice 4411 was billed twice in March", engagement=ENGAGEMENT, side="shared")
    assert 1 <= len(refs) <= 4
    assert len({(r["document"], r["section"]) for r in refs}) == len(refs)
    for ref in refs:
        text = sample_kb.document_text(ENGAGEMENT, ref["document"])
        assert text[ref["start"] : ref["end"]] == ref["quote"] and ref["title"]
        assert not ref["quote"].startswith("#")  # not a heading on its own
        assert "\n\n" not in ref["quote"] or ref["quote"].split("\n\n")[0].endswith(":")
        assert len(re.findall(r"(?m)^\d+\.\d+ ", ref["quote"])) <= 1  # not the clauses after it
    assert any("invoice" in r["quote"].lower() for r in refs)


def test_suggestions_stay_within_what_the_side_may_see(sample_kb: KnowledgeBase) -> None:
    from tests.test_slack_app import CLIENT_SECRETS, VENDOR_SECRETS

    question = "agent hourly rate, margin and the other bidders we compared"
    client = " ".join(r["quote"] for r in relevant_clauses(sample_kb, question, engagement=ENGAGEMENT, side="client"))
    vendor = " ".join(r["quote"] for r in relevant_clauses(sample_kb, question, engagement=ENGAGEMENT, side="vendor"))
    assert not any(secret in client for secret in VENDOR_SECRETS)
    assert not any(secret in vendor for secret in CLIENT_SECRETS)


def test_nothing_for_blank_text_or_an_unknown_engagement(sample_kb: KnowledgeBase) -> None:
    assert relevant_clauses(sample_kb, "  \n ", engagement=ENGAGEMENT, side="shared") == []
    assert relevant_clauses(sample_kb, "credit cap", engagement="nobody-here", side="shared") == []


def test_the_quote_is_the_first_clause_after_a_heading_and_keeps_what_follows_a_colon() -> None:
    text = "## Article 4 - Fees\n\n4.1 Fees. Client pays.\n\n4.2 Invoicing. Monthly."
    lo, hi = _leading(text)
    assert text[lo:hi] == "4.1 Fees. Client pays."
    text = '1.3 The following is inserted:\n\n"(h) SL10 applies."\n\n1.4 Other.'
    lo, hi = _leading(text)
    assert text[lo:hi] == '1.3 The following is inserted:\n\n"(h) SL10 applies."'
    long = "4.1 " + "The vendor shall do a thing. " * 40
    lo, hi = _leading(long, limit=100)
    assert hi - lo <= 100 and long[lo:hi].endswith(".")


def test_a_long_table_is_quoted_by_the_row_the_text_is_about() -> None:
    table = (
        "| Ref | Service Level | Target |\n|---|---|---|\n"
        + "".join(f"| SL{n} | Filler level {n} | {n}0% of contacts handled within target |\n" for n in range(1, 9))
        + "| SL9 | Chat First Response | 90% of chats answered within 45 seconds |\n"
    )
    lo, hi = _leading(table, limit=200, query="chat first response took 4 minutes")
    assert table[lo:hi] == "| SL9 | Chat First Response | 90% of chats answered within 45 seconds |"
    lo, hi = _leading(table, limit=200, query="nothing in common here")
    assert table[lo:hi].startswith("| Ref | Service Level | Target |\n|---|---|---|\n| SL1 ") and hi - lo <= 200
