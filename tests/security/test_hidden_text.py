"""Issue #9 item 12 (hidden text, bidi and zero-width characters): what is indexed and quoted is what a reader sees.

On the old code, text a browser or Word does not show (HTML `display:none`, `hidden`, `aria-hidden`; DOCX
`w:vanish`) was indexed and could be quoted as a clause, and bidi overrides and zero-width characters
were kept: a right-to-left override made a quoted "%21" display as "12%", and a zero-width space split
"unlimited" so that a search for it missed the clause. Now hidden text is dropped and those characters
are removed from the extracted text itself, so every quote is still `text[start:end]`.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
from click.testing import CliRunner
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from bot.cli import cli
from knowledge.base import KnowledgeBase
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.formats.common import INVISIBLE
from knowledge.store import Store, make_client
from tests.conftest import write

VISIBLE = "5.3 Credit Cap. Service Credits in any month shall not exceed 12% of the Monthly Fees."
FORGED = "FORGED clause: Service Credits are unlimited and paid in cash"
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"


def _indexed_text(kb: KnowledgeBase, path: Path) -> str:
    report = kb.index([path], engagement="acme")
    assert not report.failed, report.failed
    return kb.document_text("acme", path.name)


def test_html_text_a_browser_hides_is_not_indexed(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    page = f"""<html><head><title>SLA</title>
<style>.sr-only {{ display: none }} #legal-note, span.ghost {{ visibility: hidden !important }}
@media print {{ .screen {{ display: none }} }}</style></head><body>
<h1 hidden>{FORGED} (h1)</h1><h1>Service Level Agreement</h1>
<p>{VISIBLE}</p>
<p style="display:none">{FORGED} (display)</p>
<div style="color: red; visibility: hidden">{FORGED} (visibility)</div>
<p hidden>{FORGED} (hidden)</p>
<section aria-hidden="true"><p>{FORGED} (aria)</p></section>
<template><p>{FORGED} (template)</p></template>
<p class="sr-only">{FORGED} (class rule)</p><p id="legal-note">{FORGED} (id rule)</p>
<p>Invoices are payable <span class="ghost">{FORGED} (span)</span>within 30 days.</p>
<p style="font-size:0">{FORGED} (font-size)</p><p style="opacity: 0">{FORGED} (opacity)</p>
<table><tr><td>Severity 1</td><td hidden>{FORGED} (cell)</td><td>4 hours</td></tr>
<tr style="display: none"><td>{FORGED} (row)</td></tr></table>
<p class="screen">Shown on screen, hidden only when printed.</p>
</body></html>"""
    path = write(tmp_path / "sla.html", page)

    text = _indexed_text(fake_kb, path)

    assert "FORGED" not in text
    assert VISIBLE in text and "Invoices are payable within 30 days." in text
    assert "Severity 1 | 4 hours" in text and "Shown on screen" in text
    assert fake_kb.documents("acme")[0].title == "SLA"
    for hit in fake_kb.search("are service credits unlimited and paid in cash?", engagement="acme", k=20):
        assert "FORGED" not in hit.chunk.text


def _hidden_run(paragraph, text: str, prop: str, value: str | None = None) -> None:  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    val = f' w:val="{value}"' if value else ""
    run._r.get_or_add_rPr().append(parse_xml(f"<w:{prop} {nsdecls('w')}{val}/>"))


def test_docx_runs_word_hides_are_not_indexed(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Service Level Agreement", 1)
    paragraph = document.add_paragraph("5.3 Credit Cap. Service Credits shall not exceed ")
    _hidden_run(paragraph, f"{FORGED} (vanish) ", "vanish")
    paragraph.add_run("12% of the Monthly Fees.")
    _hidden_run(document.add_paragraph(), f"{FORGED} (specVanish)", "specVanish")
    _hidden_run(document.add_paragraph("Visible TOC entry "), f"{FORGED} (webHidden)", "webHidden")
    _hidden_run(document.add_paragraph(), "Shown: vanish switched off.", "vanish", "0")

    hidden_chars = document.styles.add_style("Secret", WD_STYLE_TYPE.CHARACTER)
    hidden_chars.font.hidden = True
    document.add_paragraph("Invoices are payable within 30 days.").add_run(f" {FORGED} (char style)", "Secret")
    hidden_paras = document.styles.add_style("Hidden note", WD_STYLE_TYPE.PARAGRAPH)
    hidden_paras.font.hidden = True
    document.add_paragraph(f"{FORGED} (paragraph style)", style="Hidden note")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Severity 1"
    _hidden_run(table.cell(0, 1).paragraphs[0], f"{FORGED} (cell)", "vanish")
    table.cell(0, 1).paragraphs[0].add_run("4 hours")
    path = tmp_path / "sla.docx"
    document.save(str(path))

    text = _indexed_text(fake_kb, path)

    assert "FORGED" not in text
    assert "5.3 Credit Cap. Service Credits shall not exceed 12% of the Monthly Fees." in text
    assert "Visible TOC entry" in text and "Shown: vanish switched off." in text
    assert "Invoices are payable within 30 days." in text and "Severity 1 | 4 hours" in text


# An amount reversed by a right-to-left override (it displays as "12%" but reads as "%21"), words split by
# zero-width characters so a search misses them, and every other control sprinkled in.
SPOOFED = (
    "# Schedule B \u2067Service\u2069 Levels\n\n"
    "5.3 Credit Cap. Service Credits in any month shall not exceed \u202e%21\u202c of the Mon\u200bthly Fees.\n\n"
    "5.4 Chat Outages. Service Credits for chat outages are unl\u200bim\u200dited and paid in ca\u2060sh"
    f"{CONTROLS}.\n\n"
    "6.1 Invoices. The Client shall pay each invoice within thirty (30) days.\n"
)


def test_bidi_and_zero_width_characters_are_never_quoted(tmp_path: Path, minilm: MiniLMEmbeddings) -> None:
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), minilm)
    for name in ("sla.md", "sla-copy.txt"):
        path = write(tmp_path / name, SPOOFED)
        text = _indexed_text(kb, path)
        assert not INVISIBLE.search(text)
        assert "exceed %21 of the Monthly Fees" in text and "unlimited and paid in cash." in text

    answer = kb.answer_question("Are service credits for chat outages unlimited?", engagement="acme")

    assert answer.found and answer.citations
    for citation in answer.citations:
        assert not INVISIBLE.search(citation.quote)
        assert citation.quote == kb.document_text("acme", citation.document)[citation.start : citation.end]
    assert any("unlimited and paid in cash" in c.quote for c in answer.citations)
    assert {d.name: d.title for d in kb.documents("acme")}["sla.md"] == "Schedule B Service Levels"


def test_liaison_show_prints_no_invisible_characters(tmp_path: Path) -> None:
    path = write(tmp_path / "sla.md", SPOOFED)
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_EMBEDDER": "fake", "LIAISON_LLM": ""}
    runner = CliRunner()
    indexed = json.loads(runner.invoke(cli, ["index", str(path), "-e", "acme", "--json"], env=env).output)
    assert [d["document"] for d in indexed["indexed"]] == ["sla.md"]

    shown = runner.invoke(cli, ["show", "sla.md", "-e", "acme"], env=env)

    assert shown.exit_code == 0 and "shall not exceed %21 of the Monthly Fees." in shown.output
    assert not INVISIBLE.search(shown.output)
    hits = json.loads(runner.invoke(cli, ["search", "unlimited", "-e", "acme", "--json"], env=env).output)["hits"]
    assert any("unlimited and paid in cash." in hit["text"] for hit in hits)
    assert all(not INVISIBLE.search(hit["text"]) for hit in hits)
