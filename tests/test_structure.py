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
        # CUAD BLUEFLYINC: a title that starts in lower case, then its parties
        (
            "Exhibit 10.27\n\n   e-business Hosting Agreement\n\n   between\n\n   Bluefly, Inc.\n",
            "e-business Hosting Agreement",
        ),
        ("e-mail\n\nSERVICES AGREEMENT\n", "SERVICES AGREEMENT"),
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


# --- section labels of nested numbering ------------------------------------------------------------

# Common Paper SLA v2 (CC BY 4.0), §3 as published: a Markdown ordered list nested by indentation.
COMMON_PAPER_REMEDIES = """# Service Level Agreement

3. Remedies
    1. Service Credit.  If there is a Target Uptime and Cloud Service availability falls below the Target Uptime, Customer is eligible to receive an Uptime Credit.
    2. Requesting A Service Credit.  To receive a Service Credit, Customer must notify Provider within 7 days of the end of the month in which Customer believes the Service Credit was earned.
        a. For Uptime Credit, Customer must include information about when it was unable to access the Cloud Service.
        b. For Response Time Credit, Customer must include information about when and how Customer contacted Provider.
    3. Service Credit Limitations.  Service Credits may not be exchanged for, or converted to, monetary amounts.
    4. Termination.  If the Cloud Service does not meet the Target Uptime for two (2) out of any three (3) consecutive months, Customer may immediately terminate the affected Order Form.

4. Definitions
    1. **"Available Minutes"**  means the total number of minutes in a calendar month, minus Excluded Minutes.
"""  # noqa: E501

# CUAD: WEBHELPCOMINC_03_22_2000-EX-10.8-HOSTING AGREEMENT.txt (eGain), §6.1 with its lettered items and the
# running page header that interrupts the next paragraph; lines shortened, padding kept.
EGAIN = (
    "6. Limited Warranties; Disclaimer of Warranties.\n\n"
    "6.1 eGain warrants and represents to Customer that the Hosting Services will be performed in a professional"
    " manner. The fees shall be reduced as follows:\n\n"
    "a) For the first sixty (60) minutes of Downtime during Normal Business       Hours, eGain will credit"
    " Customer's account for one       (1) day of service.\n\n"
    "b) For each eight (8) hour period of Downtime per day in addition to the       Initial Downtime, eGain will"
    " credit Customer's account for one (1)       additional day of service.\n\n"
    'For the purposes of this Agreement, "Downtime" shall mean any interruption, either\n\n'
    "eGAIN COMMUNICATIONS CORPORATION\n\nHOSTING AGREEMENT\n\n"
    "by speaking directly with an eGain customer service representative or recording a voice mail message.\n\n"
    "6.2 eGain represents and warrants that the Software is Year 2000 Compliant.\n\n"
    "eGAIN COMMUNICATIONS CORPORATION\n\nHOSTING AGREEMENT\n\n"
    "6.3 EXCEPT AS PROVIDED IN SECTIONS 6.1-6.2, THE HOSTING SERVICES ARE PROVIDED AS IS.\n\n"
    "eGAIN COMMUNICATIONS CORPORATION\n\nHOSTING AGREEMENT\n\n"
    "7. Limitation of liability. EXCLUDING LIABILITY FOR INFRINGEMENT CLAIMS, eGain's liability is capped.\n"
)

# CUAD: DRAGONSYSTEMSINC_01_08_1999-EX-10.17-OUTSOURCING AGREEMENT.txt: clause numbers padded with spaces, page
# footers ("-2-"), the next page's number glued to a clause number, and a header repeated on each page.
DRAGON = (
    DRAGON_HEAD + "\n"
    "1.       PURPOSE OF AGREEMENT Formalize the agreements made regarding services and products between Dragon"
    " Systems and MMI.\n\n"
    "7.       INDEMNITY\n\n"
    "MMI shall reimburse Dragon Systems and hold Dragon Systems harmless from any liabilities.\n\n"
    "                                    -2-    3 8.       LIABILITY\n\n"
    "Either party shall be liable for failure or delay in performance of its duties under this Agreement.\n\n"
    "                                        3           Confidential Materials omitted and filed separately with"
    " the         Securities and Exchange Commission. Asterisks denote omissions.\n\n"
    "9.       CONFIDENTIALITY\n\nBoth parties shall take reasonable precautions to preserve confidential information.\n"
)

