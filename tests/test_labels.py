"""Section labels of the parts of a contract: the preamble, recitals and signatures, clause numbers inside text
that lost its paragraph breaks, filing labels, bold clause numbers and defined terms."""

from __future__ import annotations

from dataclasses import replace

from knowledge.chunking import chunk_document, section_at
from knowledge.documents import ExtractedDocument
from knowledge.limits import DEFAULT_LIMITS
from knowledge.sections import defined_term, find_marker, successors

# Shaped like a CUAD services agreement (a filing label, a title, the parties, WHEREAS clauses, numbered
# clauses, the signatures and an exhibit on the next page); the wording is ours.
SERVICES = (
    "Exhibit 10.4\n\n"
    "SERVICES AGREEMENT\n\n"
    'This Services Agreement (the "Agreement") is entered into as of March 1, 2020, between Acme Analytics, '
    'Inc., a Delaware corporation ("Acme"), and Beta Logistics LLC, a Nevada limited liability company ("Beta").\n\n'
    "RECITALS\n\n"
    "WHEREAS, Beta operates a network of warehouses and wishes to obtain reporting services for them; and\n\n"
    "WHEREAS, Acme provides such reporting services to companies in the logistics business.\n\n"
    "NOW, THEREFORE, in consideration of the mutual covenants set forth herein, the parties agree as follows:\n\n"
    "1. Services. Acme shall provide the reporting services described in Exhibit A.\n\n"
    "2. Fees. Beta shall pay Acme a monthly fee of $5,000 within thirty (30) days of each invoice.\n\n"
    "3. Term. This Agreement shall remain in force for one (1) year from the date first written above.\n\n"
    "IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first written above.\n\n"
    "ACME ANALYTICS, INC.\n\n"
    "By: /s/ Jane Roe   Name: Jane Roe   Title: President\n\n"
    "-3-\n\n"
    "EXHIBIT A\n\n"
    "Acme shall deliver a weekly report on the occupancy of each warehouse, by the second business day.\n"
)

# A second amendment whose paragraph breaks were lost in conversion: one line, clause numbers inside it,
# a quoted list of an exhibit's own categories (3., 4.) that are not the amendment's clauses.
ONE_LINE = (
    'SECOND AMENDMENT TO SERVICES AGREEMENT This SECOND AMENDMENT (this "Amendment") is made between Acme '
    'Analytics, Inc. ("Acme") and Beta Logistics LLC ("Beta"). RECITALS WHEREAS, Acme and Beta entered into a '
    "Services Agreement dated as of March 1, 2020; and WHEREAS, the parties wish to add services to Exhibit A. "
    "NOW, THEREFORE, the parties agree as follows: 1. Amendment to Exhibit A. Exhibit A is supplemented with the "
    'following: "3. Route Planning. Acme plans the delivery routes of each warehouse every week. 4. Audits. Acme '
    'audits the stock of each warehouse every quarter." 2. Miscellaneous. This Amendment shall be governed by the '
    "laws of the State of Delaware. IN WITNESS WHEREOF, the parties have executed this Amendment. ACME ANALYTICS, "
    "INC. By: /s/ Jane Roe"
)

# A document that numbers nothing: its opening is not a "Preamble" (nothing says where one would end).
UNNUMBERED = (
    "# Support Policy\n\n"
    "This policy describes the support we give to every customer of the service, in every plan we sell.\n\n"
    "## Hours\n\n"
    "Support is available from 9am to 5pm, Monday to Friday, except on public holidays.\n"
)


def _doc(text: str, kind: str = "text") -> ExtractedDocument:
    return ExtractedDocument(name="d", title="d", text=text, kind=kind, content_hash="h")


def _label(text: str, words: str) -> str | None:
    return section_at(text, text.index(words))[0]


def _chunk_label(text: str, words: str, max_chars: int = 160) -> str | None:
    at = text.index(words)
    chunks = chunk_document(_doc(text), limits=replace(DEFAULT_LIMITS, max_chunk_chars=max_chars))
    return next(c.section for c in chunks if c.start <= at < c.end)


