"""Contract and service-level words of other languages, glossed in English for the lexical side of retrieval.

An Italian question over English contracts shares almost no word with them: "entro quanti giorni va chiesto il
credito?" and "Customer must request a Service Credit within 30 days". The dense side reads both languages; BM25
reads words. `gloss(question, language)` gives the English words of the contract terms a question uses
("credito" -> "credit", "preavviso" -> "notice", "recesso" -> "terminate termination"), added to the question's
own words for BM25 only; the question itself is never rewritten, and quotes are never translated.

`knowledge.vocabulary.CONCEPTS` does the other half: a contract concept's phrases in each language, added to the
lexical query of that language's chunks (both ways); this glossary gives the English words of an Italian
question's single words, for the English side of BM25 (hit@1 of Italian questions on English documents 0.46 ->
0.51 on the Italian development set with both, against CONCEPTS alone).

The glossary is general contract vocabulary (outsourcing, SLA, cloud terms), written from Italian contract
usage, not from any development question. A word is found as written or by its stem (a Snowball stem of the
language).
"""

from __future__ import annotations

import re
from functools import lru_cache

_ITALIAN = {
    # service levels and measurement
    "disponibilità": "availability uptime",
    "disponibilita": "availability uptime",
    "indisponibilità": "unavailability downtime outage",
    "indisponibilita": "unavailability downtime outage",
    "interruzione": "interruption outage downtime",
    "disservizio": "outage downtime incident",
    "guasto": "failure fault outage",
    "livello": "level",
    "livelli": "levels",
    "servizio": "service",
    "servizi": "services",
    "obiettivo": "target objective",
    "soglia": "threshold",
    "misurazione": "measurement",
    "misura": "measure measurement",
    "mensile": "monthly month",
    "mese": "month",
    "mesi": "months",
    "trimestre": "quarter quarterly",
    "trimestrale": "quarterly quarter",
    "anno": "year",
    "annuale": "annual yearly",
    "giorno": "day",
    "giorni": "days",
    "lavorativi": "business working",
    "lavorativo": "business working",
    "ore": "hours",
    "ora": "hour",
    "minuti": "minutes",
    "settimana": "week",
    "risposta": "response respond",
    "rispondere": "respond response",
    "risolvere": "resolve resolution",
    "risoluzione": "resolution resolve",
    "ripristino": "restoration restore",
    "ripristinare": "restore restoration",
    "intervento": "response intervention",
    "presa": "acknowledgement",
    "carico": "acknowledgement",
    "priorità": "priority severity",
    "priorita": "priority severity",
    "gravità": "severity",
    "gravita": "severity",
    "critico": "critical",
    "urgente": "urgent",
    "alta": "high",  # the priority levels of a support table ("priorità alta": the High row)
    "alto": "high",
    "media": "medium average",
    "medio": "medium average",
    "bassa": "low",
    "basso": "low",
    "normale": "normal",
    "fuori": "outside out",
    "tempo": "time",
    "tempi": "times time",
    "incidente": "incident",
    "incidenti": "incidents",
    "richiesta": "request",
    "richieste": "requests",
    "segnalazione": "ticket report",
    "ticket": "ticket",
    "supporto": "support",
    "telefono": "phone telephone",
    "telefonico": "phone telephone",
    "telefonica": "phone telephone",
    "assistenza": "support assistance",
    "manutenzione": "maintenance",
    "programmata": "scheduled planned",
    "finestra": "window",
    "orario": "hours time",
    "orari": "hours",
    "ufficio": "office business",
    "reperibilità": "on-call",
    "escalation": "escalation",
    "latenza": "latency",
    "prestazioni": "performance",
    "backup": "backup",
    "copia": "backup copy",
    # credits, penalties, money
    "credito": "credit",
    "crediti": "credits",
    "penale": "penalty credit",
    "penali": "penalties credits",
    "indennizzo": "compensation credit",
    "risarcimento": "damages compensation",
    "rimborso": "refund reimbursement",
    "compenso": "fee compensation",
    "compensi": "fees",
    "canone": "fee fees subscription",
    "canoni": "fees",
    "corrispettivo": "fee price consideration",
    "prezzo": "price",
    "tariffa": "rate fee",
    "costo": "cost",
    "costi": "costs",
    "fattura": "invoice",
    "fatture": "invoices",
    "fatturazione": "invoicing billing",
    "pagamento": "payment pay",
    "pagare": "pay payment",
    "pagamenti": "payments",
    "interessi": "interest",
    "mora": "late overdue",
    "scadute": "overdue late",
    "iva": "vat tax",
    "imposte": "taxes",
    "tasse": "taxes",
    "massimale": "cap limit liability",
    "tetto": "cap",
    "limite": "limit cap",
    "massimo": "maximum cap",
    "minimo": "minimum",
    "percentuale": "percentage percent",
    "sconto": "discount",
    "soldi": "cash money",
    "contanti": "cash",
    "rimedio": "remedy",
    "esclusivo": "sole exclusive",
    # term, renewal, termination, notice
    "durata": "term duration",
    "decorrenza": "effective commencement",
    "scadenza": "expiration expiry deadline",
    "scade": "expires expiration",
    "rinnovo": "renewal renew",
    "rinnova": "renews renewal",
    "rinnovare": "renew renewal",
    "tacito": "automatic automatically",
    "automatico": "automatic automatically automated",
    "automatica": "automatic automatically automated",
    "abbonamento": "subscription",
    "accumulare": "accumulate accrue",
    "disdetta": "non-renewal notice terminate",
    "recesso": "termination terminate",
    "recedere": "terminate termination",
    "risolvere il contratto": "terminate",
    "preavviso": "notice",
    "avviso": "notice",
    "comunicazione": "notice communication",
    "notifica": "notification notice",
    "inadempimento": "breach default",
    "violazione": "breach violation",
    "violazioni": "breaches",
    "sanare": "cure",
    "rimediare": "cure remedy",
    "diffida": "notice cure",
    "grave": "material",
    "motivo": "cause",
    "giusta": "cause",
    "causa": "cause",
    "insolvenza": "insolvency bankruptcy",
    "fallimento": "bankruptcy insolvency",
    "sospendere": "suspend suspension",
    "riattivare": "reinstate reactivate restore",
    "riattivazione": "reinstatement reactivation",
    "accesso": "access",
    "sospensione": "suspension suspend",
    "transizione": "transition exit",
    "uscita": "exit transition",
    "migrazione": "migration transition",
    "restituzione": "return",
    "cancellazione": "deletion delete",
    "cancellare": "delete deletion",
    "cancellano": "delete deletion",
    # parties and obligations
    "fornitore": "provider vendor supplier",
    "cliente": "customer client",
    "committente": "customer client",
    "appaltatore": "contractor provider",
    "parte": "party",
    "parti": "parties",
    "subappalto": "subcontract subcontractor",
    "subappaltare": "subcontract subcontractor",
    "cedere": "assign assignment",
    "cessione": "assignment assign",
    "obbligo": "obligation",
    "obblighi": "obligations",
    "responsabilità": "liability responsibility",
    "responsabilita": "liability responsibility",
    "garanzia": "warranty guarantee",
    "garantisce": "guarantees warrants commitment",
    "garantito": "guaranteed committed",
    "impegno": "commitment",
    "assicurazione": "insurance",
    "riservatezza": "confidentiality confidential",
    "confidenziali": "confidential",
    "dati": "data",
    "personali": "personal",
    "sicurezza": "security",
    "audit": "audit",
    "verifica": "audit verification",
    "ispezione": "inspection audit",
    "proprietà": "ownership property",
    "intellettuale": "intellectual",
    "licenza": "license",
    "esclusiva": "exclusive exclusivity",
    "concorrenza": "compete non-compete competition",
    "legge": "law",
    "applicabile": "governing applicable",
    "foro": "jurisdiction courts venue",
    "competente": "jurisdiction",
    "tribunale": "court courts",
    "controversie": "disputes",
    "arbitrato": "arbitration",
    "forza": "force",
    "maggiore": "majeure",
    "maggiorato": "enhanced increased",  # not "majeure": its stem is maggiore's
    "maggiorata": "enhanced increased",
    "maggiorati": "enhanced increased",
    "maggiorate": "enhanced increased",
    "modifica": "amendment change modify",
    "modifiche": "amendments changes",
    "emendamento": "amendment",
    "accordo": "agreement",
    "contratto": "agreement contract",
    "convenzione": "agreement",
    "allegato": "schedule exhibit annex",
    "rapporto": "report",
    "report": "report",
    "resoconto": "report",
    "reclamo": "claim complaint",
    "richiedere": "request claim",
    "chiedere": "request claim",
    "chiesto": "requested claimed",
    "reclamare": "claim",
    "contestazione": "dispute",
    "contestare": "dispute",
    "accettazione": "acceptance",
    "approvazione": "approval",
    "formazione": "training",
    "addestrare": "train training",
    "trasferimento": "transfer",
    "estero": "outside abroad",
    "europa": "europe european",
}

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
GLOSSARIES = {"it": _ITALIAN}


