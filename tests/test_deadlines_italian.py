"""Deadline extraction from Italian contracts (issue #14): Italian periods and dates, the term and its start, renewal,
notice, cure (diffida ad adempiere), payment, reports, replies deemed approved and exit. Every span is verbatim.

The clauses of `CONVENZIONE` are quoted from a real agreement (see ../shared/bench/sla-it/MANIFEST.md): Comune di
Palermo – SISPI S.p.A., "Convenzione per lo sviluppo e la conduzione tecnica del sistema informatico", artt. 2, 7,
12 and 19, from cirospat/pianotriennaleict-palermo-monitoraggio2019, CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/); excerpts shortened. The other sentences were written for this test.
"""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.deadline_values import dates, periods
from knowledge.deadlines import ObligationDraft, extract_obligations

CONVENZIONE = """Art. 2 Oggetto, efficacia e durata della Convenzione

#. La Convenzione decorre dalla data della stipula e ha durata quinquennale, estendendosi, eventualmente, sino al completamento dei lavori dell’ultimo Piano Operativo Annuale. Essa può essere rinnovata alle condizioni dettate dalle norme vigenti.

#. Per consentire la determinazione dei necessari impegni di spesa, la Società, entro la fine di ciascun anno, provvederà ad elaborare e a trasmettere all’Amministrazione comunale una proposta di POA. L’Amministrazione comunale potrà esprimere le proprie osservazioni entro i 60 (sessanta) giorni solari successivi, trascorsi i quali la stessa si intenderà approvata.

#. Secondo le prescrizioni al riguardo dettate dal Regolamento sul controllo analogo, entro il termine di 20 (venti) giorni solari dalla scadenza di ciascun trimestre, la Società invia all’Amministrazione comunale i report sullo stato di attuazione delle attività di conduzione tecnica e di sviluppo.

#. Nel caso previsto al precedente comma 2 e, comunque, in ogni caso di cessazione del presente rapporto di Convenzione, l’Amministrazione comunale avrà la facoltà di chiedere alla Società, che ne assume l’obbligo, di continuare ad eseguire, per un periodo di transizione non superiore a 6 (sei) mesi dalla data di scioglimento della presente Convenzione, le prestazioni previste nell’ultimo POA approvato.
"""  # noqa: E501


def _obligations(text: str) -> list[ObligationDraft]:
    found = extract_obligations(text)
    for d in found:
        for span in (d.rule, d.quote, *d.values.values()):
            assert text[span.start : span.end] == span.text
    return found


def _one(text: str, kind: str) -> ObligationDraft:
    (found,) = [d for d in _obligations(text) if d.kind == kind]
    return found


def test_italian_periods_and_dates() -> None:
    text = (
        "entro 20 (venti) giorni solari, trenta (30) giorni calendario, 5 giorni lavorativi, 6 (sei) mesi, cinque anni"  # noqa: E501
    )
    assert [(p.amount, p.unit) for p in periods(text)] == [
        (20, "day"),
        (30, "day"),
        (5, "business-day"),
        (6, "month"),
        (5, "year"),
    ]
    spans = [text[p.start : p.end] for p in periods(text)]
    assert spans[:2] == ["20 (venti) giorni solari", "trenta (30) giorni calendario"]
    written = "il 1° aprile 2025, del 20.04.2018 e la versione del 05/03/2025 della convenzione"
    assert [f.on for f in dates(written)] == [date(2025, 4, 1), date(2018, 4, 20), date(2025, 3, 5)]  # day first
    assert [f.on for f in dates("signed on 05/03/2025 by the parties")] == [date(2025, 5, 3)]  # English: month first


def test_a_real_convenzione() -> None:
    found = {d.kind: d for d in _obligations(CONVENZIONE)}
    assert set(found) == {"effective", "term-end", "renewal", "other", "report", "exit"}
    assert found["effective"].anchor == "signature" and found["effective"].on is None
    term = found["term-end"]
    assert term.duration is not None and (term.duration.amount, term.duration.unit) == (5, "year")
    assert term.duration.span.text == "quinquennale" and term.anchor == "effective"
    assert found["renewal"].renewal == "option" and found["renewal"].duration is None  # "può essere rinnovata"
    reply = found["other"]
    assert reply.rule.text == "entro i 60 (sessanta) giorni solari successivi" and reply.anchor == "notice"
    assert reply.values["deemed"].text == "si intenderà approvata"  # silence approves the plan
    report = found["report"]
    assert report.rule.text == "entro il termine di 20 (venti) giorni solari dalla scadenza di ciascun trimestre"
    assert (report.direction, report.anchor) == ("after", "period-end")
    exit_ = found["exit"]
    assert exit_.duration is not None and (exit_.duration.amount, exit_.duration.unit) == (6, "month")
    assert (exit_.direction, exit_.anchor) == ("after", "termination")


