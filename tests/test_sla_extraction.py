"""Rule-based SLA extraction (knowledge.slas): the sample engagement's Schedule B and Amendment No. 1, and short
excerpts of the kinds of wording contracts use. Every span is checked verbatim at its offsets."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.slas import LevelDraft, Span, effective_date, extract_levels

SAMPLE = Path(__file__).resolve().parent.parent / "knowledge" / "samples" / "acme-customer-care"


def _verbatim(text: str, levels: list[LevelDraft]) -> None:
    for level in levels:
        spans: list[Span] = [level.quote, *level.values.values(), *level.exclusions]
        spans += [s for s in (level.cap, level.claim) if s is not None]
        if level.credit is not None:
            spans.append(level.credit.source)
        for span in spans:
            assert text[span.start : span.end] == span.text


def _levels(text: str, document: str = "sla.md", title: str = "") -> list[LevelDraft]:
    levels = extract_levels(text, document=document, title=title)
    _verbatim(text, levels)
    return levels


def _by_ref(levels: list[LevelDraft]) -> dict[str, LevelDraft]:
    return {lv.values["ref"].text: lv for lv in levels if "ref" in lv.values}


@pytest.fixture(scope="module")
def schedule() -> tuple[str, list[LevelDraft]]:
    text = (SAMPLE / "03-sla-schedule.md").read_text(encoding="utf-8")
    return text, _levels(text, "03-sla-schedule.md", "Schedule B - Service Level Agreement")


@pytest.fixture(scope="module")
def amendment() -> tuple[str, list[LevelDraft]]:
    text = (SAMPLE / "05-amendment-no-1.md").read_text(encoding="utf-8")
    return text, _levels(text, "05-amendment-no-1.md", "Amendment No. 1 to the Master Services Agreement")


def test_schedule_b_gives_sl1_to_sl9_from_its_table(schedule: tuple[str, list[LevelDraft]]) -> None:
    _, levels = schedule
    refs = _by_ref(levels)
    assert list(refs) == [f"SL{n}" for n in range(1, 10)]
    targets = [refs[f"SL{n}"].target for n in range(1, 10)]
    assert targets == [Decimal(n) for n in (80, 5, 95, 90, 70, 90, 85, 100, 100)]
    assert refs["SL2"].comparison == "<=" and refs["SL5"].comparison == ">=" and refs["SL1"].comparison == ">="
    assert all(lv.unit == "%" and lv.kind == "credit" and lv.cap_pct == Decimal(12) for lv in refs.values())
    assert all(lv.section is not None and lv.section.endswith("3.1") for lv in refs.values())
    assert refs["SL5"].metric == "First Contact Resolution (FCR)" and refs["SL5"].window == "Measurement Period"
    assert refs["SL1"].cap is not None and "shall not exceed 12% of the Monthly Fees" in refs["SL1"].cap.text


def test_a_share_answered_within_a_time_keeps_the_time_beside_the_target(
    schedule: tuple[str, list[LevelDraft]],
) -> None:
    sl1 = _by_ref(schedule[1])["SL1"]
    assert (sl1.target, sl1.unit, sl1.comparison) == (Decimal(80), "%", ">=")
    assert sl1.target_text == "80% of Offered Calls answered within 60 seconds"
    assert sl1.values["threshold"].text == "60 seconds"
    assert sl1.metric == "Average Speed of Answer (voice)" and sl1.scope == "English and Spanish"


def test_the_pool_credits_each_level_its_weighting_of_the_at_risk_amount(
    schedule: tuple[str, list[LevelDraft]],
) -> None:
    refs = _by_ref(schedule[1])
    credit = refs["SL1"].credit
    assert credit is not None and credit.model == "pool" and credit.base == "At-Risk Amount"
    assert (credit.pool_pct, credit.level_pct, credit.at_risk_pct) == (Decimal(100), Decimal(20), Decimal(10))
    assert "At-Risk Amount x Credit Weighting" in credit.source.text
    assert refs["SL6"].credit is not None and refs["SL6"].credit.level_pct == Decimal(15)


def test_the_severity_table_gives_times_per_severity_reported_only(schedule: tuple[str, list[LevelDraft]]) -> None:
    rows = {(lv.metric, lv.scope): lv for lv in schedule[1] if lv.scope and lv.scope.startswith("Severity")}
    sev3 = rows[("Response time", "Severity 3")]
    assert (sev3.target, sev3.unit, sev3.comparison, sev3.kind) == (Decimal(1), "business days", "within", "report")
    assert rows[("Resolution time", "Severity 4")].unit == "business days"
    assert rows[("Restoration time", "Severity 1")].target == Decimal(4)
    assert rows[("Status updates", "Severity 4")].unit == "weeks"
    assert all(lv.kind == "report" and lv.credit is None for lv in rows.values())


def test_exclusions_are_attached(schedule: tuple[str, list[LevelDraft]]) -> None:
    sl1 = _by_ref(schedule[1])["SL1"]
    assert any("Force Majeure Event" in s.text for s in sl1.exclusions)
    assert any("scheduled maintenance" in s.text for s in sl1.exclusions)


def test_amendment_no_1_restates_the_table_from_its_effective_date(amendment: tuple[str, list[LevelDraft]]) -> None:
    _, levels = amendment
    refs = _by_ref(levels)
    assert list(refs) == [f"SL{n}" for n in range(1, 11)]
    assert refs["SL1"].values["threshold"].text == "45 seconds" and refs["SL5"].target == Decimal(75)
    assert refs["SL10"].metric == "Social Media Response Time" and refs["SL10"].target == Decimal(90)
    assert all(lv.effective_from == date(2025, 9, 1) for lv in levels)
    assert all(lv.cap_pct == Decimal(15) for lv in refs.values())
    assert refs["SL10"].credit is not None and refs["SL10"].credit.at_risk_pct == Decimal(10)
    assert refs["SL1"].values["effective_from"].text == "takes effect on 1 September 2025"


def test_effective_date_reads_the_documents_own_words() -> None:
    found = effective_date("This Amendment is made on 18 August 2025 and takes effect on 1 September 2025.")
    assert found is not None and found[0] == date(2025, 9, 1)
    assert effective_date("Effective as of March 3, 2026, the parties agree.") is not None
    assert effective_date("No date here.") is None


# Bonterms SLA v1.0 (CC BY 4.0, github.com/Bonterms/Service-Level-Agreement), SLA Key Terms Chart, verbatim.
BONTERMS = (
    "**7. SLA Key Terms Chart.**\n\n"
    "-| Monthly Uptime Percentage: | Service Credit:\n"
    "--- | --- | ---\n"
    "**Target Availability:** | 99.9% or higher | None\n"
    "Credit Tier 1 | 99.00% - 99.89% | 5% of monthly fees\n"
    "Credit Tier 2 | 97.00% - 98.99% | 20% of monthly fees\n"
    "Credit Tier 3 | 95.00% - 96.99% | 35% of monthly fees\n"
    "Credit Tier 4 | < 95.00% | 50% of monthly fees\n"
)


def test_a_tier_chart_gives_the_target_and_tiers_with_their_bounds() -> None:
    (level,) = _levels(BONTERMS)
    assert (level.metric, level.target, level.comparison, level.target_text) == (
        "Monthly Uptime Percentage",
        Decimal("99.9"),
        ">=",
        "99.9% or higher",
    )
    assert level.credit is not None and level.credit.model == "tiers" and level.credit.base == "monthly fees"
    tiers = [(t.low, t.high, t.pct, t.low_inclusive, t.high_inclusive) for t in level.credit.tiers]
    assert tiers[0] == (Decimal("99.00"), Decimal("99.89"), Decimal(5), True, True)
    assert tiers[2] == (Decimal("95.00"), Decimal("96.99"), Decimal(35), True, True)  # "< 95.00%" is the tier below
    assert tiers[3] == (None, Decimal("95.00"), Decimal(50), None, False)


def test_the_service_credit_definition_names_the_base_in_full() -> None:
    definition = (
        "“Service Credit” means a credit issued by Provider based on the monthly fees due for the affected Cloud "
        "Service in such month.\n\n"
    )  # Bonterms SLA v1.0 (CC BY 4.0), section 6, verbatim
    (level,) = _levels(definition + BONTERMS)
    assert level.credit is not None and level.credit.base == "monthly fees due for the affected Cloud Service"


# VK Cloud hot storage agreement (CC BY-SA 4.0, github.com/vk-cs/docs-public), clause 7.3 table, verbatim.
VK_ASCIIDOC = """7.3. If the Service is unavailable, the Company undertakes to pay the User Compensation:

