"""A kind of clause asked for by name ("is there a force majeure clause?") is not covered when the documents the
question is about hold none of the words such a clause is written with, and covered as soon as one does."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.clause_types import absent_clause_type
from knowledge.embeddings import E5Embeddings
from knowledge.store import Store, make_client
from tests.conftest import write

# Wording as in CUAD supply and hosting agreements; the parties are ours.
SUPPLY = (
    "SUPPLY AGREEMENT\n\n"
    'This Supply Agreement is made between Gridiron Farms LLC ("Seller") and Shi Foods Inc. ("Buyer").\n\n'
    "1. Products. Seller shall deliver 500 tons of hemp biomass to Buyer's warehouse each quarter.\n\n"
    "2. Payment. Buyer shall pay each invoice within thirty (30) days of delivery.\n\n"
    "3. Term. This Agreement remains in force for two (2) years from the date above.\n\n"
    "4. Delays. If a delivery is delayed by more than ten (10) days, whatever the cause of the delay, Buyer may "
    "cancel the order without liability.\n"
)
HOSTING = (
    "WEB SITE HOSTING AGREEMENT\n\n"
    'This Hosting Agreement is made between Northwind Hosting Inc. ("Host") and Shi Foods Inc. ("Client").\n\n'
    "1. Services. Host shall host the Client's web site on its servers.\n\n"
    "2. Force Majeure. Neither party is liable for a delay caused by events beyond its reasonable control, "
    "including fire, flood, acts of God or a failure of the public power grid.\n\n"
    "3. Confidential Information. Each party shall keep the other's confidential information secret.\n"
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("is there a force majeure clause?", "force majeure"),
        ("does the agreement have a non-compete", "non-compete"),
        ("non-solicit of employees?", "non-solicit"),
        ("is there a source code escrow", "escrow"),
        ("do they have to carry E&O insurance?", "e&o"),
        ("jury trial waiver?", "jury"),
        ("is there an NDA or a confidentiality clause?", "nda"),
        ("what are the GDPR terms?", "gdpr"),
        ("do we get credits if they miss a P1 response?", "credits"),  # a support SLA without remedies
        ("che credito ci spetta se non rispettano il 99% di uptime?", "credito"),
        ("c'è una clausola di forza maggiore?", "forza maggiore"),
        ("devono avere un'assicurazione?", "assicurazione"),
        ("what's the governing law in the supply agreement?", "governing law"),
        ("qual è la legge applicabile?", "legge applicabile"),
        ("is there a non-disparagement clause?", "non-disparagement"),
        ("are there third party beneficiaries?", "third party beneficiaries"),
        ("what happens on a change of control?", "change of control"),
        ("is there an early termination fee?", "early termination fee"),
        ("late payment interest for the shi foods supply deal", "late payment interest"),
        ("does the supply agreement have an uptime sla", "uptime"),
        ("what's the ASA target for the support line", "asa"),
        ("first call resolution target?", "first call resolution"),
        ("aht target?", "aht"),
        ("is there a CSAT target?", "csat"),
        ("max abandonment rate?", "abandonment rate"),
    ],
)
def test_a_kind_no_clause_is_written_with_is_named(question: str, kind: str) -> None:
    assert absent_clause_type(question, [SUPPLY]) == kind


def test_any_of_the_words_such_a_clause_uses_is_enough() -> None:
    hosting = [HOSTING]
    assert absent_clause_type("is there a force majeure clause?", hosting) is None
    assert absent_clause_type("c'è la forza maggiore?", hosting) is None  # the English clause answers
    assert absent_clause_type("is there a confidentiality clause?", hosting) is None  # "confidential"
    beyond = ["Neither party is liable for failures beyond its reasonable control."]
    assert absent_clause_type("is there a force majeure clause?", beyond) is None  # no "force majeure" written
    refunds = ["If availability falls below 99%, the Client is refunded 5% of the monthly fee."]
    assert absent_clause_type("do we get service credits for downtime?", refunds) is None
    ensures = ["Il Fornitore assicura la continuità del servizio e si impegna ad assicurare il supporto."]
    assert absent_clause_type("c'è un'assicurazione obbligatoria per il fornitore?", ensures) == "assicurazione"
    assert absent_clause_type("c'è un'assicurazione?", ["Il Fornitore stipula una polizza assicurativa."]) is None
    # words such clauses share with others are not enough: HIPAA's name, reverse engineering, "employees"
    hipaa = ["Customer will not submit data regulated by the Health Insurance Portability and Accountability Act."]
    assert absent_clause_type("what cyber insurance must they carry?", hipaa) == "insurance"
    reverse = ["Customer will not reverse engineer or seek to access the source code of the Cloud Service."]
    assert absent_clause_type("is there a source code escrow", reverse) == "escrow"
    staff = ["MMI is liable for the acts of its employees and agents under this Agreement."]
    assert absent_clause_type("non-solicit of employees in the outsourcing agreement", staff) == "non-solicit"
    hire = ["Neither party shall employ any person employed by the other party during the Term."]
    assert absent_clause_type("non-solicit of employees?", hire) is None
    access = ['The following events shall constitute "Source Code Access Conditions": insolvency of Licensor.']
    assert absent_clause_type("is there a source code escrow", access) is None
    insured = ["The Host shall keep insured the equipment at all times."]
    assert absent_clause_type("do they have to carry insurance?", insured) is None


@pytest.mark.parametrize(
    ("question", "clause"),
    [  # as CUAD's contracts write them
        ("what's the governing law?", "This Agreement shall be governed by the laws of the State of New York."),
        ("what's the governing law?", "This Agreement shall be interpreted under the                laws of Nevada."),
        ("which law applies?", "The parties enter into a joint venture in accordance with the laws of Florida."),
        ("qual è la legge applicabile?", "Il presente contratto è regolato dalla legge italiana."),
        ("is there a non-disparagement clause?", "Neither party shall make derogatory public statements."),
        ("are there third party beneficiaries?", "Nothing herein shall confer upon any other person any rights."),
        ("what happens on a change of control?", "Either party may assign this Agreement in a merger."),
        ("is there an early termination fee?", "If Client terminates early it shall pay the remaining monthly fees."),
        ("is there an early termination fee?", "An early termination fee of $500 applies."),
        ("c'è una penale per il recesso?", "In caso di recesso anticipato è dovuta una penale pari al 10%."),
        ("late payment interest?", "Late payments bear interest at 1.5% per month."),
        ("late payment interest?", "Overdue invoices carry a late charge of 2% per month."),
        ("what's the uptime commitment?", "The Services will have an availability of 99.5% each month."),
        ("qual è la garanzia di disponibilità?", "Il servizio ha un livello di servizio del 99,9%."),
        ("ASA target?", "| SL1 | Average Speed of Answer (voice) | 80% of Offered Calls answered within 45 seconds |"),
        ("ASA target?", "Vendor shall ensure that 80% of calls are answered within 30 seconds."),
        ("fcr target?", "| SL5 | First Contact Resolution (FCR) | 75% of contacts resolved on first contact |"),
        ("csat target?", "Vendor shall run a monthly survey of End Users and report the results."),
    ],
)
def test_a_kind_written_in_any_of_its_ways_is_there(question: str, clause: str) -> None:
    assert absent_clause_type(question, [clause]) is None


def test_words_are_read_whole_and_in_their_order() -> None:
    # CUAD's Dolphin outsourcing agreement: "war, revolution, insurrection, riot" holds no insurance
    riot = ["Force majeure is defined as an act of God, war, revolution, insurrection, riot or blockade."]
    assert absent_clause_type("does dolphin have to carry insurance?", riot) == "insurance"
    assert absent_clause_type("is there a force majeure clause?", riot) is None
    apart = ["The Host keeps the Client's data on servers with fire protection."]
    assert absent_clause_type("data protection terms in the hosting agreement?", apart) == "data protection"
    competent = ["Disputes go to the courts of competent jurisdiction in Delaware."]
    assert absent_clause_type("is there a non-compete?", competent) == "non-compete"
    covenant = ["During the Term, neither party shall, directly or indirectly, sell any product similar to it."]
    assert absent_clause_type("is there a non-compete?", covenant) is None  # a covenant CUAD counts as one


def test_what_is_owed_on_ending_early_is_read_in_the_sentence_that_ends_it() -> None:
    # the Bonterms SLA and CUAD's i-on hosting agreement: neither sentence is a termination fee
    credits = ["Service Credits constitute liquidated damages and are not a penalty. The termination right is sole."]
    cap = ["Liability shall be limited to one (1) month's fees and the remaining portion of any prepaid fees."]
    assert absent_clause_type("is there an early termination fee?", credits) == "early termination fee"
    assert absent_clause_type("is there a termination fee for ending early?", cap) == "termination fee"
    sla = ["Le penali per il mancato rispetto degli SLA sono le seguenti."]
    assert absent_clause_type("c'è una penale di recesso?", sla) == "penale di recesso"


def test_a_question_naming_no_kind_is_left_to_the_rest() -> None:
    supply = [SUPPLY]
    assert absent_clause_type("when do we have to pay?", supply) is None
    assert absent_clause_type("what happens if the seller is late delivering?", supply) is None
    # an expansion is not the word: "escrow" stands for "source code deposit" in queries, not here
    assert absent_clause_type("is there an escrow?", ["The source code is ours."]) == "escrow"


def test_the_contract_a_question_names_is_the_one_asked(tmp_path: Path, e5: E5Embeddings) -> None:
    # the fitted covered / not-covered model off (LIAISON_MIN_SIMILARITY=0): the kind of clause alone decides
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5, min_similarity=0.0)
    report = kb.index(
        [write(tmp_path / "gridiron_supply.txt", SUPPLY), write(tmp_path / "northwind_hosting.txt", HOSTING)],
        engagement="e",
    )
    assert not report.failed
    supply = kb.answer_question("is there a force majeure clause in the gridiron supply agreement?", engagement="e")
    assert not supply.found and "force majeure" in supply.text  # the hosting agreement has one; this one does not
    assert supply.nearest  # the nearest clauses are still shown
    hosting = kb.answer_question("is there a force majeure clause in the northwind hosting agreement?", engagement="e")
    assert hosting.found and "beyond its reasonable control" in hosting.citations[0].quote
    anywhere = kb.answer_question("is there a force majeure clause?", engagement="e")
    assert anywhere.found  # one of the engagement's contracts has one
    fitted = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)  # the model on, as shipped
    assert not fitted.answer_question("force majeure in the gridiron supply agreement?", engagement="e").found
