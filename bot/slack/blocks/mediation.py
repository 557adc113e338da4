"""Block Kit for mediations: reading `/liaison mediate`, the thread's header and its reminders.

Pure functions, like `bot.slack.blocks.answers`: nothing here talks to Slack or the database. A mediation arrives as
a plain dict (`bot.records.case_schemas.mediation_as_dict` plus "positions", "evidence_count", "issues" and "parties",
see `header_blocks`). User and contract text going into mrkdwn is escaped and marked verbatim; plain-text fields
are clipped to Slack's limits. The modals the header's buttons open are in `bot.slack.blocks.mediation_modals`
(re-exported here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal  # a mediation is `bot.mediation`'s JSON of it: the records' shape to type

from bot.slack.blocks.kit import (
    HEADER_CHARS,
    MAX_BLOCKS,
    SECTION_CHARS,
    USER_ID,
    Block,
    Element,
    clause_ref_label,
    clip,
)
from bot.slack.blocks.kit import context as _context
from bot.slack.blocks.kit import plain as _plain
from bot.slack.blocks.kit import section as _section
from bot.slack.blocks.mediation_modals import (  # noqa: F401 -- re-exported for callers of mediation_blocks
    ESCALATE_VIEW,
    EVIDENCE,
    MODAL_TITLE_CHARS,
    POSITION,
    POSITION_VIEW,
    PROPOSAL,
    PROPOSAL_VIEW,
    REASON,
    TEXT_CHARS,
    TO_CHARS,
    TO_TEXT,
    TO_USER,
    WITHDRAW_VIEW,
    escalate_modal,
    position_modal,
    proposal_modal,
    read_escalate_form,
    read_position_form,
    read_proposal_form,
    read_withdraw_form,
    withdraw_modal,
)
from bot.slack.blocks.text_fit import escape
from bot.slack.seal import seal

VERB = "mediate"
USAGE = (
    "Usage: `/liaison mediate TITLE [#ISSUE ...] [by YYYY-MM-DD]`, "
    "e.g. `/liaison mediate March service credits #12 by 2026-12-15`."
)

# Buttons on the header (each button's value is the mediation id)
ADD_CLIENT_POSITION, ADD_VENDOR_POSITION = "mediation_position_client", "mediation_position_vendor"
SUMMARISE, PROPOSE, AGREE = "mediation_summarise", "mediation_propose", "mediation_agree"
ESCALATE, WITHDRAW, CLOSE = "mediation_escalate", "mediation_withdraw", "mediation_close"
POSITION_ACTIONS = {ADD_CLIENT_POSITION: "client", ADD_VENDOR_POSITION: "vendor"}

QUOTE_CHARS = 280  # a clause in the header: enough to recognise it
POSITION_CHARS = 700
ISSUE_LINES = 10

STATUS_LABELS = {
    "open": "Open \u2014 being argued",
    "proposal": "Proposal on the table",
    "agreed": "Agreed by both sides",
    "escalated": "Escalated",
    "withdrawn": "Withdrawn",
    "closed": "Closed",
}
SIDE_NAMES = {"client": "Client", "vendor": "Vendor"}
_ISSUE_WORD = re.compile(r"#\d{1,9}")
_DATE_WORD = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


# -- /liaison mediate TITLE [#12 ...] [by YYYY-MM-DD] ----------------------------------------------
@dataclass(frozen=True)
class MediateRequest:
    """What `/liaison mediate` asked for: a title, related issue ids and a deadline."""

    title: str
    issue_ids: tuple[int, ...]
    deadline: date


def read_mediate_text(text: str, *, today: date, default_days: int) -> tuple[MediateRequest | None, str]:
    """The request in the command's text, or None and what is wrong with it (a blank title, a bad date).

    The options come last: `TITLE [#12 #13] [by YYYY-MM-DD]`, in any order after the title. A `#4411` or a
    "by" inside the title stays part of it ("Invoice #4411 billed twice by mistake").
    """
    words = (text or "").split()
    issue_ids: list[int] = []
    raw_deadline: str | None = None
    while words:
        if _ISSUE_WORD.fullmatch(words[-1]):
            issue_ids.insert(0, int(words.pop()[1:]))
        elif len(words) >= 2 and words[-2].lower() == "by" and _DATE_WORD.fullmatch(words[-1]):
            raw_deadline = raw_deadline or words[-1]
            del words[-2:]
        else:
            break
    title = " ".join(words)
    if not title:
        return None, USAGE
    deadline = today + timedelta(days=default_days)
    if raw_deadline is not None:
        try:
            deadline = date.fromisoformat(_padded(raw_deadline))
        except ValueError:
            return None, f"`{raw_deadline}` is not a date: give the deadline as YYYY-MM-DD."
        if deadline < today:
            return None, f"The deadline {deadline.isoformat()} is already past: choose today or a later day."
    return MediateRequest(title=title, issue_ids=tuple(dict.fromkeys(issue_ids)), deadline=deadline), ""


def _padded(raw: str) -> str:
    year, month, day = raw.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


# -- small pieces ----------------------------------------------------------------------------------
def _quote(text: str | None, limit: int) -> str:
    """Text as an mrkdwn block quote (lines kept), shortened with "…" past `limit` characters."""
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        text = text[: cut if cut > limit // 2 else limit].rstrip() + " \u2026"
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.split("\n"))


def mention(user: str | None) -> str | None:
    return f"<@{user}>" if user and USER_ID.match(user) else None


def mentions(users: Sequence[str]) -> str:
    return " ".join(m for m in (mention(u) for u in users) if m)


def _who(user: str | None) -> str:
    """A user id as a mention; anything else (the CLI, free text) escaped."""
    return mention(user) or escape(user or "someone")


def _when(value: str | datetime | None) -> str:
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _button(text: str, action_id: str, value: str, style: Literal["primary", "danger"] | None = None) -> Element:
    button: Element = {"type": "button", "text": _plain(text), "action_id": action_id, "value": seal(value)}
    if style:
        button["style"] = style
    return button


HIDDEN_OWNERS = {"client": "vendor_owners", "vendor": "client_owners"}  # a side's channel never pings the other's


def parties_of(case: Mapping[str, Any], *, side: str = "shared") -> list[str]:
    """Everyone to mention about a mediation in a channel of `side`: its mediators and the owners shown there."""
    parties = case.get("parties") or {}
    out: list[str] = []
    for key in ("mediators", "client_owners", "vendor_owners"):
        if key != HIDDEN_OWNERS.get(side):
            out.extend(u for u in parties.get(key) or [] if u not in out)
    return out


# -- the header ------------------------------------------------------------------------------------
def header_text(case: Mapping[str, Any]) -> str:
    """The header's plain-text fallback (what notifications show)."""
    status = STATUS_LABELS.get(case["status"], case["status"])
    return f"Mediation #{case['id']}: {clip(case['title'], 300)} \u2014 {status}"


