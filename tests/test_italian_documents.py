"""Italian contracts in the index: reStructuredText read as the text it is, Italian clause structure, BM25 in each
chunk's own language, the Italian contract vocabulary and mixed pools.

The excerpts are from real documents (see ../shared/bench/sla-it/MANIFEST.md): the Comune di Palermo - SISPI
convention (CC BY 4.0, cirospat/pianotriennaleict-palermo-monitoraggio2019), the AgID PDND guidelines (CC0 1.0,
AgID/lg-pdnd-docs) and the Cloud Temple SLAs (CC0 1.0, Cloud-Temple/docs), shortened.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.chunking import chunk_document
from knowledge.documents import ExtractedDocument
from knowledge.lexical import ChunkIndex, chunk_languages, text_language
from knowledge.loaders import SUPPORTED_SUFFIXES, find_documents, load_document
from knowledge.outline import section_at
from knowledge.retrieval import DENSE_LIFT, _lift_languages
from knowledge.sections import compose_label, find_marker
from knowledge.stored import StoredChunk
from knowledge.text import tokenize
from knowledge.vocabulary import translations

# Comune di Palermo - SISPI S.p.A., Convenzione (CC BY 4.0), as its reST edition writes it.
SISPI_RST = (  # trailing blanks kept, as in the file
    """
.. _h6e7773d6a267b475d6d396819274c2b:

Convenzione per lo sviluppo e la conduzione tecnica del sistema informatico
############################################################################

\\ |STYLE0|\\ \n
.. toctree::  \n    :maxdepth: 3
    :caption: indice Convenzione SISPI

.. _h102f667e3214140552c5d363f67376a:

Art. 12	 Report trimestrali sulle attività \n*******************************************

#. Secondo le prescrizioni al riguardo dettate dal Regolamento sul controllo analogo, entro il termine di 20 (venti) \
giorni solari dalla scadenza di ciascun trimestre, la Società invia all’Amministrazione comunale i report sullo stato \
di attuazione delle attività di conduzione tecnica e di sviluppo.

#. Il referente della presente Convenzione si impegna a fornire le eventuali osservazioni o il riscontro positivo a \
tali report entro 90 giorni dalla data di trasmissione. Tale termine vale anche al fine dell’applicazione delle \
penali previste.

.. _h3d3c604b725b1a6d6c657b663a453d38:

Art 18 Livelli di servizio, monitoraggio e penali
*************************************************

#. Nell’erogazione dei servizi oggetto della presente convenzione la Società dovrà garantire adeguati livelli di \
servizio (SLA).

2. Ciascun livello di servizio dovrà essere misurabile in funzione dei seguenti parametri: definizione, valore \
soglia, periodo di osservazione.
"""
)

# AgID, Linee guida PDND (CC0 1.0): reST sections underlined with "=", "-" and "^".
PDND_RST = """Livelli di servizio della Infrastruttura interoperabilità PDND
==============================================================

Il rapporto tra l’Infrastruttura interoperabilità PDND e gli Aderenti è regolato dai livelli di qualità, oggetto \
della Lettera di Adesione.

Indicatori dei servizi/API realizzati
-------------------------------------

Tempo di risposta delle richieste su percentile
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

