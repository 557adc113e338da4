"""The Block Kit renderers in the reader's language: under `speaking("it")` every text of `bot/slack/blocks/` comes
out in Italian (no English sentence of the catalogue left in the payloads, Slack's limits kept, identifiers
untouched), and by default the English is what it always was."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.deadlines.reminders import DeadlineReminder
from bot.digest.model import Digest, Section, Window
from bot.home import Deadline, EngagementHome, Home, HomeIssue, HomeMediation, Standing
from bot.i18n import speaking
from bot.mediation.summaries import ContractPoint, Difference, Evidence, Summary
from bot.records.cases import ClauseRef
from bot.sla.closing import STATEMENT, CloseNotice
from bot.sla.home import Latest
from bot.slack.blocks import answers as ab
from bot.slack.blocks import deadlines as db
from bot.slack.blocks import digest as dg
from bot.slack.blocks import home as hb
from bot.slack.blocks import issue_modal as im
from bot.slack.blocks import issues as ib
from bot.slack.blocks import kit
from bot.slack.blocks import mediation as mb
from bot.slack.blocks import mediation_modals as mm
from bot.slack.blocks import sla as sb
from bot.slack.blocks import sla_fees as fb
from bot.slack.blocks import summary as smb
from knowledge.answers import Answer, Citation
from knowledge.direct import Direct

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "bot" / "i18n" / "locale" / "it" / "LC_MESSAGES" / "blocks.po"
TODAY = date(2026, 12, 1)
QUOTE = "The Supplier shall meet the Service Levels set out in Schedule B for every calendar month."


# -- inputs --------------------------------------------------------------------------------------
def _cite(role: str = "answer", n: int = 0) -> Citation:
    return Citation("msa.md", "Master Services Agreement", f"4.{n}", 2, QUOTE, 0, len(QUOTE), role)


def _answer(found: bool = True, many: bool = False) -> Answer:
    if not found:
        return Answer("Who pays for parking?", "Not covered.", False, [], [_cite("answer")])
    cites = [_cite("answer"), _cite("amendment", 1), _cite("definition", 2), _cite("related", 3)]
    if many:
        cites += [_cite(role, i) for i, role in enumerate(["related", "definition"] * 30)]
    line = "Service credits are capped at 12% of the monthly fees."
    start = line.index("12%")
    direct = Direct(line, "msa.md", 0, len(line), start, start + 3, "percent", "MSA", "7.1", 3, "Cap | Value", 0)
    return Answer("What is the cap?", "Here is what section 7.1 says:", True, cites, [], "llm", direct=direct)


def _deadline(n: int, status: str = "approved", dated: bool = True) -> dict[str, Any]:
    return {
        "id": n,
        "kind": "notice-of-non-renewal",
        "date": "2027-01-31" if dated else None,
        "rule": "at least ninety (90) days before the end of the term",
        "status": status,
        "document": "msa.md",
        "section": "5.2",
        "quote": QUOTE,
        "anchor": "term-end",
        "anchor_missing": not dated,
        "lead_date": "2026-12-01",
    }


def _case(status: str = "open", **more: Any) -> dict[str, Any]:
    case = {
        "id": 7,
        "title": "March service credits",
        "status": status,
        "engagement": "acme",
        "deadline": "2026-12-15",
        "opened_by": "U1",
        "parties": {"mediators": ["U9"], "client_owners": ["U1"], "vendor_owners": []},
        "issues": [{"id": 12, "title": "Credits unpaid", "severity": 2, "status": "in-progress"}],
        "clause_refs": [{"document": "msa.md", "title": "MSA", "section": "7.1", "quote": QUOTE}],
        "positions": {"client": {"author": "U1", "text": "We are owed 12%.", "evidence": "Report", "at": None}},
        "evidence_count": 1,
        "outcome_text": "Pay 10% by January.",
        "client_agreed_by": "U1",
        "vendor_agreed_by": None,
        "escalated_to": "Steering committee",
    }
    return {**case, **more}


def _level(status: str = "draft") -> dict[str, Any]:
    return {
        "id": 3,
        "family": 3,
        "metric": "call answer rate",
        "scope": None,
        "status": status,
        "kind": "credit",
        "owner": "U1",
        "target": Decimal("90"),
        "comparison": ">=",
        "unit": "%",
        "document": "sla.md",
        "section": "4.1",
        "quote": QUOTE,
        "credit": {"model": "tiers"},
    }


def _latest(status: str = "disputed") -> Latest:
    return Latest(
        3,
        3,
        "call answer rate",
        ">=",
        Decimal("90"),
        "%",
        "U1",
        "sla.md",
        "4.1",
        "2026-10",
        Decimal("76.4"),
        False,
        status,
    )


def _home() -> Home:
    issue = HomeIssue(12, "Credits unpaid", 2, "in-progress", date(2026, 11, 28), -3, None)
    mediation = HomeMediation(
        7, "March credits", "proposal", "C1", "1700000000.000100", date(2026, 12, 15), 14, 3,
        ("opened it", "mediator", "client position", "agreed for the client"), ("client", "vendor"), ("client",), True,
    )  # fmt: skip
    deadlines = (
        Deadline(date(2026, 11, 30), -1, "deadline", 4, "Notice"),
        Deadline(date(2026, 12, 2), 1, "issue", 12, "x"),
    )
    engagement = EngagementHome(
        Standing("acme", ("client-owner",), "client", None), (issue,) * 12, (mediation,) * 9, deadlines, 4,
        (_latest(), _latest("reported")),
    )  # fmt: skip
    return Home("U1", TODAY, (engagement,))


def _summary() -> Summary:
    clause: ClauseRef = {
        "document": "msa.md",
        "title": "MSA",
        "section": "7.1",
        "page": 2,
        "quote": QUOTE,
        "start": 0,
        "end": 1,
    }
    return Summary(
        title="March credits",
        agreed=["Credits are due."],
        differences=[Difference("the amount", "12%", "")] * 11,
        contract=[ContractPoint("the amount", [clause] * 30)],
        evidence=[Evidence("Report", "U1", side="client"), Evidence("Chart", "U2")],
        missing=[],
    )


def _views_and_blocks() -> Iterator[tuple[str, object]]:
    """Every surface of `bot/slack/blocks/` worth a translator's eye, named."""
    yield "answer", ab.answer_blocks(_answer(many=True), answer_id="a1", shareable=True)
    yield "answer-text", ab.answer_text(_answer())
    yield "not-found", ab.answer_blocks(_answer(found=False), answer_id="a1")
    yield "not-found-text", ab.answer_text(_answer(found=False))
    yield "shared", ab.shared_answer_blocks(_answer(), answer_id="a1", user="U1")
    yield "shared-anonymous", ab.shared_answer_blocks(_answer(), answer_id="a1", user="someone")
    yield "thinking", ab.thinking_blocks()
    yield "unbound-dm", ab.unbound_channel_blocks(channel_is_dm=True)
    yield "unbound", ab.unbound_channel_blocks(channel_is_dm=False)
    yield "help", ab.help_blocks()
    yield "unbind", ab.unbound_blocks(engagement="acme", side="client")
    yield "bind", ab.bound_blocks(engagement="acme", side="vendor")
    yield "error", ab.error_blocks("the store is down")
    for status in ("indexing", "indexed", "unchanged", "failed"):
        yield f"indexing-{status}", ab.indexing_blocks(name="msa.pdf", status=status, detail="12 clauses")
        yield f"indexing-{status}-bare", ab.indexing_blocks(name="msa.pdf", status=status)
    yield "owner-ping", ab.owner_ping_text(owners=["U1"], question="Who pays?")
    feedback: kit.Block = {"type": "actions", "elements": [kit.button("x", "feedback_up", "a1")]}
    yield "thanked", kit.thanked_view({"type": "modal", "blocks": [feedback]})

    lead = DeadlineReminder(
        "acme", "C1", "client", _deadline(1), ("deadline:1:lead-60:x", "deadline:1:snooze-1:x"), date(2026, 12, 1), 60
    )
    yield "reminder", db.reminder_blocks(lead)
    late = DeadlineReminder(
        "acme",
        "C1",
        "client",
        {**_deadline(1), "lead_date": "2026-11-01"},
        ("deadline:1:lead-1:x",),
        date(2026, 12, 1),
        1,
    )
    yield "reminder-late", db.reminder_blocks(late)
    early = DeadlineReminder(
        "acme",
        "C1",
        "client",
        {**_deadline(1), "lead_date": "2026-12-20"},
        ("deadline:1:lead-30:x",),
        date(2026, 12, 1),
        30,
    )
    yield "reminder-early", db.reminder_blocks(early)
    passed = {**_deadline(1), "date": "2026-11-28"}
    yield (
        "reminder-passed",
        db.reminder_blocks(DeadlineReminder("acme", "C1", "client", passed, ("deadline:1:0:x",), TODAY, None)),
    )
    yield "done-recurring", db.done_blocks(_deadline(1), "U1")
    yield "done-recurring-undated", db.done_blocks(_deadline(1, dated=False), "U1")
    yield "done", db.done_blocks(_deadline(1, "done"), "U1")
    yield "snoozed", db.snoozed_text(1, date(2026, 12, 8), "U1")
    rows = [_deadline(i, "draft" if i % 2 else "approved") for i in range(12)]
    rows += [_deadline(20, dated=False), {**_deadline(21, dated=False), "anchor": None}]
    yield "listing", db.listing_blocks(rows, engagement="acme", side="client", today=TODAY, reviewer=True)
    yield "listing-text", db.listing_text(rows, "acme")
    yield "listing-empty", db.listing_blocks([], engagement="acme", side="client", today=TODAY, reviewer=True)
    yield "reviewed", db.reviewed_text(1, "waived")
    yield "days", [db.days_text(d) for d in (-3, -1, 0, 1, 30)]

    window = Window(
        "acme",
        "client",
        date(2026, 11, 30),
        datetime(2026, 11, 23, 8, tzinfo=UTC),
        datetime(2026, 11, 30, 8, tzinfo=UTC),
        "UTC",
    )
    crowded = Section("issues", "Issues", items=tuple("x" * 240 for _unused in range(20)))
    yield "digest", dg.digest_blocks(Digest("acme", "client", window, (crowded,) * 30))
    for side in ("client", "vendor", "shared", None):
        yield f"add-document-{side}", dg.add_document_blocks(engagement="acme", side=side)

    yield "home", hb.home_view(_home(), workspace_url="https://acme.slack.com")
    yield "home-empty", hb.home_view(Home("U1", TODAY, ()))
    yield "ask", hb.ask_modal(engagement="acme", side="client")
    yield "asking", hb.asking_modal(question="Who pays?")
    yield (
        "answer-modal",
        hb.answer_modal(
            engagement="acme", side="client", answer=_answer(found=False), answer_id="a1", round_=0, channel=None
        ),
    )
    yield (
        "answer-modal-channel",
        hb.answer_modal(
            engagement="acme", side="shared", answer=_answer(found=False), answer_id="a1", round_=0, channel="C1"
        ),
    )
    yield "thread", [hb.thread_link(channel="C1", thread_ts=None, workspace_url=None)]

    yield "issue-modal", im.issue_modal(channel="C1", engagement="acme", side="client", permalink="https://x/p1")
    yield "issue-errors", im.read_issue_form({"due": {"due": {"selected_date": "soon"}}})[1]
    issue = {
        "id": 12, "title": "Credits unpaid", "severity": 2, "category": "billing", "office": "back", "side": "client",
        "owner": "U2", "due": "2026-12-15", "status": "open", "description": "Twice.", "permalink": "https://x/p1",
        "risk": "high", "value": "low", "clause_refs": [{"document": "msa.md", "start": 0, "end": 5, "quote": QUOTE}],
        "created_by": None,
    }  # fmt: skip
    suggestion = {"document": "sla.md", "start": 0, "end": 5, "quote": QUOTE, "title": "SLA"}
    history = [{"text": "created", "actor": "U1", "at": "2026-12-01T10:00:00"}]
    yield "issue-card", ib.issue_card_blocks(issue, user="U1", suggestions=[suggestion], history=history)
    yield "issue-list", ib.issue_list_blocks([issue, {**issue, "owner": None}] * 11, engagement="acme")
    yield "issue-list-empty", ib.issue_list_blocks([], engagement="acme")
    yield "issue-list-text", [ib.issue_list_text([issue], engagement="acme"), ib.issue_list_text([], engagement="acme")]

    for status in ("open", "agreed", "escalated", "withdrawn", "closed"):
        yield f"mediation-{status}", mb.header_blocks(_case(status), side="client", today=TODAY)
    yield "mediation-late", mb.header_blocks(_case(deadline="2026-11-20", positions={}), side="vendor", today=TODAY)
    yield "mediation-text", mb.header_text(_case())
    for kinds, deadline in (
        (["idle"], "2026-12-15"),
        (["idle", "overdue"], "2026-11-20"),
        (["overdue"], "2026-11-20"),
        (["idle", "due-soon"], "2026-12-01"),
        (["due-soon"], "2026-12-01"),
        (["idle", "due-soon"], "2026-12-03"),
        (["due-soon"], "2026-12-03"),
    ):
        yield (
            f"mediation-reminder-{kinds}-{deadline}",
            mb.reminder_text(_case(deadline=deadline), kinds=kinds, today=TODAY, idle_hours=48),
        )
    yield (
        "mediate-usage",
        [mb.read_mediate_text(t, today=TODAY, default_days=14)[1] for t in ("", "x by 2026-13-40", "x by 2020-01-01")],
    )
    for side in ("client", "vendor"):
        yield f"position-{side}", mm.position_modal(_case(), side=side, channel="C1")
    yield "proposal", mm.proposal_modal(_case(), channel="C1")
    yield "escalate", mm.escalate_modal(_case(), channel="C1")
    yield "withdraw", mm.withdraw_modal(_case(), channel="C1")
    yield (
        "modal-errors",
        [
            mm.read_position_form({})[1],
            mm.read_proposal_form({})[1],
            mm.read_escalate_form({})[1],
            mm.read_withdraw_form({})[1],
        ],
    )

    yield "sla-help", sb.help_blocks()
    levels = [_level("draft"), _level("approved"), {**_level("rejected"), "kind": "report", "target": None}] * 10
    yield "sla-register", sb.register_blocks(levels, {3: _latest()}, engagement="acme", side="client", reviewer=True)
    yield "sla-register-empty", sb.register_blocks([], {}, engagement="acme", side="client", reviewer=False)
    yield "sla-register-text", sb.register_text(levels, "acme")
    done = {"name": "call answer rate", "period": "2026-10", "value": Decimal("76.4"), "unit": "%", "comparison": ">=",
            "target": Decimal("90"), "document": "sla.md", "section": "4.1", "replaced": Decimal("80"),
            "breach_issue": 5, "breach_new": True, "met": False}  # fmt: skip
    yield (
        "sla-reported",
        [
            sb.reported_text(done),
            sb.reported_text({**done, "met": True, "breach_new": False}),
            sb.reported_text({**done, "met": None}),
        ],
    )
    yield (
        "sla-status",
        [
            sb.status_text({"period": "2026-10", "status": "disputed", "reason": "wrong"}, "x"),
            sb.status_text({"period": "2026-10", "status": "agreed"}, "x"),
        ],
    )
    out = {"period": "2026-10", "currency": "USD", "fees": 200000, "fees_from": "2026-01", "lines": [{"working": "a"}],
           "total_working": "b", "left_out": ["c"], "chronic": ["d"], "earn_backs": [{"working": "e"}],
           "claim_deadline": "2026-12-31", "claimed": True, "total_amount": "1000", "total_pct": "0.5"}  # fmt: skip
    yield (
        "sla-credits",
        sb.credits_blocks(out, claim_clauses=["§9"], claimable=True, claimed_by="U1", mediations=[(7, "x")]),
    )
    bare = {**out, "fees_from": None, "lines": [], "claim_deadline": None, "claimed": False}
    yield "sla-credits-bare", sb.credits_blocks(bare, claim_clauses=[], claimable=True)
    yield "sla-credits-claimed", sb.credits_blocks({**out, "claim_deadline": None}, claim_clauses=[], claimable=False)
    yield "sla-credits-text", sb.credits_text(out)
    yield "sla-edit", sb.edit_modal(_level(), channel="C1")
    yield "sla-report", sb.report_modal([_level()], channel="C1")
    yield "sla-report-errors", sb.read_report({})[1]
    yield "sla-at-risk", sb.at_risk_section([_latest()] * 21)
    yield "sla-latest", [sb.latest_text(None), sb.latest_text(_latest("agreed"))]

    row = {"from": "2026-01", "amount": "200000", "currency": "USD", "set_by": "U1"}
    yield "fees", fb.history_blocks({"engagement": "acme", "fees": [row]})
    yield "fees-none", fb.history_blocks({"engagement": "acme", "fees": []})
    yield "fees-set", fb.set_text({"engagement": "acme", "set": row})
    statement = {"currency": "USD", "total_amount": "1000", "total_pct": "0.5", "fees": "200000", "cap_pct": "12",
                 "capped": False, "claim_deadline": "2026-12-31", "fees_from": "2026-01", "total_working": "w",
                 "lines": [{"met": False, "actual": "1"}, {"met": True, "actual": "2"}]}  # fmt: skip
    yield "close", fb.close_blocks(CloseNotice("acme", "2026-10", STATEMENT, "C1", "client", statement))
    capped = {**statement, "capped": True, "claim_deadline": None, "fees_from": None}
    yield "close-capped", fb.close_blocks(CloseNotice("acme", "2026-10", STATEMENT, "C1", "client", capped))
    uncapped = {**statement, "cap_pct": None, "lines": [{"met": False, "actual": "1"}]}
    yield "close-uncapped", fb.close_blocks(CloseNotice("acme", "2026-10", STATEMENT, "C1", "client", uncapped))
    yield (
        "close-no-fees",
        fb.close_blocks(CloseNotice("acme", "2026-10", "no-fees", "C1", "client", {"how": "Set them"})),
    )

    yield "summary", smb.summary_blocks(_summary())
    yield "summary-text", smb.summary_text(_summary())
    yield "summary-empty", smb.summary_blocks(Summary(title="x", missing=["The vendor has not stated a position yet."]))


