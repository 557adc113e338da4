"""Document structure on real documents: titles, section labels of nested numbering, page furniture.

Excerpts marked CUAD come from CUAD v1 (The Atticus Project, CC BY 4.0), the plain-text SEC exhibits in
../shared/bench/cuad/contracts, cut to a few lines with their spacing kept. Excerpts marked Common Paper
come from the Common Paper Service Level Agreement v2 (CC BY 4.0) in ../shared/bench/sla/docs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge.base import KnowledgeBase
from knowledge.formats.text import first_line_title, markdown_title
from knowledge.loaders import load_document
from tests.conftest import write

# CUAD: DRAGONSYSTEMSINC_01_08_1999-EX-10.17-OUTSOURCING AGREEMENT.txt, its first lines.
DRAGON_HEAD = (
    "1" + " " * 68 + "Exhibit 10.17\n\n"
    "       Confidential Materials omitted and filed separately with the         Securities and Exchange"
    " Commission. Asterisks denote omissions.\n\n"
    "                           OUTSOURCING AGREEMENT\n\n"
    "                                 BETWEEN:\n\n"
    "                         MODUS MEDIA INTERNATIONAL                                 LANDDROSTLAAN 51\n"
)
# CUAD: ABILITYINC_06_15_2020-EX-4.25-SERVICES AGREEMENT.txt, the start of its one long first line.
ABILITY_HEAD = (
    "EXHIBIT 4.25 INFORMATION IN THIS EXHIBIT IDENTIFIED BY [ * * * ] IS CONFIDENTIAL AND HAS BEEN EXCLUDED "
    "BECAUSE IT IS BOTH (I) NOT MATERIAL AND (II) WOULD LIKELY CAUSE COMPETITIVE HARM TO THE REGISTRANT IF "
    'PUBLICLY DISCLOSED. SERVICES AGREEMENT This Services Agreement (this "Agreement") is entered into\n'
)
# CUAD: SCOUTCAMINC_05_12_2020-EX-10.22-SERVICES AGREEMENT.txt
SCOUTCAM_HEAD = (
    'Exhibit 10.22 SERVICES AGREEMENT SERVICES AGREEMENT, dated as of April 1, 2019 (the "Agreement"), between\n'
)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (DRAGON_HEAD, "OUTSOURCING AGREEMENT"),
        (ABILITY_HEAD, "SERVICES AGREEMENT"),
        (SCOUTCAM_HEAD, "SERVICES AGREEMENT"),
        ("EXHIBIT 10.16\n\nRESELLER AGREEMENT\n\nThis Agreement is made\n", "RESELLER AGREEMENT"),
        ("Page 2 of 60\n\n    -3-\n\nMaster Services Agreement\n", "Master Services Agreement"),
        ("\n\n  Statement of Work  \nBody text.\n", "Statement of Work"),
    ],
)
def test_plain_text_title_is_the_line_that_reads_like_one(text: str, title: str) -> None:
    assert first_line_title(text) == title


def test_no_title_line_means_none_not_a_filing_label() -> None:
    assert first_line_title("Exhibit 10.17\n\n1\n\n- 2 -\n") is None
    assert first_line_title("1. Services. The vendor shall provide the services.\n") is None


def test_markdown_title_order_front_matter_heading_then_title_line() -> None:
    assert markdown_title("---\ntitle: Get support\n---\n\n# Other\n") == "Get support"
    assert markdown_title("Intro line\n\n# Bonterms Service Level Agreement\n") == "Bonterms Service Level Agreement"
    assert markdown_title("Bonterms Service Level Agreement\n\nBody.\n\n## 1. Terms and definitions\n") == (
        "Bonterms Service Level Agreement"
    )
    # VK Cloud's offer opens with a sentence, then a numbered heading: neither is a title.
    assert markdown_title("This document is the official offer of Mail.ru LLC to conclude.\n\n## 1\\. Terms\n") is None


def test_sec_file_name_gives_the_contract_name_when_the_text_has_no_title(tmp_path: Path) -> None:
    path = write(tmp_path / "QuantumGroupIncFl_20090120_8-K_EX-99.2_3672910_EX-99.2_Hosting Agreement.txt", "x" * 300)
    assert load_document(path).title == "Hosting Agreement"
    numbered = write(tmp_path / "08_vk_cloud_servers_agreement.md", "This offer opens with a long sentence, sure.\n")
    assert load_document(numbered).title == "vk cloud servers agreement"


def test_a_title_set_by_hand_is_stored_and_survives_reindexing(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write(tmp_path / "sow.txt", "EXHIBIT 10.2\n\nSTATEMENT OF WORK\n\n1. Scope. The vendor runs the desk.\n")
    fake_kb.index([path], engagement="acme")
    assert fake_kb.documents("acme")[0].title == "STATEMENT OF WORK"

    fake_kb.index([path], engagement="acme", title="Meridian SOW 2024")
    (doc,) = fake_kb.documents("acme")
    assert (doc.title, doc.title_manual) == ("Meridian SOW 2024", True)

    again = fake_kb.index([path], engagement="acme")  # unchanged: nothing re-embedded, title kept
    assert again.unchanged == ["sow.txt"] and fake_kb.documents("acme")[0].title == "Meridian SOW 2024"

    path.write_text("EXHIBIT 10.2\n\nSTATEMENT OF WORK\n\n1. Scope. The vendor runs two desks.\n", encoding="utf-8")
    changed = fake_kb.index([path], engagement="acme")  # a new version of the file keeps the title set by hand
    assert [n for n, _ in changed.indexed] == ["sow.txt"]
    assert fake_kb.documents("acme")[0].title == "Meridian SOW 2024"
    hits = fake_kb.search("vendor desks", engagement="acme", k=1)
    assert hits and hits[0].chunk.title == "Meridian SOW 2024"


def test_a_title_names_one_file(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Alpha Agreement\n\nText.\n")
    write(tmp_path / "b.txt", "Beta Agreement\n\nText.\n")
    with pytest.raises(ValueError, match="one document"):
        fake_kb.index([tmp_path], engagement="acme", title="Both")
    assert fake_kb.documents("acme") == []


def test_cli_index_title_and_documents_show_every_title(tmp_path: Path) -> None:
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_LLM": ""}
    folder = tmp_path / "contracts"
    write(folder / "dragon.txt", DRAGON_HEAD + "\n1.       PURPOSE OF AGREEMENT Formalize the agreements made.\n")
    write(folder / "sla.md", "# Bonterms Service Level Agreement\n\n1. Uptime. 99.9% each month.\n")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    run("index", str(folder), "--engagement", "acme", "--json")
    run("index", str(folder / "sla.md"), "--engagement", "acme", "--title", "Bonterms SLA", "--json")
    listed = json.loads(run("documents", "--engagement", "acme", "--json"))["documents"]
    titles = {d["document"]: (d["title"], d["title_manual"]) for d in listed}
    assert titles == {"dragon.txt": ("OUTSOURCING AGREEMENT", False), "sla.md": ("Bonterms SLA", True)}
    text = run("documents", "--engagement", "acme")
    assert "OUTSOURCING AGREEMENT" in text and "Bonterms SLA (set by hand)" in text
    assert "Usage" in run("index", str(folder), "--engagement", "acme", "--title", "X", code=2)
