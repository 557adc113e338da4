"""Tables of every kind: each data row a chunk of its own, quoted verbatim with its header row beside it;
template placeholders kept verbatim, listed with exact offsets, never taken as a value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.answers import Answer, Citation
from knowledge.base import KnowledgeBase
from knowledge.chunking import chunk_document
from knowledge.direct import direct_for
from knowledge.documents import ExtractedDocument
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.loaders import load_document
from knowledge.placeholders import marked, placeholders_in
from knowledge.quotes import best_passage, sentences_and_rows
from knowledge.ranges import row_for
from knowledge.store import Store, make_client
from knowledge.tables import header_of, tables_in

ROWS = ["99.95% and above", "99.9% - 99.95%", "99.0% - 99.9%", "less than 99.0%"]
INTRO = (
    "# Cloud Servers Agreement\n\n## 6 Service Level\n\n"
    "6.1 The Contractor may interrupt the Service for maintenance, including on weekdays, if it notifies the "
    "Customer 24 hours before the work starts by publishing the notice on the Site; such interruptions are not "
    "Downtime and are not subject to Compensation.\n\n"
    "6.2 If the Service is unavailable, the Contractor pays Compensation on the basis of the table below:\n\n"
)
OUTRO = "\n\n6.3 Compensation is paid within 7 business days.\n"
HEADS = ("Availability time (in%)", "Unavailability time in one Reporting period", "Compensation Amount")
CELLS = [
    ("99.95% and above", "less than 22 minutes", "not paid"),
    ("99.9% - 99.95%", "from 22 to 45 minutes", "3% of the amount debited"),
    ("99.0% - 99.9%", "from 45 minutes to 7.5 hours", "10% of the amount debited"),
    ("less than 99.0%", "more than 7.5 hours", "25% of the amount debited"),
]


def _pipe() -> str:
    lines = ["| " + " | ".join(HEADS) + " |", "|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in CELLS]
    return INTRO + "\n".join(lines) + OUTRO


def _pipeless() -> str:
    lines = [" | ".join(HEADS), "--- | --- | ---"] + [" | ".join(r) for r in CELLS]
    return INTRO + "\n".join(lines) + OUTRO


def _asciidoc() -> str:
    rows = ["\n".join(f"| {cell}" for cell in row) for row in [HEADS, *CELLS]]
    return INTRO + '[cols="1,2,3", options="header"]\n|===\n' + "\n\n".join(rows) + "\n|===" + OUTRO


def _grid() -> str:
    widths = (30, 48, 28)
    border = "+" + "+".join("-" * w for w in widths) + "+"
    head_border = border.replace("-", "=")

    def line(cells: tuple[str, ...]) -> str:
        return "|" + "|".join(f" {c}".ljust(w) for c, w in zip(cells, widths, strict=True)) + "|"

    body = [border, line(HEADS), head_border]
    for row in CELLS:
        body += [line(row), border]
    return INTRO + "\n".join(body) + OUTRO


def _simple() -> str:
    rule = "=" * 28 + "  " + "=" * 46 + "  " + "=" * 26

    def line(cells: tuple[str, ...]) -> str:
        return f"{cells[0]:<28}  {cells[1]:<46}  {cells[2]}".rstrip()

    return INTRO + "\n".join([rule, line(HEADS), rule, *map(line, CELLS), rule]) + OUTRO


KINDS = {"pipe": _pipe, "pipeless": _pipeless, "asciidoc": _asciidoc, "grid": _grid, "simple": _simple}


def _doc(text: str, name: str = "servers.md") -> ExtractedDocument:
    return ExtractedDocument(name=name, title="Cloud Servers Agreement", text=text, kind="md", content_hash="h")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_data_row_is_a_chunk_with_its_header_as_context_and_its_tables_label(kind: str) -> None:
    text = KINDS[kind]()
    (table,) = tables_in(text)
    assert table.header is not None and len(table.rows) == len(CELLS)
    header = text[table.header[0] : table.header[1]]
    assert all(h in header for h in HEADS)
    chunks = {(c.start, c.end): c for c in chunk_document(_doc(text))}
    for (a, b), cells in zip(table.rows, CELLS, strict=True):
        row = text[a:b]
        assert all(cell in row for cell in cells) and not any(h in row for h in HEADS)
        chunk = chunks[(a, b)]  # the row is a chunk of its own, its span exact
        assert chunk.text_of(text) == row
        assert chunk.section == "6.2"  # the label of the clause the table is in
        assert "Compensation Amount" in chunk.context and "Availability time" in chunk.context
        assert "6.2" in chunk.context  # and the heading above the table
        assert header_of(text, a) == table.header
    intro = next(c for c in chunks.values() if "on the basis of the table below" in c.text_of(text))
    assert "Compensation Amount" in intro.text_of(text)  # the header row stays with the text introducing it
    assert not any(cell in intro.text_of(text) for cell in CELLS[0])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_row_is_one_unit_when_quoted(kind: str) -> None:
    text = KINDS[kind]()
    (table,) = tables_in(text)
    a, b = table.rows[1]
    assert (a, b) in sentences_and_rows(text, a, b)  # an AsciiDoc row of three lines is one unit
    assert best_passage(text, a, b, "compensation at 99.92% availability") == (a, b)


def test_html_and_word_tables_become_pipe_tables_with_a_header(tmp_path: Path) -> None:
    cells = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in CELLS)
    html = f"<html><body><h2>6 Service Level</h2><table><tr><th>{'</th><th>'.join(HEADS)}</th></tr>{cells}</table>"
    (tmp_path / "sla.html").write_text(html + "</body></html>", encoding="utf-8")
    page = load_document(tmp_path / "sla.html")
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("6 Service Level", level=1)
    grid = document.add_table(rows=len(CELLS) + 1, cols=3)
    for r, row in enumerate([HEADS, *CELLS]):
        for c, cell in enumerate(row):
            grid.cell(r, c).text = cell
    document.save(str(tmp_path / "sla.docx"))
    word = load_document(tmp_path / "sla.docx")
    for doc in (page, word):
        (table,) = tables_in(doc.text)
        assert doc.text[table.header[0] : table.header[1]] == "| " + " | ".join(HEADS) + " |"  # type: ignore[index]
        rows = [doc.text[a:b] for a, b in table.rows]
        assert rows == ["| " + " | ".join(r) + " |" for r in CELLS]
        chunked = {c.text_of(doc.text) for c in chunk_document(doc)}
        assert set(rows) <= chunked


def test_a_stated_measurement_finds_the_row_of_its_band() -> None:
    rows = [" | ".join(r) for r in CELLS]
    assert row_for("uptime was 99.92% last month, what do we get?", rows) == 1
    assert row_for("we were down 3 hours this month", rows) == 2
    assert row_for("availability dropped below 99", rows) == 3
    assert row_for("is it 99.95 or 99.9?", rows) is None  # a comparison, not a measurement
    assert row_for("what compensation do we get?", rows) is None
    # in Italian: hours as "ore", comparisons as "sotto il", "più di", decimals with a comma
    assert row_for("l'uptime è stato 99,92 il mese scorso, cosa ci spetta?", rows) == 1
    assert row_for("siamo rimasti giù 3 ore questo mese", rows) == 2
    assert row_for("la disponibilità è scesa sotto il 99", rows) == 3


GITHUB = (
    "## Response times\n\n"
    "| Ticket priority level | {% data variables.product.premium_support_plan %} |\n"
    "| --- | ---|\n"
    "| {% data variables.product.support_ticket_priority_urgent %} | 30 minutes |\n"
    "| {% data variables.product.support_ticket_priority_high %} | 4 hours |\n"
)


def test_placeholders_are_listed_with_exact_offsets_and_kept_verbatim() -> None:
    spans = placeholders_in(GITHUB)
    assert [GITHUB[a:b] for a, b in spans] == [
        "{% data variables.product.premium_support_plan %}",
        "{% data variables.product.support_ticket_priority_urgent %}",
        "{% data variables.product.support_ticket_priority_high %}",
    ]
    text = "Fees are [Amount] for [Customer Name], see [Section 5](#s5), [Exhibit A] and <<Vendor>> or {{ x }}."
    assert [text[a:b] for a, b in placeholders_in(text)] == ["[Amount]", "[Customer Name]", "<<Vendor>>", "{{ x }}"]
    (table,) = tables_in(GITHUB)
    a, b = table.rows[0]
    shown = marked(GITHUB[a:b], a, spans)
    assert shown == "| \u2039placeholder: data variables.product.support_ticket_priority_urgent\u203a | 30 minutes |"


def test_the_direct_line_never_takes_a_placeholder_as_its_value() -> None:
    text = "4.1 The Supplier responds within <<Response Time: 4 hours>> of a report, and in any case within 2 days."
    line = direct_for("how long does the supplier have to respond?", text, document="d.md", start=0, end=len(text))
    assert line is not None and line.value == "within 2 days"
    (slot,) = line.placeholders
    assert text[slot[0] : slot[1]] == "<<Response Time: 4 hours>>"
    assert line.as_dict()["placeholders"] == [list(slot)]


def test_a_row_direct_line_lists_the_placeholders_of_its_row_and_header() -> None:
    (table,) = tables_in(GITHUB)
    a, b = table.rows[1]
    line = direct_for(
        "how fast is a response to high priority tickets, how long?", GITHUB, document="g.md", start=a, end=b
    )
    assert line is not None and line.value == "4 hours" and line.text == GITHUB[a:b]
    assert line.header == GITHUB[table.header[0] : table.header[1]]  # type: ignore[index]
    assert [GITHUB[s:e] for s, e in line.placeholders] == [
        "{% data variables.product.premium_support_plan %}",
        "{% data variables.product.support_ticket_priority_high %}",
    ]


def test_citation_json_carries_the_header_and_placeholders_and_renderings_mark_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli.render import print_answer
    from bot.slack.blocks.answers import answer_blocks

    (table,) = tables_in(GITHUB)
    a, b = table.rows[0]
    h = table.header
    assert h is not None
    cite = Citation("g.md", "Premium Support", None, None, GITHUB[a:b], a, b, "answer", GITHUB[h[0] : h[1]], h[0])
    cite = Citation(
        **{**cite.__dict__, "placeholders": tuple(placeholders_in(GITHUB, *h) + placeholders_in(GITHUB, a, b))}
    )
    answer = Answer("urgent response?", "Here is what the table says:", True, [cite])
    data = json.loads(json.dumps(answer.as_dict()))
    c = data["citations"][0]
    assert c["quote"] == GITHUB[a:b]  # verbatim, placeholders and all
    assert c["header"] == {"text": GITHUB[h[0] : h[1]], "start": h[0], "end": h[1]}
    assert all(GITHUB[s:e].startswith("{%") for s, e in c["placeholders"])
    assert Answer.from_dict("q", data).citations[0] == cite
    texts = json.dumps(answer_blocks(answer, answer_id="a1"), ensure_ascii=False)
    assert "Columns: | Ticket priority level |" in texts
    assert "\u2039placeholder: data variables.product.support_ticket_priority_urgent\u203a | 30 minutes" in texts
    print_answer(answer)
    out = capsys.readouterr().out
    assert "columns: | Ticket priority level" in out and "\u2039placeholder: data variables" in out


@pytest.mark.slow
def test_vk_style_availability_question_ranks_the_row_first(tmp_path: Path, minilm: MiniLMEmbeddings) -> None:
    (tmp_path / "08_vk_cloud_servers.md").write_text(_pipe(), encoding="utf-8")
    (tmp_path / "01_support.md").write_text(
        "# Support Terms\n\n1. Definitions\n\n1.1 'Availability' means the Service answers requests.\n\n"
        "1.2 'Reporting Period' means a calendar month.\n\n2. Support\n\n2.1 Tickets are answered within 4 hours.\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), minilm)
    assert not kb.index([tmp_path], engagement="vk").failed
    text = _pipe()
    (table,) = tables_in(text)
    hits = kb.search("vk cloud servers availability target?", engagement="vk", k=4)
    assert (hits[0].chunk.start, hits[0].chunk.end) == table.rows[0]  # the 99.95% row, not a definition
    answer = kb.answer_question("availability was 99.92% last month, what compensation do we get?", engagement="vk")
    lead = answer.citations[0]
    assert (lead.start, lead.end) == table.rows[1] and lead.quote == text[lead.start : lead.end]
    assert lead.header == text[table.header[0] : table.header[1]]  # type: ignore[index]
    assert lead.section == "6.2"


def test_a_row_quoted_alone_answers_with_the_cell_of_the_column_asked_about() -> None:
    text = _pipe()
    (table,) = tables_in(text)
    a, b = table.rows[1]
    line = direct_for("availability was 99.92%, what compensation amount?", text, document="d", start=a, end=b)
    assert line is not None and line.value == "3%" and line.text == text[a:b]  # the amount, in its column
    a, b = table.rows[0]
    line = direct_for("cloud servers availability target?", text, document="d", start=a, end=b)
    assert line is not None and line.value == "99.95% and above"  # the row's own column is named
    assert direct_for("cap on compensation?", text, document="d", start=a, end=b) is None  # any row would do
    plans = (
        "| | {% data variables.product.premium_support_plan %} | {% data variables.product.premium_plus_plan %} |\n"
        "|---|---|------|\n| Members with support entitlements | 20 | 40 |\n"
    )
    (table,) = tables_in(plans)
    a, b = table.rows[0]
    line = direct_for("how many people get support entitlements on premium plus", plans, document="g", start=a, end=b)
    assert line is not None and line.value == "40"  # the column a placeholder names


def test_tiny_rows_pack_together_so_a_long_table_of_them_is_a_few_chunks() -> None:
    text = "## Codes\n\n| Code | Meaning |\n|---|---|\n" + "\n".join(f"| C{i} | ok |" for i in range(200)) + "\n"
    chunks = [c for c in chunk_document(_doc(text)) if "| C" in c.text_of(text)]
    assert len(chunks) <= 5 and all(len(c.text_of(text)) <= 1100 for c in chunks)
    (table,) = tables_in(text)
    covered = [r for r in table.rows if any(c.start <= r[0] and r[1] <= c.end for c in chunks)]
    assert covered == list(table.rows)  # every row in exactly the chunks' spans
