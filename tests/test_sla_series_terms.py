"""Earn-back and chronic failure as the contract writes them (knowledge.sla_series, through knowledge.slas), then
applied in a month's credits, and levels measured per calendar quarter, end to end through `liaison sla`.

Excerpts in several wordings; two are copied from the real documents in ../shared/bench/sla/docs (their source
and licence are noted beside them). Every span is checked verbatim at its offsets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from bot.cli.sla import COMMANDS
from bot.cli.sla_measures import add_to
from bot.db import make_engine, session, upgrade
from bot.sla import register
from knowledge.sections import sentence_spans
from knowledge.sla_series import read_series
from knowledge.slas import ChronicDraft, ChronicTest, EarnBackDraft, Span, extract_levels, with_series_terms
from tests.test_sla_register import SCHEDULE, draft

SAMPLE = Path(__file__).resolve().parent.parent / "knowledge" / "samples" / "acme-customer-care"


def terms(text: str) -> tuple[EarnBackDraft | None, ChronicDraft | None]:
    found = read_series(text, sentence_spans(text, 0, len(text)))
    for span in _spans(found.earn_back, found.chronic):
        assert text[span.start : span.end] == span.text
    return found.earn_back, found.chronic


def _spans(earn: EarnBackDraft | None, chronic: ChronicDraft | None) -> list[Span]:
    out: list[Span] = []
    if earn is not None:
        out += [earn.source, *earn.values.values()]
    if chronic is not None:
        out += [chronic.source, *chronic.values.values(), *([chronic.remedy] if chronic.remedy else [])]
    return out


# -- earn-back -------------------------------------------------------------------------------------------------
def test_earn_back_with_a_share_of_the_credit_after_n_periods() -> None:
    text = (
        "If the Supplier meets the Service Level in each of the three (3) Measurement Periods following a Service "
        "Level Failure, the Supplier shall be entitled to a refund of fifty percent (50%) of the Service Credit."
    )
    earn, chronic = terms(text)
    assert earn is not None and chronic is None
    assert (earn.periods, earn.pct, earn.values["periods"].text, earn.values["pct"].text) == (
        3,
        Decimal(50),
        "three (3)",
        "fifty percent (50%)",
    )
    assert earn.source.text == text and earn.excludes == () and not earn.not_in_chronic


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        ("Vendor shall earn back the Service Credit if it achieves the Service Level in the following two (2) "
         "consecutive months.", 2),
        ("Where the Service Level is met for the three months immediately after the failure, the credit shall be "
         "waived.", 3),
        ("The earnback applies when the Service Level is met in the 6 months after the failure of a Service Credit "
         "level.", 6),
    ],
)  # fmt: skip
def test_earn_back_without_a_share_recovers_the_whole_credit(text: str, periods: int) -> None:
    earn, _ = terms(text)
    assert earn is not None and (earn.periods, earn.pct) == (periods, Decimal(100)) and "pct" not in earn.values


def test_earn_back_share_in_the_next_sentence_and_its_exclusions() -> None:
    text = (
        "The Provider earns back a Service Credit where it meets the Service Level in the 6 months after the month "
        "of the failure. 25% of each such Service Credit is then earned back. "
    )
    earn, _ = terms(text)
    assert earn is not None and (earn.periods, earn.pct, earn.values["pct"].text) == (6, Decimal(25), "25%")
    sample = (SAMPLE / "03-sla-schedule.md").read_text()
    earn, chronic = terms(sample[sample.index("5.6 Earn-Back.") : sample.index("5.7 Other")])
    assert earn is not None and (earn.periods, earn.pct, earn.excludes, earn.not_in_chronic) == (
        3,
        Decimal(50),
        ("SL8",),
        True,
    )


def test_a_refund_with_no_following_periods_is_no_earn_back() -> None:
    # From ../shared/bench/sla/docs/07_github_premium_support.md (github/docs, CC BY 4.0; GitHub, Inc.).
    text = (
        "To honor the SLA, {% data variables.product.company_short %} will refund 20% of the quarterly "
        "{% data variables.contact.premium_support %} fee. To receive the refund, you must submit a credit request."
    )
    assert terms(text) == (None, None)
    assert terms("Service Credits are the Client's sole remedy for a Service Level Failure.") == (None, None)


# -- chronic failure -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "tests", "run_text"),
    [
        ("A Chronic Service Level Failure occurs if the Supplier fails to meet the same Service Level in three (3) "
         "consecutive months.", (ChronicTest(3),), "three (3)"),
        ("The Supplier is in Chronic Failure if it fails the Service Level in any three (3) months of a rolling "
         "twelve (12) month period.", (ChronicTest(3, 12),), "three (3)"),
        ('8.1 A "Chronic Service Level Failure" occurs if Vendor fails the same Critical Service Level in 3 '
         "Measurement Periods within any rolling period of 6 consecutive Measurement Periods.", (ChronicTest(3, 6),),
         "3"),
        ("If a Service Level is missed 4 months in a row, the Customer may terminate the Services.",
         (ChronicTest(4),), "4"),
    ],
)  # fmt: skip
def test_chronic_failure_tests_in_several_wordings(text: str, tests: tuple[ChronicTest, ...], run_text: str) -> None:
    _, chronic = terms(text)
    assert chronic is not None and chronic.tests == tests and chronic.values["run"].text == run_text


def test_chronic_failure_from_the_common_paper_sla_with_its_termination_right() -> None:
    # From ../shared/bench/sla/docs/01_commonpaper_sla_v2.md §4 (Common Paper SLA v2.0, © Common Paper, Inc.,
    # CC BY 4.0).
    text = (
        "Termination.  If the Cloud Service does not meet the Target Uptime for two (2) out of any three (3) "
        "consecutive months and Customer notified Provider of the failures within 7 days of the end of each "
        "impacted month, Customer may immediately terminate the affected Order Form by giving written notice to "
        "Provider."
    )
    earn, chronic = terms(text)
    assert earn is None and chronic is not None
    assert (chronic.run, chronic.within, chronic.values["within"].text) == (2, 3, "three (3)")
    assert chronic.remedy is not None and "terminate the affected Order Form" in chronic.remedy.text


def test_multiple_failures_from_the_bonterms_sla_keep_both_tests_and_the_remedy_elsewhere() -> None:
    # From ../shared/bench/sla/docs/03_bonterms_sla_v1.md (Bonterms Service Level Agreement v1.0, CC BY 4.0).
    text = (
        "**4. Multiple Failures**. To the extent that the Cloud Service experiences Multiple Failures, then "
        "Customer may, upon notice to Provider no more\nthan 30 days after the date the Multiple Failures occurred, "
        "terminate the Order for the applicable Cloud Service.\n\n"
        "**Multiple Failures:** means Target Availability is not met for 2 consecutive months or any 3 months in a "
        "rolling 12-month period."
    )
    _, chronic = terms(text)
    assert chronic is not None and chronic.tests == (ChronicTest(2), ChronicTest(3, 12))
    assert chronic.source.text.startswith("**Multiple Failures:** means")
    assert chronic.remedy is not None and chronic.remedy.text.startswith("To the extent that the Cloud Service")


def test_consecutive_days_of_force_majeure_are_no_chronic_failure() -> None:
    # From ../shared/bench/sla/docs/02_commonpaper_csa.md §5.4 (Common Paper CSA v2.1, CC BY 4.0): a hard negative.
    text = (
        "Either party may terminate an affected Order Form upon notice if a Force Majeure Event prevents the "
        "Product from materially operating for 30 or more consecutive days."
    )
    assert terms(text) == (None, None)


# -- on the levels of a schedule -------------------------------------------------------------------------------
def test_the_sample_schedule_attaches_earn_back_and_chronic_to_the_levels_they_apply_to() -> None:
    text = (SAMPLE / "03-sla-schedule.md").read_text()
    levels = {lv.metric: lv for lv in extract_levels(text, document="03-sla-schedule.md")}
    quality = levels["Quality Score"]
    assert quality.earn_back is not None and (quality.earn_back.periods, quality.earn_back.pct) == (3, 50)
    assert quality.chronic is not None and (quality.chronic.run, quality.chronic.within) == (3, 6)
    assert quality.chronic.remedy is not None and quality.chronic.remedy.text.startswith("8.2 On a Chronic")
    assert levels["Severity 1 Incident Restoration"].earn_back is None  # "Earn-back is not available for SL8"
    assert levels["First Contact Resolution (FCR)"].chronic is None  # a Key level: chronic names Critical ones
    assert all(lv.earn_back is None for lv in levels.values() if lv.kind == "report")
    for level in levels.values():
        for span in _spans(level.earn_back, level.chronic):
            assert text[span.start : span.end] == span.text


def test_a_chronic_sentence_naming_one_level_applies_to_that_level_only() -> None:
    text = (
        "| Service Level | Target |\n|---|---|\n| Availability | 99.9% |\n| Support response time | 4 hours |\n\n"
        "Service Credits are 5% of the monthly fees for each missed Service Level.\n\n"
        "If the Availability is below target in three (3) consecutive months, Customer may terminate."
    )
    levels = {lv.metric.casefold(): lv for lv in extract_levels(text, document="sla.md")}
    assert levels["availability"].chronic is not None and levels["availability"].chronic.run == 3
    assert [m for m, lv in levels.items() if lv.chronic is not None] == ["availability"]


def test_levels_drafted_apart_get_the_documents_clauses_too() -> None:
    text = (SAMPLE / "03-sla-schedule.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| SL6 "))
    start = text.index(row)
    assisted = replace(
        draft(text, "SL6", "Quality Score", "90", "15", cap="12"), quote=Span(row, start, start + len(row))
    )  # as the model-assisted extraction drafts a level the rules left
    (level,) = with_series_terms(text, [assisted])
    assert level.earn_back is not None and level.earn_back.pct == 50
    assert level.chronic is not None and level.chronic.tests == (ChronicTest(3, 6),)
    assert with_series_terms("No service credits here.", [assisted]) == [assisted]


def test_a_schedule_with_no_such_clause_has_none() -> None:
    text = "| Service Level | Target |\n|---|---|\n| Availability | 99.9% |\n\nService Credits are 5% of the fees."
    assert all(lv.earn_back is None and lv.chronic is None for lv in extract_levels(text, document="sla.md"))


def test_a_rolling_window_in_a_sentence_is_the_levels_window() -> None:
    text = "The Service shall be available at least 99.5% of the time, measured over a rolling thirty (30) days."
    (level,) = extract_levels(text, document="sla.md")
    assert level.window == "rolling thirty (30) days" and level.values["window"].text == "rolling thirty (30) days"


def test_a_measurement_period_defined_as_a_calendar_quarter_is_the_window() -> None:
    text = (
        '1.1 In this Schedule, "Measurement Period" means each calendar quarter.\n\n'
        "| Ref | Service Level | Target | Measurement Window |\n|---|---|---|---|\n"
        "| SL1 | Availability | 99.5% | Measurement Period |\n"
    )
    (level,) = extract_levels(text, document="sla.md")
    assert level.window == "calendar quarter" and level.values["window"].text == "calendar quarter"
    assert text[level.values["window"].start : level.values["window"].end] == "calendar quarter"


# -- applied in credits, through `liaison sla` ------------------------------------------------------------------
CLAUSES = (
    "5.6 If Vendor meets the target for a failed Service Level in each of the 3 Measurement Periods immediately "
    "following the failure, Vendor may recover 50% of the Service Credit for that failure. Earn-back is not "
    "available for any Service Level Failure that forms part of a Chronic Service Level Failure.\n"
    '8.1 A "Chronic Service Level Failure" occurs if Vendor fails the same Service Level in 3 Measurement Periods '
    "within any rolling period of 6 consecutive Measurement Periods.\n"
    "8.2 On a Chronic Service Level Failure, Client may terminate the Agreement for cause.\n"
)
TEXT = SCHEDULE + CLAUSES  # the schedule's text: its levels, then its earn-back and chronic clauses
FEES = "100000"  # At-Risk Amount 10%: Quality Score (15%) costs USD 1,500 a miss, Average Speed of Answer (20%) 2,000


def drafts(*, series: bool = True) -> list[Any]:
    """Quality Score monthly with the schedule's earn-back and chronic clauses; Average Speed of Answer per quarter."""
    found = read_series(TEXT, sentence_spans(TEXT, len(SCHEDULE), len(TEXT)))
    answer = replace(draft(SCHEDULE, "SL1", "Average Speed of Answer (voice)", "80", "20", cap="12"))
    quality = draft(SCHEDULE, "SL6", "Quality Score", "90", "15", cap="12")
    if series:
        quality = replace(quality, earn_back=found.earn_back, chronic=found.chronic)
    return [replace(answer, window="calendar quarter"), quality]


