"""Block Kit for Slack: valid blocks within Slack's limits, escaped contract text, quotes that read back whole."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from bot.slack.blocks.answers import (
    answer_blocks,
    answer_text,
    bound_blocks,
    error_blocks,
    help_blocks,
    indexing_blocks,
    owner_ping_text,
    refusal_blocks,
    shared_answer_blocks,
    thinking_blocks,
    unbound_channel_blocks,
)
from bot.slack.blocks.kit import BUTTON_VALUE_CHARS
from bot.slack.blocks.text_fit import escape
from bot.slack.seal import SEAL_CHARS
from knowledge.answers import Answer, Citation
from knowledge.direct import Direct
from tests.test_slack_app import opened

BLOCK_TYPES = {"section", "context", "actions", "header", "divider"}
EVIL = "The Supplier <!channel> shall pay A&B <http://evil|click> within 30 days > 10 < 20."
SENTENCE = "The Supplier shall meet the Service Levels set out in Schedule B for every calendar month. "


def cite(quote: str, role: str = "answer", section: str = "4.2", title: str = "Master Services Agreement") -> Citation:
    return Citation("msa.pdf", title, section, 7, quote, 0, len(quote), role)


def found(*citations: Citation, mode: str = "extractive", text: str = "Here is what section 4.2 says:") -> Answer:
    return Answer("What are the service levels?", text, True, list(citations), [], mode)


def not_found(*nearest: Citation) -> Answer:
    text = "The indexed contracts for acme do not seem to cover this."
    return Answer("Who pays for parking?", text, False, [], list(nearest))


def texts(blocks: list[dict]) -> list[str]:
    """Every mrkdwn or plain text in the blocks, buttons included."""
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            out.append(e["text"] if e["type"] in ("mrkdwn", "plain_text") else e["text"]["text"])
    return out


def buttons(blocks: list[dict]) -> dict[str, str]:
    """Each button's value as Liaison wrote it (the seal checked and stripped)."""
    return {e["action_id"]: opened(e["value"]) for b in blocks if b["type"] == "actions" for e in b["elements"]}


def quote_sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and b["text"]["text"].startswith(">")]


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def unquote(section: str) -> str:
    lines = section.split("\n")
    assert all(line == ">" or line.startswith("> ") for line in lines), section
    return unescape("\n".join(line[2:] for line in lines))


def assert_valid(blocks: list[dict]) -> None:
    """Every block has a known type and stays within Slack's limits."""
    assert 0 < len(blocks) <= 50
    for b in blocks:
        assert b["type"] in BLOCK_TYPES, b
        if b["type"] == "section":
            assert b["text"]["type"] == "mrkdwn" and 0 < len(b["text"]["text"]) <= 3000
        elif b["type"] == "header":
            assert b["text"]["type"] == "plain_text" and 0 < len(b["text"]["text"]) <= 150
        elif b["type"] == "context":
            assert 0 < len(b["elements"]) <= 10
            assert all(e["type"] == "mrkdwn" and 0 < len(e["text"]) <= 3000 for e in b["elements"])
        elif b["type"] == "actions":
            assert 0 < len(b["elements"]) <= 25
            for e in b["elements"]:
                assert e["type"] == "button" and 0 < len(e["text"]["text"]) <= 75
                assert 0 < len(e["action_id"]) <= 255 and 0 < len(e["value"]) <= 2000
        for t in [b.get("text", {}), *b.get("elements", [])]:
            if t.get("type") == "mrkdwn":
                assert t["verbatim"] is True
                # every & starts an entity: escaping was never cut in half
                assert not re.search(r"&(?!amp;|lt;|gt;)", t["text"]), t["text"]


def test_escape_follows_slack_rules() -> None:
    assert escape("A&B <!channel> <http://evil|click> > x") == (
        "A&amp;B &lt;!channel&gt; &lt;http://evil|click&gt; &gt; x"
    )
    assert escape("&amp;") == "&amp;amp;"


