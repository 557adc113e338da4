"""The `liaison` command-line contract that scripts and acceptance checks rely on."""

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


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_LLM": ""}

    def invoke(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    folder = tmp_path / "contracts"
    write(folder / "sla.md", SLA)
    write(folder / "nested" / "notes.txt", "Operational notes. Invoices are payable within 45 days of receipt.")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "image.png").write_bytes(b"\x89PNG")
    return folder


def test_index_reports_each_file_and_skips_broken_ones(run, contracts: Path) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(run("index", str(contracts), "--engagement", "acme", "--json"))
    assert sorted(d["document"] for d in out["indexed"]) == ["nested/notes.txt", "sla.md"]
    assert [f["document"] for f in out["failed"]] == ["broken.pdf"] and out["failed"][0]["reason"]
    again = json.loads(run("index", str(contracts), "--engagement", "acme", "--json"))
    assert again["indexed"] == [] and sorted(again["unchanged"]) == ["nested/notes.txt", "sla.md"]


def test_index_fails_only_when_nothing_could_be_indexed(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    out = run("index", str(tmp_path / "bad.docx"), "--engagement", "acme", code=1)
    assert "bad.docx" in out


def test_ask_json_contract(run, contracts: Path) -> None:  # type: ignore[no-untyped-def]
    run("index", str(contracts), "--engagement", "acme")
    out = json.loads(run("ask", "how long to restore a sev 1 incident?", "--engagement", "acme", "--json"))
    assert out["found"] is True and isinstance(out["answer"], str)
    c = out["citations"][0]
    assert set(c) == {"document", "title", "section", "page", "quote", "start", "end"}
    assert c["document"] == "sla.md" and c["section"] == "Schedule B 4.1" and c["page"] is None
    assert SLA[c["start"] : c["end"]] == c["quote"]  # spans are offsets into the file itself


def test_ask_outside_the_contracts_is_not_found(run, contracts: Path) -> None:  # type: ignore[no-untyped-def]
    run("index", str(contracts), "--engagement", "acme")
    out = json.loads(run("ask", "what's the office wifi password?", "--engagement", "acme", "--json"))
    assert out["found"] is False and out["citations"] == []


def test_side_scopes_what_ask_and_search_see(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("index", str(write(tmp_path / "plan.md", PLAN)), "-e", "acme", "--visibility", "vendor-only")
    run("index", str(write(tmp_path / "sla.md", SLA)), "-e", "acme")
    for side in ("client", "shared"):
        hits = json.loads(run("search", "gross margin agent cost", "-e", "acme", "--side", side, "--json"))["hits"]
        assert all(h["document"] != "plan.md" for h in hits)
        answer = json.loads(run("ask", "what is the target gross margin?", "-e", "acme", "--side", side, "--json"))
        assert "17.40" not in json.dumps(answer) and "32%" not in json.dumps(answer)
    vendor = json.loads(run("ask", "what is the target gross margin?", "-e", "acme", "--side", "vendor", "--json"))
    assert vendor["found"] and vendor["citations"][0]["document"] == "plan.md"


def test_search_json_and_batch(run, contracts: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("index", str(contracts), "-e", "acme")
    hits = json.loads(run("search", "credit cap", "-e", "acme", "--k", "2", "--json"))["hits"]
    assert len(hits) == 2 and {"document", "section", "start", "end", "score", "text"} <= set(hits[0])
    assert hits[0]["document"] == "sla.md" and SLA[hits[0]["start"] : hits[0]["end"]] == hits[0]["text"]
    batch = tmp_path / "qs.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "question": "credit cap", "engagement": "acme"})
        + "\n"
        + json.dumps({"id": "b", "question": "payment days", "engagement": "acme", "side": "client"})
        + "\n"
        + "{not json\n"
    )
    lines = [json.loads(line) for line in run("search", "--batch", str(batch), "--k", "3", "--json").splitlines()]
    assert [line.get("id") for line in lines[:2]] == ["a", "b"]
    assert lines[0]["hits"][0]["document"] == "sla.md" and lines[1]["hits"][0]["document"] == "nested/notes.txt"
    assert "error" in lines[2]


def test_show_prints_the_extracted_text(run, contracts: Path) -> None:  # type: ignore[no-untyped-def]
    run("index", str(contracts), "-e", "acme")
    assert run("show", "sla.md", "-e", "acme") == SLA


def test_forget_engagements_and_documents(run, contracts: Path) -> None:  # type: ignore[no-untyped-def]
    run("index", str(contracts), "-e", "acme")
    assert json.loads(run("engagements", "--json")) == {"engagements": [{"name": "acme", "documents": 2}]}
    assert json.loads(run("forget", "sla.md", "-e", "acme", "--json")) == {
        "removed": ["sla.md"],
        "unknown": [],
    }
    docs = json.loads(run("documents", "-e", "acme", "--json"))["documents"]
    assert [d["document"] for d in docs] == ["nested/notes.txt"]


def test_bad_engagement_name_is_refused(run) -> None:  # type: ignore[no-untyped-def]
    out = run("ask", "hi", "--engagement", "Acme Corp!", code=2)
    assert "lowercase letters" in out


def test_console_script_runs_offline(tmp_path: Path) -> None:
    env = {**os.environ, "LIAISON_DATA_DIR": str(tmp_path / "data")}
    exe = Path(sys.executable).with_name("liaison")
    result = subprocess.run([str(exe), "--help"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("index", "ask", "search", "forget", "engagements", "show", "demo"):
        assert command in result.stdout


def test_roles_grant_list_and_revoke(run) -> None:  # type: ignore[no-untyped-def]
    assert "client-owner of acme" in run("roles", "grant", "-e", "acme", "--user", "U1", "--role", "client-owner")
    run("roles", "grant", "-e", "acme", "--user", "U1", "--role", "client-owner")  # idempotent
    run("roles", "grant", "-e", "acme", "--user", "U2", "--role", "mediator")
    listed = json.loads(run("roles", "list", "-e", "acme", "--json"))["roles"]
    assert listed == [{"user": "U1", "role": "client-owner"}, {"user": "U2", "role": "mediator"}]
    run("roles", "revoke", "-e", "acme", "--user", "U2", "--role", "mediator")
    assert json.loads(run("roles", "list", "-e", "acme", "--json"))["roles"] == [{"user": "U1", "role": "client-owner"}]
    run("roles", "grant", "-e", "acme", "--user", "U3", "--role", "boss", code=2)


def test_settings_refuse_bad_values_with_a_clear_message(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from bot.settings import Settings

    assert Settings(SLACK_API_URL="http://127.0.0.1:9000/api").slack_api_url == "http://127.0.0.1:9000/api/"
    for bad in ({"SLACK_API_URL": "slack.com"}, {"LIAISON_EMBEDDER": "word2vec"}, {"LIAISON_MIN_SIMILARITY": "2"}):
        with pytest.raises(ValidationError):
            Settings(**bad)
    result = CliRunner().invoke(cli, ["engagements"], env={"LIAISON_DATA_DIR": str(tmp_path), "LIAISON_EMBEDDER": "x"})
    assert result.exit_code != 0


HEAVY = ("chromadb", "onnxruntime", "langchain_core", "sqlmodel", "sqlalchemy", "alembic", "pydantic", "slack_bolt")


def _python(code: str, tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("ANONYMIZED_TELEMETRY", "ORT_DISABLE_TELEMETRY")}
    env.update(LIAISON_DATA_DIR=str(tmp_path / "data"), LIAISON_LLM="")
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_imports_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom bot.cli import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    assert _python(code, tmp_path).splitlines()[-1] == "[]"


def test_telemetry_is_off_before_a_command_loads_its_libraries(tmp_path: Path) -> None:
    # Records the telemetry settings at the moment each library is first imported by a real `liaison index`.
    code = """
import json, os, sys
seen = {}
class Spy:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in ("chromadb", "onnxruntime", "langchain_core") and top not in seen:
            seen[top] = [os.environ.get("ANONYMIZED_TELEMETRY"), os.environ.get("ORT_DISABLE_TELEMETRY")]
sys.meta_path.insert(0, Spy())
from bot.cli import cli
cli(["index", "sla.md", "-e", "acme"], standalone_mode=False)
print(json.dumps(seen))
"""
    write(tmp_path / "sla.md", SLA)
    seen = json.loads(_python(code, tmp_path).splitlines()[-1])
    assert {"chromadb", "onnxruntime"} <= set(seen)  # indexing loads no LangChain (knowledge.embeddings.Embedder)
    assert all(settings == ["False", "1"] for settings in seen.values()), seen


def test_answering_loads_neither_langchain_nor_scipy(run, contracts: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # ~0.4 s of every `liaison ask`: the local embedders implement langchain's interface without its base class,
    # and BM25 is knowledge.bm25 (numpy), not bm25s with scipy
    run("index", str(contracts), "-e", "acme")
    code = (
        "import sys\nfrom bot.cli import cli\n"
        "cli(['ask', 'how fast is a severity 1 incident resolved?', '-e', 'acme', '--json'], standalone_mode=False)\n"
        "print([m for m in ('langchain_core', 'langchain', 'scipy', 'bm25s') if m in sys.modules])"
    )
    out = _python(code, tmp_path).splitlines()
    assert '"found": true' in "\n".join(out[:-1])
    assert out[-1] == "[]"


def test_reading_the_index_loads_no_embedding_model(run, contracts: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("index", str(contracts), "-e", "acme")
    code = (
        "import sys\nfrom bot.cli import cli\n"
        "for args in (['engagements'], ['documents', '-e', 'acme'], ['show', 'sla.md', '-e', 'acme'],"
        f" ['index', {str(contracts / 'sla.md')!r}, '-e', 'acme']):\n"
        "    cli(args, standalone_mode=False)\n"
        "print('onnxruntime' in sys.modules)"
    )
    assert _python(code, tmp_path).splitlines()[-1] == "False"  # the file is unchanged: nothing to embed


def test_the_collector_is_back_on_once_a_command_has_loaded_its_libraries(tmp_path: Path) -> None:
    code = (
        "import gc, sys\nfrom bot.cli import main\nsys.argv = ['liaison', 'engagements']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint(gc.isenabled(), gc.get_freeze_count() > 0)"
    )
    assert _python(code, tmp_path).splitlines()[-1] == "True True"
