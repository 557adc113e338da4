"""`liaison deadlines` (issue 13's command-line contract) on a real SQLite, with the sample engagement indexed
by `liaison index` (a fast deterministic embedder: extraction reads the stored text, never the vectors)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from bot.app import build_knowledge
from bot.cli import cli
from bot.cli.demo import samples_dir
from bot.settings import Settings

KINDS = {
    "effective",
    "term-end",
    "renewal",
    "non-renewal-notice",
    "termination-notice",
    "cure",
    "credit-claim",
    "report",
    "exit",
    "other",
}
KEYS = {"id", "kind", "date", "rule", "status", "document", "section", "quote", "start", "end"}
MSA = "01-master-services-agreement.md"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the sample engagement indexed (shared and client-only documents), built once."""
    data = tmp_path_factory.mktemp("deadlines") / "data"
    env = {"LIAISON_DATA_DIR": str(data), "LIAISON_LLM": "", "LIAISON_EMBEDDER": "fake:32"}
    root = samples_dir()
    for folder, visibility in (("acme-customer-care", "shared"), ("acme-customer-care-client-only", "client-only")):
        args = ["index", str(root / folder), "-e", "acme", "--visibility", visibility]
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return data


@pytest.fixture
def liaison(indexed: Path, tmp_path: Path) -> Callable[..., Any]:
    env = {
        "LIAISON_DATA_DIR": str(indexed),
        "LIAISON_LLM": "",
        "LIAISON_EMBEDDER": "fake:32",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'liaison.db'}",  # each test its own records
    }

    def run(*args: str, code: int = 0) -> Any:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return run


def listed(liaison: Callable[..., Any], *extra: str) -> list[dict[str, Any]]:
    return json.loads(liaison("deadlines", "-e", "acme", "--json", *extra).stdout)["deadlines"]


def test_extract_then_list_in_the_contracts_shape(liaison: Callable[..., Any], indexed: Path) -> None:
    drafted = json.loads(liaison("deadlines", "extract", "-e", "acme", "--json").stdout)["deadlines"]
    assert drafted and all(d["status"] == "draft" and d["draft"] for d in drafted)
    rows = listed(liaison, "--as-of", "2026-12-02")
    assert {d["id"] for d in rows} == {d["id"] for d in drafted}
    for d in rows:
        assert set(d) >= KEYS and d["kind"] in KINDS
        assert isinstance(d["id"], int) and (d["section"] is None or isinstance(d["section"], str))
        assert d["rule"] and d["quote"] and d["end"] - d["start"] == len(d["quote"])
    dated = [d["date"] for d in rows if d["date"] is not None]
    assert dated == sorted(dated) and all(d["date"] is None for d in rows[len(dated) :])
    msa = {d["kind"]: d for d in rows if d["document"] == MSA}
    assert msa["effective"]["date"] == "2025-03-01"
    assert msa["term-end"]["date"] == "2028-02-29"
    assert msa["renewal"]["date"] == "2028-03-01"  # the MSA renews automatically
    assert msa["non-renewal-notice"]["date"] == "2027-12-01"
    assert msa["non-renewal-notice"]["section"] == "5.2"
    assert msa["cure"]["date"] is None and msa["cure"]["anchor_missing"]
    later = {d["kind"]: d for d in listed(liaison, "--as-of", "2027-12-02") if d["document"] == MSA}
    assert later["non-renewal-notice"]["date"] == "2028-11-30"  # rolled to the first renewal term
    again = liaison("deadlines", "extract", "-e", "acme")
    assert "0 new" in again.stderr


def test_quotes_are_verbatim_in_the_indexed_text(liaison: Callable[..., Any], indexed: Path) -> None:
    liaison("deadlines", "extract", "-e", "acme")
    kb = build_knowledge(Settings(LIAISON_DATA_DIR=indexed, LIAISON_EMBEDDER="fake:32"), lazy_model=True)
    rows = listed(liaison)
    assert {d["document"] for d in rows} >= {MSA, "acme-renewal-strategy.md"}
    for d in rows:
        assert kb.document_text("acme", d["document"])[d["start"] : d["end"]] == d["quote"]