def test_found_answer_layout_and_buttons() -> None:
    answer = found(cite("The Supplier shall meet the Service Levels."), cite("Amended text.", "amendment", "2"))
    blocks = answer_blocks(answer, answer_id="ans-1")
    assert_valid(blocks)
    assert blocks[0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "Here is what section 4.2 says:", "verbatim": True},
    }
    assert blocks[1]["type"] == "context" and "Master Services Agreement (msa.pdf), §4.2, p. 7" in texts([blocks[1]])[0]
    assert blocks[2]["text"]["text"] == "> The Supplier shall meet the Service Levels."
    assert texts([blocks[3]])[0] == "Amended by *Master Services Agreement (msa.pdf), §2, p. 7*"
    assert blocks[-1]["type"] == "actions"
    assert buttons(blocks) == {"feedback_up": "ans-1", "feedback_down": "ans-1"}
    assert any("\U0001f44d" in t for t in texts([blocks[-1]])) and any("\U0001f44e" in t for t in texts([blocks[-1]]))
    assert not any("AI model" in t for t in texts(blocks))

    shared = answer_blocks(answer, answer_id="ans-1", shareable=True)
    assert buttons(shared) == {"feedback_up": "ans-1", "feedback_down": "ans-1", "share_answer": "ans-1"}
    assert "Share in channel" in texts([shared[-1]])


def test_a_quote_that_starts_mid_sentence_says_so() -> None:
    # a long clause cut where no sentence ends (CUAD BNLFINANCIALCORP's liability clause runs on over pages)
    running = found(cite("paragraphs 5, 15(a) and 15(c) are excluded from this limitation."))
    assert answer_blocks(running, answer_id="a")[2]["text"]["text"] == (
        "> \u2026paragraphs 5, 15(a) and 15(c) are excluded from this limitation."
    )
    for whole in ("a) il Fornitore garantisce la disponibilit\u00e0.", "iv. the Supplier pays.", "The Supplier pays."):
        assert answer_blocks(found(cite(whole)), answer_id="a")[2]["text"]["text"] == f"> {whole}"


def test_role_labels() -> None:
    answer = found(cite("A."), cite("B.", "definition", "1.1"), cite("C.", "related", "9"))
    labels = [texts([b])[0] for b in answer_blocks(answer, answer_id="x") if b["type"] == "context"]
    assert labels == [
        "*Master Services Agreement (msa.pdf), §4.2, p. 7*",
        "Definition: *Master Services Agreement (msa.pdf), §1.1, p. 7*",
        "Related: *Master Services Agreement (msa.pdf), §9, p. 7*",
    ]


def test_llm_answers_say_an_ai_model_wrote_them() -> None:
    blocks = answer_blocks(found(cite("A clause."), mode="llm", text="The Supplier must meet them."), answer_id="x")
    assert_valid(blocks)
    assert blocks[1]["type"] == "context"
    assert "Written by an AI model from the quoted clauses" in texts([blocks[1]])[0]


def test_not_found_answers_show_nearest_clauses_and_ask_the_owner() -> None:
    answer = not_found(cite("Parking is not provided.", "nearest"), cite("Travel is reimbursed.", "nearest", "8"))
    blocks = answer_blocks(answer, answer_id="ans-2", shareable=True)
    assert_valid(blocks)
    assert blocks[0]["text"]["text"] == "The indexed contracts for acme do not seem to cover this."
    headers = [b for b in blocks if b["type"] == "header"]
    assert [h["text"]["text"] for h in headers] == ["Nearest clauses (not an answer)"]
    assert blocks.index(headers[0]) == 1
    assert quote_sections(blocks) == ["> Parking is not provided.", "> Travel is reimbursed."]
    assert buttons(blocks) == {"ask_owner": "ans-2"}
    assert "Ask the contract owner" in texts([blocks[-1]])


