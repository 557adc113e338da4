"""`liaison sla fees` and `liaison sla credits` on the fees in force, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from bot.cli import sla_fees, sla_measures
from bot.cli.sla import COMMANDS
from bot.db import make_engine, session, upgrade
from bot.sla import register
from tests.test_cli_sla import levels
from tests.test_sla_register import amendment_drafts, schedule_drafts


@pytest.fixture
def cli(database: tuple[Engine, str], tmp_path: Path) -> Callable[..., Any]:
    """`liaison sla` with the fees command, on the register of tests/test_cli_sla.py (drafts, not approved)."""
    group = click.Group("liaison")
    group.add_command(COMMANDS[0])
    sla_measures.add_to(COMMANDS[0])
    sla_fees.add_to(COMMANDS[0])
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
        found = [
            register.Found("schedule.md", "shared", schedule_drafts()),
            register.Found("amendment.md", "shared", amendment_drafts()),
        ]
        register.sync_drafts(s, engagement="acme", found=found, actor="cli")
    engine.dispose()
    return run


def fees(cli: Callable[..., Any], *args: str, code: int = 0) -> Any:
    result = cli("sla", "fees", "-e", "acme", *args, code=code)
    return json.loads(result.stdout) if "--json" in args and code == 0 else result


def _measured(cli: Callable[..., Any]) -> list[str]:
    ids = [str(sl["id"]) for sl in levels(cli)]
    cli("sla", "approve", *ids, "-e", "acme")
    cli("sla", "report", "-e", "acme", "--level", ids[1], "--period", "2026-10", "--value", "76")
    cli("sla", "report", "-e", "acme", "--level", ids[2], "--period", "2026-10", "--value", "85")
    return ids


def test_fees_are_kept_over_time_and_replaced_from_the_same_month(cli: Callable[..., Any]) -> None:
    assert fees(cli, "--json") == {"engagement": "acme", "fees": []}
    assert "No fees are set for acme" in fees(cli).stderr
    fees(cli, "--fees", "800,000", "--from", "2026-01")
    fees(cli, "--fees", "900000.50", "--currency", "eur", "--from", "2026-11")
    done = fees(cli, "--fees", "850000", "--from", "2026-01", "--json")
    assert (done["set"]["from"], done["set"]["amount"], done["set"]["currency"]) == ("2026-01", 850000, "USD")
    shown = fees(cli, "--json")["fees"]
    assert [(f["from"], f["amount"], f["currency"], f["set_by"]) for f in shown] == [
        ("2026-01", 850000, "USD", "cli"),
        ("2026-11", 900000.5, "EUR", "cli"),
    ]
    assert fees(cli).stdout.splitlines() == [
        "from 2026-01: USD 850,000 (set by cli)",
        "from 2026-11: EUR 900,000.50 (set by cli)",
    ]


def test_bad_fees_are_refused(cli: Callable[..., Any]) -> None:
    assert "must be a number" in fees(cli, "--fees", "lots", code=2).stderr
    assert "negative" in fees(cli, "--fees", "-5", code=2).stderr.lower()
    assert "YYYY-MM" in fees(cli, "--fees", "5", "--from", "2026-13", code=2).stderr
    fees(cli, "--fees", "5", "--currency", "XXQ", code=2)
    assert "go with --fees" in fees(cli, "--from", "2026-01", code=2).stderr
    assert fees(cli, "--json")["fees"] == []


def test_without_a_from_the_fees_apply_from_last_month(cli: Callable[..., Any]) -> None:
    from datetime import UTC, datetime

    done = fees(cli, "--fees", "1000", "--json")
    today = datetime.now(UTC).date()
    last = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    assert done["set"]["from"] == f"{last[0]:04d}-{last[1]:02d}"


def test_credits_use_the_fees_in_force_in_their_period(cli: Callable[..., Any]) -> None:
    _measured(cli)
    refused = cli("sla", "credits", "-e", "acme", "--period", "2026-10", code=2).stderr
    assert "No fees are set for acme in 2026-10" in refused and "liaison sla fees --engagement acme" in refused
    fees(cli, "--fees", "800000", "--from", "2026-01")
    fees(cli, "--fees", "1000000", "--from", "2026-11")
    given = json.loads(cli("sla", "credits", "-e", "acme", "--period", "2026-10", "--fees", "800000", "--json").stdout)
    stored = json.loads(cli("sla", "credits", "-e", "acme", "--period", "2026-10", "--json").stdout)
    assert stored == given and (stored["fees"], stored["currency"], stored["total_amount"]) == (800000, "USD", 28000)
    assert list(stored) == list(given)  # the same JSON shape, keys in the same order
    override = json.loads(
        cli("sla", "credits", "-e", "acme", "--period", "2026-10", "--fees", "400000", "--json").stdout
    )
    assert (override["fees"], override["total_amount"]) == (400000, 14000)
    assert "not EUR" in cli("sla", "credits", "-e", "acme", "--period", "2026-10", "--currency", "EUR", code=2).stderr
    before = cli("sla", "credits", "-e", "acme", "--period", "2025-12", code=2).stderr
    assert "No fees are set for acme in 2025-12" in before


def test_liaison_has_the_fees_command() -> None:
    from bot.cli import cli

    out = CliRunner().invoke(cli, ["sla", "fees", "--help"]).output
    assert "--fees" in out and "--from" in out
