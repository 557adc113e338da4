"""An identity question ("when does the agreement become effective?") favours the opening, read as asked."""

from __future__ import annotations

from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.embeddings import E5Embeddings
from knowledge.store import Store, make_client
from knowledge.stored import StoredChunk
from tests.conftest import write

SUPPLY = (
    'EXHIBIT 10.3 SUPPLY AGREEMENT This Agreement is made by and between Northfield Farms LLC ("Northfield") and '
    'Gridline Foods, Inc. ("Gridline"), each a Party. This Agreement is effective as of March 1, 2019.\n\n'
    "1. Products. Northfield agrees to sell hemp biomass to Gridline at the prices of Exhibit A.\n\n"
    "2. Payment. Gridline will remit payment upon delivery of each lot.\n\n"
    "3. Notices. All notices must be in writing and are effective if by email on the date sent, if by certified "
    "US mail on the third business day following such mailing, and if by overnight courier on the next business day.\n"
)


def test_an_identity_question_is_read_as_asked_not_as_expanded(tmp_path: Path, e5: E5Embeddings) -> None:
    # "effective" expands to "commence" for BM25; a notice's question is still no question about the agreement's start
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)
    assert not kb.index([write(tmp_path / "supply.txt", SUPPLY)], engagement="supply").failed
    question = "notice by certified mail - when is it effective (gridline)"
    stage = kb.retriever.candidates(question, engagement="supply")
    assert stage is not None and "(commence)" in stage.query  # expanded for BM25 ...
    assert all(c.opening_order is None for c in stage.candidates)  # ... but no opening is favoured
    notice = kb.answer_question(question, engagement="supply")
    assert notice.found and "third business day" in notice.citations[0].quote
    for asked in ("when does the agreement become effective?", "when is the agreement effective?"):
        stage = kb.retriever.candidates(asked, engagement="supply")
        assert stage is not None and any(c.opening_order == 0 for c in stage.candidates)
        start = kb.answer_question(asked, engagement="supply")
        assert start.found and "March 1, 2019" in start.citations[0].quote


OUTSOURCING = (
    'OUTSOURCING AGREEMENT\n\nBETWEEN: MODUS MEDIA INTERNATIONAL, Apeldoorn, the Netherlands ("MMI")\n'
    'AND: DRAGON SYSTEMS INC., Newton, Massachusetts ("Dragon")\n\n'
    "WHEREAS Dragon develops speech recognition software and wishes MMI to manufacture and ship it in Europe;\n\n"
    "WHEREAS MMI provides outsourcing services of manufacturing, logistics and order handling;\n\n"
    "1. Services. MMI shall provide the manufacturing and logistics services of Exhibit A to Dragon.\n\n"
    "2. Term. This Agreement shall be valid for an indefinite period.\n\n"
    "3. Fees. Dragon shall pay MMI the fees of Exhibit B within thirty (30) days of each invoice.\n"
)


OPENING = ("Preamble", "Recitals")


def test_a_question_of_neither_who_nor_when_is_answered_past_the_preamble(tmp_path: Path, e5: E5Embeddings) -> None:
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)
    assert not kb.index([write(tmp_path / "outsourcing.txt", OUTSOURCING)], engagement="mmi").failed
    term = kb.retriever.search("what's the term of the modus media outsourcing agreement", engagement="mmi", k=4)
    assert term[0].chunk.section not in OPENING and "indefinite period" in term[0].chunk.text
    who = kb.retriever.search("who are the parties to the outsourcing agreement?", engagement="mmi", k=4)
    assert who[0].chunk.section in OPENING and "MODUS MEDIA" in who[0].chunk.text


def _chunk(i: int, section: str, text: str, document: str = "services.txt") -> StoredChunk:
    return StoredChunk(
        f"c{i}", document, document, "Services", "shared", section, None, None, i, i + len(text), text, ""
    )


RECITALS = _chunk(
    1, "Recitals", "WITNESSETH: WHEREAS, the Adviser serves as investment advisor to investment companies;"
)
OPENING_CHUNK = _chunk(
    0,
    "Preamble",
    "THIS AGREEMENT, dated as of January 1, 2004, between FEDERATED INVESTMENT "
    'MANAGEMENT COMPANY (the "Adviser") and FEDERATED ADVISORY SERVICES COMPANY ("FASC").',
)


def test_who_the_parties_are_is_read_where_the_agreement_says_between_whom() -> None:
    from knowledge.openings import naming_the_parties

    assert naming_the_parties("who are the parties to the services agreement", [RECITALS, OPENING_CHUNK]) == 1
    assert naming_the_parties("who are the parties?", [OPENING_CHUNK, RECITALS]) is None  # already first
    assert naming_the_parties("what does the adviser do?", [RECITALS, OPENING_CHUNK]) is None  # not asked
    other = _chunk(2, "Preamble", OPENING_CHUNK.text, document="another.txt")
    assert naming_the_parties("who are the parties?", [RECITALS, other]) is None  # another document's


SIGNED = (
    OUTSOURCING
    + "\n4. Governing Law. This Agreement is governed by the laws of the Netherlands.\n\n"
    + "IN WITNESS WHEREOF the parties have signed this Agreement.\n\n"
    + "MODUS MEDIA INTERNATIONAL            DRAGON SYSTEMS INC.\n\n"
    + "By: /s/ John Dick                    By: /s/ Ellen Chamberlain\n"
    + "Name: John Dick                      Name: Ellen Chamberlain\n"
    + "Title: General Manager               Title: Chief Executive Officer\n"
    + "Date: 19 Jan. 1998                   Date: 8 Jan. 1998\n"
)


def test_who_signed_is_read_in_the_signatures_not_the_opening(tmp_path: Path, e5: E5Embeddings) -> None:
    from knowledge.openings import is_signature, signed_by

    signatures = _chunk(9, "Signatures", "By: /s/ G. Andrew Bonnewell Name: G. Andrew Bonnewell Title: President")
    assert is_signature(signatures) and not is_signature(OPENING_CHUNK)
    assert is_signature(_chunk(8, "7", "THE BANKERS BANK\n\nBy: /s/ Kevin Tweddle"))  # a block the outline missed
    assert signed_by("who signed the services agreement for fasc?", [OPENING_CHUNK, RECITALS, signatures]) == 2
    assert signed_by("chi ha firmato per fasc?", [OPENING_CHUNK, signatures]) == 1
    assert signed_by("who are the parties?", [OPENING_CHUNK, signatures]) is None  # not asked
    assert signed_by("can it be signed in counterparts?", [OPENING_CHUNK, signatures]) is None
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)
    assert not kb.index([write(tmp_path / "outsourcing.txt", SIGNED)], engagement="mmi").failed
    for question in ("who signed the outsourcing agreement for mmi?", "what date did mmi sign the agreement?"):
        answer = kb.answer_question(question, engagement="mmi")
        assert answer.found and "/s/ John Dick" in answer.citations[0].quote, (question, answer.citations[0].quote)
    who = kb.retriever.search("who are the parties to the outsourcing agreement?", engagement="mmi", k=4)
    assert "MODUS MEDIA" in who[0].chunk.text and "/s/" not in who[0].chunk.text