def test_contract_text_cannot_mention_or_link() -> None:
    evil_title = "MSA <!here> & <@U123>"
    blocks = answer_blocks(found(cite(EVIL, title=evil_title), text="Lead <!everyone>"), answer_id="x")
    assert_valid(blocks)
    every = "\n".join(texts(blocks))
    assert "<" not in every
    assert "&lt;!channel&gt;" in every and "A&amp;B" in every and "&lt;http://evil|click&gt;" in every
    assert "&lt;!here&gt; &amp; &lt;@U123&gt;" in every and "&lt;!everyone&gt;" in every
    assert quote_sections(blocks) == ["> " + escape(EVIL)]
    fallback = answer_text(found(cite(EVIL, title=evil_title), text="Lead <!everyone>"))
    assert "<" not in fallback and "&lt;!channel&gt;" in fallback


def test_multiline_quote_is_quoted_on_every_line_and_reads_back_exactly() -> None:
    quote = "4.2 Service Levels\n\n(a) Availability: 99.5% <monthly>;\n  (b) Response & resolution: 4 hours."
    sections = quote_sections(answer_blocks(found(cite(quote)), answer_id="x"))
    assert len(sections) == 1
    assert all(line == ">" or line.startswith("> ") for line in sections[0].split("\n"))
    assert unquote(sections[0]) == quote


def test_long_quote_is_split_at_sentence_boundaries_and_reads_back() -> None:
    quote = (SENTENCE * 50).strip()  # about 4,500 characters: two sections
    blocks = answer_blocks(found(cite(quote)), answer_id="x")
    assert_valid(blocks)
    sections = quote_sections(blocks)
    assert len(sections) == 2
    assert all(unquote(s).endswith(".") for s in sections)
    assert " ".join(unquote(s) for s in sections) == quote
    assert not any("shortened" in t for t in texts(blocks))


def test_long_lines_split_at_line_boundaries() -> None:
    quote = "\n".join(f"({i}) " + "word " * 60 + "end." for i in range(30))  # ~9,000 chars in short lines
    quote = quote[: quote.rfind("\n", 0, 5500)]  # two sections' worth
    sections = quote_sections(answer_blocks(found(cite(quote)), answer_id="x"))
    assert len(sections) == 2
    assert "\n".join(unquote(s) for s in sections) == quote


def test_very_long_quote_is_shortened_at_a_word_with_a_note() -> None:
    quote = (SENTENCE * 150).strip()  # about 13,500 characters
    blocks = answer_blocks(found(cite(quote)), answer_id="x")
    assert_valid(blocks)
    sections = quote_sections(blocks)
    assert len(sections) == 2
    shown = " ".join(unquote(s) for s in sections)
    assert shown.endswith(" \u2026")
    head = shown.removesuffix(" \u2026")
    assert quote.startswith(head) and quote[len(head)] == " "  # cut between words
    note = blocks[blocks.index(next(b for b in blocks if b.get("text", {}).get("text") == sections[-1])) + 1]
    assert note["type"] == "context"
    assert "full clause is in Master Services Agreement (msa.pdf), §4.2, p. 7" in texts([note])[0]


def test_one_enormous_word_and_escaping_heavy_text_stay_within_limits() -> None:
    for quote in ("x" * 7000, "&" * 2500, "<" * 700 + " " + "&" * 2000):
        blocks = answer_blocks(found(cite(quote)), answer_id="x")
        assert_valid(blocks)
        assert quote_sections(blocks)


def test_sixty_long_citations_stay_within_fifty_blocks() -> None:
    long = (SENTENCE * 60).strip()
    citations = [cite(long, "answer", "1"), cite(long, "amendment", "A1"), cite(long, "definition", "1.1")]
    citations += [cite(long, "related", str(i)) for i in range(57)]
    answer = Answer("q", "Here is what it says:", True, citations, [cite(long, "nearest", "N")])
    blocks = answer_blocks(answer, answer_id="x", shareable=True)
    assert_valid(blocks)
    labels = [texts([b])[0] for b in blocks if b["type"] == "context" and "§" in texts([b])[0]]
    assert labels[0] == "*Master Services Agreement (msa.pdf), §1, p. 7*"
    assert labels[1].startswith("Amended by")
    assert not any(b["type"] == "header" for b in blocks)  # the nearest clause went first
    note = [t for t in texts(blocks) if "left out" in t]
    assert len(note) == 1
    shown = sum(t.startswith(("*", "Amended", "Definition", "Related")) for t in labels)
    left_out = int(note[0].split()[0])
    assert shown + left_out == 61
    assert "1 nearest" in note[0] and "related" in note[0]
    assert buttons(blocks)["share_answer"] == "x"


