"""The direct answer line: the lead clause's sentence or row that holds what was asked, verbatim, or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from bot.cli import cli
from knowledge.answers import Answer
from knowledge.base import KnowledgeBase
from knowledge.direct import Direct, asked_kinds, direct_for
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.store import Store, make_client
from tests.conftest import ENGAGEMENT, write
from tests.test_slack_app import running_slack

QUESTIONS = [json.loads(line) for line in (Path(__file__).parent / "data" / "sample_questions.jsonl").open()]
EXTRA = [
    "whats the credit cap?",
    "how long do we have to fix a sev 1?",
    "who are the parties?",
    "what is a Business Day?",
    "what is the governing law?",
    "may meridian use subcontractors?",
    "when was the msa signed?",
]

SLA = """# Service Level Agreement

3.1 Reports. Provider will publish an availability report for each month on its status page.

3.2 Claims. To receive a Service Credit, Customer must submit a claim within seven (7) days after the end of the \
month in which the Downtime occurred. Provider will review each claim in good faith.

3.3 Exclusive Remedy. Service Credits are Customer's sole and exclusive remedy for any failure to meet the \
Availability Target.

| Service | Availability Target | Service Credit |
|---|---|---|
| Compute | 99.95% | 10% of the monthly fee |
| Object Storage | 99.9% | 5% of the monthly fee |

4.1 Assignment. Neither party may assign this Agreement without the other party's prior written consent, \
which shall not be unreasonably withheld.

4.2 Governing Law. This Agreement is governed by the laws of the State of Delaware.

4.3 Costs. Customer shall reimburse Provider's reasonable travel expenses at Customer's own expense \
only if they are approved in advance.

5.1 "Downtime" means any period of five (5) consecutive minutes during which the Service is unavailable.

5.2 Audits. Customer may audit Provider's security controls once per calendar year on thirty (30) days' \
written notice.

