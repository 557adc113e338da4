"""Kinds of value the direct line recognises beyond periods, amounts and dates: hours of service, where to write,
quantities, definitions written in bold, and the line that says what a thing is when the question asks for no
number at all."""

from __future__ import annotations

import pytest

from knowledge.asking import asked_kinds, asks_for_a_line
from knowledge.direct import Direct, direct_for

# Support terms and a hosting schedule in the shapes published documents use (wording ours).
SUPPORT = """# Support

## During office hours

We support all incidents from 9.30am to 5.30pm, Monday to Friday.

## Credits

To receive a refund, you must submit a completed credit request to <credits@example.com>. The current prices are \
posted on the page: example.com/prices.

| Priority | Resolution |
|---|---|
| High | 95% of high priority requests are solved in 12h. |
| Medium | 95% of medium priority requests are solved in 24h. |

## Services

Provider will provide the following services for the Hosted Site: connectivity to the Internet via a T1 line to a \
backbone provider, and up to 150 MB of mirrored storage on the hosting computer.

**Compensation** is the amount credited to the Customer's account in case of loss of the Content.

- Essential Services: means the services for version control. Webhooks and Pages are peripheral features and \
services not included in the Essential Services.

Customer shall be entitled to defer any payment in the event of force majeure.

We offer weekend support for P1 incidents only.

Availability is the total number of minutes minus the downtime minutes, measured in a calendar month.

THIS AGREEMENT is made between NORTHWIND HOLDING COMPANY, a Delaware statutory trust (the "Client"), and ACME \
OUTSOURCING TRUST ("Acme").

Either party may terminate the affected order upon notice if a force majeure event prevents the service from \
operating for 30 or more consecutive days.
"""


def _direct(question: str, text: str = SUPPORT, title: str = "") -> Direct | None:
    found = direct_for(question, text, document="support.md", start=0, end=len(text), title=title)
    if found is not None:
        assert text[found.start : found.end] == found.text
        assert found.start <= found.value_start < found.value_end <= found.end
    return found


@pytest.mark.parametrize(
    ("question", "line_has", "value"),
    [
        ("office hours for support?", "We support all incidents", "9.30am to 5.30pm, Monday to Friday"),
        ("where do we email the credit request", "submit a completed credit request", "credits@example.com"),
        ("where are the prices published", "prices are", "example.com/prices"),
        ("high prio fix time?", "| High |", "12h"),
        ("how much storage do we get", "mirrored storage", "up to 150 MB"),
        ("what does compensation mean", "**Compensation** is", "Compensation"),
        ("are webhooks essential services?", "not included", "not included"),
        ("does force majeure let the customer defer payment", "entitled to defer", "entitled to defer"),
        (
            "force majeure - at what point can we terminate",
            "30 or more consecutive days",
            "30 or more consecutive days",
        ),
        ("is there weekend support for p2 incidents?", "weekend support", "for P1 incidents only"),
        ("is availability measured monthly or quarterly?", "measured in", "in a calendar month"),
        ("who are the parties to the agreement?", "THIS AGREEMENT", "NORTHWIND HOLDING COMPANY"),  # names in capitals
    ],
)
def test_more_kinds_of_value_are_recognised(question: str, line_has: str, value: str) -> None:
    direct = _direct(question)
    assert direct is not None, question
    assert line_has in direct.text and value in direct.value, (direct.text, direct.value)


def test_a_question_for_what_a_thing_is_gets_the_line_that_says_it() -> None:
    assert asked_kinds("what internet connection does the provider give") == ["description"]
    direct = _direct("what internet connection does the provider give")
    assert direct is not None and direct.kind == "line" and "via a T1 line" in direct.text
    assert direct.value == direct.text  # the whole line is what it says


def test_a_bare_topic_gets_the_line_that_says_most_of_it() -> None:
    direct = _direct("force majeure termination")
    assert direct is not None and "30 or more consecutive days" in direct.text


def test_no_line_for_a_method_a_comparison_or_a_name_missing() -> None:
    assert not asks_for_a_line("how are claims reviewed?", asked_kinds("how are claims reviewed?"))
    assert not asks_for_a_line("which one wins?", asked_kinds("which one wins?"))
    assert _direct("who is the hosting provider?") is None  # a party names someone: no line names nobody
    assert _direct("what is the refund policy for hardware?") is None  # nothing of it in the text


def test_a_line_holding_the_value_beats_a_line_holding_only_the_words() -> None:
    text = (
        "Response times are measured from the moment the ticket is registered by the support team. "
        "The response time for support tickets is no more than 60 minutes."
    )
    direct = _direct("support response time?", text)
    assert direct is not None and direct.value == "no more than 60 minutes"


def test_words_naming_the_document_say_little_of_the_line() -> None:
    text = "The Common Paper portal shows the uptime to the Customer. Uptime is reported in writing to the Customer."
    question = "uptime reporting in the common paper sla"
    untitled = _direct(question, text)
    assert untitled is None or untitled.text.startswith("The Common Paper portal")  # the document's name counts
    titled = _direct(question, text, title="Common Paper Service Level Agreement")
    assert titled is not None and titled.text == "Uptime is reported in writing to the Customer."


def test_a_word_only_one_line_holds_weighs_more_than_one_every_line_holds() -> None:
    from knowledge.direct import _rarity

    text = "Leader maintains the program. Leader hosts the program. The previous agreement with Leader expired."
    lines: list[tuple[int, int, int, set[str]]] = [(0, 0, 29, set()), (1, 30, 54, set()), (2, 55, len(text), set())]
    rare = _rarity(text, lines, {"leader": 1.0, "expir": 1.0, "absent": 1.0})
    assert rare["leader"] == 1.0 and rare["expir"] > 2.0 and rare["absent"] == 1.0


def test_telling_them_is_giving_notice_and_a_term_is_no_deadline() -> None:
    warranty = (
        "If Provider breaches the warranty, Customer must give Provider notice within 45 days of discovering "
        "the issue. Within 45 days of receiving the details of the warranty issue, Provider will restore the "
        "functionality of the service."
    )
    told = _direct("they broke the functionality warranty, how long do we have to tell them", warranty)
    assert told is not None and "must give Provider notice" in told.text
    term = (
        "Each Subscription Term will last for an initial 12-month period unless the Order states otherwise. "
        "Each Subscription Term will renew unless either party gives notice at least 30 days before its end."
    )
    length = _direct("default subscription term length?", term)
    assert length is not None and "initial 12-month period" in length.text