def _deadline_line(case: Mapping[str, Any], today: date | None) -> str:
    deadline = case.get("deadline")
    if not deadline:
        return "no deadline"
    if today is None or case["status"] not in ("open", "proposal"):
        return deadline
    days = (date.fromisoformat(deadline) - today).days
    if days < 0:
        return f"{deadline} (:warning: {-days} day{'s' if days != -1 else ''} overdue)"
    return f"{deadline} ({'today' if days == 0 else f'in {days} day' + ('s' if days != 1 else '')})"


def _parties_section(case: Mapping[str, Any], side: str) -> Block:
    parties = case.get("parties") or {}
    lines = ["*Parties*"]
    for key, label in (
        ("mediators", "Mediators"),
        ("client_owners", "Client owners"),
        ("vendor_owners", "Vendor owners"),
    ):
        if key == HIDDEN_OWNERS.get(side):
            lines.append(f"{label}: _not mentioned in the {side}'s own channel_")
        else:
            lines.append(f"{label}: {mentions(parties.get(key) or []) or '_none yet_'}")
    return _section("\n".join(lines))


def _issues_section(issues: Sequence[Mapping[str, Any]]) -> Block:
    lines = ["*Related issues*"]
    for issue in issues[:ISSUE_LINES]:
        title = clip(issue["title"], 150)
        lines.append(f"\u2022 *#{issue['id']}* {title} \u2014 severity {issue['severity']}, {issue['status']}")
    if len(issues) > ISSUE_LINES:
        lines.append(f"\u2026and {len(issues) - ISSUE_LINES} more.")
    return _section("\n".join(lines))