6.1 Fees. Customer shall pay USD 10,000 per month, invoiced in advance.
"""


def _direct(question: str, text: str = SLA) -> Direct | None:
    return direct_for(question, text, document="sla.md", start=0, end=len(text))


def _value(direct: Direct | None) -> str:
    assert direct is not None
    return direct.value


# -- on clauses written like the ones nobody tuned for -----------------------------------------------
@pytest.mark.parametrize(
    ("question", "line_has", "value"),
    [
        ("dedline to request a service credit?", "submit a claim within", "within seven (7) days"),
        ("how many days do we have to claim a credit", "submit a claim", "within seven (7) days"),
        ("compute availability target?", "| Compute |", "99.95%"),
        ("whats the credit for object storage", "| Object Storage |", "5%"),
        ("can we assign the contract to someone else?", "Neither party may assign", "without the other party"),
        ("which law governs?", "governed by", "laws of the State of Delaware"),
        ("who pays the travel expenses", "travel expenses", "at Customer's own expense"),
        ("what counts as Downtime?", '"Downtime" means', "Downtime"),
        ("how often can the customer audit?", "audit Provider", "once per calendar year"),
        ("how much notice before an audit", "audit Provider", "thirty (30) days' written notice"),
        ("what are the monthly fees?", "Customer shall pay", "USD 10,000"),
        # Italian questions on the English clauses: their contract words read in English, their articles skipped
        ("quanto paghiamo al mese?", "Customer shall pay", "USD 10,000"),
        ("entro quanti giorni va chiesto il credito?", "submit a claim", "within seven (7) days"),
        ("quale legge regola il contratto?", "governed by", "laws of the State of Delaware"),
    ],
)
def test_the_line_holding_the_asked_value_is_quoted_with_the_value(question: str, line_has: str, value: str) -> None:
    direct = _direct(question)
    assert direct is not None, question
    assert line_has in direct.text and value in direct.value, (direct.text, direct.value)
    assert SLA[direct.start : direct.end] == direct.text
    assert SLA[direct.value_start : direct.value_end] == direct.value
    assert direct.start <= direct.value_start < direct.value_end <= direct.end


def test_a_table_row_is_the_row_itself_with_its_header_beside_it() -> None:
    direct = _direct("compute availability target?")
    assert direct is not None
    assert direct.text == "| Compute | 99.95% | 10% of the monthly fee |"
    assert direct.header == "| Service | Availability Target | Service Credit |"
    assert direct.header_start is not None and SLA[direct.header_start :].startswith(direct.header)


@pytest.mark.parametrize(
    "question",
    [
        "what is the refund policy for hardware?",  # asks nothing the clauses hold
        "how are claims reviewed?",  # asks for no kind of value
        "when does the data centre in Lisbon open?",  # a date nowhere in the clauses
    ],
)
def test_no_line_is_better_than_a_wrong_one(question: str) -> None:
    assert _direct(question) is None


def test_a_value_the_question_already_says_is_no_answer() -> None:
    text = "1. Parties. The Parties shall cooperate in good faith."
    assert direct_for("who are the parties?", text, document="x.md", start=0, end=len(text)) is None


def test_the_kind_of_value_is_read_from_the_question() -> None:
    assert asked_kinds("how long do we have to fix a sev 1?")[0] == "duration"
    assert asked_kinds("whats the credit cap?")[0] == "amount"
    assert asked_kinds("what's our fully loaded agent cost per hour")[0] == "money"
    assert asked_kinds("who pays for background checks") == ["party"]
    assert asked_kinds("can they subcontract the work?") == ["yesno"]
    assert asked_kinds("how are invoices paid, net 30?") == ["duration"]  # a method's words, a period's cue
    assert asked_kinds("how are service credits calculated?") == []
    assert asked_kinds("what counts as a chronic SLA failure")[0] == "definition"
    assert asked_kinds("how often can we audit?")[0] == "frequency"
    assert asked_kinds("if the SOW and the MSA disagree which one wins?") == []


def test_a_direct_line_survives_a_round_trip_through_its_dict() -> None:
    direct = _direct("compute availability target?")
    assert direct is not None
    data = json.loads(json.dumps(direct.as_dict()))
    assert set(data) >= {"text", "document", "start", "end", "value"}
    assert Direct.from_dict(data) == direct
    assert Direct.from_dict(None) is None
    assert Direct.from_dict({**data, "end": data["end"] + 5}) is None  # a span that does not fit its text


# -- on the sample engagement ------------------------------------------------------------------------
def test_a_sev_1_leads_with_the_amendments_row(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question("how long do we have to fix a sev 1?", engagement=ENGAGEMENT)
    assert answer.direct is not None
    assert answer.direct.document == "05-amendment-no-1.md"
    assert answer.direct.text.startswith("| Severity 1 |") and "2 hours" in answer.direct.value
    assert answer.direct.header and "Restoration / Resolution time" in answer.direct.header


def test_the_credit_cap_is_the_sentence_with_the_cap(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question("whats the credit cap?", engagement=ENGAGEMENT)
    assert answer.direct is not None
    assert answer.direct.value == "15%" and "shall not exceed 15%" in answer.direct.text


def test_a_lead_with_no_value_has_no_direct_line(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question(
        "if the SOW and the SLA schedule say different things which one wins?", engagement=ENGAGEMENT
    )
    assert answer.direct is None
    assert answer.as_dict()["direct"] is None


@pytest.mark.parametrize(
    "q", [*QUESTIONS, *({"id": f"x{i}", "question": q, "side": "shared"} for i, q in enumerate(EXTRA))]
)
def test_a_direct_line_is_verbatim_inside_the_lead_quote(sample_kb: KnowledgeBase, q: dict) -> None:
    answer = sample_kb.answer_question(q["question"], engagement=ENGAGEMENT, side=q["side"])
    direct = answer.direct
    if direct is None:
        return
    assert answer.found and answer.citations
    lead = answer.citations[0]
    text = sample_kb.document_text(ENGAGEMENT, direct.document)
    assert text[direct.start : direct.end] == direct.text == direct.text.strip()
    assert direct.document == lead.document and lead.start <= direct.start < direct.end <= lead.end
    assert direct.start <= direct.value_start < direct.value_end <= direct.end
    assert direct.value.strip() == direct.value
    if direct.header is not None and direct.header_start is not None:
        assert text[direct.header_start : direct.header_start + len(direct.header)] == direct.header


def test_most_answered_sample_questions_have_a_direct_line(sample_kb: KnowledgeBase) -> None:
    answered = [q for q in QUESTIONS if "expect_document" in q]
    with_line = [
        q["id"]
        for q in answered
        if sample_kb.answer_question(q["question"], engagement=ENGAGEMENT, side=q["side"]).direct is not None
    ]
    assert len(with_line) >= len(answered) // 2, with_line


def test_a_stored_answer_keeps_its_direct_line(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.answer_question("whats the credit cap?", engagement=ENGAGEMENT)
    stored = Answer.from_dict(answer.question, json.loads(json.dumps(answer.as_dict())))
    assert stored.direct == answer.direct and stored.citations == [
        type(c)(**{**c.__dict__, "role": "answer"}) for c in answer.citations
    ]


# -- the command line ----------------------------------------------------------------------------------
def test_ask_json_has_the_direct_line_and_the_human_output_shows_it_first(tmp_path: Path) -> None:
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_LLM": ""}
    sla = write(tmp_path / "contracts" / "sla.md", SLA)
    runner = CliRunner()
    assert runner.invoke(cli, ["index", str(sla), "-e", "acme"], env=env).exit_code == 0
    result = runner.invoke(cli, ["ask", "dedline to submit a service credit claim?", "-e", "acme", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    direct = data["direct"]
    assert direct is not None and set(direct) >= {"text", "document", "start", "end"}
    assert SLA[direct["start"] : direct["end"]] == direct["text"] and direct["document"] == "sla.md"
    assert direct["value"]["text"] == "within seven (7) days"
    assert set(data["citations"][0]) == {"document", "title", "section", "page", "quote", "start", "end"}

    human = runner.invoke(cli, ["ask", "dedline to submit a service credit claim?", "-e", "acme"], env=env)
    assert human.exit_code == 0, human.output
    first = human.output.splitlines()[0]
    assert first.startswith("\u201c") and "within seven (7) days after the end of the month" in first
    assert human.output.index("within seven (7) days") < human.output.index("Here is what")


# -- Slack ----------------------------------------------------------------------------------------------
def test_slack_answers_lead_with_the_direct_line(tmp_path: Path, sample_kb: KnowledgeBase) -> None:
    with running_slack(tmp_path, sample_kb) as slack:
        slack.bind("C1", "shared")
        slack.mention("how long do we have to fix a sev 1?", ts="7.0001")
        [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    blocks = posted["blocks"]
    first = blocks[0]
    assert first["type"] == "section"
    assert "| Severity 1 | 15 minutes | Restoration *within 2 hours* |" in first["text"]["text"]
    assert first["text"]["verbatim"] is True
    assert blocks[1]["type"] == "context" and "Restoration / Resolution time" in blocks[1]["elements"][0]["text"]
    assert "Here is what" in blocks[2]["text"]["text"]
    assert posted["text"].startswith("\u201c| Severity 1 |") and "*within 2 hours*" in posted["text"]
    assert len(blocks) <= 50


def test_a_shared_answer_keeps_its_direct_line(tmp_path: Path, sample_kb: KnowledgeBase) -> None:
    with running_slack(tmp_path, sample_kb) as slack:
        slack.bind("C1", "shared")
        slack.command("ask whats the credit cap?")
        reply = slack.api.wait_for("response_url")[-1].params
        assert "*15%*" in reply["blocks"][0]["text"]["text"]
        slack.action("share_answer", _button(reply, "share_answer"))
        [shared] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    texts = [b["text"]["text"] for b in shared["blocks"] if b["type"] == "section"]
    assert "shall not exceed *15%* of the Monthly Fees" in texts[0]


def _button(params: dict[str, Any], action_id: str) -> str:
    buttons = [e for b in params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return next(e["value"] for e in buttons if e["action_id"] == action_id)


# -- the LLM path -------------------------------------------------------------------------------------
def test_with_an_llm_the_direct_line_stays_the_verbatim_span(tmp_path: Path, minilm: MiniLMEmbeddings) -> None:
    reply = json.dumps(
        {
            "found": True,
            "answer": "You have seven days after the end of the month to submit a claim for a Service Credit.",
            "citations": [{"clause": "C1", "quote": "must submit a claim within seven (7) days after the end of the"}],
        }
    )
    llm = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), minilm, llm=llm)
    kb.index([write(tmp_path / "sla.md", SLA)], engagement="acme")
    answer = kb.answer_question("dedline to submit a service credit claim?", engagement="acme")
    assert answer.mode == "llm" and "seven days" in answer.text
    assert answer.direct is not None
    assert SLA[answer.direct.start : answer.direct.end] == answer.direct.text
    assert answer.direct.value == "within seven (7) days"
    lead = answer.citations[0]  # the model's quote is a fragment: the line is the whole sentence it is in
    assert answer.direct.text.startswith("To receive a Service Credit") and answer.direct.text.endswith("occurred.")
    assert answer.direct.start < lead.end and lead.start < answer.direct.end


def test_a_numeral_with_its_words_in_brackets_is_one_duration() -> None:
    from knowledge.values import values_in

    text = "notifies the Customer 24 (twenty four) hours before, and 7 (seven) days a week, within thirty (30) days"
    found = [text[a:b] for a, b in values_in("duration", text, 0, len(text), {"notifi": 1.0})]
    assert found == ["24 (twenty four) hours", "7 (seven) days", "within thirty (30) days"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("vk support first response time?", "duration"),
        ("sev2 fix time at vk cloud", "duration"),
        ("maintenance notice for hot storage?", "duration"),
        ("what % ownership makes someone an affiliate", "amount"),
    ],
)
def test_slack_shorthand_still_says_what_kind_of_value_is_asked(question: str, kind: str) -> None:
    from knowledge.asking import asked_kinds, matches

    assert kind in asked_kinds(question)
    assert matches("notic", {"notifi", "custom"})  # "notice" is answered by a line that "notifies"


def test_the_contract_a_question_names_is_the_agreement_a_clause_names() -> None:
    # CUAD BNLFINANCIALCORP 15(A): people ask about "the contract" and its "duration"; it says "this Agreement", "term"
    text = (
        '15. TERM. A. The initial term ("Initial Term") of this Agreement shall be for one year commencing on the 1st '
        "day of May, 2006. B. Unless either party gives notice, this Agreement shall continue year to year."
    )
    questions = (
        "how long does the contract last?",
        "what is the duration of the contract?",
        "quanto dura il contratto?",
    )
    for question in (*questions, "qual è la durata del contratto?"):
        direct = direct_for(question, text, document="bnl.txt", start=0, end=len(text))
        assert direct is not None and direct.text.startswith("The initial term") and direct.value == "one year"


@pytest.mark.parametrize(
    ("question", "clause", "value"),
    [  # as CUAD's and VK Cloud's contracts write them
        (
            "notice by certified mail - when is it effective?",
            "4. Notices. Notices are effective if by email on the date sent; or if by certified US mail on the third "
            "business day following such mailing; or if by overnight courier, on the next business day.",
            "on the third business day following such mailing",
        ),
        (
            "servers down >73h this month, what do we get",
            "| Availability | Downtime | Compensation |\n|---|---|---|\n"
            "| less than 95% | more than 36 hours | 30% of the amount debited |\n"
            "| less than 90% | more than 73 hours | 50% of the amount debited |",
            "50%",
        ),
        (
            "which state's law governs the agreement",
            "7. Governing Law. This Agreement shall be governed by the laws of the Commonwealth of Pennsylvania.",
            "laws of the Commonwealth of Pennsylvania",
        ),
        (
            "what law governs the hosting agreement",
            "Its validity shall be governed by the laws and judicial decisions of the State of Florida.",
            "laws and judicial decisions of the State of Florida",
        ),
        ("where can we sue them", "Any lawsuit may be initiated in a court located in Massachusetts.", "Massachusetts"),
        ("when does maintenance start", "COMMENCEMENT DATE FOR MAINTENANCE:  MARCH 1, 2001", "MARCH 1, 2001"),
    ],
)
def test_a_value_written_the_way_contracts_write_it_is_the_line(question: str, clause: str, value: str) -> None:
    direct = direct_for(question, clause, document="c.txt", start=0, end=len(clause))
    assert direct is not None and value in direct.text, (question, direct)
    if not direct.text.startswith("|"):  # a row's emphasis may fall on another cell ("less than 90%")
        assert value in direct.value, (question, direct.value)
    assert (
        clause[direct.start : direct.end] == direct.text
        and clause[direct.value_start : direct.value_end] == direct.value
    )


def test_a_clause_says_when_it_ends_and_what_is_paid_in_its_own_words() -> None:
    """ "end" is said "terminate" or "expire"; euros are written with the sign after the figure ("200,000 €"), and
    an amount on a line of its own is no heading."""
    # Paraphrased from two CUAD contracts (CC BY 4.0): a services agreement's term, an outsourcing agreement's fee.
    text = (
        "3.1 Termination of Agreement. This Agreement shall terminate on December 31, 2020, unless terminated "
        "earlier in accordance with Section 3.2.\n\n"
        "7.1 FEES\n\nTWO HUNDRED THOUSAND EUROS (200,000 €) per year, invoiced quarterly."
    )
    ends = direct_for("when does the services agreement end?", text, document="d.txt", start=0, end=len(text))
    assert ends is not None and ends.value == "on December 31, 2020", ends
    fee = direct_for("what is the yearly fee for the outsourcing?", text, document="d.txt", start=0, end=len(text))
    assert fee is not None and fee.value == "200,000 €" and fee.text.startswith("TWO HUNDRED"), fee


def test_asked_how_long_a_term_lasts_a_notice_before_its_end_is_no_answer() -> None:
    # Paraphrased from a CUAD hosting agreement (CC BY 4.0): the term, then the notice not to renew it.
    text = (
        "The term of this Agreement for the Hosted Site shall commence upon April 1, 1999 and shall continue for a "
        "period of six (6) months. This Agreement shall automatically be renewed for one month periods unless either "
        "party gives notice of its intention not to renew the Agreement, which notice must be given not less than "
        "fifteen (15) days before the end of the respective initial or renewal term."
    )
    line = direct_for("initial term of the hosting agreement", text, document="d.txt", start=0, end=len(text))
    assert line is not None and line.value.endswith("six (6) months"), line
    # a length counted from an event is still a length
    warranty = "The warranty period is ninety (90) days after delivery of the Software to the Customer."
    line = direct_for("how long is the warranty period?", warranty, document="d.txt", start=0, end=len(warranty))
    assert line is not None and "ninety (90) days" in line.value, line


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [  # paraphrased from CUAD contracts (CC BY 4.0)
        (
            "can we hand the ximage maintenance contract over to another company",
            "The interests of MORPHO in this Agreement are personal and shall not be assigned or transferred by "
            "MORPHO without a prior written consent of XIMAGE.",
            "prior written consent",
        ),
        (
            "we think startengine overbilled us, how long do we have to raise it",
            "If you believe that the Company has billed you incorrectly, you must contact Company no later than 60 "
            "days after the closing date on the first billing statement.",
            "60 days",
        ),
        (
            "how long does confidentiality stick around after the agreement ends",
            "Neither Party shall disclose the other Party's Confidential Information. Such obligations will survive "
            "the expiration of this Agreement for a period of five (5) years.",
            "five (5) years",
        ),
    ],
)
def test_a_line_is_found_for_what_people_say_otherwise(question: str, text: str, value: str) -> None:
    """ "hand it over" is to assign, "overbilled" is billed wrongly, "stick around" is to survive (issue #10)."""
    line = direct_for(question, text, document="d.txt", start=0, end=len(text))
    assert line is not None and value in line.text, line