@pytest.mark.parametrize(
    ("text", "kind", "amount", "unit", "direction", "anchor"),
    [
        ("Il presente Contratto ha una durata di cinque anni a decorrere dalla data di sottoscrizione.",
         "term-end", 5, "year", "after", "signature"),
        ("Il contratto avrà durata pari a 3 (tre) anni dalla data di stipula.", "term-end", 3, "year", "after",
         "signature"),
        ("Il presente contratto ha durata di ventiquattro (24) mesi decorrenti dalla data di avvio del servizio.",
         "term-end", 24, "month", "after", "go-live"),
        ("Le parti possono recedere con un preavviso di sei mesi.", "termination-notice", 6, "month", "before",
         "termination"),
        ("Qualora il Fornitore non ponga rimedio all'inadempimento entro 15 giorni dalla contestazione, il "
         "Committente potrà risolvere il contratto.", "cure", 15, "day", "after", "breach-notice"),
        ("Le fatture saranno pagate a 60 giorni data fattura fine mese.", "other", 60, "day", "after", "notice"),
        ("Il Fornitore invia il report mensile entro il quinto giorno lavorativo del mese successivo.", "report", 5,
         "business-day", "after", "period-end"),
        ("Alla scadenza il contratto si rinnova tacitamente di anno in anno, salvo disdetta da comunicarsi con "
         "raccomandata A/R almeno 6 (sei) mesi prima della scadenza.", "non-renewal-notice", 6, "month", "before",
         "term-end"),
        ("Il Committente può recedere dal contratto in qualsiasi momento, con un preavviso scritto di almeno 90 "
         "(novanta) giorni.", "termination-notice", 90, "day", "before", "termination"),
        ("In caso di inadempimento, il Committente invia al Fornitore una diffida ad adempiere entro 15 (quindici) "
         "giorni dal ricevimento della stessa.", "cure", 15, "day", "after", "breach-notice"),
        ("Il pagamento delle fatture avverrà entro 30 (trenta) giorni dalla data di ricevimento della fattura.",
         "other", 30, "day", "after", "notice"),
        ("Il Fornitore trasmette al Committente un report mensile sui livelli di servizio entro 10 (dieci) giorni "
         "lavorativi dalla fine di ciascun mese.", "report", 10, "business-day", "after", "period-end"),
        ("Alla cessazione del contratto il Fornitore presta assistenza alla transizione per un periodo di 6 (sei) "
         "mesi dalla data di cessazione.", "exit", 6, "month", "after", "termination"),
        ("Per ottenere un Credito di Servizio, il Cliente deve presentare una richiesta motivata entro **trenta (30) "
         "giorni calendario** dal mese in cui si è verificato l'incidente.", "credit-claim", 30, "day", "after",
         "period-end"),
    ],
)  # fmt: skip
def test_italian_clauses(text: str, kind: str, amount: int, unit: str, direction: str, anchor: str) -> None:
    found = _one(text, kind)
    assert found.duration is not None
    read = (found.duration.amount, found.duration.unit, found.direction, found.anchor)
    assert read == (amount, unit, direction, anchor)


def test_renewal_and_a_written_end() -> None:
    found = {d.kind: d for d in _obligations("Il contratto non è tacitamente rinnovabile. Esso scade il 31/12/2027.")}
    assert found["renewal"].renewal == "none"
    assert found["term-end"].on == date(2027, 12, 31)
    automatic = _one("Il contratto si rinnova tacitamente di anno in anno.", "renewal")
    assert automatic.renewal == "automatic" and automatic.duration is not None and automatic.duration.unit == "year"
    text = "Il presente contratto entra in vigore il 1° aprile 2025 e ha durata di 36 (trentasei) mesi."
    start = _one(text, "effective")
    assert start.on == date(2025, 4, 1) and start.values["date"].text == "1° aprile 2025"


def test_english_reads_as_before() -> None:
    text = "The Supplier shall deliver a monthly report within ten (10) Business Days after the end of each month."
    found = _one(text, "report")
    assert found.duration is not None and (found.duration.amount, found.duration.unit) == (10, "business-day")
    assert found.anchor == "period-end"
    approval = "Customer shall notify its approval within 10 days of receipt of the plan."
    assert [d.kind for d in _obligations(approval)] == []  # the Italian reply reader stays out of English contracts