# CUAD: ALCOSTORESINC_12_14_2005-EX-10.26-AGENCY AGREEMENT.txt, Article III (shortened).
ALCO = (
    "ARTICLE II  DUTIES OF AGENT\n\n"
    "Section 2.01 Equipment Orders. Upon the written acknowledgment by the Company and Lessor of each purchase order,"
    " the Company shall order the Equipment.\n\n"
    "ARTICLE III TERMINATION\n\n"
    "Section 3.01 Termination.\n\n"
    "(a) So long as no default exists, either party may terminate this Agreement at any time upon notice.\n\n"
    "(b) In the event the Company is in default hereunder, Lessor may elect to terminate this Agreement immediately.\n"
)

# VK Cloud Servers agreement (CC BY-SA 4.0): escaped Markdown numbers in headings, dotted numbers in the text.
VK = (
    "## 2\\. Subject of the Agreement\n\n"
    "2.1. Under the terms of this Agreement, the Contractor provides the Customer with the Service.\n\n"
    "## 3\\. Rights and obligations of the Parties\n\n"
    "3.1. The Contractor undertakes:\n\n"
    "3.1.1. Provide the Customer with the opportunity to use the Contractor's Service.\n"
)


def _labels(text: str, kind: str = "text") -> list[tuple[str | None, str]]:
    from knowledge.chunking import chunk_document
    from knowledge.documents import ExtractedDocument

    doc = ExtractedDocument(name="d", title="d", text=text, kind=kind, content_hash="h")
    chunks = chunk_document(doc, limits=_small())
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text_of(doc.text) and c.end - c.start <= 1100
    return [(c.section, text[c.start : c.end]) for c in chunks]


def _small():  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from knowledge.limits import DEFAULT_LIMITS

    return replace(DEFAULT_LIMITS, max_chunk_chars=160)  # one clause a chunk, so each label shows


def _label_of(text: str, words: str) -> str | None:
    """The label a citation of `words` carries: the section in force where they start."""
    from knowledge.chunking import section_at

    return section_at(text, text.index(words))[0]


def test_markdown_lists_nested_by_indentation_read_as_decimal_sections() -> None:
    labelled = COMMON_PAPER_REMEDIES
    chunk_labels = [label for label, _ in _labels(labelled, "markdown")]
    assert {"3.1", "3.2", "3.4"} <= set(chunk_labels) and "1" not in chunk_labels  # "a." items chunk with 3.2
    assert _label_of(labelled, "Service Credit.  If there") == "3.1"
    assert _label_of(labelled, "within 7 days") == "3.2"
    assert _label_of(labelled, "For Uptime Credit") == "3.2(a)"
    assert _label_of(labelled, "For Response Time Credit") == "3.2(b)"
    assert _label_of(labelled, "Termination.  If") == "3.4"  # was "4", the Definitions
    assert _label_of(labelled, "Available Minutes") == "4.1 'Available Minutes'"


def test_dotted_numbers_lettered_items_and_wrapped_padding() -> None:
    labelled = EGAIN
    assert _label_of(labelled, "6.1 eGain warrants") == "6.1"  # opens with a lower-case word
    assert _label_of(labelled, "For the first sixty") == "6.1(a)"  # "a)", not "6(1)"
    assert _label_of(labelled, "For each eight") == "6.1(b)"
    assert not any(text.startswith("(1) day") for _, text in _labels(EGAIN))  # wrapped text, not a marker
    assert _label_of(labelled, "EXCEPT AS PROVIDED") == "6.3"
    assert _label_of(labelled, "Limitation of liability") == "7"


def test_articles_sections_and_paren_items() -> None:
    labelled = ALCO
    assert _label_of(labelled, "Equipment Orders") == "2.01"
    assert _label_of(labelled, "So long as no default") == "3.01(a)"
    assert _label_of(labelled, "Company is in default") == "3.01(b)"


def test_escaped_markdown_heading_numbers() -> None:
    labelled = VK
    assert _label_of(labelled, "Under the terms") == "2.1"
    assert _label_of(labelled, "opportunity to use") == "3.1.1"


