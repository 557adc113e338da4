"""`liaison ask --batch FILE.jsonl`: one answer per line, models loaded once, bad lines reported and skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import write

SLA = """# Schedule B - Service Levels

4.1 Severity 1 Incidents. Vendor shall restore the affected service within 4 hours of a Severity 1 Incident.

5.3 Credit Cap. The total Service Credits for any month shall not exceed 12% of the Monthly Fees.
"""
PLAN = """# Vendor delivery plan

Internal only. Our target gross margin on this account is 32% and agent cost is USD 17.40 per hour.
"""
KEYS = ["id", "found", "answer", "direct", "citations", "nearest", "language"]  # the contract, then new keys (#14)


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    # The deterministic fake embedder ranks by chance, so no similarity floor: the lexical side finds the clause.
    env = {
        "LIAISON_DATA_DIR": str(tmp_path / "data"),
        "LIAISON_LLM": "",
        "LIAISON_EMBEDDER": "fake:64",
        "LIAISON_MIN_SIMILARITY": "0",
    }

    def invoke(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    invoke("index", str(write(tmp_path / "sla.md", SLA)), "-e", "acme")
    invoke("index", str(write(tmp_path / "plan.md", PLAN)), "-e", "acme", "--visibility", "vendor-only")
    invoke.env = env  # type: ignore[attr-defined]
    return invoke


def batch_file(tmp_path: Path, *lines: object) -> str:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return str(path)


def answers(output: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in output.splitlines()]


def test_batch_answers_each_line_in_order_with_the_ask_contract(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = batch_file(
        tmp_path,
        {"id": "cap", "question": "what is the credit cap?", "engagement": "acme"},
        {"id": 2, "question": "what's the office wifi password?", "engagement": "acme", "side": "client"},
    )
    cap, wifi = answers(run("ask", "--batch", path, "--json"))
    assert list(cap) == KEYS and list(wifi) == KEYS
    assert cap["id"] == "cap" and cap["found"] is True
    direct = cap["direct"]  # null, or a verbatim span of the lead document
    assert direct is None or (direct["document"] == "sla.md" and SLA[direct["start"] : direct["end"]] == direct["text"])
    lead = cap["citations"][0]
    assert lead["document"] == "sla.md" and lead["section"] == "Schedule B 5.3"
    assert SLA[lead["start"] : lead["end"]] == lead["quote"]
    assert wifi["id"] == 2 and wifi["found"] is False and wifi["citations"] == []


def test_batch_line_answers_as_ask_does(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "what is the credit cap?"
    single = json.loads(run("ask", question, "-e", "acme", "--side", "client", "--json"))
    path = batch_file(tmp_path, {"id": "x", "question": question, "engagement": "acme", "side": "client"})
    (line,) = answers(run("ask", "--batch", path, "--json"))
    assert line == {"id": "x", "direct": None, **single}  # `direct` is null until Answer gives one


def test_batch_keeps_each_line_within_its_side(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "what is the target gross margin?"
    path = batch_file(
        tmp_path,
        *({"id": side, "question": question, "engagement": "acme", "side": side} for side in ("client", "vendor")),
        {"id": "default", "question": question, "engagement": "acme"},
    )
    client, vendor, default = answers(run("ask", "--batch", path, "--json"))
    for hidden in (client, default):
        assert "32%" not in json.dumps(hidden) and "17.40" not in json.dumps(hidden)
    assert vendor["found"] and vendor["citations"][0]["document"] == "plan.md"


def test_bad_lines_get_an_error_and_the_others_are_still_answered(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = {"question": "what is the credit cap?", "engagement": "acme"}
    path = batch_file(
        tmp_path,
        {"id": "first", **good},
        "{not json",
        {"id": "q", "engagement": "acme"},
        {"id": "e", "question": "credit cap?"},
        {"id": "s", **good, "side": "boss"},
        {"id": "u", **good, "engagement": "globex"},
        {"id": "n", **good, "engagement": "Acme Corp!"},
        '["a", "list"]',
        "",
        {"id": "last", **good, "engagement": "ACME"},
    )
    out = answers(run("ask", "--batch", path, "--json"))
    assert [line["id"] for line in out] == ["first", None, "q", "e", "s", "u", "n", None, "last"]
    assert out[0]["found"] and out[-1]["found"] and out[-1]["citations"] == out[0]["citations"]
    errors = {line["id"] or line["error"].split(":")[0]: line["error"] for line in out[1:-1]}
    assert list(out[1]) == ["id", "error"] and errors["line 2"].startswith("line 2: not valid JSON")
    assert "'question' missing" in errors["q"] and "'engagement' missing" in errors["e"]
    assert "unknown side 'boss'" in errors["s"] and "client, vendor, shared" in errors["s"]
    assert "unknown engagement 'globex'" in errors["u"] and "acme" in errors["u"]
    assert "lowercase letters" in errors["n"]
    assert errors["line 8"].startswith("line 8: expected a JSON object")


def test_batch_prints_json_lines_without_json_flag_too(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = batch_file(tmp_path, {"id": 1, "question": "what is the credit cap?", "engagement": "acme"})
    assert answers(run("ask", "--batch", path)) == answers(run("ask", "--batch", path, "--json"))


def test_ask_needs_a_question_or_a_batch_but_not_both(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = batch_file(tmp_path, {"id": 1, "question": "credit cap?", "engagement": "acme"})
    assert "not both" in run("ask", "credit cap?", "-e", "acme", "--batch", path, code=2)
    assert "give a QUESTION and --engagement" in run("ask", "credit cap?", code=2)
    assert "give a QUESTION and --engagement" in run("ask", "-e", "acme", code=2)
    assert "No such file" in run("ask", "--batch", str(tmp_path / "missing.jsonl"), code=2)


def test_console_script_reports_bad_lines_without_a_traceback(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = batch_file(tmp_path, "{", {"id": 1, "question": "what is the credit cap?", "engagement": "acme"})
    exe = Path(sys.executable).with_name("liaison")
    result = subprocess.run(
        [str(exe), "ask", "--batch", path, "--json"],
        env={**os.environ, **run.env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    bad, good = answers(result.stdout)
    assert bad["error"].startswith("line 1: not valid JSON") and good["found"] is True