def test_sixty_short_citations_drop_the_least_important_first() -> None:
    citations = [cite("Answer.", "answer", "1"), cite("Definition.", "definition", "1.1")]
    citations += [cite(f"Related {i}.", "related", str(i)) for i in range(58)]
    nearest = [cite(f"Nearest {i}.", "nearest", f"N{i}") for i in range(5)]
    blocks = answer_blocks(Answer("q", "Lead:", True, citations, nearest), answer_id="x")
    assert_valid(blocks)
    assert 48 <= len(blocks) <= 50  # packed: two blocks a citation
    quotes = [unquote(s) for s in quote_sections(blocks)]
    assert quotes[:3] == ["Answer.", "Definition.", "Related 0."]
    assert not any(q.startswith("Nearest") for q in quotes)
    related_shown = sum(q.startswith("Related") for q in quotes)
    note = next(t for t in texts(blocks) if "left out" in t)
    assert note.startswith(f"{58 - related_shown + 5} more clauses left out")
    assert f"{58 - related_shown} related, 5 nearest" in note


def test_not_found_with_many_nearest_keeps_the_owner_button() -> None:
    nearest = [cite((SENTENCE * 40).strip(), "nearest", str(i)) for i in range(30)]
    blocks = answer_blocks(not_found(*nearest), answer_id="ans-3")
    assert_valid(blocks)
    assert buttons(blocks) == {"ask_owner": "ans-3"}
    assert blocks[1]["type"] == "header"
    assert any("more clauses left out" in t for t in texts(blocks))


def test_an_empty_question_gets_no_owner_button_and_a_blank_lead_in_still_renders() -> None:
    blocks = answer_blocks(Answer("  ", "Ask me a question about the contracts.", False), answer_id="x")
    assert_valid(blocks)
    assert buttons(blocks) == {}
    assert_valid(answer_blocks(Answer("q", "  ", True, [cite("A.")]), answer_id="x"))


def test_answer_id_must_fit_a_button_value() -> None:
    with pytest.raises(ValueError):
        answer_blocks(found(cite("A.")), answer_id="")
    fits = BUTTON_VALUE_CHARS - SEAL_CHARS  # the seal takes its share of Slack's 2000 characters
    with pytest.raises(ValueError):
        answer_blocks(found(cite("A.")), answer_id="x" * (fits + 1))
    blocks = answer_blocks(found(cite("A.")), answer_id="y" * fits)
    assert_valid(blocks)  # sealed, the value still fits a button
    assert buttons(blocks)["feedback_up"] == "y" * fits


def test_fallback_text_is_short_and_plain() -> None:
    answer = found(cite("The Supplier shall pay\nwithin 30 days."), cite("Other.", "related"))
    text = answer_text(answer)
    assert text == (
        "Here is what section 4.2 says:\n"
        "Master Services Agreement (msa.pdf), §4.2, p. 7: \u201cThe Supplier shall pay within 30 days.\u201d"
    )

    huge = found(cite(SENTENCE * 500, title="T" * 5000), text="Lead " * 5000)
    text = answer_text(huge)
    assert len(text) <= 4000 and len(text) < 2500
    assert text.startswith("Lead Lead") and "\u201cThe Supplier shall" in text

    assert answer_text(not_found(cite("Near.", "nearest"))).startswith("The indexed contracts for acme")
    assert len(answer_text(found(cite("&" * 5000), text="<" * 5000))) <= 4000