def _raised() -> Iterator[tuple[str, Callable[[], object]]]:
    yield "fees-number", lambda: sb.fees_of("lots")
    yield "fees-negative", lambda: sb.fees_of("-5")
    yield "fees-usage", lambda: fb.read_fees("")


def _texts(payload: object) -> list[str]:
    """Every string a person may read in a payload (texts, labels, placeholders, errors; not ids or values)."""
    if isinstance(payload, str):
        return [payload]
    if isinstance(payload, list):
        return [t for item in payload for t in _texts(item)]
    if isinstance(payload, dict):
        out: list[str] = []
        for key, value in payload.items():
            if key in ("value", "action_id", "block_id", "callback_id", "private_metadata", "url", "type"):
                continue
            out += _texts(value)
        return out
    return []


def _rendered() -> dict[str, list[str]]:
    shown = {name: _texts(payload) for name, payload in _views_and_blocks()}
    for name, raise_it in _raised():
        with pytest.raises(ValueError) as raised:
            raise_it()
        shown[name] = [str(raised.value)]
    return shown


def _catalogue() -> dict[str, str]:
    """Each English msgid of blocks.po (singular and plural) -> its Italian (the forms joined)."""
    with CATALOGUE.open("rb") as f:
        messages = list(read_po(f, locale="it"))
    out: dict[str, str] = {}
    for m in messages:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        forms = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        for msgid in ids:
            out[str(msgid)] = "\n".join(str(s) for s in forms)
    return out