def test_preamble_recitals_and_signatures_are_named_for_what_they_are() -> None:
    assert _label(SERVICES, "SERVICES AGREEMENT") == "Preamble"
    assert _label(SERVICES, "This Services Agreement") == "Preamble"
    assert _label(SERVICES, "WHEREAS, Beta operates") == "Recitals"
    assert _label(SERVICES, "NOW, THEREFORE") == "Recitals"
    assert _label(SERVICES, "Acme shall provide") == "1"
    assert _label(SERVICES, "shall remain in force") == "3"
    assert _label(SERVICES, "IN WITNESS WHEREOF") == "Signatures"  # not clause 3
    assert _label(SERVICES, "By: /s/ Jane Roe") == "Signatures"
    assert _label(SERVICES, "weekly report") == "Exhibit A"


def test_chunks_carry_the_same_labels() -> None:
    assert _chunk_label(SERVICES, "This Services Agreement") == "Preamble"
    assert _chunk_label(SERVICES, "WHEREAS, Acme provides") == "Recitals"
    assert _chunk_label(SERVICES, "Beta shall pay") == "2"
    assert _chunk_label(SERVICES, "By: /s/ Jane Roe") == "Signatures"


def test_the_filing_label_atop_is_no_exhibit_and_a_one_line_clause_keeps_its_number() -> None:
    text = "Exhibit 28 under Form N-1A\n\n" + SERVICES
    assert _label(text, "This Services Agreement") == "Preamble"  # not "Exhibit 28"
    assert _label(text, "Acme shall provide") == "1"
    assert _chunk_label(text, "1. Services.", max_chars=1100) in {"Preamble", "Recitals", "1"}
    assert _chunk_label(text, "Acme shall provide", max_chars=1100) != "2"  # a clause is no bare heading


def test_clause_numbers_inside_a_block_that_lost_its_breaks() -> None:
    assert _label(ONE_LINE, "This SECOND AMENDMENT") == "Preamble"
    assert _label(ONE_LINE, "WHEREAS, the parties wish") == "Recitals"
    assert _label(ONE_LINE, "Exhibit A is supplemented") == "1"
    assert _label(ONE_LINE, "Acme plans the delivery") == "1"  # the exhibit's "3." quoted inside clause 1
    assert _label(ONE_LINE, "governed by the laws") == "2"
    assert _label(ONE_LINE, "By: /s/ Jane Roe") == "Signatures"
    labels = {c.section for c in chunk_document(_doc(ONE_LINE), limits=replace(DEFAULT_LIMITS, max_chunk_chars=200))}
    assert {"Preamble", "Recitals", "2"} <= labels and "3" not in labels and "4" not in labels


def test_dotted_clause_numbers_without_their_full_stop_inside_a_paragraph() -> None:
    # CUAD ABILITYINC services agreement: "7.6 Severability. ... 7.7 Construction. ... 7.8 Incorporation of ..."
    text = (
        "7. Miscellaneous.\n\n"
        "7.6 Severability. Any term of this Agreement held invalid shall not affect the remaining terms. "
        "7.7 Construction. The Parties have participated jointly in the drafting of this Agreement. "
        "7.8 Incorporation of Exhibits and Disclosure Schedule. The Exhibit identified in this Agreement is "
        "incorporated herein by reference. The fee is 2.5 Percent of the price. Read 7.9 Fees. with care.\n"
    )
    assert _label(text, "Any term of this") == "7.6"
    assert _label(text, "The Parties have participated") == "7.7"
    assert _label(text, "The Exhibit identified") == "7.8"
    assert _label(text, "The fee is") == "7.8"  # "2.5 Percent" heads no clause: it does not follow 7.8
    assert _chunk_label(text, "The Exhibit identified", max_chars=120) == "7.8"


