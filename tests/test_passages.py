"""Which part of a clause is quoted: the words asked, the kind of value asked for, and the sentence closest in
meaning when the question shares no word with it (issue #10: "the right clause, another passage")."""

from __future__ import annotations

from knowledge.quotes import best_passage

# Paraphrased from GOV.UK Pay's support page (MIT): two paragraphs of one short section.
FEEDBACK = (
    "## General feedback\n\n"
    "If you have any feedback or questions, email the support team at the address on the contact page.\n\n"
    "We will reply within 2 working days, or one working day if you are making a request to go live."
)
# Paraphrased from a CUAD services agreement (CC BY 4.0): the duration is in the second paragraph.
NON_COMPETE = (
    "Conflicts of Interest, Non-Competition. The consultant agrees during the term of this Agreement not to "
    "accept work inconsistent with the consultant's obligations under this Agreement, and warrants that no "
    "other contract restricts the services. "
    * 2
    + "\n\nDuring the term of this Agreement and for a period of two (2) years after its termination for any "
    "reason, the consultant agrees not to compete with the business of the Company."
)


def _quoted(text: str, question: str, closeness: list[tuple[int, int, float]] | None = None) -> str:
    a, b = best_passage(text, 0, len(text), question, closeness or [])
    return text[a:b]


def test_the_sentence_closest_in_meaning_is_quoted_when_no_word_is_shared() -> None:
    reply = FEEDBACK.index("We will reply")
    closeness = [(0, 19, 0.80), (21, reply - 2, 0.84), (reply, len(FEEDBACK), 0.90)]
    without = _quoted(FEEDBACK, "how long to hear back on general feedback")
    assert "We will reply" not in without  # the words asked are in the heading alone
    assert "We will reply within 2 working days" in _quoted(
        FEEDBACK, "how long to hear back on general feedback", closeness
    )


def test_a_question_asking_how_long_quotes_the_unit_stating_a_duration() -> None:
    assert "two (2) years" in _quoted(NON_COMPETE, "how long is the non-compete after he leaves")


def test_without_vectors_or_kinds_the_words_decide_as_before() -> None:
    quoted = _quoted(NON_COMPETE, "does the consultant warrant that no other contract restricts the services")
    assert quoted.startswith("Conflicts of Interest")


def test_a_heading_is_never_quoted_alone() -> None:
    # CUAD BLUEFLYINC: "severity 1" shares its first letters with the heading "Severability", and nothing else
    text = (
        "14.4  Waiver of Jury Trial\n\nThe parties waive any right to a jury trial.\n\n14.5  Severability\n\n"
        "If any provision of this Agreement is held invalid, the rest of it stays in force.\n\n14.6  Publicity\n\n"
        "Neither party uses the other's trademarks."
    )
    a, b = best_passage(text, 0, len(text), "what if they miss a severability 1 response?")
    assert text[a:b] == (
        "14.5  Severability\n\nIf any provision of this Agreement is held invalid, the rest of it stays in force."
    )


def test_a_numbered_title_run_into_its_clause_is_not_quoted_alone() -> None:
    # CUAD ABILITYINC services agreement: clauses printed one after another in a single paragraph
    text = (
        "7.1 Further Assurances. The Parties agree to furnish upon request such further information as the other "
        "may reasonably request for the purpose of carrying out the intent of this Agreement and the documents "
        "referred to in it, and to execute and deliver such other documents as the other Party may reasonably "
        "request. 7.2 Governing Law. This Agreement shall be governed by and construed in accordance with the "
        "domestic laws of the State of Israel (including in respect of the statute of limitations or other limitations "
        "period applicable to any such claim, controversy or dispute, whether arising in contract, tort, equity or "
        "otherwise, and the interpretation and enforcement of the rights and duties of the Parties), without giving "
        "effect to any choice or conflict of law provision or rule (whether of the State of Israel or any other "
        "jurisdiction) that would cause the application of the laws of any jurisdiction other than the State of "
        "Israel, or of any rule of any international convention or treaty to which the State of Israel is a party. "
        "7.3 Consent to Jurisdiction. The Parties hereby irrevocably submit any disputes under this Agreement to the "
        "exclusive jurisdiction of the courts located in Tel-Aviv, Israel, provided however, that Recipient shall be "
        "entitled to seek an injunction against Provider in the country in which Provider has acted in breach of "
        "the terms hereof, and in any other court of competent jurisdiction. " * 2
    )
    a, b = best_passage(text, 0, len(text), "governing law?")
    assert text[a:b].startswith("This Agreement shall be governed")  # the clause is too long to quote with its title
    assert text[a:b].endswith("is a party.")


def test_a_short_label_brings_what_it_introduces() -> None:
    # CUAD Ferroglobe outsourcing agreement, Annex 2: a bulleted label, then its response times
    text = (
        "Measuring response times for each request\n\n     \u00d8  Blocking Bug:\n\n"
        "Response within 2 working hours and resolution within 8 working hours.\n\n"
        "     \u00d8  Minor Bug:\n\nResponse within 1 working day."
    )
    a, b = best_passage(text, 0, len(text), "what is the response time for a blocking bug?")
    assert "Blocking Bug:" in text[a:b] and "2 working hours" in text[a:b]


def test_a_run_of_sentences_near_in_meaning_does_not_outweigh_the_one_stating_what_was_asked() -> None:
    # Paraphrased from a CUAD support agreement's confidentiality article (CC BY 4.0): the duration is in the first
    # sentence, and the three after it are about the same information, as close in meaning.
    first = (
        "Receiving Party shall protect the Confidential Information from unauthorized use or disclosure by "
        "exercising the same degree of care that Receiving Party uses with respect to information of its own of a "
        "similar nature, but in no event less than reasonable care, until five (5) years from the later of the "
        "Effective Date or the date of receipt of such Confidential Information."
    )
    rest = [
        "Notwithstanding the prior sentence, with respect to Receiving Party's employees, Receiving Party shall "
        "only disclose Confidential Information to a Receiving Party employee who has a need to know such "
        "Confidential Information for purposes of this Agreement or any customer sublicense and is informed of the "
        "confidential nature of the Confidential Information.",
        "The foregoing notwithstanding, each Party shall be liable for any failure by its employees, agents or "
        "representatives to comply with this Section.",
        "Each Party shall make its employees aware of the provisions of this Section as fully as if they were "
        "parties to it.",
    ]
    text = " ".join([first, *rest])
    assert len(first) + len(rest[0]) > 700  # the first sentence and the next are too long to quote together
    spans, at = [], 0
    for sentence, cosine in zip([first, *rest], [0.870, 0.863, 0.859, 0.856], strict=True):
        spans.append((at, at + len(sentence), cosine))
        at += len(sentence) + 1
    quoted = _quoted(text, "how long does wildform have to keep our info confidential?", spans)
    assert "five (5) years" in quoted