def _english_pieces(msgid: str, italian: str) -> list[str]:
    """The literal runs of a message (between its fields) long enough to be a sentence, that Italian does not keep."""
    runs = [lit for lit, _name, _spec, _conv in string.Formatter().parse(msgid)]
    pieces = [p for run in runs for p in re.split(r"[`*_\n\u2022]", run)]
    return [p.strip() for p in pieces if len(p.strip()) >= 14 and " " in p.strip() and p.strip() not in italian]


# -- the tests -------------------------------------------------------------------------------------
def test_every_surface_speaks_italian_and_no_english_sentence_is_left() -> None:
    with speaking("it"):
        shown = _rendered()
    catalogue = _catalogue()
    pieces = {p: msgid for msgid, italian in catalogue.items() for p in _english_pieces(msgid, italian)}
    left = {(name, piece) for name, texts in shown.items() for text in texts for piece in pieces if piece in text}
    assert not left, sorted(left)[:20]
    joined = json.dumps(shown, ensure_ascii=False)
    for italian in (
        "Sto consultando i contratti",  # thinking
        "Chiedi al responsabile del contratto",  # not found
        "Altre 42 clausole omesse",  # the answer's note on what was left out
        "Questo canale non è ancora collegato a un incarico",
        "scade *tra 61 giorni*, il 2027-01-31",  # a deadline reminder
        "Il vostro preavviso interno è di 60 giorni prima della data: decidete oggi.",
        "Posticipa di 7 giorni",
        "la scadenza era *3 giorni fa*, il 2026-11-28",
        "I tuoi incarichi",
        "Segnalazioni aperte assegnate a te (12)",
        "Fai una domanda",
        "Registra segnalazione",
        "Scegli una categoria",
        "Fatturazione",
        "Segnalazione #12 registrata",
        "sollevata dal cliente",
        "Rischio alto, valore basso",
        "*Stato:* Aperta",
        "Aperta \u2014 in discussione",
        "Per la mediazione #7 *March service credits* non c'è attività da 48 ore.",
        "Posizione del fornitore",
        "Livelli di servizio di acme",
        "Registrata la misurazione di call answer rate",
        "Crediti di servizio per 2026-10",
        "i corrispettivi sono un numero come 200000",
        "Riepilogo neutrale: March credits",
        "dal punto di vista dei canali del cliente",  # the digest
        "Altre 7 sezioni omesse",
        "(nessun obiettivo)",
    ):
        assert italian in joined, italian


