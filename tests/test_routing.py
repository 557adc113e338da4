"""Routing by a party's or a product's name: the documents' own titles, file names and parties' clauses."""

from __future__ import annotations

import hashlib

from knowledge.routing import document_names, name_key, name_route
from knowledge.stored import StoredDocument


def _doc(name: str, title: str) -> StoredDocument:
    return StoredDocument(
        id=hashlib.sha256(name.encode()).hexdigest()[:12],
        engagement="e",
        name=name,
        title=title,
        visibility="shared",
        kind="txt",
        content_hash=name,
        chunks=1,
        indexed_at=0.0,
        page_starts=(0,),
    )


TEXTS = {
    "photo-outsourcing.txt": (
        'PHOTO RETOUCHING OUTSOURCING AGREEMENT\nBetween: DGT Corp. (hereinafter referred to as "DGT") And: '
        'Dolphin Industries Limited (hereinafter referred to as "Dolphin").\n'
        "Dolphin shall deliver edited photos within 24 hours. DGT pays Dolphin USD 5 per photo. "
        "Any Downtime of the upload site is reported by Dolphin."
    ),
    "maintenance.txt": (
        "SOFTWARE MAINTENANCE AGREEMENT\nThis Software Maintenance Agreement is entered into between Leader Act "
        'Ltd ("Leader") and EZJR, Inc. a Nevada corporation ("EZJR").\n'
        "Leader shall maintain the software for two years. Notices by mail are deemed given in five days. "
        "The maintenance window is announced by Leader. Scheduled Downtime is excluded."
    ),
    "hosting.txt": (
        'WEB SITE HOSTING AGREEMENT\nThis agreement is entered into by Centrack International ("the Customer") '
        'and i-on interactive, a Florida corporation ("i-on").\n'
        "i-on backs up the site daily. The customer may terminate on thirty days notice. A leader in hosting, "
        "i-on keeps Downtime under one hour; the maintenance window is Sunday night."
    ),
    "supply.txt": (
        'SUPPLY AGREEMENT\nThis Agreement is made by and between EWSD 1, LLC, d/b/a SHI FARMS ("Shi Farms") and '
        'Gridiron BioNutrients, Inc ("Gridiron").\nShi Farms sells hemp biomass to Gridiron. Downtime of the '
        "dryer is no excuse."
    ),
}
DOCS = [_doc(n, TEXTS[n].split("\n", 1)[0].title()) for n in TEXTS]


def _names() -> dict[str, frozenset[str]]:
    headers = [f"{d.title}\n{d.name}\n{TEXTS[d.name]}" for d in DOCS]
    return document_names(DOCS, headers, {d.id: [TEXTS[d.name]] for d in DOCS})


def _route(question: str) -> list[str]:
    return name_route(question, DOCS, _names())


def test_a_party_named_in_the_opening_routes_to_its_contract() -> None:
    assert _route("turnaround time for photo edits from dolphin") == ["photo-outsourcing.txt"]
    assert _route("when is mailed notice deemed given under the ezjr agreement") == ["maintenance.txt"]
    assert _route("how often do they back up our site - i-on?") == ["hosting.txt"]
    assert _route("how many lbs are we buying from shi farms") == ["supply.txt"]


def test_a_word_written_in_lower_case_somewhere_is_no_name() -> None:
    # "Leader" is a party, but another contract says "a leader in hosting": the word is not only a name
    assert "leader" not in _names()
    assert _route("who pays legal fees if we sue leader and win") == []


def test_a_defined_term_several_documents_use_routes_nowhere() -> None:
    assert "downtim" not in _names()
    assert _route("how is downtime measured?") == []
    assert _route("what is the maintenance window") == []  # a title word, but written in lower case too


def test_a_question_naming_no_party_routes_nowhere() -> None:
    assert _route("can we terminate for convenience?") == []
    assert name_route("dolphin?", DOCS[:1], _names()) == []  # one document: nothing to choose