def test_review_edit_and_filters(liaison: Callable[..., Any]) -> None:
    liaison("deadlines", "extract", "-e", "acme")
    rows = listed(liaison, "--as-of", "2026-12-02")
    msa = {d["kind"]: d for d in rows if d["document"] == MSA}
    notice, cure, term = (str(msa[k]["id"]) for k in ("non-renewal-notice", "cure", "term-end"))
    assert f"approved: {notice}, {term}" in liaison("deadlines", "approve", notice, term, "-e", "acme").stderr
    assert "already approved" in liaison("deadlines", "approve", notice, "-e", "acme").stderr
    liaison("deadlines", "done", term, "--all", "-e", "acme")  # the term renews: --all closes it, not one term
    edited = json.loads(liaison("deadlines", "edit", cure, "--date", "2026-12-20", "-e", "acme", "--json").stdout)
    assert (edited["date"], edited["edited"], edited["anchor_missing"]) == ("2026-12-20", ["date"], False)
    assert [d["id"] for d in listed(liaison, "--status", "approved")] == [int(notice)]
    soon = listed(liaison, "--as-of", "2026-12-02", "--within", "30")
    assert int(cure) in {d["id"] for d in soon}
    assert all(d["date"] and "2026-12-02" <= d["date"] <= "2027-01-01" for d in soon)
    shown = json.loads(liaison("deadlines", "show", cure, "-e", "acme", "--json").stdout)
    assert [e["kind"] for e in shown["timeline"]] == ["extracted", "edited"]
    assert shown["timeline"][1]["data"] == {"before": {"date": None}, "after": {"date": "2026-12-20"}}
    assert "No deadline 999" in liaison("deadlines", "approve", "999", "-e", "acme", code=2).stderr
    assert "say what to change" in liaison("deadlines", "edit", cure, "-e", "acme", code=2).stderr
    liaison("deadlines", "edit", cure, "--date", "soon", "-e", "acme", code=2)
    assert "Missing option" in liaison("deadlines", code=2).output
    assert f"waived: {cure}" in liaison("deadlines", "-e", "acme", "waive", cure).stderr  # -e before the verb too


def test_settings_move_business_day_dates_and_add_the_lead_date(liaison: Callable[..., Any]) -> None:
    liaison("deadlines", "extract", "-e", "acme")
    shown = json.loads(liaison("deadlines", "settings", "-e", "acme", "--json").stdout)
    assert shown == {"engagement": "acme", "country": None, "subdivision": None, "lead_days": None}
    assert (
        "no public holiday calendar for XX"
        in liaison("deadlines", "settings", "-e", "acme", "--country", "XX", code=2).stderr
    )
    liaison("deadlines", "settings", "-e", "acme", "--country", "us", "--lead-days", "60")
    said = liaison("deadlines", "settings", "-e", "acme").stdout
    assert "holidays US; lead time 60 days" in said
    notice = next(
        d
        for d in listed(liaison, "--as-of", "2026-12-02")
        if d["kind"] == "non-renewal-notice" and d["document"] == MSA
    )
    assert (notice["date"], notice["lead_date"]) == ("2027-12-01", "2027-10-02")  # 60 days before the notice date
    liaison("deadlines", "settings", "-e", "acme", "--clear", "lead_days")
    assert json.loads(liaison("deadlines", "settings", "-e", "acme", "--json").stdout)["lead_days"] is None