def test_simple_messages_are_valid() -> None:
    for blocks in (
        thinking_blocks(),
        unbound_channel_blocks(channel_is_dm=True),
        unbound_channel_blocks(channel_is_dm=False),
        help_blocks(),
        bound_blocks(engagement="acme-customer-care", side="vendor"),
        refusal_blocks("Only an engagement admin can bind this channel."),
        error_blocks("The contract index is not reachable."),
        indexing_blocks(name="contract.pdf", status="indexing"),
    ):
        assert_valid(blocks)
    assert "Looking through the contracts\u2026" in texts(thinking_blocks())[0]


def test_unbound_channel_explains_binding_and_sides() -> None:
    channel = "\n".join(texts(unbound_channel_blocks(channel_is_dm=False)))
    assert "/liaison bind ENGAGEMENT client|vendor|shared" in channel
    assert "workspace admin" in channel and "engagement admin" in channel
    assert all(f"`{side}`" in channel for side in ("client", "vendor", "shared"))
    assert "This channel" in channel
    dm = "\n".join(texts(unbound_channel_blocks(channel_is_dm=True)))
    assert "This conversation" in dm and "/liaison bind" in dm


def test_help_lists_the_subcommands() -> None:
    from bot.slack.app import VERBS

    text = "\n".join(texts(help_blocks()))
    assert all(f"`/liaison {sub}" in text for sub in VERBS), [v for v in VERBS if f"`/liaison {v}" not in text]
    assert "@mention" in text and "direct message" in text


def test_bound_confirmation_escapes_and_checks_the_side() -> None:
    text = "\n".join(texts(bound_blocks(engagement="acme <!channel>", side="client")))
    assert "*acme &lt;!channel&gt;*" in text and "`client`" in text and "client-only" in text
    with pytest.raises(ValueError):
        bound_blocks(engagement="acme", side="everyone")


def test_refusal_and_error_escape_their_text() -> None:
    assert refusal_blocks("no <!here>")[0]["text"]["text"].endswith("no &lt;!here&gt;")
    error = error_blocks("boom & <@U1>" + " detail" * 500)
    assert_valid(error)
    assert error[0]["text"]["text"].startswith(":warning: Sorry, something went wrong: boom &amp; &lt;@U1&gt;")
    assert len(error[0]["text"]["text"]) < 600
    assert error_blocks("Sorry, please try again.")[0]["text"]["text"] == ":warning: Sorry, please try again."


def test_shared_answer_says_who_shared_it_and_keeps_within_limits() -> None:
    long = (SENTENCE * 60).strip()
    answer = Answer("Who pays <!channel>?", "Lead:", True, [cite(long, "related", str(i)) for i in range(60)])
    blocks = shared_answer_blocks(answer, answer_id="ans-9", user="U42")
    assert_valid(blocks)
    assert texts([blocks[0]]) == ["<@U42> shared an answer to: Who pays &lt;!channel&gt;?"]
    assert buttons(blocks) == {"feedback_up": "ans-9", "feedback_down": "ans-9"}
    assert texts([shared_answer_blocks(answer, answer_id="x", user="<!here>")[0]])[0].startswith("Someone shared")


def test_indexing_messages() -> None:
    assert "Indexing contract.pdf\u2026" in texts(indexing_blocks(name="contract.pdf", status="indexing"))[0]
    assert texts(indexing_blocks(name="contract.pdf", status="indexed", detail="42 clauses"))[0].endswith(
        "Indexed contract.pdf: 42 clauses"
    )
    failed = indexing_blocks(name="a<b>.pdf", status="failed", detail="not a PDF & empty")
    assert_valid(failed)
    assert texts(failed)[0].endswith("Could not index a&lt;b&gt;.pdf: not a PDF &amp; empty")
    assert "unchanged" in texts(indexing_blocks(name="c.pdf", status="unchanged"))[0]
    with pytest.raises(ValueError):
        indexing_blocks(name="c.pdf", status="weird")


