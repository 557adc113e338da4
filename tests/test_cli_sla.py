"""`liaison sla` (issue 12's command-line contract) on SQLite and PostgreSQL, levels seeded as extraction does."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
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
from knowledge.slas import ChronicDraft, ChronicTest, Span
from tests.test_sla_register import SCHEDULE, amendment_drafts, schedule_drafts

CHRONIC_SENTENCE = "8.1 A Chronic Service Level Failure occurs if Vendor fails a Service Level in 3 consecutive months."
SCHEDULE_TEXT = SCHEDULE + CHRONIC_SENTENCE  # the schedule's text, its chronic-failure clause at the end
CHRONIC = ChronicDraft(
    (ChronicTest(3),), Span.of(SCHEDULE_TEXT, len(SCHEDULE), len(SCHEDULE_TEXT))
)  # as knowledge.sla_series reads it


@pytest.fixture
def liaison(database: tuple[Engine, str], tmp_path: Path) -> Callable[..., Any]:
    group = click.Group("liaison")
    for command in COMMANDS:
        group.add_command(command)
    add_to(COMMANDS[0])
    url = database[1]
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
            found=[
                register.Found(
                    "schedule.md",
                    "shared",
                    [replace(d, chronic=CHRONIC) for d in schedule_drafts()],
                    {len(SCHEDULE): "8.1"},
                ),
                register.Found("amendment.md", "shared", amendment_drafts()),
            ],
            actor="cli",
        )
    engine.dispose()
    return run


def levels(liaison: Callable[..., Any], *extra: str) -> list[dict[str, Any]]:
    return json.loads(liaison("sla", "list", "-e", "acme", "--json", *extra).stdout)["service_levels"]


def test_list_review_and_edit(liaison: Callable[..., Any]) -> None:
    listed = levels(liaison)
    assert [(sl["metric"], sl["status"], sl["version"], sl["effective_from"]) for sl in listed] == [
        ("Average Speed of Answer (voice)", "draft", 1, None),
        ("Average Speed of Answer (voice)", "draft", 2, "2025-09-01"),
        ("Quality Score", "draft", 1, None),
    ]
    first = listed[0]
    assert (first["target"], first["comparison"], first["unit"], first["cap_pct"], first["kind"]) == (
        80,
        ">=",
        "%",
        12,
        "credit",
    )
    assert first["credit"]["model"] == "pool" and SCHEDULE[first["start"] : first["end"]] == first["quote"]
    ids = [str(sl["id"]) for sl in listed]
    assert "approved: " + ", ".join(ids[:2]) in liaison("sla", "approve", *ids[:2], "-e", "acme").stderr
    assert "already approved" in liaison("sla", "approve", ids[0], "-e", "acme").stderr
    liaison("sla", "reject", ids[2], "-e", "acme")
    assert [sl["status"] for sl in levels(liaison, "--status", "approved")] == ["approved", "approved"]
    edited = json.loads(
        liaison("sla", "edit", ids[2], "-e", "acme", "--target", "92.5", "--cap-pct", "10", "--json").stdout
    )
    assert (edited["target"], edited["cap_pct"], edited["edited"]) == (92.5, 10, ["cap_pct", "target"])
    liaison("sla", "edit", ids[2], "-e", "acme", "--comparison", "=", code=2)
    assert "must be a number" in liaison("sla", "edit", ids[2], "-e", "acme", "--target", "x", code=2).stderr
    assert "say what to change" in liaison("sla", "edit", ids[2], "-e", "acme", code=2).stderr
    assert "No service level 999" in liaison("sla", "approve", "999", "-e", "acme", code=2).stderr
    shown = json.loads(liaison("sla", "show", ids[2], "-e", "acme", "--json").stdout)
    assert [e["kind"] for e in shown["timeline"]] == ["extracted", "rejected", "edited"]


def test_report_import_and_credits(liaison: Callable[..., Any], tmp_path: Path) -> None:
    ids = [str(sl["id"]) for sl in levels(liaison)]
    liaison("sla", "approve", *ids, "-e", "acme")
    done = json.loads(
        liaison("sla", "report", "-e", "acme", "--level", "average speed of answer (voice)", "--period", "2026-10",
                "--value", "76.4%", "--json").stdout
    )  # fmt: skip
    assert (done["level"], done["version"], done["value"], done["met"], done["target"]) == (
        int(ids[0]),
        2,
        76.4,
        False,
        80,
    )
    assert done["breach_issue"] and done["breach_new"]
    again = json.loads(
        liaison(
            "sla", "report", "-e", "acme", "--level", ids[1], "--period", "2026-10", "--value", "76", "--json"
        ).stdout
    )
    assert (again["breach_issue"], again["breach_new"], again["replaced"]) == (done["breach_issue"], False, 76.4)
    refused = liaison("sla", "report", "-e", "acme", "--level", "uptime", "--period", "2026-10", "--value", "1", code=2)
    assert "Average Speed of Answer (voice)" in refused.stderr and "Quality Score" in refused.stderr
    liaison("sla", "report", "-e", "acme", "--level", ids[2], "--period", "2026-13", "--value", "1", code=2)

    csv_file = tmp_path / "m.csv"
    csv_file.write_text("level,period,value\nQuality Score,2026-10,85\n", encoding="utf-8")
    assert "1 measurements recorded, 1 missed" in liaison("sla", "import", str(csv_file), "-e", "acme").stderr
    csv_file.write_text("period,value\n2026-10,85\n", encoding="utf-8")
    assert "header" in liaison("sla", "import", str(csv_file), "-e", "acme", code=2).stderr

    credits = json.loads(
        liaison("sla", "credits", "-e", "acme", "--period", "2026-10", "--fees", "800000", "--json").stdout
    )
    assert list(credits)[:9] == [
        "period", "fees", "currency", "lines", "total_pct_before_cap", "cap_pct", "total_pct", "total_amount", "capped",
    ]  # fmt: skip
    assert (credits["period"], credits["fees"], credits["currency"]) == ("2026-10", 800000, "USD")
    assert [(line["level"], line["actual"], line["met"], line["credit_pct"]) for line in credits["lines"]] == [
        (int(ids[0]), 76, False, 2),
        (int(ids[2]), 85, False, 1.5),
    ]
    assert (credits["total_pct"], credits["total_amount"], credits["cap_pct"], credits["capped"]) == (
        3.5,
        28000,
        15,
        False,
    )
    assert credits["lines"][0]["document"] == "amendment.md" and credits["claim_deadline"] == "2026-11-30"
    text = liaison("sla", "credits", "-e", "acme", "--period", "2026-10", "--fees", "800000").stdout
    assert "Average Speed of Answer (voice) 76% vs >= 80%: 100% pool allocation x 20% level allocation" in text
    assert "within the cap of USD 120,000" in text
    liaison("sla", "credits", "-e", "acme", "--period", "2026-10", "--fees", "lots", code=2)
    liaison("sla", "claim", "-e", "acme", "--period", "2026-10")
    assert "claimed by cli" in liaison("sla", "claim", "-e", "acme", "--period", "2026-10", code=2).stderr
    liaison("sla", "dispute", "-e", "acme", "--level", ids[2], "--period", "2026-10", "--reason", "wrong sample")
    liaison("sla", "agree", "-e", "acme", "--level", ids[2], "--period", "2026-10")


def test_a_level_with_no_measurement_is_listed_with_a_null_actual(liaison: Callable[..., Any]) -> None:
    ids = [str(sl["id"]) for sl in levels(liaison)]
    liaison("sla", "approve", *ids, "-e", "acme")
    credits = json.loads(
        liaison("sla", "credits", "-e", "acme", "--period", "2025-08", "--fees", "1000", "--json").stdout
    )
    assert [(line["actual"], line["met"], line["credit_pct"]) for line in credits["lines"]] == [
        (None, False, 0),
        (None, False, 0),
    ]
    assert (credits["total_amount"], credits["cap_pct"]) == (0, 12)


def test_a_credit_computation_is_attached_to_a_mediation_once(
    liaison: Callable[..., Any], database: tuple[Engine, str]
) -> None:
    from sqlmodel import select

    from bot.mediation import lifecycle
    from bot.records.cases import TimelineEntry

    ids = [str(sl["id"]) for sl in levels(liaison)]
    liaison("sla", "approve", *ids, "-e", "acme")
    engine = make_engine(database[1])
    with session(engine) as s:
        mediation = lifecycle.open_mediation(
            session=s, engagement="acme", title="October credits", channel_id="C1", opened_by="U1"
        )
    number = str(mediation.id)
    assert (
        "No credits computed"
        in liaison("sla", "attach", "-e", "acme", "--period", "2026-10", "--mediation", number, code=2).stderr
    )
    liaison("sla", "report", "-e", "acme", "--level", "quality score", "--period", "2026-10", "--value", "85")
    liaison("sla", "credits", "-e", "acme", "--period", "2026-10", "--fees", "800000")
    assert "attached to" in liaison("sla", "attach", "-e", "acme", "--period", "2026-10", "--mediation", number).stderr
    assert "already in" in liaison("sla", "attach", "-e", "acme", "--period", "2026-10", "--mediation", number).stderr
    assert (
        "No mediation #999"
        in liaison("sla", "attach", "-e", "acme", "--period", "2026-10", "--mediation", "999", code=2).stderr
    )
    with session(engine) as s:
        evidence = s.exec(select(TimelineEntry).where(TimelineEntry.kind == "evidence")).all()
    engine.dispose()
    assert len(evidence) == 1
    assert evidence[0].text.startswith("Service credits for 2026-10:\n• Average Speed of Answer (voice) not measured")
    assert "Quality Score 85% vs >= 90%: 100% pool allocation x 15% level allocation" in evidence[0].text
    assert evidence[0].data["sla_credits"]["total_amount"] == 12000


def test_a_level_missed_three_months_running_is_a_chronic_failure(liaison: Callable[..., Any]) -> None:
    ids = [str(sl["id"]) for sl in levels(liaison)]
    liaison("sla", "approve", *ids, "-e", "acme")
    for period, value in (("2026-08", "85"), ("2026-09", "86"), ("2026-10", "80")):
        liaison("sla", "report", "-e", "acme", "--level", "quality score", "--period", period, "--value", value)
    credits = json.loads(
        liaison("sla", "credits", "-e", "acme", "--period", "2026-10", "--fees", "1000", "--json").stdout
    )
    assert credits["chronic"] == [
        "Quality Score missed 3 months running (2026-08 to 2026-10): chronic failure (schedule.md §8.1)"
    ]
    september = json.loads(
        liaison("sla", "credits", "-e", "acme", "--period", "2026-09", "--fees", "1000", "--json").stdout
    )
    assert september["chronic"] == []
