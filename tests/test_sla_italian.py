"""SLA extraction from Italian contracts (issue #14): Italian numbers, percentages, comparisons and the levels, credit
tiers, flat credits, claim windows and exclusions of real Italian SLAs. Every span is checked verbatim.

The excerpts are short quotations of real documents (see ../shared/bench/sla-it/MANIFEST.md), credited as their
licences ask:
- Cloud Temple, "Accordo sul Livello di Servizio (SLA) – Virtual Private Cloud (VPC)" and "Convenzione di Servizio
  SecNumCloud IaaS", Cloud-Temple/docs, CC0 1.0 (public domain dedication);
- AgID, "Linee guida Infrastruttura interoperabilità PDND", chapter "Livelli di servizio", AgID/lg-pdnd-docs, CC0 1.0;
- Comune di Palermo – SISPI S.p.A., "Convenzione per lo sviluppo e la conduzione tecnica del sistema informatico",
  art. 18, from cirospat/pianotriennaleict-palermo-monitoraggio2019, CC BY 4.0
  (https://creativecommons.org/licenses/by/4.0/); excerpt shortened, line-end spaces removed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge.sla_values import amounts, comparison_at, durations, percentages
from knowledge.sla_words import italian_number
from knowledge.slas import LevelDraft, Span, extract_levels

# Cloud Temple, SLA VPC (CC0 1.0): sections 1 (one definition), 2, 4 (two exclusions) and 5
VPC = """## 1. Definizioni

- **Tasso di Disponibilità Mensile** : La percentuale di tempo di funzionamento garantito per il piano dati del servizio VPC durante un mese civile.

## 2. Impegni sul Livello di Servizio (SLA)

Cloud Temple si impegna per i seguenti livelli di disponibilità mensili:

| Componente | Tasso di Disponibilità Mensile garantito |
| :--- | :---: |
| **Piano dati VPC** (routing inter-rete, NAT, DNAT) | **99,99 %** |
| **Piano di controllo VPC** (API, Console Cloud Temple) | **99,9 %** |

Un Tasso di Disponibilità Mensile di **99,99 %** per il piano dati corrisponde a un massimo di **4,4 minuti** di tempo di inattività consentito per mese civile.

## 4. Esclusioni dalla Garanzia

Non sono **considerati** Periodi di Inattività le interruzioni risultanti da :

4. **Manutenzione programmata** : Interventi di manutenzione sull'infrastruttura di rete di Cloud Temple oggetto di notifica preventiva nell'ambito delle finestre di manutenzione previste dal contratto di supporto del Cliente.

