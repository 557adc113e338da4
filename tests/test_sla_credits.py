"""The service-credit arithmetic of issue 12: golden cases from the issue, boundaries and bad input."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest

from bot.sla.credits import (
    Cap,
    CreditResult,
    ServiceLevel,
    compute_credits,
    in_force,
)
from bot.sla.money import SlaInputError, exact, money, number, rounded
from bot.sla.series import chronic_failures, earn_backs
from bot.sla.terms import Fixed, Period, PerPoint, Pool, Source, Tier, Tiers, is_met

D = Decimal

SCHEDULE = (
    "3.1 The Call answer rate shall be at least 80% in each month. "
    "3.2 First time resolution shall be at least 90%. "
    "3.3 Severity 1 incidents are restored within 4 hours. "
    "4.1 For each full percentage point below target, a Service Credit of 5% of the Monthly Fees applies. "
    "4.2 Total Service Credits in any month shall not exceed 15% of the Monthly Fees. "
    "4.3 Resolution credits: below 85%: 10%; 85% to 90%: 5%. "
    "5.1 Service Credit = Pool Allocation x Service Level Allocation x At-Risk Amount. "
    "5.2 The At-Risk Amount is 10% of the Monthly Fees. "
    "6.1 Vendor pays USD 1,000 for each Severity 1 incident not restored in time. "
    "7.1 First Contact Resolution: at least 70%. "
)
AMENDMENT = "1.1 In Section 7.1, 70% is replaced by 75%, from 1 September 2025."


def src(section: str, quote: str, text: str = SCHEDULE, document: str = "Schedule 2") -> Source:
    start = text.index(quote)
    return Source(document, section, quote, start, start + len(quote))


CAP = Cap(src("4.2", "shall not exceed 15% of the Monthly Fees"), pct=D(15))
PER_POINT = PerPoint(D(5), src("4.1", "a Service Credit of 5% of the Monthly Fees"))


def level(
    n: int,
    metric: str = "Call answer rate",
    target: object = D(80),
    comparison: str = ">=",
    rule: object = PER_POINT,
    **kw: object,
) -> ServiceLevel:
    kw.setdefault("status", "approved")
    kw.setdefault("unit", "%")
    return ServiceLevel(
        level=n,
        metric=metric,
        comparison=comparison,
        target=target,  # type: ignore[arg-type]
        source=kw.pop("source", src("3.1", "at least 80%")),  # type: ignore[arg-type]
        rule=rule,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


RESOLUTION_TIERS = Tiers(
    (Tier(None, D(85), D(10)), Tier(D(85), D(90), D(5))),
    src("4.3", "below 85%: 10%; 85% to 90%: 5%"),
)


def resolution(rule: object = RESOLUTION_TIERS, **kw: object) -> ServiceLevel:
    return level(2, "First time resolution", D(90), rule=rule, source=src("3.2", "at least 90%"), **kw)


def test_every_source_is_verbatim_in_its_document_at_its_span() -> None:
    for s in (CAP.source, PER_POINT.source, RESOLUTION_TIERS.source, src("5.2", "10% of the Monthly Fees")):
        assert SCHEDULE[s.start : s.end] == s.quote
    with pytest.raises(SlaInputError, match="span"):
        Source("Schedule 2", "4.1", "five", 0, 10)


# -- per point: full versus partial


def test_per_full_point_counts_only_whole_points_below_the_target() -> None:
    r = compute_credits([level(1)], {1: D("76.4")}, period="2026-10", fees=D(200000))
    (line,) = r.lines
    assert line.credit_pct == D(15) and line.credit_amount == D(30000) and not line.met
    assert line.working == "Call answer rate 76.4% vs >= 80%: 3 full points below x 5% = 15% (Schedule 2 §3.1, §4.1)"


def test_per_partial_point_counts_the_fraction_too() -> None:
    rule = PerPoint(D(5), PER_POINT.source, partial=True)
    (line,) = compute_credits([level(1, rule=rule)], {1: D("76.4")}, period="2026-10", fees=D(200000)).lines
    assert line.credit_pct == D(18) and line.credit_amount == D(36000)
    assert "3.6 partial points below x 5% = 18%" in line.working


def test_per_point_on_a_lower_is_better_level_counts_points_above() -> None:
    rule = PerPoint(D(2), PER_POINT.source)
    abandon = level(3, "Abandonment rate", D(5), "<=", rule=rule)
    (line,) = compute_credits([abandon], {3: D("7.9")}, period="2026-10", fees=D(1000)).lines
    assert line.credit_pct == D(4) and "2 full points above x 2% = 4%" in line.working


def test_per_point_maximum_limits_the_level_credit() -> None:
    rule = PerPoint(D(5), PER_POINT.source, max_pct=D(10))
    (line,) = compute_credits([level(1, rule=rule)], {1: D(60)}, period="2026-10", fees=D(1000)).lines
    assert line.credit_pct == D(10) and "20 full points below x 5% = 100%, at most 10%" in line.working


def test_exactly_on_target_is_met_and_just_below_is_missed() -> None:
    r = compute_credits([level(1)], {1: D(80)}, period="2026-10", fees=D(1000))
    assert r.lines[0].met and r.lines[0].credit_pct == 0 and "met, no credit" in r.lines[0].working
    r = compute_credits([level(1)], {1: D("79.99")}, period="2026-10", fees=D(1000))
    assert not r.lines[0].met and r.lines[0].credit_pct == 0  # missed, but no full point below
    assert "0 full points below x 5% = 0%" in r.lines[0].working


# -- tiers: bounds stated, both sides of each boundary


@pytest.mark.parametrize(
    ("actual", "credit"),
    [("84.99", 10), ("85", 5), ("85.01", 5), ("89.99", 5), ("90", 0), ("0", 10)],
)
def test_tiers_default_to_from_inclusive_to_exclusive(actual: str, credit: int) -> None:
    (line,) = compute_credits([resolution()], {2: D(actual)}, period="2026-10", fees=D(1000)).lines
    assert line.credit_pct == D(credit)


def test_tier_bounds_can_say_the_other_way_round() -> None:
    # "85% or below: 10%; above 85% to 90%: 5%": the boundary value falls in the lower tier
    tiers = Tiers(
        (Tier(None, D(85), D(10), high_inclusive=True), Tier(D(85), D(90), D(5), low_inclusive=False)),
        RESOLUTION_TIERS.source,
    )
    r = compute_credits([resolution(rule=tiers)], {2: D(85)}, period="2026-10", fees=D(1000))
    assert r.lines[0].credit_pct == D(10)
    assert "tier up to 85% (inclusive) = 10%" in r.lines[0].working
    r = compute_credits([resolution(rule=tiers)], {2: D("85.0001")}, period="2026-10", fees=D(1000))
    assert r.lines[0].credit_pct == D(5)
    assert "tier from 85% (exclusive) to 90% (exclusive) = 5%" in r.lines[0].working


def test_overlapping_tiers_are_refused() -> None:
    with pytest.raises(SlaInputError, match="overlap"):
        Tiers((Tier(None, D(85), D(10), high_inclusive=True), Tier(D(85), D(90), D(5))), RESOLUTION_TIERS.source)
    with pytest.raises(SlaInputError, match="overlap"):
        Tiers((Tier(D(70), D(90), D(10)), Tier(D(80), None, D(5))), RESOLUTION_TIERS.source)
    Tiers((Tier(D(70), D(80), D(10)), Tier(D(80), D(90), D(5))), RESOLUTION_TIERS.source)  # adjacent is fine


# -- the pool, fixed amounts, within


def test_pool_allocation_of_the_at_risk_amount() -> None:
    pool = Pool(D(50), D(40), D(10), src("5.1", "Pool Allocation x Service Level Allocation x At-Risk Amount"))
    r = compute_credits([level(4, "Quality score", D(90), rule=pool)], {4: D(88)}, period="2026-10", fees=100000)
    assert r.lines[0].credit_pct == D(2) and r.total_amount == D(2000)
    assert "50% pool allocation x 40% level allocation x at-risk amount 10% of USD 100,000" in r.lines[0].working
    assert "= USD 2,000 = 2%" in r.lines[0].working
    assert r.total_working == "Total 2% of USD 100,000 = USD 2,000 (Schedule 2 §5.1)"


def test_within_is_a_duration_at_most_the_target_and_a_fixed_credit_is_an_amount() -> None:
    fixed = Fixed(D(1000), "usd", src("6.1", "USD 1,000 for each Severity 1 incident"))
    sev1 = level(5, "Severity 1 restoration", D(4), "within", rule=fixed, unit="hours", source=src("3.3", "4 hours"))
    assert compute_credits([sev1], {5: D(4)}, period="2026-10", fees=D(30000)).lines[0].met
    r = compute_credits([sev1], {5: D("4.5")}, period="2026-10", fees=D(30000))
    (line,) = r.lines
    assert not line.met and line.credit_amount == D(1000) and line.credit_pct == D("3.3333")
    restore = level(5, "Severity 1 restoration", D(4), "within", rule=PER_POINT, unit="hours", source=sev1.source)
    (late,) = compute_credits([restore], {5: D("5.5")}, period="2026-10", fees=D(30000)).lines
    assert "5.5 hours vs within 4 hours: 1 full hour above x 5% = 5%" in late.working
    assert line.working.startswith("Severity 1 restoration 4.5 hours vs within 4 hours: fixed credit of USD 1,000")
    assert r.total_amount == D(1000)
    with pytest.raises(SlaInputError, match="EUR"):
        compute_credits([sev1], {5: D(5)}, period="2026-10", fees=D(30000), currency="EUR")


@pytest.mark.parametrize(
    ("comparison", "actual", "met"),
    [(">=", 80, True), (">=", 79, False), (">", 80, False), (">", 81, True), ("<=", 5, True), ("<=", 6, False)]
    + [("<", 5, False), ("<", 4, True), ("within", 4, True), ("within", 5, False)],
)
def test_met_for_each_comparison(comparison: str, actual: int, met: bool) -> None:
    target = D(80) if comparison.startswith(">") else D(5) if comparison != "within" else D(4)
    assert is_met(comparison, D(actual), target) is met


# -- caps, several breaches summed then capped


def test_several_breaches_are_summed_then_capped() -> None:
    r = compute_credits([level(1), resolution()], {1: D("76.4"), 2: D(84)}, period="2026-10", fees=D(200000), cap=CAP)
    assert [line.credit_pct for line in r.lines] == [D(15), D(10)]
    assert r.total_pct_before_cap == D(25) and r.total_amount_before_cap == D(50000)
    assert r.capped and r.cap_pct == D(15) and r.total_pct == D(15) and r.total_amount == D(30000)
    assert r.total_working == "Total 25%, capped at 15% of USD 200,000 = USD 30,000 (Schedule 2 §4.1, §4.3, §4.2)"


def test_below_the_cap_the_total_stands() -> None:
    r = compute_credits([level(1)], {1: D(78)}, period="2026-10", fees=D(200000), cap=CAP)
    assert not r.capped and r.total_pct == D(10) and r.total_amount == D(20000)
    assert "within the cap of USD 30,000" in r.total_working


def test_a_cap_in_an_amount() -> None:
    cap = Cap(CAP.source, amount=D(25000))
    r = compute_credits([level(1)], {1: D(70)}, period="2026-10", fees=D(200000), cap=cap)
    assert r.capped and r.total_amount == D(25000) and r.cap_pct == D("12.5") and r.total_pct == D("12.5")
    assert "capped at USD 25,000 of USD 200,000 = USD 25,000" in r.total_working
    with pytest.raises(SlaInputError, match="exactly one"):
        Cap(CAP.source, pct=D(10), amount=D(10))


# -- rounding, currencies, JSON


def test_rounding_is_half_up_at_the_end_to_the_minor_unit() -> None:
    r = compute_credits([level(1)], {1: D(79)}, period="2026-10", fees=D("100.10"))
    assert r.lines[0].credit_amount == D("5.005") and r.total_amount == D("5.01")
    r = compute_credits([level(1)], {1: D(79)}, period="2026-10", fees=D("100.10"), rounding=ROUND_DOWN)
    assert r.total_amount == D("5.00")
    r = compute_credits([level(1)], {1: D(79)}, period="2026-10", fees=D(12345), currency="JPY")
    assert r.total_amount == D(617) and r.total_working.endswith("= JPY 617 (Schedule 2 §4.1)")
    assert rounded(D("1.0005"), "BHD") == D("1.001") and money(D("2000.5"), "USD") == "USD 2,000.50"


def test_as_dict_is_the_cli_contract_with_exact_json_numbers() -> None:
    r = compute_credits(
        [level(1), resolution(), level(3, "Email response", D(95), source=src("3.1", "80%"))],
        {1: D("76.4"), 2: D(84)},
        period=Period.parse("2026-10"),
        fees=D("200000.50"),
        cap=CAP,
    )
    data = json.loads(json.dumps(r.as_dict()))
    assert list(data) == [
        "period", "fees", "currency", "lines", "total_pct_before_cap", "cap_pct", "total_pct", "total_amount",
        "capped",
    ]  # fmt: skip
    assert data["period"] == "2026-10" and data["currency"] == "USD" and data["fees"] == 200000.5
    first = data["lines"][0]
    assert list(first) == [
        "level", "metric", "target", "actual", "met", "credit_pct", "working", "document", "section", "quote",
        "version",
    ]  # fmt: skip
    assert first["level"] == 1 and first["target"] == 80 and first["actual"] == 76.4 and first["met"] is False
    assert first["credit_pct"] == 15 and first["document"] == "Schedule 2" and first["section"] == "3.1"
    assert first["quote"] == "at least 80%"
    assert data["lines"][2]["actual"] is None and data["lines"][2]["credit_pct"] == 0
    assert data["lines"][2]["working"] == "Email response not measured vs >= 95%: no credit (Schedule 2 §3.1)"
    assert data["total_amount"] == 30000.08 and data["capped"] is True and data["cap_pct"] == 15
    # the text json wrote reads back as the exact Decimal
    assert D(json.dumps(data["total_amount"])) == r.total_amount == D("30000.08")
    assert D(json.dumps(data["lines"][0]["actual"])) == D("76.4")
    assert number(D("15.00")) == 15 and isinstance(number(D("15.00")), int)
    with pytest.raises(SlaInputError, match="digits"):
        number(D("0.12345678901234567890"))


def test_only_approved_levels_count_and_the_others_are_named() -> None:
    draft = level(3, "Email response", D(95), status="draft")
    rejected = level(4, "Chat response", D(90), status="rejected")
    measured = {1: D(70), 3: D(10), 4: D(10), 9: D(1)}
    r = compute_credits([level(1), draft, rejected], measured, period="2026-10", fees=100)
    assert [line.level.level for line in r.lines] == [1]
    assert r.left_out == (
        "Email response (level 3, version 1) is draft, not approved: left out",
        "Chat response (level 4, version 1) is rejected, not approved: left out",
        "a measurement for level 3, which has no approved version: left out",
        "a measurement for level 4, which has no approved version: left out",
        "a measurement for level 9, which has no approved version: left out",
    )


def test_a_key_measurement_is_reported_never_credited() -> None:
    key = level(6, "Customer satisfaction", D(85), kind="report")
    (line,) = compute_credits([key], {6: D(80)}, period="2026-10", fees=D(1000)).lines
    assert not line.met and line.credit_pct == 0 and "a key measurement, reported only, no credit" in line.working


def test_the_result_lists_every_source_it_used() -> None:
    fees = src("5.2", "10% of the Monthly Fees")
    r = compute_credits([level(1)], {1: D(70)}, period="2026-10", fees=D(10), cap=CAP, fees_source=fees)
    assert set(r.sources) == {fees, CAP.source, PER_POINT.source, src("3.1", "at least 80%")}


# -- versions: an amendment changing a target mid-year


def fcr(target: int, effective: date | None, version: int, **kw: object) -> ServiceLevel:
    source = (
        src("7.1", "at least 70%")
        if version == 1
        else src("1.1", "70% is replaced by 75%", text=AMENDMENT, document="Amendment No. 1")
    )
    return level(
        7, "First Contact Resolution", D(target), source=source, effective_from=effective, version=version, **kw
    )


def test_an_amendment_changes_the_target_from_its_period() -> None:
    versions = [fcr(70, None, 1), fcr(75, date(2025, 9, 1), 2)]
    assert in_force(versions, Period(2025, 8)) == versions[0]
    assert in_force(versions, Period(2025, 9)) == versions[1]
    aug = compute_credits(versions, {7: D(72)}, period="2025-08", fees=D(1000))
    sep = compute_credits(versions, {7: D(72)}, period="2025-09", fees=D(1000))
    assert aug.lines[0].met and aug.lines[0].level.target == 70
    assert not sep.lines[0].met and sep.lines[0].credit_pct == D(15)
    assert sep.lines[0].as_dict()["document"] == "Amendment No. 1"


def test_a_version_starting_mid_period_applies_from_the_next_period() -> None:
    versions = [fcr(70, None, 1), fcr(75, date(2025, 9, 15), 2)]
    assert in_force(versions, Period(2025, 9)) == versions[0]
    assert in_force(versions, Period(2025, 10)) == versions[1]
    assert in_force([fcr(75, date(2025, 9, 2), 2)], Period(2025, 9)) is None
    with pytest.raises(SlaInputError, match="two versions 2"):
        in_force([fcr(75, date(2025, 9, 1), 2), fcr(76, date(2025, 9, 1), 2)], Period(2025, 9))


def test_an_unapproved_amendment_leaves_the_old_target_in_force() -> None:
    versions = [fcr(70, None, 1), fcr(75, date(2025, 9, 1), 2, status="draft")]
    r = compute_credits(versions, {7: D(72)}, period="2025-10", fees=D(1000))
    assert r.lines[0].met and r.lines[0].level.version == 1 and len(r.left_out) == 1


# -- bad input


def test_floats_are_refused_with_a_clear_error() -> None:
    with pytest.raises(SlaInputError, match="floats are inexact"):
        compute_credits([level(1)], {1: 76.4}, period="2026-10", fees=D(1000))
    with pytest.raises(SlaInputError, match="fees must be a Decimal or an int, not float"):
        compute_credits([level(1)], {1: D(76)}, period="2026-10", fees=1000.0)
    with pytest.raises(SlaInputError, match="target"):
        level(1, target=80.0)
    with pytest.raises(SlaInputError, match="pct per point"):
        PerPoint(5.0, PER_POINT.source)  # type: ignore[arg-type]
    with pytest.raises(SlaInputError, match="not bool"):
        exact(True, "fees")


def test_negative_values_are_refused() -> None:
    with pytest.raises(SlaInputError, match="fees must not be negative"):
        compute_credits([level(1)], {1: D(76)}, period="2026-10", fees=D(-1))
    with pytest.raises(SlaInputError, match="measurement must not be negative"):
        compute_credits([level(1)], {1: D(-5)}, period="2026-10", fees=D(1))
    with pytest.raises(SlaInputError, match="tier's pct"):
        Tier(None, D(85), D(-10))


def test_unknown_currency_bad_period_and_missing_target_are_refused() -> None:
    with pytest.raises(SlaInputError, match="unknown currency 'XYZ'"):
        compute_credits([level(1)], {1: D(76)}, period="2026-10", fees=D(1), currency="XYZ")
    with pytest.raises(SlaInputError, match="YYYY-MM"):
        compute_credits([level(1)], {1: D(76)}, period="2026-13", fees=D(1))
    with pytest.raises(SlaInputError, match="has no target"):
        compute_credits([level(1, target=None)], {1: D(76)}, period="2026-10", fees=D(1))
    with pytest.raises(SlaInputError, match="unknown comparison"):
        level(1, comparison="=>")


# -- series: chronic failure and earn-back


JANUARY = Period(2026, 1)


def months(values: list[Decimal | None], start: Period = JANUARY) -> list[CreditResult]:
    """One result a month from start, for level 1 measured at each value (None: not measured)."""
    found, period = [], start
    for value in values:
        found.append(compute_credits([level(1)], {1: value} if value is not None else {}, period=period, fees=1000))
        period = period.following()
    return found


def test_chronic_failure_is_the_same_level_missed_three_months_running() -> None:
    (chronic,) = chronic_failures(months([D(70), D(79), D(78), D(81), D(70), D(70)]))
    assert chronic.level == 1 and [str(p) for p in chronic.periods] == ["2026-01", "2026-02", "2026-03"]
    assert chronic.working == "Call answer rate missed 3 months running (2026-01 to 2026-03): chronic failure"
    assert chronic_failures(months([D(70), D(70), None, D(70)])) == []  # not measured breaks the run
    assert len(chronic_failures(months([D(70), D(70), D(70), D(70)]))[0].periods) == 4
    gap = months([D(70), D(70)]) + months([D(70)], start=Period(2026, 4))
    assert chronic_failures(gap) == []  # a month with no result breaks the run too
    across_years = months([D(70), D(70), D(70)], start=Period(2025, 11))
    assert [str(p) for p in chronic_failures(across_years)[0].periods] == ["2025-11", "2025-12", "2026-01"]


def test_earn_back_after_three_months_met_but_not_inside_a_chronic_run() -> None:
    (back,) = earn_backs(months([D(78), D(80), D(85), D(90)]))
    assert back.failure == Period(2026, 1) and back.credited == D(100) and back.amount == D(50)
    assert back.working == "Call answer rate met in the 3 months after 2026-01: 50% of USD 100 = USD 50"
    assert earn_backs(months([D(78), D(80), D(79), D(90)])) == earn_backs(months([D(78), D(80), D(80)])) == []
    assert earn_backs(months([D(70), D(70), D(70), D(80), D(80), D(80)])) == []
    assert earn_backs(months([D(78), D(80), D(85), D(90)]), excluded=[1]) == []