def _clause_blocks(refs: Sequence[Mapping[str, Any]]) -> list[Block]:
    if not refs:
        return [_context("No clause in this channel's contracts looks relevant yet.")]
    blocks = [_section("*Relevant clauses* (quoted verbatim)")]
    for ref in refs:
        blocks.append(_context(clause_ref_label(ref)))
        if (ref.get("quote") or "").strip():
            blocks.append(_section(_quote(ref["quote"], QUOTE_CHARS)))
    return blocks


def _position_section(side: str, position: Mapping[str, Any] | None) -> Block:
    name = SIDE_NAMES[side]
    if not position:
        return _section(f"*{name} position:* _not yet stated_")
    text = f"*{name} position* \u2014 stated by {_who(position.get('author'))}, {_when(position.get('at'))}\n"
    text += _quote(position.get("text"), POSITION_CHARS)
    if position.get("evidence"):
        text += f"\n_Evidence:_ {clip(position['evidence'], 500)}"
    return _section(text)


def _agreement_line(case: Mapping[str, Any]) -> str:
    parts = []
    for side in ("client", "vendor"):
        by = case.get(f"{side}_agreed_by")
        parts.append(f"{SIDE_NAMES[side]} :white_check_mark: {_who(by)}" if by else f"{SIDE_NAMES[side]} _not yet_")
    return "*Agreement:* " + " \u00b7 ".join(parts)


def _actions(case: Mapping[str, Any]) -> list[Block]:
    value, status = str(case["id"]), case["status"]
    close = _button("Close", CLOSE, value)
    close["confirm"] = {
        "title": _plain("Close this mediation?"),
        "text": {"type": "plain_text", "text": "Closing records the outcome; the thread stays for reference."},
        "confirm": _plain("Close"),
        "deny": _plain("Not yet"),
    }
    if status in ("open", "proposal"):
        buttons = [
            _button("Add client position", ADD_CLIENT_POSITION, value),
            _button("Add vendor position", ADD_VENDOR_POSITION, value),
            _button("Summarise", SUMMARISE, value),
            _button("Propose outcome", PROPOSE, value),
            _button("Agree", AGREE, value, "primary"),
            _button("Escalate", ESCALATE, value),
            _button("Withdraw", WITHDRAW, value, "danger"),
            close,
        ]
    elif status == "agreed":
        buttons = [_button("Summarise", SUMMARISE, value), _button("Escalate", ESCALATE, value), close]
    elif status == "escalated":
        buttons = [_button("Summarise", SUMMARISE, value), _button("Withdraw", WITHDRAW, value, "danger"), close]
    elif status == "withdrawn":
        buttons = [close]
    else:
        return [_context("This mediation is closed. The thread stays for reference.")]
    return [{"type": "actions", "block_id": f"mediation_{value}", "elements": buttons}]