def test_italian_keeps_slacks_limits_and_the_identifiers() -> None:
    with speaking("it"):
        italian = dict(_views_and_blocks())
    english = dict(_views_and_blocks())
    for name, payload in italian.items():
        for view_text in ("title", "submit", "close"):
            if isinstance(payload, dict) and payload.get("type") in ("modal", "home") and view_text in payload:
                text = payload[view_text]["text"]
                assert len(text) <= 24 and not text.endswith("\u2026"), (name, text)  # fits, never clipped
        for element in _elements(payload):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75 and not element["text"]["text"].endswith("\u2026")
            for option in element.get("options", []) + [
                o for g in element.get("option_groups", []) for o in g["options"]
            ]:
                assert len(option["text"]["text"]) <= 75 and not option["text"]["text"].endswith("\u2026")
            if "placeholder" in element:
                assert len(element["placeholder"]["text"]) <= 150
        assert _ids(payload) == _ids(english[name]), name  # action ids, block ids, callback ids never translated


def _elements(payload: object) -> Iterator[dict[str, Any]]:
    if isinstance(payload, list):
        for item in payload:
            yield from _elements(item)
    elif isinstance(payload, dict):
        if "action_id" in payload or payload.get("type") == "button":
            yield payload
        for value in payload.values():
            yield from _elements(value)


