"""Whether service credits are the sole remedy (knowledge.sla_remedy), read from one verbatim sentence.

Excerpts marked as such are quoted from the documents of ../shared/bench/sla (their MANIFEST gives the
sources): Common Paper Service Level Agreement v2 (CC BY 4.0) and Bonterms SLA v1 (CC BY 4.0).
"""

from __future__ import annotations

import pytest

from knowledge.sections import sentence_spans
from knowledge.sla_remedy import remedy_in


def read(text: str) -> tuple[bool, str] | None:
    found = remedy_in(text, sentence_spans(text, 0, len(text)))
    if found is None:
        return None
    assert found.span.text == text[found.span.start : found.span.end]
    return found.sole, found.span.text


@pytest.mark.parametrize(
    "text",
    [
        # Common Paper SLA v2, section 5 (CC BY 4.0)
        "5. Exclusive Remedy.  This SLA describes Customer’s exclusive remedy and Provider’s entire liability for "
        "any failure of the Cloud Service to meet the Target Uptime and for any inability to meet the Target "
        "Response Time.",
        # Bonterms SLA v1, section 5 (CC BY 4.0), with its line breaks
        "**5. Exclusive Remedies**. Service Credits constitute liquidated damages and are not a penalty. Service "
        "Credits and the Multiple Failures\ntermination right set forth in Section 4 above are Customer’s "
        "exclusive remedies, and Provider’s sole liability, for Provider’s failure to meet Target\nAvailability.",
        "Service Credits are the Customer's sole and exclusive remedy for any Service Level Failure.",
    ],
)
def test_credits_as_the_only_remedy(text: str) -> None:
    found = read(text)
    assert found is not None and found[0] is True
    assert "remed" in found[1]


@pytest.mark.parametrize(
    "text",
    [
        "5.7 Other Remedies. Service Credits are a price adjustment reflecting the reduced value of the Services "
        "and are not a penalty. Service Credits are not Client's sole and exclusive remedy for a Service Level "
        "Failure.",
        "The Service Credits are without prejudice to any other rights or remedies of the Client.",
        "Payment of Service Credits shall not limit the Client's other rights and remedies.",
    ],
)
def test_credits_beside_other_remedies(text: str) -> None:
    found = read(text)
    assert found is not None and found[0] is False


def test_an_indemnity_or_a_general_clause_says_nothing_of_credits() -> None:
    assert read("This Section 9 (Indemnification) describes each Protected Party’s exclusive remedy.") is None
    assert (
        read(
            "(c) Except where an exclusive remedy is provided, exercising a remedy under this Agreement, including "
            "termination, does not limit other remedies a party may have, including credits."
        )
        is None
    )
    assert read("Monthly Uptime Percentage of at least 99.9% in each calendar month.") is None