6. **Forza maggiore** : Eventi al di fuori del controllo ragionevole di Cloud Temple (disastri naturali, atti di guerra, interruzioni nazionali dell'energia, ecc.).

## 5. Crediti di Servizio e Penali

### 5.1 Piano dati VPC

Se il Tasso di Disponibilità Mensile del 99,99 % non viene raggiunto per il piano dati, il Cliente ha diritto a un Credito di Servizio calcolato in percentuale dell'importo mensile fatturato per il servizio VPC :

| Tasso di disponibilità mensile rilevato | Credito di Servizio |
| :--- | :---: |
| Tra il 99,00 % e il 99,98 % | 10 % |
| Tra il 95,00 % e il 98,99 % | 25 % |
| Inferiore al 95,00 % | 100 % |

### 5.2 Piano di controllo VPC

Se il Tasso di Disponibilità Mensile del 99,9 % non viene raggiunto per il piano di controllo, il Cliente ha diritto a un Credito di Servizio del **10 %** dell'importo mensile fatturato per il servizio VPC interessato.

### 5.3 Modalità di reclamo

Per ottenere un Credito di Servizio, il Cliente deve presentare una richiesta motivata aprendo un ticket presso il supporto Cloud Temple entro **trenta (30) giorni calendario** dal mese in cui si è verificato l'incidente.
"""  # noqa: E501

# Cloud Temple, Convenzione di Servizio SecNumCloud IaaS (CC0 1.0): two availability levels and the support table
IAAS = """## Impegni di disponibilità dell'infrastruttura

Le misurazioni sono calcolate mensilmente:

- **SLA 3 : IC-INFRA_SNC-03** -- Affidabilità del backup: tasso di disponibilità garantito del 99,99%, calcolato su base 24h/24, 7g/7.
- **SLA 5 : IC-INFRA_SNC-05** -- Accesso a Internet: tasso di disponibilità garantito del 99,99%, calcolato su base 24h/24, 7g/7.

## Impegno di disponibilità del supporto

- **SLA 8: IC-INFRA_SNC-08** -- Ecco gli impegni di prestazione del supporto tecnico del Fornitore per gli incidenti, esclusi i periodi di manutenzione pianificata:

| Priorità | Garanzia di tempo di intervento (GTI) | Obiettivo di prestazione |
| :--- | :--- | :--- |
| **Priorità P1** | 30 min | 95% |
| **Priorità P2** | 2 ore | 90% |
"""  # noqa: E501

# AgID, PDND "Livelli di servizio" (CC0 1.0): an indicator whose only number is an example, its target left to the
# "Lettera di adesione" (a hard negative)
PDND = """Tempo di risposta delle richieste su percentile
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

Il presente indicatore è determinato dalla media di un percentile fissato
delle request pervenute nell’unità di tempo, dove il percentile e l’unità
di tempo per la determinazione dell’indicatore sono individuate nella
Lettera di adesione sottoscritta dall’Infrastruttura interoperabilità
PDND e dagli Aderenti per singolo servizio/API, ad esempio tempo medio
dell'85% delle richieste pervenute in 10 minuti.
"""  # noqa: E501

# Comune di Palermo – SISPI, art. 18 (CC BY 4.0): the classes of service levels, their penalties in a missing annex
PALERMO = """Art 18 Livelli di servizio, monitoraggio e penali
*************************************************

#. Nell’erogazione dei servizi oggetto della presente convenzione la Società dovrà garantire adeguati livelli di servizio (SLA). I livelli di servizio vengono distinti nelle seguenti classi:

3. Il mancato rispetto dei livelli di servizio comporterà l’applicazione delle penali differenziate in funzione della tipologia del servizio come definita nell’Allegato tecnico che costituisce parte integrante della presente Convenzione.

4. Sono escluse dal calcolo dei livelli di servizio:

    * Le interruzioni dovute ad interventi concordati.

    * Le conseguenze di cause di forza maggiore comunque non imputabili a colpa della società.
"""  # noqa: E501


def _levels(text: str) -> list[LevelDraft]:
    levels = extract_levels(text, document="sla.md")
    for level in levels:
        spans: list[Span] = [level.quote, *level.values.values(), *level.exclusions]
        spans += [s for s in (level.cap, level.claim) if s is not None]
        if level.credit is not None:
            spans.append(level.credit.source)
        for span in spans:
            assert text[span.start : span.end] == span.text
    return levels


@pytest.mark.parametrize(
    ("word", "number"),
    [("trenta", 30), ("venti", 20), ("ventuno", 21), ("ventitré", 23), ("quarantotto", 48), ("novanta", 90),
     ("cento", 100), ("centoventi", 120), ("centottanta", 180), ("trecentosessantacinque", 365), ("mille", 1000),
     ("duemila", 2000), ("tremilacinquecento", 3500), ("sedia", None), ("unmila", None)],
)  # fmt: skip
def test_italian_number_words(word: str, number: int | None) -> None:
    assert italian_number(word) == number


def test_italian_values_read_with_their_spans() -> None:
    text = "entro **trenta (30) giorni calendario** dal mese; 5 (cinque) giorni lavorativi; novanta giorni; 48 ore"
    found = durations(text)
    assert [(d.number, d.unit) for d in found] == [
        (Decimal(30), "days"),
        (Decimal(5), "business days"),
        (Decimal(90), "days"),
        (Decimal(48), "hours"),
    ]
    assert text[found[0].start : found[0].end] == "trenta (30) giorni calendario"
    assert comparison_at(text, found[0].start, found[0].end)[0] == "within"  # type: ignore[index]
    pct = "un livello non inferiore al 99,9 %, e Inferiore al 95,00 %"
    values = percentages(pct)
    assert [v.number for v in values] == [Decimal("99.9"), Decimal("95.00")]
    assert comparison_at(pct, values[0].start, values[0].end)[0] == ">="  # type: ignore[index]
    assert comparison_at(pct, values[1].start, values[1].end)[0] == "<"  # type: ignore[index]
    money = amounts("il corrispettivo complessivo contrattuale pari ad € 11.291.100,00 IVA compresa, o 1.000 euro")
    assert [(m.number, m.unit) for m in money] == [(Decimal("11291100.00"), "EUR"), (Decimal(1000), "EUR")]


def test_vpc_levels_tiers_flat_credit_claim_and_exclusions() -> None:
    levels = _levels(VPC)
    assert [(lv.scope, lv.target) for lv in levels] == [
        ("Piano dati VPC (routing inter-rete, NAT, DNAT)", Decimal("99.99")),
        ("Piano di controllo VPC (API, Console Cloud Temple)", Decimal("99.9")),
    ]  # the sentence restating 99,99 % under the table is the table's level, not a third
    data, control = levels
    assert data.metric == "Tasso di Disponibilità Mensile garantito" and data.comparison == ">="
    assert data.window == "mese civile" and data.values["window"].text == "mese civile"  # from the definition
    assert data.kind == "credit" and data.credit is not None and data.credit.model == "tiers"
    assert [(t.low, t.high, t.pct) for t in data.credit.tiers] == [
        (Decimal("99.00"), Decimal("99.98"), Decimal(10)),
        (Decimal("95.00"), Decimal("98.99"), Decimal(25)),
        (None, Decimal("95.00"), Decimal(100)),
    ]
    assert data.credit.base == "importo mensile fatturato per il servizio VPC"
    assert control.credit is not None and [(t.low, t.high, t.pct) for t in control.credit.tiers] == [
        (None, Decimal("99.9"), Decimal(10))
    ]  # 5.2: 10 % when 99,9 % is missed
    assert control.credit.base == "importo mensile fatturato per il servizio VPC interessato"
    for level in levels:
        assert level.claim_days == 30 and not level.claim_business_days
        assert level.section == "2"
        assert any("Forza maggiore" in e.text for e in level.exclusions)
        assert any("Manutenzione programmata" in e.text for e in level.exclusions)


def test_iaas_list_items_and_support_table() -> None:
    levels = _levels(IAAS)
    named = [(lv.metric, lv.scope, lv.target, lv.unit, lv.window) for lv in levels]
    assert named == [
        ("Affidabilità del backup", None, Decimal("99.99"), "%", "mese"),  # "calcolate mensilmente:" above the list
        ("Accesso a Internet", None, Decimal("99.99"), "%", "mese"),
        ("Garanzia di tempo di intervento (GTI)", "Priorità P1", Decimal(95), "%", None),
        ("Garanzia di tempo di intervento (GTI)", "Priorità P2", Decimal(90), "%", None),
    ]
    p1 = levels[2]
    assert p1.values["threshold"].text == "30 min" and p1.target_text == "95%" and p1.comparison == ">="
    assert levels[3].values["threshold"].text == "2 ore"
    assert all(lv.kind == "report" and lv.credit is None for lv in levels)  # no credit or penalty is stated


def test_an_example_is_no_target_and_a_missing_annex_gives_no_level() -> None:
    assert _levels(PDND) == []  # "ad esempio ... dell'85% ... in 10 minuti" is an example, not a commitment
    assert _levels(PALERMO) == []  # penalties "come definita nell'Allegato tecnico": nothing to invent


def test_english_levels_read_as_before() -> None:
    text = "Provider will make the Service available at least 99.9% of the time in each calendar month."
    (level,) = _levels(text)
    assert (level.metric, level.target, level.comparison, level.window) == (
        "availability",
        Decimal("99.9"),
        ">=",
        "calendar month",
    )


# written for this test: the wording Italian outsourcing contracts use for penalties (penali) and their cap
PENALI = """## 5. Livelli di servizio

Il Fornitore garantisce una disponibilità mensile del servizio non inferiore al 99,8%, misurata su base mensile.

Il tempo di presa in carico delle segnalazioni di Priorità 1 non deve superare 30 (trenta) minuti.

## 6. Penali

In caso di mancato rispetto del livello di disponibilità, sarà applicata una penale pari all'1% del canone mensile per ogni punto percentuale o frazione al di sotto del 99,8%.

L'importo complessivo delle penali non potrà superare il 10% del canone mensile.
"""  # noqa: E501


def test_penalties_per_point_with_their_cap() -> None:
    availability, pickup = _levels(PENALI)
    assert (availability.metric, availability.target, availability.comparison) == (
        "disponibilità mensile",
        Decimal("99.8"),
        ">=",
    )
    assert availability.target_text == "non inferiore al 99,8%" and availability.window == "mese"
    credit = availability.credit
    assert availability.kind == "credit" and credit is not None and credit.model == "per-point"
    assert (credit.pct_per_point, credit.partial, credit.base) == (Decimal(1), True, "canone mensile")
    assert availability.cap_pct == Decimal(10)
    assert (pickup.metric, pickup.scope, pickup.comparison, pickup.target, pickup.unit) == (
        "tempo di presa in carico",
        "Priorità 1",
        "<=",
        Decimal(30),
        "minutes",
    )
    assert pickup.kind == "report" and pickup.credit is None  # no penalty is tied to it


def test_direct_answer_values_in_italian() -> None:
    """knowledge.values (the direct answer's value spans) reads Italian periods, shares, amounts, dates and courts."""
    from knowledge.values import PATTERNS, QUALIFIED

    def found(kind: str, text: str) -> list[str]:
        return [m.group(0) for m in PATTERNS[kind].finditer(text)]

    assert found("duration", "i report entro il termine di 20 (venti) giorni solari dalla scadenza") == [
        "entro il termine di 20 (venti) giorni solari"
    ]
    assert found("percent", "tasso di disponibilità garantito del 99,99%, non inferiore al 97%") == [
        "99,99%",
        "non inferiore al 97%",
    ]
    assert found("money", "il corrispettivo pari ad € 11.291.100,00 IVA compresa") == ["€ 11.291.100,00"]
    assert found("date", "entra in vigore dal 1° aprile 2025") == ["dal 1° aprile 2025"]
    assert found("frequency", "i report trimestrali") == ["trimestrali"]
    assert found("law", "Per qualsiasi controversia il Foro competente è quello di Palermo.") == [
        "Foro competente è quello di Palermo"
    ]
    hours = found("time", "gli orari di ufficio (8:00 - 18:00; lunedì – venerdì)")
    assert hours == ["8:00 - 18:00", "lunedì – venerdì"]
    assert found("time", "calcolato su base 24h/24, 7g/7") == ["24h/24, 7g/7"]
    assert QUALIFIED.match("entro 30 giorni") is not None
    assert found("duration", "within thirty (30) days") == ["within thirty (30) days"]  # English as before


def test_italian_remedy_and_hours() -> None:
    from knowledge.sla_hours import hours_defined, hours_of
    from knowledge.sla_remedy import remedy_in

    kept = "Le penali non escludono il diritto del Committente; è fatto salvo il risarcimento del maggior danno."
    sole = "I Crediti di Servizio costituiscono l'unico ed esclusivo rimedio del Cliente."
    assert (found := remedy_in(kept, [(0, len(kept))])) is not None and found.sole is False
    assert (found := remedy_in(sole, [(0, len(sole))])) is not None and found.sole is True
    # Cloud Temple, Convenzione di Servizio IaaS (CC0 1.0)
    level = "- **SLA 3 : IC-INFRA_SNC-03** -- Affidabilità del backup: tasso di disponibilità garantito del 99,99%, calcolato su base 24h/24, 7g/7."  # noqa: E501
    hours = hours_of(level, [(0, len(level))], [], {})
    assert hours is not None and hours.all_hours and hours.said.text == "24h/24"
    support = "Il supporto tecnico è disponibile durante gli orari normali di ufficio, esclusi i giorni festivi (8:00 - 18:00; lunedì – venerdì; calendario e orari francesi)."  # noqa: E501
    defined = hours_defined(support, [(0, len(support))])
    assert list(defined) == ["orari di ufficio"]
    ticket = "Le richieste sono trattate negli orari di ufficio."
    counted = hours_of(ticket, [(0, len(ticket))], [], defined)
    assert counted is not None and not counted.all_hours and counted.definition == defined["orari di ufficio"]


def test_italian_chronic_failure() -> None:
    text = (
        "Il Fornitore garantisce una disponibilità mensile non inferiore al 99,9%.\n\n"
        "In caso di mancato rispetto del livello di disponibilità per tre (3) mesi consecutivi, o per 4 volte "
        "nell'arco di 12 mesi, il Committente ha facoltà di procedere alla risoluzione del contratto.\n"
    )  # written for this test
    (level,) = _levels(text)
    assert level.chronic is not None
    assert [(t.run, t.within) for t in level.chronic.tests] == [(3, None), (4, 12)]
    assert level.chronic.values["run"].text == "tre (3)"
    assert level.chronic.remedy is not None and "risoluzione" in level.chronic.remedy.text


def test_level_table_with_italian_headers_and_a_penalty_per_hour_of_delay() -> None:
    text = (  # written for this test
        "| Livello di servizio | Valore obiettivo | Periodo di osservazione |\n"
        "| --- | --- | --- |\n"
        "| Disponibilità del servizio | ≥ 99,5% | Trimestrale |\n"
        "| Tempo di ripristino incidenti bloccanti | entro 4 ore lavorative | Mensile |\n"
        "| Tempo di risposta al telefono | 90% delle chiamate entro 30 secondi | Mensile |\n\n"
        "Per ogni ora di ritardo nel ripristino degli incidenti bloccanti si applica una penale di € 500,00.\n"
    )
    availability, restore, phone = _levels(text)
    assert (availability.target, availability.comparison, availability.window) == (Decimal("99.5"), ">=", "trimestre")
    assert availability.values["window"].text == "Trimestrale"
    assert (restore.target, restore.unit, restore.comparison, restore.window) == (Decimal(4), "hours", "within", "mese")
    assert (phone.target, phone.unit, phone.values["threshold"].text) == (Decimal(90), "%", "30 secondi")
    # a penalty per hour of delay is no amount per failure: the level is a credit level, its rule left unread
    assert restore.kind == "credit" and restore.credit is None
    assert availability.credit is None and phone.credit is None


def test_an_italian_amendment_effective_date() -> None:
    from datetime import date

    from knowledge.slas import effective_date

    found = effective_date("Il presente Atto aggiuntivo entra in vigore il 1° settembre 2025.")
    assert found is not None and found[0] == date(2025, 9, 1)
    assert found[1].text == "entra in vigore il 1° settembre 2025"
    numeric = effective_date("Con decorrenza dal 01/10/2025 le parti applicano i nuovi livelli.")
    assert numeric is not None and numeric[0] == date(2025, 10, 1)  # day first
    assert effective_date("This Amendment is effective as of 09/01/2025.") is None  # English: not read day first


def test_model_assisted_reading_sends_italian_clauses_first() -> None:
    from knowledge.sla_llm import candidate_clauses, uncovered_clauses

    text = (  # written for this test
        "Il Fornitore fattura il 90% del canone mensile.\n\n"
        "La percentuale di segnalazioni risolte al primo contatto, livello di servizio LS4, è almeno pari all'80%.\n"
    )
    candidates = [c.text for c in candidate_clauses(text)]
    assert candidates == [
        "Il Fornitore fattura il 90% del canone mensile.",
        "La percentuale di segnalazioni risolte al primo contatto, livello di servizio LS4, è almeno pari all'80%.",
    ]
    assert [c.text for c in uncovered_clauses(text, _levels(text))] == candidates  # the rules read neither


def test_times_in_sentences_and_termination_is_no_resolution_time() -> None:
    text = (  # written for this test
        "Il Fornitore garantisce il ripristino del servizio entro 4 ore dalla segnalazione.\n\n"
        "Gli incidenti di Priorità 2 sono risolti entro 8 ore lavorative.\n\n"
        "In caso di inadempimento grave la risoluzione del contratto avviene entro 30 giorni.\n"
    )
    restore, resolve = _levels(text)
    assert (restore.metric, restore.target, restore.unit, restore.target_text) == (
        "tempo di ripristino",
        Decimal(4),
        "hours",
        "entro 4 ore",
    )
    assert (resolve.metric, resolve.scope, resolve.target) == ("tempo di risoluzione", "Priorità 2", Decimal(8))


def test_penalty_tier_table_with_its_target_row() -> None:
    text = (  # written for this test
        "| Disponibilità mensile rilevata | Penale (% del canone mensile) |\n"
        "| --- | --- |\n"
        "| Pari o superiore al 99,9% | Nessuna |\n"
        "| Da 99,0% a 99,89% | 5% |\n"
        "| Da 98,0% a 98,99% | 10% |\n"
        "| Inferiore al 98,0% | 20% |\n"
    )
    (level,) = _levels(text)
    assert (level.target, level.comparison, level.target_text, level.kind) == (
        Decimal("99.9"),
        ">=",
        "Pari o superiore al 99,9%",
        "credit",
    )
    assert level.credit is not None and level.credit.base == "canone mensile"
    assert [(t.low, t.high, t.pct) for t in level.credit.tiers] == [
        (Decimal("99.0"), Decimal("99.89"), Decimal(5)),
        (Decimal("98.0"), Decimal("98.99"), Decimal(10)),
        (None, Decimal("98.0"), Decimal(20)),
    ]