[cols="1,2,3", options="header"]
|===
| Availability time (in%)\\*
| Unavailability time (min. or hour) in one Reporting period in total
| Compensation Amount

| 99.95% and above
| less than 22 minutes
| not paid

| 99,9%–99,95%
| from 22 to 45 minutes
| 3% of the amount debited from the Personal Balance for the Reporting Period in which Downtime was

| 99,0%–99,9%
| from 45 minutes to 7.5 hours
| 10% of the amount debited from the Personal Balance for the Reporting Period in which Downtime was
|===
"""


def test_asciidoc_tiers_with_decimal_commas() -> None:
    (level,) = _levels(VK_ASCIIDOC)
    assert level.target == Decimal("99.95") and level.comparison == ">=" and level.unit == "%"
    assert level.credit is not None
    tiers = [(t.low, t.high, t.pct) for t in level.credit.tiers]
    assert tiers == [(Decimal("99.9"), Decimal("99.95"), Decimal(3)), (Decimal("99.0"), Decimal("99.9"), Decimal(10))]
    first = level.credit.tiers[0]
    assert first.high_inclusive is False and first.low_inclusive is None  # "and above" owns 99.95; 99.9 is shared
    assert (
        level.credit.base
        == "the amount debited from the Personal Balance for the Reporting Period in which Downtime was"
    )


# VK Cloud support SLA (CC BY-SA 4.0, github.com/vk-cs/docs-public), "Solution statistics table", verbatim.
VK_SUPPORT = """| Degree of<br>importance| Execution time|
|----------------------|----------------------------------------------|
| Critical| 95% of critical priority requests are solved in 2h.|
| Low| 95% of low priority requests are resolved in 48 hours.|
"""


def test_a_time_column_makes_the_time_the_target_and_the_cell_names_what_is_timed() -> None:
    critical, low = _levels(VK_SUPPORT)
    assert (critical.metric, critical.scope, critical.target, critical.unit) == (
        "resolution time",
        "Critical",
        Decimal(2),
        "hours",
    )
    assert critical.comparison == "within" and critical.target_text == "2h" and critical.kind == "report"
    assert (low.target, low.target_text) == (Decimal(48), "48 hours")


def test_html_tables_as_the_loader_writes_them() -> None:
    text = (
        "4.1 Availability.\n\n| Monthly Availability | Service Credit |\n|---|---|\n"
        "| at least 99,95% | none |\n| from 99% to 99,95% | 10% of the Monthly Fees |\n"
        "| less than 99% | 25% of the Monthly Fees |\n"
    )
    (level,) = _levels(text)
    assert level.target == Decimal("99.95") and level.credit is not None
    assert [(t.low, t.high) for t in level.credit.tiers] == [(Decimal(99), Decimal("99.95")), (None, Decimal(99))]


def test_bounds_stated_with_signs_are_kept() -> None:
    text = (
        "| Monthly Uptime Percentage | Service Credit |\n|---|---|\n| 99.9% or more | none |\n"
        "| < 99.9% but >= 99.0% | 10% |\n| < 99.0% | 25% |\n"
    )
    (level,) = _levels(text)
    assert level.credit is not None
    first, second = level.credit.tiers
    assert (first.low, first.high, first.low_inclusive, first.high_inclusive) == (
        Decimal("99.0"),
        Decimal("99.9"),
        True,
        False,
    )
    assert (second.low, second.high, second.high_inclusive) == (None, Decimal("99.0"), False)


def test_per_point_credits_caps_and_claim_windows_in_prose() -> None:
    text = (
        "5.1 Availability. The Service will be available at least 99.5% of each calendar month.\n\n"
        "5.2 Service Credits. Provider will credit 5% of the Monthly Fees for each full percentage point below the "
        "target.\n\n"
        "5.3 Service Credits shall not exceed 20% of the Monthly Fees for the month.\n\n"
        "5.4 Customer must request a Service Credit within thirty (30) business days after the end of the month.\n"
    )
    (level,) = _levels(text)
    assert (level.metric, level.target, level.comparison, level.window) == (
        "availability",
        Decimal("99.5"),
        ">=",
        "calendar month",
    )
    assert level.kind == "credit" and level.credit is not None and level.credit.model == "per-point"
    assert level.credit.pct_per_point == Decimal(5) and level.credit.partial is False
    assert level.cap_pct == Decimal(20) and level.values["cap_pct"].text == "20%"
    assert level.claim_days == 30 and level.claim_business_days is True


def test_fixed_amount_per_breach() -> None:
    text = (
        "Vendor shall respond to each Priority 1 ticket within 30 minutes.\n\n"
        "For each breach of a response time, Vendor shall pay a Service Credit of USD 500 per breach.\n"
    )
    (level,) = _levels(text)
    assert (level.metric, level.scope, level.target, level.unit) == (
        "response time",
        "Priority 1",
        Decimal(30),
        "minutes",
    )
    assert level.credit is not None and level.credit.model == "fixed"
    assert (level.credit.amount, level.credit.currency) == (Decimal(500), "USD")


def test_numbers_in_words_and_business_days() -> None:
    text = "Provider shall resolve each Severity 2 Incident within seven (7) business days of its report.\n"
    (level,) = _levels(text)
    assert (level.target, level.unit, level.comparison) == (Decimal(7), "business days", "within")
    assert level.target_text == "within seven (7) business days"


def test_comparison_words() -> None:
    text = "The response time to the appeal is no more than 60 minutes.\n"
    (level,) = _levels(text)
    assert (level.comparison, level.target_text) == ("<=", "no more than 60 minutes")


# Common Paper SLA v2.0 (CC BY 4.0, github.com/CommonPaper/SLA), 1.1, verbatim: the target is a Cover Page variable.
def test_a_cover_page_variable_is_a_target_without_a_number() -> None:
    text = (
        "1. Uptime\n    1. Target Uptime.  If there is a Target Uptime, Provider will use commercially reasonable "
        "efforts to make the Cloud Service available for at least the Target Uptime as calculated each calendar "
        "month.\n"
    )
    (level,) = _levels(text)
    assert level.target is None and level.target_text == "Target Uptime" and level.comparison == ">="


def test_a_master_agreement_without_levels_gives_none() -> None:
    text = (
        "4.3 Payment. Customer will pay invoices within 30 days of receipt. Late amounts accrue 1.5% a month.\n\n"
        "9.2 Force Majeure. Either party may terminate if a Force Majeure Event lasts more than 30 days.\n"
    )
    assert extract_levels(text, document="csa.md") == []


def test_a_huge_hostile_document_is_read_in_bounded_time() -> None:
    text = ("| 9 " * 2000 + "|\n") * 20 + ("at least " * 5000 + "99.9% availability ") * 5 + "9" * 200_000
    began = time.perf_counter()
    extract_levels(text, document="hostile.md")
    assert time.perf_counter() - began < 10


def test_a_document_with_hundreds_of_levels_stays_linear() -> None:
    line = (
        "3.{n} Vendor shall respond to each {name} request within {n} hours, and the {name} service shall be "
        "available at least 99.9% of each month.\n\n"
    )  # each line different in its words (identical lines but for numbers would be page furniture)
    names = ["".join(chr(97 + (n // 26**k) % 26) for k in range(3)) for n in range(2000)]
    text = "".join(line.format(n=n, name=names[n]) for n in range(1, 2000))
    began = time.perf_counter()
    levels = extract_levels(text, document="many.md")
    assert len(levels) == 500 and time.perf_counter() - began < 10
    first, second = levels[:2]
    assert first.quote == second.quote and first.section == "3.1"
    assert {(first.target, first.unit), (second.target, second.unit)} == {(Decimal("99.9"), "%"), (Decimal(1), "hours")}


def test_the_knowledge_base_lists_the_levels_of_every_document(fake_kb: KnowledgeBase) -> None:
    fake_kb.index([SAMPLE / "03-sla-schedule.md", SAMPLE / "05-amendment-no-1.md"], engagement="acme")
    found = {doc.name: levels for doc, levels in fake_kb.service_levels("acme")}
    schedule = next(v for k, v in found.items() if k.endswith("03-sla-schedule.md"))
    amendment = next(v for k, v in found.items() if k.endswith("05-amendment-no-1.md"))
    assert all(lv.effective_from is None for lv in schedule)
    assert amendment and all(lv.effective_from == date(2025, 9, 1) for lv in amendment)
