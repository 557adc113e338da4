"""Covered or not: the words a contract lacks are named only when it lacks them in every form, and the
fitted decision ships as plain coefficients that behave like the model they came from."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.coverage import FEATURES, MODEL, Model, asked_thing_missing, decide, features, missing_words, occurs
from knowledge.embeddings import E5Embeddings
from knowledge.store import Store, make_client
from knowledge.text import tokenize
from knowledge.vocabulary import expand_query
from tests.conftest import ENGAGEMENT, CountingEmbeddings, write

# Clauses as real SLA and data-processing terms word them (Bonterms, Common Paper, CUAD exhibits).
CLAUSES = (
    "3.1 Response Times. An automated response is not a specific acknowledgement of a Support Request "
    "and does not count toward the Response Time.\n\n"
    "7.2 Transfers. Provider will not transfer Personal Data outside the European Economic Area without "
    "Customer's prior written consent.\n\n"
    "12.4 Subcontracting. Supplier may engage a subcontractor to perform the Services, provided that "
    "Supplier remains responsible for the subcontractor's performance.\n\n"
    "9.1 Service Credits. If Availability falls below 99.9% in a month, Customer will receive a Service "
    "Credit of 10% of the monthly fees."
)
VOCABULARY = frozenset(tokenize(CLAUSES))


@pytest.mark.parametrize(
    "question",
    [
        "does an auto reply count as a response to our ticket?",  # auto ~ automated
        "Can the provider move personal data outside Europe?",  # europe ~ European, move: a common verb
        "can they subcontract the work?",  # subcontract ~ subcontractor
        "do subcontractors need approval?",  # subcontractors ~ subcontractor (stem)
        "what's the sla credit if availability drops?",  # sla -> service level (expansion)
        "dobbiamo pagare i service credits?",  # another language: no word is named
        "can the vendor move it?",  # vendor, move, can: never named
    ],
)
def test_a_word_present_in_some_form_is_never_named_missing(question: str) -> None:
    missing = missing_words(question, VOCABULARY)
    for present in ("auto", "europe", "subcontract", "subcontractors", "sla", "move", "vendor", "can", "they"):
        assert present not in missing, (question, missing)
    assert "dobbiamo" not in missing and "pagare" not in missing


def test_a_word_no_clause_has_is_named() -> None:
    assert missing_words("is there a source code escrow?", VOCABULARY) == ["source", "code", "escrow"]
    assert missing_words("carbon emissions reporting?", VOCABULARY) == ["carbon", "emissions", "reporting"]
    assert missing_words("what about the ITAR controls", VOCABULARY) == ["itar", "controls"]


def test_forms_of_a_word() -> None:
    assert occurs("auto", VOCABULARY) and occurs("europe", VOCABULARY) and occurs("subcontract", VOCABULARY)
    assert occurs("acknowledgment", VOCABULARY)  # one letter off "acknowledgement"
    assert not occurs("escrow", VOCABULARY) and not occurs("cyber", VOCABULARY)
    assert occurs("sub", VOCABULARY)  # an abbreviation of "subcontractor" (knowledge.vocabulary)


def test_the_shipped_model_is_a_small_complete_data_file() -> None:
    assert MODEL.stat().st_size < 10_000
    models = json.loads(MODEL.read_text(encoding="utf-8"))["models"]
    assert [m["embedder"] for m in models] == ["minilm", "e5"]  # one per local embedder, MiniLM's the fallback
    for data in models:
        assert tuple(data["features"]) == FEATURES
        assert len(data["mean"]) == len(data["scale"]) == len(data["coef"]) == len(FEATURES)
        assert 0.0 < data["threshold"] < 1.0
        assert 0.0 < data["similarity_floor"] < data["unknown_similarity"] < 1.0
        assert "CUAD" in data["about"] and "CC BY 4.0" in data["about"]
        assert data["training"]["covered"] > 0 and data["training"]["not_covered"] > 0
    assert Model.load(embedder="E5Embeddings:multilingual-e5-small-int8").embedder == "e5"
    assert Model.load(embedder="DeterministicFakeEmbedding:").embedder == "minilm"


def test_the_probability_is_the_logistic_of_the_standardised_features() -> None:
    m = Model(("a", "b"), (1.0, 0.0), (2.0, 1.0), (0.5, -1.0), 0.25, 0.5)
    z = 0.25 + 0.5 * (3.0 - 1.0) / 2.0 - 1.0 * 0.5
    assert m.probability({"a": 3.0, "b": 0.5}) == pytest.approx(1 / (1 + math.exp(-z)))
    assert m.covered({"a": 3.0, "b": 0.5}) == (1 / (1 + math.exp(-z)) >= 0.5)


def test_more_of_the_question_in_the_clauses_never_lowers_the_odds() -> None:
    m = Model.load()
    coef = dict(zip(m.features, m.coef, strict=True))
    for name in ("coverage_lead", "known", "similarity", "pairs_document"):
        assert coef[name] > 0, name
    # the two coverages overlap (the lead is one of the top clauses): raising both never lowers the odds
    assert (
        coef["coverage_lead"] / m.scale[m.features.index("coverage_lead")]
        + coef["coverage"] / m.scale[m.features.index("coverage")]
        > 0
    )
    assert coef["missing"] < 0


def test_features_on_a_real_index(tmp_path: Path, counting: CountingEmbeddings) -> None:
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), counting)
    kb.index([write(tmp_path / "sla.md", "# Support SLA\n\n" + CLAUSES)], engagement="e")
    question = "does an auto response count?"  # "auto" ~ "automated"
    hits = kb.search(question, engagement="e")
    vocabulary = kb.retriever.vocabulary(engagement="e", side="shared")
    f = features(question, hits, vocabulary)
    assert set(f) == set(FEATURES)
    assert f["known"] == 1.0 and f["missing"] == 0.0 and f["coverage"] == 1.0
    other = features("is there a source code escrow?", kb.search("source code escrow", engagement="e"), vocabulary)
    assert other["known"] == 0.0 and other["missing"] == 3.0
    assert Model.load().probability(other) < Model.load().probability(f)


def test_min_similarity_is_the_floor_and_zero_turns_the_model_off() -> None:
    never = Model(FEATURES, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.0,) * len(FEATURES), -5.0, 0.5)
    values = dict.fromkeys(FEATURES, 0.0) | {"similarity": 0.5, "known": 1.0}
    assert not decide(values, min_similarity=0.3, fitted=never)  # the model says no
    assert decide(values, min_similarity=0.0, fitted=never)  # no floor asked for: the model is not applied
    always = Model(FEATURES, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.0,) * len(FEATURES), 5.0, 0.5)
    assert decide(values, min_similarity=0.3, fitted=always)
    assert not decide(values | {"similarity": 0.15}, min_similarity=0.3, fitted=always)  # under the floor
    unknown = values | {"similarity": 0.4, "known": 0.5, "missing": 1.0}  # half its words nowhere, not close enough
    assert not decide(unknown, min_similarity=0.3, fitted=always)
    assert not decide(unknown | {"similarity": 0.1}, min_similarity=0.0, fitted=always)


def test_the_similarity_bounds_come_with_the_model_unless_a_floor_is_set() -> None:
    fitted = Model(("similarity",), (0.0,), (1.0,), (0.0,), 5.0, 0.5, "e5", 0.80, 0.86)  # always covered above
    close = {"similarity": 0.83, "missing": 0.0, "known": 1.0}
    assert decide(close, fitted=fitted)  # e5's scale: 0.83 is above its fitted floor
    assert not decide({**close, "similarity": 0.79}, fitted=fitted)
    unknown = {**close, "missing": 2.0, "known": 0.4}
    assert not decide(unknown, fitted=fitted) and decide({**unknown, "similarity": 0.9}, fitted=fitted)
    assert decide({**close, "similarity": 0.25}, min_similarity=0.30, fitted=fitted)  # MiniLM's scale, set by hand
    assert not decide({**close, "similarity": 0.19}, min_similarity=0.30, fitted=fitted)
    # 0 turns the floor off: a fake or unfitted embedder's cosines may be anything, even below zero
    assert decide({**close, "similarity": -0.2}, min_similarity=0.0, fitted=fitted)


def test_the_thing_asked_about_missing_from_every_visible_document_is_not_covered() -> None:
    vocabulary = frozenset(tokenize("Meridian shall meet the target of 80% of calls. Gross negligence is excluded."))
    assert asked_thing_missing("What is Meridian's target gross margin?", vocabulary) == "margin"
    assert asked_thing_missing("what does premium support cost per seat", vocabulary) == "seat"
    assert asked_thing_missing("What is Meridian's target?", vocabulary) is None  # the thing is there
    assert asked_thing_missing("whats the call target", vocabulary) is None
    assert asked_thing_missing("can we assign the contract if we get acquired?", vocabulary) is None  # a verb
    assert asked_thing_missing("what about sla 7?", vocabulary) is None  # no word of four letters or more
    assert asked_thing_missing("Qual è il margine lordo di Meridian?", vocabulary) is None  # not English


def test_ways_of_speaking_are_not_things_a_contract_lacks() -> None:
    # Found asking an outsourcing agreement nobody had read (Ferroglobe's, CUAD): each was answered "not covered"
    # naming a word that is no contract's vocabulary, with the answer on top of the nearest clauses.
    vocabulary = frozenset(
        tokenize(
            "13.1 It is established by calendar year and renewed tacitly every year. 5.5.2 EIT assumes full "
            "responsibility for the tasks carried out by any subcontractor. 14.1.4 Absorption or fusion of EIT by "
            "other companies. Annex 2 Service Levels. Electronic Mail Service Availability 99% availability."
        )
    )
    assert asked_thing_missing("who is responsible if a subcontractor messes up?", vocabulary) is None  # a verb
    assert asked_thing_missing("can they swap out the people working on our account?", vocabulary) is None
    assert "account" not in missing_words("can they swap out the people working on our account?", vocabulary)
    assert missing_words("does the agreement auto renew?", vocabulary) == []  # auto ~ tacitly
    assert "merges" not in missing_words("can we terminate if EIT merges with another company?", vocabulary)  # fusion
    assert asked_thing_missing("email availability target?", vocabulary) is None  # the level it sets
    assert asked_thing_missing("what is the account manager's phone number?", vocabulary) is not None


def test_back_up_asks_about_backups() -> None:
    assert "backup" in expand_query("do they back up our data?")
    assert "backup" in expand_query("is the db backed-up daily?")
    assert "backup" not in expand_query("can we back out of the deal?")


@pytest.mark.parametrize(
    ("question", "clause"),
    [  # as Bonterms and Common Paper write them
        ("can we run a pentest?", "Customer will not conduct security or vulnerability tests of the Cloud Service."),
        ("if they go bankrupt can we terminate?", "a party becomes the debtor in insolvency or bankruptcy proceedings"),
        ("does their ack stop the clock?", "Provider will acknowledge each Support Request."),
        ("can we store PHI?", "Customer will not submit protected health information."),
        ("is ITAR data allowed?", "Customer will not submit export controlled data."),
        ("where can we sue them?", "Any lawsuit relating to this Agreement shall be brought in Delaware."),
        ("what if the sla failure is chronic?", "If the Service fails its target in three consecutive months"),
    ],
)
def test_what_people_type_meets_how_contracts_say_it(question: str, clause: str) -> None:
    expanded = set(tokenize(expand_query(question))) - set(tokenize(question))
    assert expanded & set(tokenize(clause)), expanded


def test_a_client_channel_asking_the_vendors_margin_is_told_the_contracts_do_not_cover_it(
    sample_kb: KnowledgeBase,
) -> None:
    client = sample_kb.answer_question("What is Meridian's target gross margin?", engagement=ENGAGEMENT, side="client")
    assert not client.found and "margin" in client.text
    vendor = sample_kb.answer_question("What is Meridian's target gross margin?", engagement=ENGAGEMENT, side="vendor")
    assert vendor.found and "32%" in vendor.citations[0].quote


def test_a_share_the_question_gives_and_no_document_writes_is_absent() -> None:
    from knowledge.coverage import absent_figure

    silent = ["Target Uptime. Provider will use commercially reasonable efforts to meet the Target Uptime."]
    assert absent_figure("what's the uptime target in the sla, 99.9?", silent, silent) == "99.9"
    assert absent_figure("garantite un uptime del 99,9 %?", silent, silent) == "99,9 %"
    table = ["| Credit Tier 1 | 99.00% - 99.89% | 5% of monthly fees |"]
    assert absent_figure("credit if uptime is 98%?", table, table) is None  # a clause near gives percentages
    written = ["GitHub commits to maintain at least 99.9% Uptime."]
    assert absent_figure("is uptime 99.9%?", written, ["Uptime is measured quarterly."]) is None
    assert absent_figure("a 60 minute response, within 30 days?", silent, silent) is None  # plain integers


def test_the_answer_says_the_figure_no_contract_writes(tmp_path: Path, e5: E5Embeddings) -> None:

    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), e5)
    text = (
        "# Service Level Agreement\n\n1.1 Target Uptime. If there is a Target Uptime, Provider will use commercially "
        "reasonable efforts to make the Cloud Service available for at least the Target Uptime.\n\n"
        "1.2 Calculating Uptime. Uptime is the Available Minutes less the Downtime Minutes, divided by the "
        "Available Minutes, measured in a calendar month.\n"
    )
    kb.index([write(tmp_path / "sla.md", text)], engagement="cp")
    answer = kb.answer_question("what's the uptime target in the sla, 99.9?", engagement="cp")
    assert not answer.found and "“99.9”" in answer.text and answer.nearest
    assert kb.answer_question("how is uptime calculated?", engagement="cp").found


def test_when_the_askers_story_happened_is_no_thing_a_contract_must_name() -> None:
    from knowledge.coverage import content_words

    assert content_words("hotbox availability was 99.4% in march, what compensation do we get?") == [
        "hotbox",
        "availability",
        "99.4",
        "compensation",
    ]
    assert "knew" not in content_words("if we already knew about a breach before closing, can we enforce it?")
    # an irregular verb form is no thing asked about, as "-ed" forms are not
    vocabulary = frozenset(tokenize("i-on assumes no responsibility for the site software Imaginet provides"))
    assert asked_thing_missing("is i-on responsible for the site software imaginet wrote?", vocabulary) is None
    assert asked_thing_missing("what if our stuff gets stolen?", vocabulary) is None
    assert asked_thing_missing("what is the escrow agent?", vocabulary) == "agent"


def test_contractions_possessives_and_particles_are_no_words_a_contract_must_hold() -> None:
    """ "he's", "there's" and "we've" are function words once contracted; "mmi's" is the party MMI; "take out",
    "mess up" and "too" are ways of speaking. Counted as content words, they made long Slack questions look
    like questions about things the contracts never mention."""
    from knowledge.coverage import content_words

    assert content_words("can maimon take on other work while he's ceo of intellisense?") == [
        "maimon",
        "ceo",
        "intellisense",
    ]
    assert content_words("if mmi's employees mess up and claims land on us, who is liable?") == [
        "mmi",
        "employees",
        "claims",
        "liable",
    ]
    words = content_words("if a mask turns out to infringe a patent, who defends us?")
    assert words == ["mask", "infringe", "patent", "defends"]
    asked = "we've only been on it 5 months - what if there's no history? do they take out maintenance too?"
    assert content_words(asked) == ["history", "maintenance"]
    vocabulary = frozenset(tokenize("MMI shall hold Dragon harmless from claims arising from its employees' acts"))
    assert missing_words("if mmi's employees mess up and claims land on us, who is liable?", vocabulary) == ["liable"]


def test_chat_idioms_read_as_what_contracts_say() -> None:
    """ "pull the plug", "jack up", "drags on", "let ... lapse": no contract writes "plug" or "jack", so read as
    typed these made covered questions look like questions about things no clause mentions."""
    from knowledge.coverage import content_words
    from knowledge.vocabulary import expand_query, plain

    assert plain("if a force majeure drags on, when can they pull the plug?") == (
        "if a force majeure continues, when can they terminate?"
    )
    assert plain("we want to let the egain hosting deal lapse") == "we want to expire the egain hosting deal"
    handed = plain("can they hand the agreement over to another entity?")
    assert handed == "can they assign the agreement to another entity?"
    assert content_words("can MMMW jack up the price? is there a limit") == ["mmmw", "increase", "price", "limit"]
    # an outage is said in too many ways for one word: the idiom is read as nothing, BM25 gets the ways
    assert content_words("if the services keep going down can we terminate?") == ["terminate"]
    assert "downtime" in expand_query("if the services keep going down can we terminate?")
    assert plain("the price goes down next year") == "the price goes down next year"  # a price is no service
    # what contracts call it, for BM25: "no action may be brought ... more than two (2) years after"
    assert "brought" in expand_query("how long do we have to bring a claim against them?")
    assert "term" in expand_query("how long does the support agreement run?").split("(")[1]
    assert "interpreted" in expand_query("governing law on the maintenance agreement?")
    assert "exceed" in expand_query("is their liability capped?")  # "shall in no event exceed the fees paid"
    assert "terminate" in plain("what do we owe them if we just want out?")
    assert plain("what do we walk away with at the end?") == "what do we walk away with at the end?"
    vocabulary = frozenset(tokenize("Either party may terminate this Agreement if the Force Majeure continues."))
    assert missing_words("if a force majeure drags on, when can the provider pull the plug?", vocabulary) == []


def test_a_verb_after_its_subject_is_no_thing_asked_about() -> None:
    vocabulary = frozenset(tokenize("EIT shall issue an invoice every month, payable within 30 days."))
    assert asked_thing_missing("eit invoices - how often do they bill us?", vocabulary) is None
    assert asked_thing_missing("how much notice do we need to give to cancel?", vocabulary) is None
    assert asked_thing_missing("what is the eit account manager's phone number?", vocabulary) == "phone"


def test_chat_short_forms_and_ways_of_speaking_meet_the_contract_words() -> None:
    """Found on held-out CUAD contracts (issue #10): each of these was a covered question answered "not covered"."""
    from knowledge.coverage import content_words

    vocabulary = frozenset(
        tokenize(
            "Telephone support is provided at no charge. On-site visits are billed at a minimum of two hours. "
            "To enforce this Agreement, Company shall reimburse the Bank the reasonable fees of attorneys. "
            "Customer shall not solicit any employee of Kubient. Video revenue share: 50% of monthly net revenue "
            "above the threshold. Payment of the funds is due in 10 days."
        )
    )
    assert missing_words("ximage phone support, is it free? pls check", vocabulary) == ["ximage"]  # a name
    assert missing_words("onsite visit - what does it cost? is there a min charge", vocabulary) == []
    assert missing_words("if the bank has to enforce it, who pays their lawyers?", vocabulary) == []
    assert missing_words("kubient video - what's the monthly threshold and the split above it", vocabulary) == []
    late = "if thayer is late putting the money in, how many days?"
    assert missing_words(late, vocabulary) == ["thayer"]
    assert content_words("are we allowed to hire ppl away from kubient?") == ["solicit", "ppl", "kubient"]
    assert content_words("does mobimagic keep any of our customer data on their side?") == ["mobimagic", "data"]
    assert content_words("can xacct cut off our support if we breach?") == ["xacct", "support", "breach"]