def sections() -> dict[int, str | None]:
    return {TEXT.index(line): line.split()[0] for line in CLAUSES.splitlines()}


@pytest.fixture
def liaison(tmp_path: Path) -> Callable[..., Any]:
    """`liaison sla ...` on a SQLite database holding the two levels, approved (the rules are the database's
    alike: the quarterly test below runs on PostgreSQL too)."""
    return cli(sqlite(tmp_path), tmp_path, drafts())


def sqlite(tmp_path: Path) -> str:
    (tmp_path / "data").mkdir(exist_ok=True)
    return f"sqlite:///{tmp_path / 'data' / 'liaison.db'}"


def cli(url: str, tmp_path: Path, levels: list[Any], extra: Sequence[register.Found] = ()) -> Callable[..., Any]:
    group = click.Group("liaison")
    for command in COMMANDS:
        group.add_command(command)
    add_to(COMMANDS[0])
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": "" if url.startswith("sqlite") else url}
    (tmp_path / "data").mkdir(exist_ok=True)

    def run(*args: str, code: int = 0) -> Any:
        result = CliRunner().invoke(group, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    engine = make_engine(url)
    upgrade(engine)
    with session(engine) as s:
        register.sync_drafts(
            s,
            engagement="acme",
            found=[register.Found("schedule.md", "shared", levels, sections()), *extra],
            actor="cli",
        )
        ids = [str(r.id) for r in register.levels(s, engagement="acme")]
    engine.dispose()
    run("sla", "approve", *ids, "-e", "acme")
    run.url = url  # type: ignore[attr-defined]
    return run


def report(liaison: Callable[..., Any], level: str, *values: tuple[str, str]) -> None:
    for period, value in values:
        liaison("sla", "report", "-e", "acme", "--level", level, "--period", period, "--value", value)


def credits(liaison: Callable[..., Any], period: str, fees: str = FEES) -> dict[str, Any]:
    out = liaison("sla", "credits", "-e", "acme", "--period", period, "--fees", fees, "--json").stdout
    return json.loads(out)  # type: ignore[no-any-return]


def test_a_rolling_window_is_reported_per_month_and_named_in_the_working(tmp_path: Path) -> None:
    answer, quality = drafts(series=False)
    liaison = cli(sqlite(tmp_path), tmp_path, [answer, replace(quality, window="rolling 30 days")])
    report(liaison, "quality score", ("2026-10", "85"))
    (line,) = [line for line in credits(liaison, "2026-10")["lines"] if line["metric"] == "Quality Score"]
    assert line["credit_pct"] == 1.5 and line["working"].endswith(
        "; window: rolling 30 days, the value reported for 2026-10"
    )


def test_the_register_keeps_and_shows_the_clauses(liaison: Callable[..., Any]) -> None:
    listed = {sl["metric"]: sl for sl in json.loads(liaison("sla", "list", "-e", "acme", "--json").stdout)[
        "service_levels"
    ]}  # fmt: skip
    quality = listed["Quality Score"]
    assert quality["earn_back"]["periods"] == 3 and quality["earn_back"]["pct"] == 50
    assert quality["earn_back"]["not_in_chronic"] and quality["earn_back"]["section"] == "5.6"
    earn = quality["earn_back"]
    assert TEXT[earn["start"] : earn["end"]] == earn["quote"] and earn["quote"].startswith("5.6 If Vendor")
    chronic = quality["chronic"]
    assert (chronic["run"], chronic["within"], chronic["section"], chronic["remedy_section"]) == (3, 6, "8.1", "8.2")
    assert TEXT[chronic["start"] : chronic["end"]] == chronic["quote"]
    answer = listed["Average Speed of Answer (voice)"]
    assert answer["earn_back"] is None and answer["chronic"] is None and answer["window"] == "calendar quarter"


def test_an_earn_back_is_shown_in_the_month_that_completes_it(liaison: Callable[..., Any]) -> None:
    report(liaison, "quality score", ("2026-06", "85"), ("2026-07", "90"), ("2026-08", "91"), ("2026-09", "92"))
    june = credits(liaison, "2026-06")  # kept: June's fees are what its credit was a share of
    assert june["total_amount"] == 1500 and june["earn_backs"] == []
    assert credits(liaison, "2026-08")["earn_backs"] == []  # two months met of three
    september = credits(liaison, "2026-09", fees="120000")
    (back,) = september["earn_backs"]
    assert (back["failure_period"], back["credited"], back["amount"], back["section"]) == ("2026-06", 1500, 750, "5.6")
    assert back["working"] == (
        "Quality Score met in the 3 months after 2026-06: 50% of USD 1,500 = USD 750, earned back from "
        "2026-06's credit: it reduces what was owed for 2026-06, not this month's credits (schedule.md §5.6)"
    )
    assert back["quote"].startswith("5.6 If Vendor meets") and back["document"] == "schedule.md"
    assert september["total_amount"] == 0 and september["total_pct"] == 0  # not subtracted from September
    assert [line["met"] for line in september["lines"] if line["metric"] == "Quality Score"] == [True]


def test_an_amendment_restating_the_target_keeps_the_schedules_earn_back(tmp_path: Path) -> None:
    quality = drafts(series=False)[1]
    amended = replace(quality, effective_from=date(2026, 7, 1), target=Decimal(88), values={})
    liaison = cli(sqlite(tmp_path), tmp_path, drafts(), extra=[register.Found("amendment.md", "shared", [amended])])
    report(liaison, "quality score", ("2026-06", "85"), ("2026-07", "89"), ("2026-08", "89"), ("2026-09", "89"))
    september = credits(liaison, "2026-09")
    assert [line["version"] for line in september["lines"] if line["metric"] == "Quality Score"] == [2]
    (back,) = september["earn_backs"]  # 89 meets the amended 88 from July: June's credit is earned back
    assert (back["failure_period"], back["amount"], back["document"], back["section"]) == (
        "2026-06",
        750,
        "schedule.md",
        "5.6",
    )


def test_a_quarterly_levels_earn_back_and_chronic_failure_count_quarters(tmp_path: Path) -> None:
    answer, quality = drafts()
    quarterly = replace(answer, earn_back=quality.earn_back, chronic=quality.chronic)
    liaison = cli(sqlite(tmp_path), tmp_path, [quarterly, quality])
    name = "average speed of answer"
    report(liaison, name, ("2026-Q1", "70"), ("2026-Q2", "85"), ("2026-Q3", "85"), ("2026-Q4", "85"))
    assert credits(liaison, "2026-11")["earn_backs"] == []  # not a quarter's last month
    (back,) = credits(liaison, "2026-12")["earn_backs"]
    assert (back["failure_period"], back["credited"], back["amount"]) == ("2026-Q1", 2000, 1000)
    assert back["working"].startswith(
        "Average Speed of Answer (voice) met in the 3 quarters after 2026-Q1: 50% of USD 2,000 = USD 1,000, earned "
        "back from 2026-Q1's credit: it reduces what was owed for 2026-Q1, not this quarter's credits"
    )
    report(liaison, name, ("2027-Q1", "70"))
    assert credits(liaison, "2027-03")["chronic"] == []  # 2 misses in the 6 quarters to 2027-Q1
    report(liaison, name, ("2027-Q2", "70"))
    assert credits(liaison, "2027-06")["chronic"] == [
        "Average Speed of Answer (voice) missed in 3 of the 6 quarters 2026-Q1 to 2027-Q2 (2026-Q1, 2027-Q1, "
        "2027-Q2): chronic failure (schedule.md §8.1, §8.2)"
    ]


def test_a_reviewers_edit_of_the_terms_is_applied_and_kept_through_re_extraction(liaison: Callable[..., Any]) -> None:
    listed = json.loads(liaison("sla", "list", "-e", "acme", "--json").stdout)["service_levels"]
    quality = next(str(sl["id"]) for sl in listed if sl["metric"] == "Quality Score")
    edited = json.loads(
        liaison("sla", "edit", quality, "-e", "acme", "--earn-back-pct", "25", "--chronic-run", "0", "--json").stdout
    )
    assert (edited["earn_back"]["pct"], edited["earn_back"]["periods"], edited["chronic"]) == (25, 3, None)
    url = liaison.url  # type: ignore[attr-defined]
    engine = make_engine(url)
    with session(engine) as s:  # extraction again: the reviewer's terms stay
        register.sync_drafts(
            s, engagement="acme", found=[register.Found("schedule.md", "shared", drafts(), sections())], actor="cli"
        )
    engine.dispose()
    again = json.loads(liaison("sla", "list", "-e", "acme", "--json").stdout)["service_levels"]
    kept = next(sl for sl in again if sl["metric"] == "Quality Score")
    assert (kept["earn_back"]["pct"], kept["chronic"]) == (25, None)
    report(liaison, "quality score", ("2026-06", "85"), ("2026-07", "90"), ("2026-08", "91"), ("2026-09", "92"))
    (back,) = credits(liaison, "2026-09")["earn_backs"]
    assert (back["credited"], back["amount"]) == (1500, 375)
    refused = liaison("sla", "edit", quality, "-e", "acme", "--chronic-within", "six", code=2)
    assert "chronic-within is a number of periods" in refused.stderr


def test_a_chronic_failure_in_a_rolling_window_earns_nothing_back(liaison: Callable[..., Any]) -> None:
    months = ("2026-01", "80"), ("2026-02", "95"), ("2026-03", "80"), ("2026-04", "95"), ("2026-05", "80")
    report(liaison, "quality score", *months, ("2026-06", "95"), ("2026-07", "95"), ("2026-08", "95"))
    assert credits(liaison, "2026-04")["chronic"] == []
    assert credits(liaison, "2026-05")["chronic"] == [
        "Quality Score missed in 3 of the 6 months 2025-12 to 2026-05 (2026-01, 2026-03, 2026-05): chronic failure "
        "(schedule.md §8.1, §8.2)"
    ]
    assert credits(liaison, "2026-08")["earn_backs"] == []  # May's failure is part of the chronic failure


def test_with_no_clause_there_is_no_chronic_failure_and_no_earn_back(tmp_path: Path) -> None:
    liaison = cli(sqlite(tmp_path), tmp_path, drafts(series=False))
    report(liaison, "quality score", ("2026-01", "80"), ("2026-02", "80"), ("2026-03", "80"), ("2026-04", "95"))
    report(liaison, "quality score", ("2026-05", "95"), ("2026-06", "95"))
    assert credits(liaison, "2026-03")["chronic"] == []
    assert credits(liaison, "2026-06")["earn_backs"] == []


# -- quarterly windows ----------------------------------------------------------------------------------------
def test_a_quarterly_level_is_reported_per_quarter_and_credited_in_the_quarters_last_month(
    database: tuple[Engine, str], tmp_path: Path
) -> None:
    liaison = cli(database[1], tmp_path, drafts())
    name = "average speed of answer"
    refused = liaison("sla", "report", "-e", "acme", "--level", name, "--period", "2026-08", "--value", "76", code=2)
    assert "is measured per calendar quarter: report the period 2026-Q3, not 2026-08" in refused.stderr
    refused = liaison(
        "sla", "report", "-e", "acme", "--level", "quality", "--period", "2026-Q3", "--value", "9", code=2
    )
    assert "measured per month: report the periods 2026-07, 2026-08, 2026-09, not 2026-Q3" in refused.stderr
    done = json.loads(
        liaison("sla", "report", "-e", "acme", "--level", name, "--period", "2026-q3", "--value", "76", "--json").stdout
    )
    assert (done["period"], done["met"], done["breach_new"]) == ("2026-Q3", False, True)
    csv = tmp_path / "q2.csv"
    csv.write_text("level,period,value\nAverage Speed of Answer (voice),2026-Q2,81\nQuality Score,2026-09,85\n")
    imported = json.loads(liaison("sla", "import", str(csv), "-e", "acme", "--json").stdout)["measurements"]
    assert [(m["period"], m["met"]) for m in imported] == [("2026-Q2", True), ("2026-09", False)]
    august = credits(liaison, "2026-08")
    assert [line["metric"] for line in august["lines"]] == ["Quality Score"]
    assert (
        "Average Speed of Answer (voice) is measured per calendar quarter: its line is in 2026-09"
        in (august["left_out"])
    )
    september = credits(liaison, "2026-09")
    answer = next(line for line in september["lines"] if line["metric"].startswith("Average"))
    assert (answer["actual"], answer["met"], answer["credit_pct"]) == (76, False, 2)
    assert answer["working"].endswith("; measured over the calendar quarter 2026-Q3 (July to September 2026)")
    assert september["total_amount"] == 3500  # 2,000 for the quarter's miss + 1,500 for September's quality score
    june = credits(liaison, "2026-06")
    assert [(line["metric"][:7], line["actual"]) for line in june["lines"]] == [("Average", 81), ("Quality", None)]
    refused = liaison("sla", "credits", "-e", "acme", "--period", "2026-Q3", "--fees", FEES, code=2)
    assert "credits are computed per month: the period 2026-09 includes the levels measured per quarter" in (
        refused.stderr
    )
    refused = liaison("sla", "claim", "-e", "acme", "--period", "2026-Q3", code=2)
    assert "the period 2026-09 includes the levels measured per quarter (2026-Q3)" in refused.stderr