def header_blocks(case: Mapping[str, Any], *, side: str = "shared", today: date | None = None) -> list[Block]:
    """The mediation's header message in a channel of `side`, updated in place after every change.

    `case` is `bot.mediation.lifecycle.mediation_case(...)`: `mediation_as_dict` plus "positions" ({side: {author, text,
    evidence, at}}), "evidence_count", "issues" (the related issues as dicts) and "parties" ({"mediators",
    "client_owners", "vendor_owners": [user ids]}). `today` shows how far off the deadline is.
    """
    title = f"\u2696\ufe0f Mediation #{case['id']}: {' '.join(str(case['title']).split())}"
    status = STATUS_LABELS.get(case["status"], case["status"])
    blocks: list[Block] = [
        {"type": "header", "text": _plain(title, HEADER_CHARS)},
        _section(
            f"*Engagement:* {clip(case['engagement'], 100)} \u00b7 *Status:* {status} \u00b7 "
            f"*Deadline:* {_deadline_line(case, today)}"
        ),
        _context(
            f"Opened by {_who(case.get('opened_by'))}. Discuss in this thread; react with :pushpin: to a reply "
            "to add it to the case as evidence."
        ),
        _parties_section(case, side),
    ]
    if case.get("issues"):
        blocks.append(_issues_section(case["issues"]))
    blocks.extend(_clause_blocks(case.get("clause_refs") or []))
    blocks.append({"type": "divider"})
    positions = case.get("positions") or {}
    blocks.extend(_position_section(side, positions.get(side)) for side in ("client", "vendor"))
    count = int(case.get("evidence_count") or 0)
    blocks.append(_section(f":pushpin: *Evidence:* {count} message{'' if count == 1 else 's'} pinned"))
    if case.get("outcome_text"):
        heading = (
            "Agreed outcome" if case["status"] in ("agreed", "closed") and _both(case) else "Proposal on the table"
        )
        blocks.append(_section(f"*{heading}:*\n{_quote(case['outcome_text'], 1500)}"))
    else:
        blocks.append(_section("*Proposal:* _none yet_"))
    blocks.append(_section(_agreement_line(case)))
    if case.get("escalated_to"):
        blocks.append(_section(f"*Escalated to:* {_who(case['escalated_to'])}"))
    tail = _actions(case)
    return [*blocks[: MAX_BLOCKS - len(tail)], *tail]


def _both(case: Mapping[str, Any]) -> bool:
    return bool(case.get("client_agreed_by") and case.get("vendor_agreed_by"))


# -- reminders -------------------------------------------------------------------------------------
def reminder_text(
    case: Mapping[str, Any], *, kinds: Sequence[str], today: date, side: str = "shared", idle_hours: float = 0
) -> str:
    """One reminder in the mediation's thread, mentioning its parties, for any of "idle", "due-soon", "overdue"."""
    name = f"mediation #{case['id']} *{clip(case['title'], 200)}*"
    sentences = []
    if "idle" in kinds:
        hours = f"{idle_hours:g} hour{'' if idle_hours == 1 else 's'}"
        sentences.append(f"Nothing has happened on {name} for {hours}.")
        name = "It"
    if case.get("deadline") and ("overdue" in kinds or "due-soon" in kinds):
        deadline = date.fromisoformat(case["deadline"])
        days = (deadline - today).days
        if "overdue" in kinds:
            late = f"{-days} day{'' if days == -1 else 's'}"
            sentences.append(f"{name} was due on {deadline.isoformat()} and is {late} overdue.")
            sentences.append("Agree an outcome, escalate or withdraw it.")
        else:
            when = "today" if days <= 0 else f"in {days} day{'' if days == 1 else 's'}"
            sentences.append(
                f"{name} is due {when} ({deadline.isoformat()}). Agree an outcome before then, or escalate it."
            )
    if "idle" in kinds and len(sentences) == 1:
        sentences.append("Where does it stand? State a position, pin evidence with :pushpin:, or propose an outcome.")
    text = " ".join(sentences)
    text = text[:1].upper() + text[1:]
    who = mentions(parties_of(case, side=side))
    return f"{who} \u2014 {text}" if who else text


def note_block(text: str) -> Block:
    """A short note (escaped), e.g. in a private reply."""
    return _section(f":information_source: {clip(text, SECTION_CHARS - 30)}")


def reminder_blocks(text: str) -> list[Block]:
    return [_section(f":alarm_clock: {text}")]