def _ids(payload: object) -> list[str]:
    if isinstance(payload, list):
        return [i for item in payload for i in _ids(item)]
    if isinstance(payload, dict):
        out = [str(payload[k]) for k in ("action_id", "block_id", "callback_id") if k in payload]
        return out + [i for value in payload.values() for i in _ids(value)]
    return []


def test_english_is_unchanged_by_default() -> None:
    shown = json.dumps(_rendered(), ensure_ascii=False)
    for english in (
        "Looking through the contracts\u2026",
        "Ask the contract owner",
        "42 more clauses left out to keep this message short (11 definitions, 31 related)",
        "This channel is not bound to an engagement yet, so I don't know which contracts I may quote here.",
        "is due *in 61 days*, on 2027-01-31",
        "Your own lead time is 60 days before the date: decide today.",
        "Snooze 7 days",
        "was due *3 days ago*, on 2026-11-28",
        "Your engagements",
        "*Open issues assigned to you (12)*, most severe first:",
        "Issue #12 logged: Credits unpaid \u2014 severity 2, billing (back office), raised by client",
        "Risk high, value low. See all: `/liaison issues`",
        "*Status:* Open",
        "Open \u2014 being argued",
        "Recorded call answer rate for 2026-10: 76.4%, *missed* against &gt;= 90% (sla.md §4.1).",
        "Service credits for 2026-10",
        "Neutral summary: March credits",
        "`approved`",
        "in-progress",
        "as seen from the client's channels",
        "_7 more sections left out: see `liaison digest`._",
        "&gt;= (no target)",
    ):
        assert english in shown, english
    assert "Aperta" not in shown and "incarico" not in shown


def test_a_status_label_drops_its_context_in_every_language() -> None:
    assert ib.status_label("in-progress") == "In progress"
    with speaking("it"):
        assert ib.status_label("in-progress") == "In corso"
    with speaking("xx"):  # no catalogue: the English label, without its context
        assert ib.status_label("resolved") == "Resolved"
