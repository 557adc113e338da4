"""Issue #9 items 9 and 7 (second half): a document is its path in the folder indexed, not its base name.

`a/sla.md` and `b/sla.md` in one folder are two documents (the CLI: index, documents, ask, show,
forget); a file added from Slack never replaces a document of another visibility (signed requests to
the real Bolt app); and indexing warns when two documents of an engagement share a title.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import records
from bot.cli import cli
from bot.db import session
from bot.records.roles import grant_role
from knowledge.base import KnowledgeBase
from tests.conftest import write
from tests.test_slack_app import _add_to_contracts, running_slack

SLA_A = "# Schedule A - Service Levels\n\n5.3 Credit Cap. Service Credits shall not exceed 12% of the Monthly Fees.\n"
SLA_B = "# Schedule B - Service Levels\n\n5.3 Credit Cap. Service Credits shall not exceed 20% of the Monthly Fees.\n"
MEMO = "# Renewal memo\n\n1. Walk-away. Acme walks away from the renewal above a zebracorn rate of USD 27.00.\n"


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_EMBEDDER": "fake:64", "LIAISON_LLM": ""}

    def invoke(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_two_files_with_one_base_name_in_a_folder_are_two_documents(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "contracts"
    write(folder / "a" / "sla.md", SLA_A)
    write(folder / "b" / "sla.md", SLA_B)
    write(folder / "msa.md", "# Master Services Agreement\n\n1. Term. Three years.\n")

    report = json.loads(run("index", str(folder), "-e", "acme", "--json"))
    assert sorted(d["document"] for d in report["indexed"]) == ["a/sla.md", "b/sla.md", "msa.md"]
    documents = json.loads(run("documents", "-e", "acme", "--json"))["documents"]
    assert sorted(d["document"] for d in documents) == ["a/sla.md", "b/sla.md", "msa.md"]  # both kept
    assert run("show", "a/sla.md", "-e", "acme") == SLA_A and run("show", "b/sla.md", "-e", "acme") == SLA_B
    hits = json.loads(run("search", "credit cap service credits", "-e", "acme", "--json"))["hits"]
    assert {"a/sla.md", "b/sla.md"} <= {h["document"] for h in hits}
    answer = json.loads(run("ask", "what is the credit cap?", "-e", "acme", "--json"))
    for citation in answer["citations"]:
        assert run("show", citation["document"], "-e", "acme")[citation["start"] : citation["end"]] == citation["quote"]
    again = json.loads(run("index", str(folder), "-e", "acme", "--json"))
    assert again["indexed"] == [] and sorted(again["unchanged"]) == ["a/sla.md", "b/sla.md", "msa.md"]

    assert json.loads(run("forget", "a/sla.md", "-e", "acme", "--json")) == {"removed": ["a/sla.md"], "unknown": []}
    (folder / "b" / "sla.md").unlink()
    forgot = json.loads(run("forget", "--missing-from", str(folder), "-e", "acme", "--json"))
    assert forgot == {"removed": ["b/sla.md"], "unknown": []}
    assert [d["document"] for d in json.loads(run("documents", "-e", "acme", "--json"))["documents"]] == ["msa.md"]


def test_a_file_given_alone_keeps_its_file_name(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = json.loads(run("index", str(write(tmp_path / "deep" / "er" / "sla.md", SLA_A)), "-e", "acme", "--json"))
    assert [d["document"] for d in report["indexed"]] == ["sla.md"]


def test_two_documents_sharing_a_title_are_warned_about(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(
        "index",
        str(write(tmp_path / "01-msa.md", "# Master Services Agreement\n\n1. Term. Three years.\n")),
        "-e",
        "acme",
    )
    spoof = write(tmp_path / "zz-note.md", "---\ntitle: Master Services Agreement\n---\n\n1. Term. Ten years.\n")
    report = json.loads(run("index", str(spoof), "-e", "acme", "--json"))
    assert len(report["warnings"]) == 1
    assert "Master Services Agreement" in report["warnings"][0]
    assert "01-msa.md" in report["warnings"][0] and "zz-note.md" in report["warnings"][0]
    result = CliRunner().invoke(
        cli,
        ["index", str(spoof), "-e", "acme"],
        env={"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_EMBEDDER": "fake:64"},
    )
    assert "warning" in result.output and "share the title" in result.output
    other = json.loads(
        run("index", str(write(tmp_path / "sow.md", "# SOW\n\n1. Hours. Nine to five.\n")), "-e", "acme", "--json")
    )
    assert other["warnings"] == []  # only the run that touches one of them is told


def _bind_vendor_channel(slack) -> None:  # type: ignore[no-untyped-def]
    with session(slack.deps.engine) as s:
        records.bind_channel(
            session=s, channel_id="CV", team_id="T1", engagement="acme", side="vendor", user_id="UADMIN"
        )
        grant_role(session=s, engagement="acme", user_id="UADMIN", role="admin", granted_by="cli")


def test_a_file_from_slack_never_replaces_a_document_of_another_visibility(
    tmp_path: Path, fake_kb: KnowledgeBase
) -> None:
    memo = write(tmp_path / "memo" / "renewal-memo.md", MEMO)
    fake_kb.index([memo], engagement="acme", visibility="client-only")
    before = fake_kb.store.get_document("acme", "renewal-memo.md")
    with running_slack(tmp_path, fake_kb) as slack:
        _bind_vendor_channel(slack)
        vendor_copy = b"# Renewal memo\n\n1. Walk-away. Meridian's own notes on the zebracorn rate.\n"
        _add_to_contracts(slack, slack.api.add_file("renewal-memo.md", vendor_copy))
        done = slack.api.wait_for("chat.update", timeout=60)[0].params
    assert "Could not index renewal-memo.md" in done["text"]
    reason = json.dumps(done.get("blocks")) + done["text"]
    assert "client-only" in reason and "CLI" in reason
    after = fake_kb.store.get_document("acme", "renewal-memo.md")
    assert after == before  # nothing written: same visibility, same version
    assert fake_kb.document_text("acme", "renewal-memo.md") == MEMO
    assert fake_kb.search("zebracorn rate walk-away", engagement="acme", side="vendor") == []
    assert fake_kb.search("zebracorn rate walk-away", engagement="acme", side="client")


def test_a_file_from_slack_may_update_its_own_sides_document(tmp_path: Path, fake_kb: KnowledgeBase) -> None:
    fake_kb.index(
        [write(tmp_path / "rate-card.md", "# Rates\n\n1. Rates. USD 40.00 per hour.\n")],
        engagement="acme",
        visibility="vendor-only",
    )
    with running_slack(tmp_path, fake_kb) as slack:
        _bind_vendor_channel(slack)
        _add_to_contracts(slack, slack.api.add_file("rate-card.md", b"# Rates\n\n1. Rates. USD 41.25 per hour.\n"))
        done = slack.api.wait_for("chat.update", timeout=60)[0].params
    assert "Indexed rate-card.md" in done["text"]
    assert "41.25" in fake_kb.document_text("acme", "rate-card.md")
    assert fake_kb.store.get_document("acme", "rate-card.md").visibility == "vendor-only"