def test_the_amendments_come_with_the_named_contract() -> None:
    amendment = _doc("amendment-1.txt", "First Amendment To The Photo Retouching Agreement")
    docs = [*DOCS, amendment]
    headers = [f"{d.title}\n{d.name}\n{TEXTS.get(d.name, 'Dolphin and DGT amend section 2.')}" for d in docs]
    texts = {d.id: [TEXTS.get(d.name, "Dolphin and DGT amend section 2.")] for d in docs}
    assert name_route("what does dolphin charge", docs, document_names(docs, headers, texts)) == [
        "photo-outsourcing.txt",
        "amendment-1.txt",
    ]


def test_names_are_compared_without_case_possessive_hyphen_or_dot() -> None:
    assert name_key("Dolphin's") == name_key("dolphin") and name_key("I-On") == name_key("i-on") == "ion"
    assert name_key("gov.uk") == name_key("GOV.UK") == name_key("govuk")  # the file name 11_govuk_pay_support.md


def test_a_search_naming_a_party_stays_in_its_contract_and_leaves_the_name_out() -> None:
    from knowledge.routing import without_names

    names = _names()
    assert without_names("price per photo w/ dolphin", names, ["photo-outsourcing.txt"], DOCS) == "price per photo w/"
    assert without_names("price per photo?", names, ["photo-outsourcing.txt"], DOCS) == "price per photo?"


def test_the_retriever_routes_a_question_by_a_party_named_in_the_parties_clause() -> None:
    import numpy as np

    from knowledge.indexing import Indexer
    from knowledge.retrieval import Retriever
    from knowledge.store import Store, make_client
    from tests.test_ranking import HashedWords, _doc

    store = Store(make_client(), namespace=f"route{np.random.default_rng().integers(1 << 30)}")
    emb = HashedWords()
    for name, text in TEXTS.items():
        Indexer(store, emb).index_document(_doc(name, text.split("\n", 1)[0].title(), text), engagement="e")
    retriever = Retriever(store, emb, ranker=None)
    hits = retriever.search("how soon are photos delivered by dolphin?", engagement="e", k=8)
    assert hits and {h.chunk.document for h in hits} == {"photo-outsourcing.txt"}
    unrouted = retriever.search("how soon are photos delivered?", engagement="e", k=8)
    assert len({h.chunk.document for h in unrouted}) > 1


PRODUCTS = [
    _doc("08_vk_cloud_servers_agreement.md", "VK Cloud Servers Agreement"),
    _doc("09_vk_cloud_hot_storage_agreement.md", "VK Cloud Hot Storage Agreement"),
    _doc("10_vk_cloud_support_sla.md", "VK Cloud Support SLA"),
    _doc("bonterms_cloud_terms.md", "Bonterms Cloud Terms"),
    _doc("acme_services_agreement.txt", "Services Agreement"),
    _doc("zeta_services_agreement.txt", "Services Agreement"),
]


def test_a_product_named_at_the_end_of_a_question_routes_to_its_document() -> None:
    from knowledge.routing import short_name_route, without_short_name

    assert short_name_route("when is the compensation paid out (cloud servers)", PRODUCTS) == [PRODUCTS[0].name]
    assert short_name_route("maintenance notice for hot storage?", PRODUCTS) == [PRODUCTS[1].name]
    assert short_name_route("data deletion after we terminate - bonterms", PRODUCTS) == [PRODUCTS[3].name]
    assert without_short_name("maintenance notice for hot storage?", PRODUCTS) == "maintenance notice"


def test_one_common_word_at_the_end_of_a_question_names_no_document() -> None:
    from knowledge.routing import short_name_route

    assert short_name_route("how long is the warranty on services", PRODUCTS) == []
    assert short_name_route("what is the maintenance window for i-on hosting", PRODUCTS) == []


