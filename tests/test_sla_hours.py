"""Which hours a service level counts (knowledge.sla_hours): every hour, or a calendar the document defines."""

from __future__ import annotations

from knowledge.sections import sentence_spans
from knowledge.sla_hours import hours_defined, hours_of

SOW = (
    "3.1 Standard Hours. Voice and chat are staffed from 7:00 a.m. to 11:00 p.m. US Eastern Time, 7 days a week "
    '("Hours of Operation"). Email is worked during the same hours.\n\n'
    "3.2 Response. The first response to a social media message is sent within 30 minutes, counting Hours of "
    "Operation only.\n"
)
SCHEDULE = (
    "(c) SL3: time is measured from the email's arrival in the queue to the first substantive agent response, "
    "counting all hours (not only Hours of Operation). Automated acknowledgments do not count as a response.\n\n"
    "(d) SL4: time is measured from the moment the chat is offered to a Vendor queue to the first message.\n"
)


def spans(text: str) -> list[tuple[int, int]]:
    return sentence_spans(text, 0, len(text))


def test_a_defined_calendar_is_found_with_its_time_range() -> None:
    defined = hours_defined(SOW, spans(SOW))
    assert set(defined) == {"hours of operation"}
    span = defined["hours of operation"]
    assert span.text == SOW[span.start : span.end]
    assert "7:00 a.m. to 11:00 p.m." in span.text


def test_a_level_counting_the_defined_hours_keeps_the_definition() -> None:
    sentences = spans(SOW)
    own = [s for s in sentences if "30 minutes" in SOW[s[0] : s[1]]]
    found = hours_of(SOW, own, [], hours_defined(SOW, sentences))
    assert found is not None and not found.all_hours
    assert found.said.text == "Hours of Operation" == SOW[found.said.start : found.said.end]
    assert found.definition is not None and "11:00 p.m." in found.definition.text


def test_a_note_naming_the_level_says_it_counts_all_hours() -> None:
    sentences = spans(SCHEDULE)
    row = "| SL3 | Email Response Time | 95% of emails receive a substantive response within 24 hours |"
    text = row + "\n\n" + SCHEDULE
    notes = [(a + len(row) + 2, b + len(row) + 2) for a, b in sentences]
    found = hours_of(text, [(0, len(row))], notes, {}, ref="SL3")
    assert found is not None and found.all_hours
    assert found.said.text == "counting all hours"
    # another level's note is not this level's: SL4 says nothing about hours
    assert hours_of(text, [(0, 3)], notes, {}, ref="SL4") is None
    assert hours_of(text, [(0, 3)], notes, {}, ref="SL") is None


def test_round_the_clock_wordings_and_a_table_cell() -> None:
    for words in ("24 x 7", "24/7", "24x7x365", "twenty-four hours a day, seven days a week"):
        text = f"| Hours of coverage | {words} |"
        found = hours_of(text, [(0, len(text))], [], {})
        assert found is not None and found.all_hours, words
        assert found.said.text == text[found.said.start : found.said.end]


def test_office_hours_in_a_row_without_a_definition_in_the_document() -> None:
    text = "| P2 | Major | 60 minutes (during office hours) | Every 2 hours |"
    found = hours_of(text, [(0, len(text))], [], {})
    assert found is not None and not found.all_hours
    assert found.term == "office hours" and found.definition is None


def test_a_level_that_says_nothing_about_hours_has_none() -> None:
    text = "Monthly Uptime Percentage of at least 99.9% in each calendar month."
    assert hours_of(text, [(0, len(text))], [], {}) is None
    assert hours_defined(text, spans(text)) == {}


def test_the_sample_schedule_s_levels_carry_their_hours_and_the_remedy_clause() -> None:
    from pathlib import Path

    from bot.sla.register import draft_values
    from knowledge.slas import extract_levels

    path = Path(__file__).parents[1] / "knowledge/samples/acme-customer-care/03-sla-schedule.md"
    text = path.read_text(encoding="utf-8")
    levels = {lv.metric: lv for lv in extract_levels(text, document=path.name)}
    email = levels["Email Response Time"]
    assert email.hours is not None and email.hours.all_hours and email.hours.said.text == "counting all hours"
    assert levels["Quality Score"].hours is None
    remedy = email.remedy
    assert remedy is not None and remedy.sole is False
    assert text[remedy.span.start : remedy.span.end] == remedy.span.text
    assert "not Client's sole and exclusive remedy" in remedy.span.text
    details = draft_values(email, path.name, "shared")["details"]
    assert details["hours"]["all_hours"] is True and details["hours"]["said"]["quote"] == "counting all hours"
    assert details["remedy"]["sole"] is False