def test_the_ics_file_parses_back_with_one_all_day_event_per_dated_deadline(
    liaison: Callable[..., Any], tmp_path: Path
) -> None:
    liaison("deadlines", "extract", "-e", "acme")
    liaison("deadlines", "settings", "-e", "acme", "--lead-days", "60")
    rows = listed(liaison, "--as-of", "2026-12-02")
    waived = next(d for d in rows if d["date"] and d["kind"] == "report")
    liaison("deadlines", "waive", str(waived["id"]), "--all", "-e", "acme")  # a monthly report: every month
    out = tmp_path / "acme.ics"
    note = liaison("deadlines", "--ics", str(out), "-e", "acme", "--as-of", "2026-12-02").stderr
    events = [c for c in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    expected = [d for d in rows if d["date"] and d["id"] != waived["id"]]
    assert f"wrote {len(expected)} deadlines" in note and len(events) == len(expected)
    by_uid = {str(e["UID"]): e for e in events}
    notice = next(d for d in expected if d["kind"] == "non-renewal-notice" and d["document"] == MSA)
    event = by_uid[f"deadline-{notice['id']}.acme@liaison"]
    assert event.decoded("DTSTART") == date(2027, 12, 1) and event.decoded("DTEND") == date(2027, 12, 2)
    assert str(event["SUMMARY"]) == f"Non-renewal notice due: {MSA} (draft)"
    assert notice["quote"] in str(event["DESCRIPTION"]) and f"{MSA} §5.2" in str(event["DESCRIPTION"])
    assert f"liaison show {MSA} -e acme (characters {notice['start']}-{notice['end']})" in str(event["DESCRIPTION"])
    assert [str(a["TRIGGER"].to_ical(), "ascii") for a in event.walk("VALARM")] == ["-P60D"]
    liaison("deadlines", "--ics", str(out), "-e", "acme", "--as-of", "2026-12-02")
    assert {str(e["UID"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")} == set(by_uid)  # stable


def test_done_on_a_recurring_deadline_says_which_occurrence_it_closed_and_the_next(
    liaison: Callable[..., Any],
) -> None:
    liaison("deadlines", "extract", "-e", "acme")
    report = next(d for d in listed(liaison) if d["kind"] == "report" and d["recurs"])
    rid = str(report["id"])
    late = next(d for d in listed(liaison, "--as-of", "2026-11-03") if d["id"] == report["id"])
    assert late["date"] == "2026-11-06"  # October's report: 5 business days after 31 October
    said = liaison("deadlines", "done", rid, "--as-of", "2026-11-03", "-e", "acme").stderr  # delivered late
    assert f"done: {rid}, its occurrence of 2026-11-06 (next " in said
    said = liaison("deadlines", "done", rid, "-e", "acme").stderr
    after = next(d for d in listed(liaison) if d["id"] == report["id"])
    assert after["status"] == report["status"] and after["date"] > report["date"]
    assert [(o["date"], o["status"]) for o in after["occurrences"]] == [
        ("2026-11-06", "done"),
        (report["date"], "done"),
    ]
    assert f"done: {rid}, its occurrence of {report['date']} (next {after['date']}; --all" in said
    assert "[recurring]" in liaison("deadlines", "-e", "acme").stdout
    shown = json.loads(liaison("deadlines", "show", rid, "-e", "acme", "--json").stdout)
    assert shown["timeline"][-1]["data"]["occurrence"] == report["date"]
    assert f"waived: {rid}" in liaison("deadlines", "waive", rid, "--all", "-e", "acme").stderr
    assert next(d for d in listed(liaison) if d["id"] == report["id"])["status"] == "waived"
    assert "--all" in liaison("deadlines", "done", "--help").stdout


def test_edit_clears_what_was_set_by_hand_and_refuses_an_anchor_nothing_counts_from(
    liaison: Callable[..., Any],
) -> None:
    liaison("deadlines", "extract", "-e", "acme")
    msa = {d["kind"]: d for d in listed(liaison) if d["document"] == MSA}
    cure, term = str(msa["cure"]["id"]), str(msa["term-end"]["id"])
    given = json.loads(liaison("deadlines", "edit", cure, "--anchor-date", "2026-12-01", "-e", "acme", "--json").stdout)
    assert given["date"] == "2026-12-31"  # 30 days after the breach notice
    cleared = json.loads(liaison("deadlines", "edit", cure, "--clear", "anchor-date", "-e", "acme", "--json").stdout)
    assert (cleared["date"], cleared["anchor_missing"], cleared["anchor_date"]) == (None, True, None)
    shown = liaison("deadlines", "show", cure, "-e", "acme").stdout
    assert "anchor date: - -> 2026-12-01" in shown and "anchor date: 2026-12-01 -> -" in shown
    refused = liaison("deadlines", "edit", term, "--anchor-date", "2026-12-01", "-e", "acme", code=2).stderr
    assert "does not count from an anchor date" in refused and "--date YYYY-MM-DD" in refused
    both = liaison("deadlines", "edit", cure, "--owner", "U1", "--clear", "owner", "-e", "acme", code=2).stderr
    assert "either set or cleared" in both
    assert "--clear" in liaison("deadlines", "edit", "--help").stdout