def test_a_title_word_the_text_writes_in_lower_case_does_not_name_its_document() -> None:
    import numpy as np

    from knowledge.indexing import Indexer
    from knowledge.retrieval import Retriever
    from knowledge.store import Store, make_client
    from tests.test_ranking import HashedWords, _doc

    store = Store(make_client(), namespace=f"title{np.random.default_rng().integers(1 << 30)}")
    emb = HashedWords()
    bodies = {
        "get-support.md": ("Get support", "You can get help by email. We reply within 2 working days."),
        "zendesk-terms.md": ("Zendesk Terms", "Credits are not refunds: you get no money back."),
        "bonterms-sla.md": ("Bonterms SLA", "Bonterms credits are applied to the next invoice."),
        "acme-msa.md": ("Acme MSA", "Acme may get paid late; Acme owes interest."),
    }
    for name, (title, body) in bodies.items():
        Indexer(store, emb).index_document(_doc(name, title, f"# {title}\n\n{body}\n"), engagement="e")
    retriever = Retriever(store, emb, ranker=None)
    view = retriever._view("e", "shared")
    assert retriever._title_weights(view, "do we get money back?") == {}  # 'get' is no name
    assert set(retriever._title_weights(view, "are bonterms credits refunds?")) == {
        view.docs[i].id for i, d in enumerate(view.docs) if d.name == "bonterms-sla.md"
    }


def test_a_route_keeps_only_the_amendments_of_the_named_contract() -> None:
    from knowledge.routing import own_amendments

    fasc = _doc("fasc-services.txt", "Services Agreement")
    fasc_amendment = _doc("fasc-services_AMENDMENT.txt", "Amendment To Services Agreement")
    orphan = _doc("amendment-2.txt", "Amendment No. 2")
    docs = [*DOCS, fasc, fasc_amendment, orphan]
    texts = dict(TEXTS)
    texts[fasc.name] = (
        'SERVICES AGREEMENT\nbetween the Adviser and Federated Advisory Services Company ("FASC").\nFASC fees.'
    )
    texts[fasc_amendment.name] = "AMENDMENT\nThe Adviser and FASC amend Exhibit A.\nFASC shall also trade."
    texts[orphan.name] = "AMENDMENT\nSection 2 is deleted."
    headers = [f"{d.title}\n{d.name}\n{texts[d.name]}" for d in docs]
    names = document_names(docs, headers, {d.id: [texts[d.name]] for d in docs})
    routed = ["photo-outsourcing.txt", fasc_amendment.name, orphan.name]
    assert own_amendments(routed, docs, names) == ["photo-outsourcing.txt", orphan.name]
    assert own_amendments([fasc.name, fasc_amendment.name, orphan.name], docs, names) == [
        fasc.name,
        fasc_amendment.name,
        orphan.name,
    ]


def test_a_defined_term_in_quotes_is_no_name_but_a_partys_short_name_is() -> None:
    from knowledge.routing import _opening_names

    opening = (
        'This SLA (the "Agreement") sets the "Service Credits" owed by Modus Media International, Apeldoorn '
        '(hereinafter "MMI") to Dolphin Industries Limited ("Dolphin").'
    )
    words = _opening_names(opening)
    assert "MMI" in words and "Dolphin" in words
    assert not {"Agreement", "Service", "Credits"} & set(words)


def test_a_topic_at_the_end_of_a_question_routes_only_when_all_its_words_are_title_words() -> None:
    from knowledge.routing import short_name_route

    docs = [_doc("03-sla.md", "Schedule B - Service Levels"), _doc("07-notes.md", "Vendor notes on service credits")]
    assert short_name_route("what is the cap on service credits for a month?", docs) == []
    assert short_name_route("who wrote the vendor notes on service credits", docs) == ["07-notes.md"]


