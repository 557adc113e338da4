"""`liaison issues`, `liaison mediations` and `liaison export` on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from bot.cli.cases import GROUPS
from bot.db import make_engine, session
from bot.mediation import lifecycle as mediations


@pytest.fixture
def liaison(database: tuple[Engine, str], tmp_path: Path) -> Callable[..., Any]:
    group = click.Group("liaison")
    for command in GROUPS:
        group.add_command(command)
    url = database[1]
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": "" if url.startswith("sqlite") else url}

    def run(*args: str, code: int = 0) -> Any:
        result = CliRunner().invoke(group, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return run


def test_cli_adds_lists_and_exports_issues(liaison: Callable[..., Any], tmp_path: Path) -> None:
    added = json.loads(
        liaison(
            "issues", "add", "-e", "Acme", "--title", "Queue over SLA", "--severity", "1", "--side", "client",
            "--category", "customer-service", "--owner", "U7", "--due", "2026-12-01", "--json",
        ).stdout
    )  # fmt: skip
    assert (added["engagement"], added["severity"], added["office"], added["due"]) == ("acme", 1, "front", "2026-12-01")
    second = liaison("issues", "add", "-e", "acme", "-t", "Invoice typo", "--severity", "4", "--category", "billing")
    assert "logged issue #" in second.stdout
    liaison("issues", "add", "-e", "acme", "-t", "x", "--due", "soon", code=2)
    liaison("issues", "add", "-e", "acme", "-t", "x", "--severity", "9", code=2)

    listed = json.loads(liaison("issues", "list", "-e", "acme", "--json").stdout)["issues"]
    assert [i["title"] for i in listed] == ["Queue over SLA", "Invoice typo"]
    first = listed[0]
    assert {"id", "title", "status", "severity", "category", "side", "owner", "due", "created_at", "updated_at"} <= set(
        first
    )
    assert (first["side"], first["owner"], first["status"]) == ("client", "U7", "open")
    assert datetime.fromisoformat(first["created_at"]).utcoffset() == timedelta(0)
    assert "Queue over SLA" in liaison("issues", "list", "-e", "acme").stdout
    assert json.loads(liaison("issues", "list", "-e", "globex", "--json").stdout) == {"issues": []}

    rows = list(csv.DictReader(io.StringIO(liaison("export", "issues", "-e", "acme", "--format", "csv").stdout)))
    assert [r["title"] for r in rows] == ["Queue over SLA", "Invoice typo"]
    assert (rows[0]["severity"], rows[0]["due"], rows[1]["owner"], rows[1]["clause_refs"]) == (
        "1",
        "2026-12-01",
        "",
        "[]",
    )
    out = tmp_path / "out" / "issues.json"
    liaison("export", "issues", "-e", "acme", "--format", "json", "--output", str(out))
    exported = json.loads(out.read_text())
    assert [i["id"] for i in exported] == [i["id"] for i in listed]
    csv_file = tmp_path / "issues.csv"
    liaison("export", "issues", "-e", "acme", "--format", "csv", "-o", str(csv_file))
    assert csv_file.read_text().splitlines()[0].startswith("id,engagement,title,")


def test_cli_lists_mediations(liaison: Callable[..., Any], database: tuple[Engine, str], tmp_path: Path) -> None:
    assert json.loads(liaison("mediations", "list", "-e", "acme", "--json").stdout) == {"mediations": []}
    engine, url = database
    if url.startswith("sqlite"):  # the CLI's own SQLite file
        engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'liaison.db'}")
    with session(engine) as s:
        mediations.open_mediation(
            session=s, engagement="acme", title="Credits", channel_id="C1", opened_by="U1", deadline=date(2026, 12, 1)
        )
    listed = json.loads(liaison("mediations", "list", "-e", "acme", "--json").stdout)["mediations"]
    assert [(m["title"], m["status"], m["deadline"]) for m in listed] == [("Credits", "open", "2026-12-01")]
    assert "Credits" in liaison("mediations", "list", "-e", "acme").stdout


def test_cli_issue_json_keeps_its_keys_and_says_a_bad_value_in_one_line(liaison: Callable[..., Any]) -> None:
    added = json.loads(liaison("issues", "add", "-e", "acme", "-t", "Queue over SLA", "--json").stdout)
    assert list(added) == [
        "id", "engagement", "title", "description", "status", "severity", "category", "office", "risk", "value",
        "side", "owner", "due", "clause_refs", "permalink", "created_by", "created_at", "updated_at", "resolved_at",
    ]  # fmt: skip
    assert added["created_at"].endswith("+00:00") and added["resolved_at"] is None
    refused = liaison("issues", "add", "-e", "acme", "-t", "   ", code=2)
    assert refused.stderr.strip() == "error: title must not be empty"