def test_owner_ping_mentions_only_the_owners() -> None:
    text = owner_ping_text(owners=["U1", "W2"], question="Who pays <!channel> & <@U9>?")
    assert text == (
        "<@U1> <@W2> \u2014 Liaison could not find this in the contracts: Who pays &lt;!channel&gt; &amp; &lt;@U9&gt;?"
    )
    bad = owner_ping_text(owners=["U1>|<!channel", "<!here>"], question="q")
    assert bad == "Liaison could not find this in the contracts: q"
    assert len(owner_ping_text(owners=["U1"], question="x " * 10000)) <= 4000


# -- the direct answer line ------------------------------------------------------------------------
def with_direct(quote: str, value: str, *, header: str | None = None, citations: int = 1) -> Answer:
    """An answer whose lead quote is `quote`, with its direct line the whole quote and `value` emphasised."""
    start = quote.index(value)
    direct = Direct(
        text=quote,
        document="msa.pdf",
        start=0,
        end=len(quote),
        value_start=start,
        value_end=start + len(value),
        kind="duration",
        title="Master Services Agreement",
        section="4.2",
        page=7,
        header=header,
        header_start=0 if header else None,
    )
    answer = found(*[cite(quote) for _ in range(citations)])
    return replace(answer, direct=direct)


def test_the_direct_line_comes_first_with_its_value_in_bold() -> None:
    answer = with_direct("Vendor shall restore service within 4 hours of a Severity 1 Incident.", "within 4 hours")
    blocks = answer_blocks(answer, answer_id="q1")
    assert_valid(blocks)
    first = blocks[0]["text"]["text"]
    assert first.startswith("\u201cVendor shall restore service *within 4 hours* of a Severity 1 Incident.\u201d")
    assert "Master Services Agreement (msa.pdf), §4.2, p. 7" in first
    assert blocks[1]["text"]["text"] == "Here is what section 4.2 says:"
    fallback = answer_text(answer)
    assert fallback.splitlines()[0].startswith("\u201cVendor shall restore service *within 4 hours*")


def test_without_a_direct_line_the_layout_is_unchanged() -> None:
    answer = found(cite("Vendor shall restore service within 4 hours."))
    assert answer_blocks(answer, answer_id="q1")[0]["text"]["text"] == "Here is what section 4.2 says:"
    assert answer_text(answer).startswith("Here is what")


def test_a_direct_line_is_escaped_and_cannot_mention_or_link() -> None:
    blocks = answer_blocks(with_direct(EVIL, "within 30 days"), answer_id="q1")
    assert_valid(blocks)
    first = blocks[0]["text"]["text"]
    assert "<!channel>" not in first and "<http" not in first and "&lt;!channel&gt;" in first
    assert "*within 30 days*" in first and "A&amp;B" in first


def test_a_table_row_shows_its_header_row_beside_it() -> None:
    row = "| Severity 1 | 15 minutes | Restoration within 2 hours |"
    blocks = answer_blocks(
        with_direct(row, "within 2 hours", header="| Severity | Response | Restoration |"), answer_id="q1"
    )
    assert_valid(blocks)
    assert "| Severity 1 | 15 minutes | Restoration *within 2 hours* |" in blocks[0]["text"]["text"]
    assert blocks[1]["type"] == "context"
    assert "| Severity | Response | Restoration |" in blocks[1]["elements"][0]["text"]


def test_a_long_direct_line_is_shown_around_its_value_within_limits() -> None:
    line = SENTENCE * 40 + "Vendor shall pay within 30 days. " + SENTENCE * 40
    answer = with_direct(line.strip(), "within 30 days", citations=60)
    blocks = answer_blocks(answer, answer_id="q1")
    assert_valid(blocks)
    first = blocks[0]["text"]["text"]
    assert "*within 30 days*" in first and first.count("\u2026") == 2 and len(first) < 1500
    assert len(answer_text(answer)) <= 4000