def test_padded_clause_numbers_and_capital_headings() -> None:
    from knowledge.chunking import section_at

    labelled = DRAGON
    assert _label_of(labelled, "PURPOSE OF AGREEMENT") == "1"
    assert _label_of(labelled, "Either party shall be liable") == "8"
    assert _label_of(labelled, "precautions") == "9"
    at = DRAGON.index("Formalize")
    assert section_at(DRAGON, at) == ("1", "PURPOSE OF AGREEMENT")


# --- page furniture ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [EGAIN, DRAGON])
def test_no_chunk_runs_into_page_headers_footers_or_numbers(text: str) -> None:
    labelled = _labels(text)
    for _, chunk in labelled:
        assert "eGAIN COMMUNICATIONS CORPORATION" not in chunk and "HOSTING AGREEMENT" not in chunk
        assert "Confidential Materials omitted" not in chunk and "-2-" not in chunk
        assert not chunk.startswith(("3 8.", "Exhibit 10.17", "1 "))
    # the text around the furniture is still indexed, and the next page's clause keeps its number
    assert any(c.startswith("by speaking directly") for _, c in labelled) or text != EGAIN
    assert any(c.startswith("8.       LIABILITY") for _, c in labelled) or text != DRAGON


def test_quotes_stay_inside_a_chunk_and_off_the_page_header(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write(tmp_path / "egain.txt", "HOSTING AGREEMENT\n\n" + EGAIN)
    fake_kb.index([path], engagement="acme")
    text = fake_kb.document_text("acme", "egain.txt")
    for hit in fake_kb.search("speaking directly with an eGain customer service representative", engagement="acme"):
        chunk = hit.chunk
        assert text[chunk.start : chunk.end] == chunk.text
        assert "eGAIN COMMUNICATIONS" not in chunk.text


# --- definitions -------------------------------------------------------------------------------------------


def test_each_defined_term_is_a_unit_labelled_with_the_term() -> None:
    labelled = _labels(COMMON_PAPER_REMEDIES, "markdown")
    assert ("4.1 'Available Minutes'", True) in [(label, "Available Minutes" in text) for label, text in labelled]
    vk = (
        "## 1\\. Terms and definitions\n\n"
        "**Site** — an Internet site located at https://mcs.mail.ru/, which provides access to the Service.\n\n"
        "**Unavailability of the Service (Downtime)** — the time interval from the moment the Customer reports.\n\n"
        "**The reporting period** is a calendar month.\n\n"
        "## 2\\. Subject of the Agreement\n\n"
        "2.1. Under the terms of this Agreement, the Contractor provides the Customer with the Service.\n"
    )
    by_label = {label: text for label, text in _labels(vk, "markdown")}
    assert by_label["1 'Unavailability of the Service (Downtime)'"].startswith("**Unavailability")
    assert by_label["1 'The reporting period'"] == "**The reporting period** is a calendar month."
    assert _label_of(vk, "calendar month") == "1 'The reporting period'"
    assert _label_of(vk, "Under the terms") == "2.1"
    # a capitalised word in running prose is no definition
    assert _label_of("1. Services. Customer means business.\n", "business") == "1"


def test_repeated_content_is_not_page_furniture() -> None:
    from knowledge.chunking import content_blocks

    # CUAD TRICITYBANKSHARESCORP (outsourcing) lists its maintenance window three times; ELANDIA (Datec) repeats
    # the lead-in "Datec will:" before each list; a quantity column repeats "1". None is a page header or number.
    text = "".join(
        f"Maintenance window {n}\n\n12:00 midnight Friday 12:01 a.m.\n\nDatec will:\n\n1\n\n(a) run the desk;\n\n"
        for n in range(1, 5)
    )
    kept = [text[a:b] for a, b, _ in content_blocks(text)]
    assert kept.count("Datec will:") == 4 and kept.count("1") >= 3  # the first "1" may be read as page 1
    three = text[: text.index("Maintenance window 4")]
    assert [text for a, b, _ in content_blocks(three) if (text := three[a:b]).startswith("12:00")] == [
        "12:00 midnight Friday 12:01 a.m."
    ] * 3


# A three-page letter agreement (CUAD BANGIINC, "Premium Managed Hosting Agreement", CC BY 4.0; shortened): its
# letterhead heads every page, three times in all, under a "- 2 -" page number and a date stamp.
LETTERHEAD = (
    "03/01/05\n\n607-1295 Richards Street   604.684.2255\n\nVancouver, BC V6B1B7   deep@rrt.ca   deep systems\n\n"
)
LETTER = (
    LETTERHEAD
    + "Premium Managed Hosting Agreement\n\nThis is a managed hosting agreement between AstroNutrition.com and deep "
    "systems.\n\nIncludes a 99 percent server uptime guarantee.\n\nD/WLM/717334.1\n\n- 2 -\n\n"
    + LETTERHEAD
    + "Terms of Agreement\n\nManaged hosting fees are $175 per month for a period of 12 months.\n\nD/WLM/717334.1\n\n"
    "- 3 -\n\n" + LETTERHEAD + "Co-located Facilities\n\nServers are co-located in downtown Vancouver.\n"
)


def test_a_letterhead_on_each_of_three_pages_is_page_furniture() -> None:
    from knowledge.chunking import content_blocks

    kept = [LETTER[a:b] for a, b, _ in content_blocks(LETTER)]
    assert not any("Richards Street" in k or "deep@rrt.ca" in k or "D/WLM" in k for k in kept)
    assert "Includes a 99 percent server uptime guarantee." in kept
    assert "Managed hosting fees are $175 per month for a period of 12 months." in kept
    # a heading that recurs once under a page's header but elsewhere too is text
    body = LETTER.replace("Co-located Facilities", "Terms of Agreement", 1) + "\nTerms of Agreement\n\nThe end.\n"
    assert [body[a:b] for a, b, _ in content_blocks(body)].count("Terms of Agreement") >= 2


def test_a_contents_line_cut_at_its_clause_numbers_is_still_contents() -> None:
    from knowledge.signals import looks_like_contents

    # CUAD ELANDIA's table of contents, one line per part, split where its entries' numbers begin
    assert looks_like_contents("17.1   Insurance Coverage   36 17.2   Terms Of Insurance   37")
    assert looks_like_contents("1.1   Introduction   10 1.2   Document Structure   10")
    assert not looks_like_contents("17.1 Insurance Coverage\n\nThe BSP will provide full replacement insurance cover.")
    assert not looks_like_contents("4.1 Set-up fee USD 500 4.2 Monthly fee 200")  # a price list
    assert not looks_like_contents("4.1 Fees 100 4.2 Expenses 20")  # pages never go back


def test_a_clause_without_a_number_is_placed_by_its_heading(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    from knowledge.text import citation_label

    doc = (
        "# Convenzione di servizio IaaS\n\n## Impegni di disponibilità dell'infrastruttura\n\n"
        "Il Fornitore garantisce una disponibilità mensile del 99,99% per il calcolo.\n\n"
        "## Supporto\n\nIl supporto è disponibile dalle 8:00 alle 18:00 nei giorni lavorativi.\n"
    )
    fake_kb.index([write(tmp_path / "iaas.md", doc)], engagement="acme")
    answer = fake_kb.answer_question("disponibilità mensile garantita per il calcolo?", engagement="acme")
    lead = (answer.citations or answer.nearest)[0]  # found or not, the clause shown is placed the same way
    assert lead.section is None and lead.heading == "Impegni di disponibilità dell'infrastruttura"
    assert lead.label() == (
        "Convenzione di servizio IaaS (iaas.md), \u201cImpegni di disponibilità dell'infrastruttura\u201d"
    )
    assert lead.as_dict()["heading"] == lead.heading
    assert type(lead).from_dict(lead.as_dict(), lead.role) == lead  # a stored answer keeps it
    # a numbered clause keeps its number; the heading only places one that has none
    assert (
        citation_label(title="MSA", document="msa.md", section="4.2", page=None, heading="Fees") == "MSA (msa.md), §4.2"
    )
    assert citation_label(title="MSA", document="msa.md", section=None, page=3, heading="MSA") == "MSA (msa.md), p. 3"