Il tempo che intercorre tra una request e la relativa response, è indice dell’efficienza di un servizio/API reso \
disponibile dall’Infrastruttura interoperabilità PDND.
"""


def _doc(text: str, name: str = "contratto.md") -> ExtractedDocument:
    return ExtractedDocument(name=name, title="Contratto", text=text, kind="markdown", content_hash="x")


def test_rst_is_indexed_as_the_text_it_is(tmp_path: Path) -> None:
    assert ".rst" in SUPPORTED_SUFFIXES
    path = tmp_path / "convenzione.rst"
    path.write_text(SISPI_RST, encoding="utf-8")
    found, errors = find_documents([tmp_path])
    assert [f.name for f in found] == ["convenzione.rst"] and not errors
    doc = load_document(path)
    assert doc.kind == "rst" and doc.text == SISPI_RST  # spans point into the file's own text
    assert doc.title == "Convenzione per lo sviluppo e la conduzione tecnica del sistema informatico"
    assert load_document(_write(tmp_path, "pdnd.rst", PDND_RST)).title.startswith("Livelli di servizio della")


def _write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_rst_articles_label_their_clauses_and_markup_is_no_clause_text() -> None:
    doc = _doc(SISPI_RST, "convenzione.rst")
    chunks = chunk_document(doc)
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text_of(doc.text)
        body = c.text_of(doc.text)
        assert ".. _h" not in body and "toctree" not in body and "|STYLE0|" not in body and ":maxdepth:" not in body
    at = SISPI_RST.index("entro 90 giorni")
    assert section_at(SISPI_RST, at) == ("Art. 12", "Report trimestrali sulle attività")
    assert section_at(SISPI_RST, SISPI_RST.index("Ciascun livello"))[0] == "Art. 18.2"
    assert section_at(SISPI_RST, SISPI_RST.index("adeguati livelli"))[0] == "Art. 18"


def test_rst_section_titles_are_headings() -> None:
    marker = find_marker(PDND_RST, 0, PDND_RST.index("\n\n"))
    assert marker is not None and marker.kind == "heading" and (marker.heading or "").startswith("Livelli di servizio")
    at = PDND_RST.index("Tempo di risposta")
    sub = find_marker(PDND_RST, at, PDND_RST.index("\n\n", at))
    assert sub is not None and sub.kind == "heading" and sub.rank > marker.rank


@pytest.mark.parametrize(
    ("opening", "label", "heading"),
    [
        ("Articolo 5 - Durata del contratto", "Art. 5", "Durata del contratto"),
        ("Art. 5.2 Penali", "Art. 5.2", "Penali"),
        ("ART. 7 - RESPONSABILITÀ DEL FORNITORE", "Art. 7", "RESPONSABILITÀ DEL FORNITORE"),
        ("Art.9 Recesso", "Art. 9", "Recesso"),
        ("Allegato B - Livelli di servizio", "Allegato B", "Livelli di servizio"),
        ("Capo II Disposizioni finali", "Capo II", "Disposizioni finali"),
        ("Titolo I", "Titolo I", None),
    ],
)
def test_italian_markers(opening: str, label: str, heading: str | None) -> None:
    text = f"{opening}\n\nIl Fornitore garantisce la disponibilità del servizio."
    marker = find_marker(text, 0, len(opening))
    assert marker is not None and compose_label([marker]) == label and marker.heading == heading


def test_italian_words_that_are_no_markers() -> None:
    for text in ("a titolo di esempio, il Fornitore", "Art. 5, comma 2 del Regolamento"):
        assert find_marker(text, 0, len(text)) is None


def test_italian_labels_nest() -> None:
    text = (
        "PREMESSE\n\nPremesso che il Comune intende affidare il servizio.\n\n"
        "Tutto ciò premesso, le parti convengono quanto segue.\n\n"
        "Art. 5 - Penali\n\n"
        "1. In caso di ritardo si applica una penale pari allo 0,1% del corrispettivo.\n\n"
        "comma 2. La penale non può superare il 10% del corrispettivo:\n\n"
        "a) per ogni giorno di ritardo;\n\n"
        "lettera b) per ogni disservizio.\n\n"
        "Allegato B - Livelli di servizio\n\n"
        "3.1 Disponibilità\n\nLa disponibilità mensile è del 99,9%.\n"
    )
    assert section_at(text, text.index("intende"))[0] == "Premesse"
    assert section_at(text, text.index("0,1%"))[0] == "Art. 5.1"
    assert section_at(text, text.index("non può"))[0] == "Art. 5, comma 2"
    assert section_at(text, text.index("ogni giorno"))[0] == "Art. 5, comma 2, lett. a)"
    assert section_at(text, text.index("ogni disservizio"))[0] == "Art. 5, comma 2, lett. b)"
    assert section_at(text, text.index("99,9%"))[0] == "Allegato B 3.1"


def test_english_labels_unchanged() -> None:
    text = "Article 5 Term\n\n5.2 Renewal. This Agreement renews.\n\n(a) each year;\n\nSchedule B\n\n3.1 Uptime\n"
    assert section_at(text, text.index("renews"))[0] == "5.2"
    assert section_at(text, text.index("each year"))[0] == "5.2(a)"
    assert section_at(text, text.index("Uptime"))[0] == "Schedule B 3.1"


# -- BM25 in each chunk's language, and the contract vocabulary across languages ------------------------------
# Cloud Temple, SLA Istanze VM (CC0 1.0) and an English SLA clause in the style of the Bonterms SLA (CC BY 4.0).
VM_CREDITO = (
    "Il COMMITTENTE deve richiedere il credito di servizio entro trenta (30) giorni calendario dalla fine del mese "
    "in cui si è verificata l'indisponibilità, tramite un ticket al supporto."
)
VM_DISPONIBILITA = (
    "Cloud Temple si impegna a garantire una disponibilità mensile delle istanze VM del 99,95 % per ogni mese "
    "di calendario, misurata sulla base delle interruzioni del servizio."
)
EN_CREDIT = (
    "To receive a Service Credit, Customer must submit a request to Provider within thirty days after the end "
    "of the month in which the Service Credit was earned, or Customer waives it."
)
EN_NOTICE = "Either party may terminate this Agreement for convenience upon ninety days' prior written notice."


def _chunk(i: int, doc: str, text: str) -> StoredChunk:
    return StoredChunk(f"c{i}", doc, doc, doc, "shared", None, None, None, 0, len(text), text, "")


def test_tokens_in_each_language() -> None:
    assert tokenize("Qual è la disponibilità dell'infrastruttura? 99,99% entro 30 giorni", "it") == [
        "disponibil",
        "infrastruttur",
        "99.99",
        "entro",
        "30",
        "giorn",
    ]
    assert tokenize("disponibilita", "it") == tokenize("disponibilità", "it")  # typed without its accent
    assert tokenize("What is the uptime?") == tokenize("What is the uptime?", "en") == ["uptim"]


def test_chunks_are_read_in_their_own_language() -> None:
    chunks = [_chunk(0, "it.md", VM_CREDITO), _chunk(1, "it.md", VM_DISPONIBILITA), _chunk(2, "en.md", EN_CREDIT)]
    assert chunk_languages(chunks) == ["it", "it", "en"]
    assert text_language("| P1 | 30 min |") is None
    index = ChunkIndex(chunks)
    assert set(index.groups) == {"it", "en"}
    scores = index.scores("qual è la disponibilità mensile delle VM?")
    assert int(np.argmax(scores)) == 1


def test_an_italian_question_finds_the_english_clause_lexically() -> None:
    assert "service credit" in translations("entro quanti giorni va chiesto il credito di servizio?", "en")
    assert "recesso" in translations("how much notice for termination?", "it")
    assert translations("what is the notice period for termination?", "en") == ""  # English alone: ABBREVIATIONS
    english = ChunkIndex([_chunk(0, "a.md", EN_NOTICE), _chunk(1, "b.md", EN_CREDIT)])
    assert int(np.argmax(english.scores("quanto preavviso serve per il recesso?"))) == 0
    assert int(np.argmax(english.scores("entro quando va chiesto il credito di servizio?"))) == 1
    italian = ChunkIndex([_chunk(0, "a.md", VM_DISPONIBILITA), _chunk(1, "b.md", VM_CREDITO)])
    assert int(np.argmax(italian.scores("when must a service credit be requested?"))) == 1


def test_a_mixed_pool_reads_each_language_in_its_own_stems() -> None:
    chunks = [_chunk(0, "it.md", VM_CREDITO), _chunk(1, "it.md", VM_DISPONIBILITA), _chunk(2, "en.md", EN_CREDIT)]
    scores = ChunkIndex(chunks).scores("entro quanti giorni va chiesto il credito di servizio?")
    assert scores[2] > 0 and scores[0] > 0  # each language read in its own stems
    only_english = ChunkIndex([_chunk(2, "en.md", EN_CREDIT), _chunk(3, "en.md", EN_NOTICE)])
    plain = only_english.scores("service credit request")
    assert plain[0] > 0 and plain[1] == 0  # one language: BM25 as it always was


def test_cosines_of_each_language_are_lifted_to_the_best_language() -> None:
    english = {0: 0.80, 1: 0.70}
    assert _lift_languages(english, ["en", "en"]) == english  # one language: as they are
    lifted = _lift_languages({0: 0.86, 1: 0.80, 2: 0.83}, ["it", "it", "en"])
    assert lifted[0] == 0.86 and lifted[1] == 0.80
    assert lifted[2] == pytest.approx(0.83 + min(DENSE_LIFT, 0.03))
    far = _lift_languages({0: 0.90, 1: 0.50}, ["it", "en"])
    assert far[1] == pytest.approx(0.50 + DENSE_LIFT)  # by at most DENSE_LIFT


def test_the_english_clauses_of_a_pool_may_be_asked_in_other_words() -> None:
    chunks = [_chunk(0, "it.md", VM_CREDITO), _chunk(1, "it.md", VM_DISPONIBILITA), _chunk(2, "en.md", EN_CREDIT)]
    index = ChunkIndex(chunks)
    question = "qual è la disponibilità mensile delle VM?"
    asked = index.scores(question)
    english = index.scores(question, {"en": "service credit request"})
    assert english[2] > asked[2]  # the English clause read the English words ...
    assert list(english[:2]) == list(asked[:2])  # ... the Italian ones the question as asked