def test_lettered_items_inside_a_paragraph_are_followed() -> None:
    # CUAD ABILITYINC services agreement: "(d)" and "(e)" run on in the paragraph that "(c)" opens
    text = (
        "1.2 Standard of Service. (a) Provider represents that it will perform the Services with care. (b) Provider "
        "shall maintain complete records of the Services.\n\n"
        "(c) Provider shall use its best efforts to keep the same employees. (d) Recipient acknowledges that this "
        "Agreement does not create a partnership. (e) Notwithstanding anything to the contrary: (a) in the event "
        "that Provider uses any subcontractors, Provider is not released from its obligations; (b) Provider shall "
        "remain fully responsible for each subcontractor. (g) Provider keeps the fees.\n\n"
        "1.3 Fees. The fees are set out in Exhibit A: (a) The monthly fee; (b) The expenses.\n"
    )
    assert _label(text, "Provider represents") == "1.2(a)"
    assert _label(text, "Provider shall maintain") == "1.2(b)"
    assert _label(text, "Recipient acknowledges") == "1.2(d)"
    assert _label(text, "in the event that Provider uses any subcontractors") == "1.2(e)"  # a list inside (e)
    assert _label(text, "Provider shall remain fully") == "1.2(e)"
    assert _label(text, "Provider keeps the fees") == "1.2"  # "(f)" was missed: the clause, not a wrong item
    assert _label(text, "The expenses") == "1.3"  # a list inside a sentence opens no item


def test_a_table_of_contents_cut_into_blocks_numbers_no_clause() -> None:
    # CUAD ASPIRITY outsourcing agreement: one padded block per entry and per page number; the body's opening
    # came out labelled 9.14, the contents' last entry
    entries = "".join(
        f"Section {n} {title}    {page}    "
        for n, title, page in (
            ("1.01", "Defined Terms", 1),
            ("2.01", "Appointment; Exclusivity", 5),
            ("9.14", "Third Party Contractors", 40),
        )
    )
    text = (
        "TABLE OF CONTENTS    ARTICLE I DEFINITIONS    " + entries + "\n\nOUTSOURCING AGREEMENT\n\n"
        'This OUTSOURCING AGREEMENT is entered into by and between Twin Cities Power Holdings, LLC (the "Company") '
        'and Redwater LLC (the "Contractor").\n\n'
        "ARTICLE I DEFINITIONS\n\nSection 1.01 Defined Terms. Whenever used in this Agreement, these terms apply.\n"
    )
    assert _label(text, "This OUTSOURCING AGREEMENT") == "Preamble"
    assert _label(text, "Whenever used") == "1.01"
    chunks = chunk_document(_doc(text))
    first = next(c for c in chunks if c.start <= text.index("Third Party") < c.end)
    assert "Twin Cities" not in first.text_of(text)  # the contents are a chunk of their own


def test_a_document_that_numbers_nothing_has_no_preamble() -> None:
    assert _label(UNNUMBERED, "This policy describes") is None
    assert all(c.section is None for c in chunk_document(_doc(UNNUMBERED, "markdown")))


def test_a_body_of_unnumbered_clauses_is_no_preamble() -> None:
    words = ["records", "invoices", "shipments", "returns", "audits", "claims"]
    paragraphs = "".join(
        f"The supplier shall keep its {w} of the services it renders for one full year at least.\n\n" for w in words
    )
    text = "SUPPLY AGREEMENT\n\n" + paragraphs + "EXHIBIT A\n\nPrices of the products.\n"
    assert _label(text, "its records") == "Preamble"
    assert _label(text, "its claims") is None  # the opening, not the whole body


def test_signatures_end_at_a_page_that_is_no_signatory_s() -> None:
    text = (
        "1. Term. This Agreement lasts one year.\n\n"
        "IN WITNESS WHEREOF, the parties have signed this Agreement.\n\n"
        "ACME ANALYTICS, INC.\n\nBy: /s/ Jane Roe\n\n"
        "-4-\n\n"
        "Price list for the reporting services, per warehouse and per month, as agreed by the parties.\n"
    )
    assert _label(text, "ACME ANALYTICS") == "Signatures"
    assert _label(text, "Price list") is None  # neither the signatures nor clause 1


def test_bold_clause_numbers_and_defined_terms() -> None:
    bold = "**17.4.** Procedures. The indemnifying party's obligations are subject to prompt notice."
    marker = find_marker(bold, 0, len(bold))
    assert marker is not None and marker.number == "17.4"
    term = "\u201c**Provider Software**\u201d means any app that Provider distributes."
    assert defined_term(term, 0, len(term)) == "Provider Software"  # not "Provider Softw" + "are"
    colon = "**Multiple Failures:** means Target Availability is not met for 2 consecutive months."
    assert defined_term(colon, 0, len(colon)) == "Multiple Failures"