def test_the_company_a_filers_file_name_begins_with_is_a_name() -> None:
    from knowledge.routing import file_name_names

    assert file_name_names("ELANDIAINTERNATIONALINC_04_25_2007-EX-10.21-Outsourcing Agreement.txt") == ["elandia"]
    assert file_name_names("DRAGONSYSTEMSINC_01_08_1999-EX-10.17-OUTSOURCING AGREEMENT.txt") == ["dragon"]
    assert file_name_names("VitalibisInc_20180316_8-K_EX-10.2_11100168_EX-10.2_Hosting Agreement.txt") == ["vitalibis"]
    assert file_name_names("msa-acme-2024.pdf") == [] and file_name_names("01_commonpaper_sla_v2.md") == []
    # a contract whose text never names the filer ("the BSP", "Datec") is still found by the filer's name
    text = "NETWORK MANAGEMENT OUTSOURCING AGREEMENT\nDatec will run the network for the BSP. Datec may subcontract."
    filed = _doc("ELANDIAINTERNATIONALINC_04_25_2007-EX-10.21-Outsourcing Agreement.txt", "Outsourcing Agreement")
    docs = [*DOCS, filed]
    texts = {**{d.id: [TEXTS[d.name]] for d in DOCS}, filed.id: [text]}
    names = document_names(docs, [*[f"{d.title}\n{d.name}\n{TEXTS[d.name]}" for d in DOCS], text], texts)
    assert name_route("can the vendor subcontract in the elandia deal?", docs, names) == [filed.name]


def test_a_word_only_a_file_name_holds_is_not_missing() -> None:
    from knowledge.coverage import missing_words
    from knowledge.lexical import ChunkIndex
    from knowledge.stored import StoredChunk

    text = "The BSP may terminate this agreement for convenience on notice."
    chunk = StoredChunk(
        id="c1",
        doc_id="d1",
        document="ELANDIAINTERNATIONALINC_04_25_2007-EX-10.21-Outsourcing Agreement.txt",
        title="Network Management Outsourcing Agreement",
        visibility="shared",
        section="14.3",
        heading=None,
        page=None,
        start=0,
        end=len(text),
        text=text,
        context="",
    )
    vocabulary = ChunkIndex([chunk]).vocabulary()
    assert missing_words("can elandia terminate for convenience?", vocabulary) == []
    assert missing_words("can elandia terminate for crypto?", vocabulary) == ["crypto"]


def test_of_the_documents_one_name_names_the_words_beside_it_choose() -> None:
    vk = [
        _doc("08_vk_cloud_servers_agreement.md", "vk cloud servers agreement"),
        _doc("09_vk_cloud_hot_storage_agreement.md", "vk cloud hot storage agreement"),
        _doc("10_vk_cloud_support_sla.md", "vk cloud support sla"),
    ]
    others = [_doc(f"{i}_other.md", f"Other Terms {i}") for i in range(6)]
    docs = [*vk, *others]
    names = {"vk": frozenset(d.id for d in vk)}
    servers, hot, support = (d.name for d in vk)
    assert name_route("does the vk support sla give credits if they miss a response?", docs, names) == [support]
    assert name_route("vk hot storage compensation cap", docs, names) == [hot]
    assert name_route("is the vk cloud servers uptime monthly?", docs, names) == [servers]
    # no word beside the name tells them apart: all three, and a title word further off chooses nothing
    assert name_route("critical ticket resolution target vk", docs, names) == [servers, hot, support]
    assert name_route("how is support measured for a storage outage at vk?", docs, names) == [servers, hot, support]


def test_a_party_named_outweighs_a_title_word_that_names_another_document() -> None:
    import numpy as np

    from knowledge.indexing import Indexer
    from knowledge.retrieval import Retriever
    from knowledge.routing import short_name_route
    from knowledge.store import Store, make_client
    from tests.test_ranking import HashedWords, _doc

    question = "who keeps the records of the maintenance it does for dolphin?"
    assert short_name_route(question, DOCS) == ["maintenance.txt"]  # "of the maintenance": a title word
    store = Store(make_client(), namespace=f"route{np.random.default_rng().integers(1 << 30)}")
    emb = HashedWords()
    for name, text in TEXTS.items():
        Indexer(store, emb).index_document(_doc(name, text.split("\n", 1)[0].title(), text), engagement="e")
    retriever = Retriever(store, emb, ranker=None)
    _hits, routed = retriever.routed_search(question, engagement="e", side="shared", k=8)
    ids = {d.name: d.id for d in store.list_documents("e")}
    assert routed == {ids["photo-outsourcing.txt"]}  # Dolphin's contract, whatever "maintenance" names
    _hits, routed = retriever.routed_search("records of the maintenance?", engagement="e", side="shared", k=8)
    assert routed == {ids["maintenance.txt"]}