# A verb's inflection ("sospende", "cancellano", "riattivato"): its root, to meet the glossary's infinitive or noun
# ("sospendere", "sospensione") where Snowball stems the two apart ("sosp", "sospend").
_INFLECTION = {"it": re.compile(r"(?:iamo|ando|endo|ano|ono|ato|ata|ati|ate|ito|ita|iti|ite|are|ere|ire|[aeio])$")}
MIN_ROOT = 5  # shorter roots meet too many words ("part" of "parte": "partner", "partecipare")


@lru_cache(maxsize=4)
def _keys(language: str) -> tuple[str, ...]:
    return tuple(sorted(k for k in GLOSSARIES[language] if " " not in k))


def _by_root(word: str, language: str) -> str | None:
    """The gloss of the shortest glossary word that begins with `word`'s root, if its root is long enough."""
    pattern = _INFLECTION.get(language)
    root = pattern.sub("", word) if pattern else word
    if len(root) < MIN_ROOT:
        return None
    keys = [k for k in _keys(language) if k.startswith(root)]
    return GLOSSARIES[language][min(keys, key=len)] if keys else None


@lru_cache(maxsize=4)
def _stemmed(language: str) -> dict[str, str]:
    import snowballstemmer

    stemmer = snowballstemmer.stemmer({"it": "italian"}[language])
    return {stemmer.stemWord(k): v for k, v in GLOSSARIES[language].items() if " " not in k}