def test_successors_of_a_clause_number() -> None:
    assert successors(None) == {"1"}
    assert successors("3.2") == {"3.2.1", "3.3", "4"}


def test_numbers_glued_to_their_clause_and_recitals_under_a_whereas_heading() -> None:
    # Shaped like a CUAD outsourcing agreement converted from a PDF: "WHEREAS:" heads plain recitals, and the
    # clause numbers lost their spaces ("1.DGT shall pay", "5.Dolphin will").
    text = (
        "PHOTO RETOUCHING AGREEMENT\n\n"
        "WHEREAS:\n\n"
        "Acme is an internet provider of professional photo editing services to photographers.\n\n"
        "NOW THEREFORE the parties agree as follows: 1.Acme shall pay Beta USD 10,000 for the beta testing of "
        "the services. 2.Beta shall edit each photo within 14 days of receiving it.\n\n"
        "3.Beta will provide its editing services exclusively to Acme during the term.\n"
    )
    assert _label(text, "Acme is an internet provider") == "Recitals"
    assert _label(text, "Beta shall edit") == "2"
    assert _label(text, "Beta will provide") == "3"


def test_recitals_after_a_contents_page_and_in_an_exhibit() -> None:
    text = (
        "Article 1 Definitions ........ 2\n\n"
        "SUPPLY AGREEMENT\n\n"
        'This Supply Agreement (the "Agreement") is made as of May 1, 2019 between Acme Inc. and Beta LLC, each a '
        "party to it.\n\n"
        "WHEREAS, Acme makes the products and wishes to sell them to Beta under this Agreement; and\n\n"
        "Article 1 DEFINITIONS\n\n"
        "1.1 Terms. Capitalised terms have the meanings given in this Article.\n\n"
        "EXHIBIT D\n\n"
        "WHEREAS, the parties wish to amend the price list attached to the Agreement from time to time.\n\n"
        "Prices are set out in the table below, for each of the products and each of the years.\n"
    )
    assert _label(text, "WHEREAS, Acme makes") == "Recitals"  # after a contents line that opened "Article 1"
    assert _label(text, "WHEREAS, the parties wish") == "Exhibit D Recitals"
    assert _label(text, "Prices are set out") == "Exhibit D"


def test_the_opening_is_read_past_a_table_of_contents_at_the_front() -> None:
    # CUAD ASPIRITY, VERICEL: a cover page, 2,700 characters of contents, then "This OUTSOURCING AGREEMENT is
    # entered into ... between ...": "who are the parties?" boosted the cover and the first chunks after it only
    import numpy as np

    from knowledge.lexical import ChunkIndex
    from knowledge.stored import StoredChunk

    def chunk(i: int, start: int, end: int, text: str) -> StoredChunk:
        return StoredChunk(
            f"c{i}", "d", "d.txt", "OUTSOURCING AGREEMENT", "shared", None, None, None, start, end, text, ""
        )

    entries = " ".join(f"Section {n}.0{k} Clause {k}    {n * 3}" for n in range(1, 8) for k in range(1, 6))
    chunks = [
        chunk(0, 0, 200, "OUTSOURCING AGREEMENT dated as of , 2012 TWIN CITIES POWER HOLDINGS, LLC and REDWATER LLC"),
        chunk(1, 210, 2900, "TABLE OF CONTENTS " + entries),
        chunk(2, 2950, 3200, 'This OUTSOURCING AGREEMENT is entered into by and between Twin Cities, LLC ("Company")'),
        chunk(3, 3210, 3900, "Section 1.01 Defined Terms. Whenever used in this Agreement, these terms apply."),
        chunk(4, 9000, 9400, "Section 5.01 The Contractor represents that it is duly organized."),
    ]
    index = ChunkIndex(chunks)
    assert index.contents[1]
    opened = dict(index.openings(np.ones(len(chunks), dtype=bool)))
    assert 1 not in opened and 4 not in opened
    assert {0, 2, 3} <= set(opened)  # the cover, and the opening after the contents