@lru_cache(maxsize=8192)
def english_of(word: str, language: str) -> str | None:
    """A word's English gloss in `language`'s glossary: as written, by its Snowball stem, or by its root (a verb's
    inflection); None when the glossary does not know it."""
    import snowballstemmer

    glossary = GLOSSARIES[language]
    stemmer = snowballstemmer.stemmer({"it": "italian"}[language])
    return glossary.get(word) or _stemmed(language).get(stemmer.stemWord(word)) or _by_root(word, language)


def _elided(word: str) -> str:
    return word.split("'")[-1].split("’")[-1]  # "l'uptime" -> "uptime"


def gloss(question: str, language: str | None) -> str:
    """The English words of the contract terms `question` (in `language`) uses; '' for English or no glossary."""
    if language not in GLOSSARIES:
        return ""
    found = (english_of(_elided(w), language or "") for w in _WORD.findall(question.lower()))
    return " ".join(dict.fromkeys(f for f in found if f))


def english_reading(question: str, language: str | None) -> str:
    """`question` read word by word in English as far as the glossary goes, for the English clauses of a pool (the
    vector they are compared with, the words BM25 asks them in): each contract term by its first English gloss,
    the words the glossary does not know as written (names, figures, "uptime", "sev2"), the language's function
    words dropped. "hotbox ha avuto una disponibilità del 93% il mese scorso" -> "hotbox availability 93% month
    scorso". Never shown. '' for English or a language without a glossary."""
    if language not in GLOSSARIES:
        return ""
    from knowledge.languages import FUNCTION_WORDS
    from knowledge.stopwords import STOPWORDS_BY_LANGUAGE

    lang = language or ""
    drop = FUNCTION_WORDS.get(lang, frozenset()) | STOPWORDS_BY_LANGUAGE.get(lang, frozenset())
    out: list[str] = []
    for token in re.findall(r"[\w%.,'’-]+", question.lower()):
        word = _elided(token).strip(".,")  # "93%," -> "93%"
        if not word:
            continue
        found = english_of(word, lang)
        if found:
            out.append(found.split()[0])
        elif word not in drop:
            out.append(word)
    return " ".join(out)
