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

from bot.i18n import N_, _, ngettext
from bot.issues.timeline import status_name
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
USAGE = N_(  # translated where it is shown (`read_mediate_text` returns it translated)
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
CONFIRM_TITLE_CHARS = 100  # Slack's limits on a confirmation dialog's title and its buttons
CONFIRM_BUTTON_CHARS = 30

# Labels are marked N_() and translated where they are shown (`status_label`).
STATUS_LABELS = {
    "open": N_("Open \u2014 being argued"),
    "proposal": N_("Proposal on the table"),
    "agreed": N_("Agreed by both sides"),
    "escalated": N_("Escalated"),
    "withdrawn": N_("Withdrawn"),
    "closed": N_("Closed"),
}
SIDE_NAMES = {"client": N_("Client"), "vendor": N_("Vendor")}


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


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
        return None, _(USAGE)
    deadline = today + timedelta(days=default_days)
    if raw_deadline is not None:
        try:
            deadline = date.fromisoformat(_padded(raw_deadline))
        except ValueError:
            return None, _("`{date}` is not a date: give the deadline as YYYY-MM-DD.").format(date=raw_deadline)
        if deadline < today:
            said = _("The deadline {date} is already past: choose today or a later day.")
            return None, said.format(date=deadline.isoformat())
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
    return mention(user) or escape(user or _("someone"))


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
    return _("Mediation #{id}: {title} \u2014 {status}").format(
        id=case["id"], title=clip(case["title"], 300), status=status_label(case["status"])
    )


def _deadline_line(case: Mapping[str, Any], today: date | None) -> str:
    deadline = case.get("deadline")
    if not deadline:
        return _("no deadline")
    if today is None or case["status"] not in ("open", "proposal"):
        return deadline
    days = (date.fromisoformat(deadline) - today).days
    if days < 0:
        late = ngettext("{date} (:warning: {n} day overdue)", "{date} (:warning: {n} days overdue)", -days)
        return late.format(date=deadline, n=-days)
    if days == 0:
        return _("{date} (today)").format(date=deadline)
    return ngettext("{date} (in {n} day)", "{date} (in {n} days)", days).format(date=deadline, n=days)


def _parties_section(case: Mapping[str, Any], side: str) -> Block:
    parties = case.get("parties") or {}
    lines = [_("*Parties*")]
    for key, label in (
        ("mediators", _("Mediators")),
        ("client_owners", _("Client owners")),
        ("vendor_owners", _("Vendor owners")),
    ):
        if key == HIDDEN_OWNERS.get(side):
            if side == "client":
                hidden = _("{label}: _not mentioned in the client's own channel_")
            else:
                hidden = _("{label}: _not mentioned in the vendor's own channel_")
            lines.append(hidden.format(label=label))
        else:
            who = mentions(parties.get(key) or []) or _("_none yet_")
            lines.append(_("{label}: {who}").format(label=label, who=who))
    return _section("\n".join(lines))


def _issues_section(issues: Sequence[Mapping[str, Any]]) -> Block:
    lines = [_("*Related issues*")]
    for issue in issues[:ISSUE_LINES]:
        line = _("\u2022 *#{id}* {title} \u2014 severity {severity}, {status}").format(
            id=issue["id"],
            title=clip(issue["title"], 150),
            severity=issue["severity"],
            status=status_name(issue["status"]),
        )
        lines.append(line)
    if len(issues) > ISSUE_LINES:
        lines.append(_("\u2026and {n} more.").format(n=len(issues) - ISSUE_LINES))
    return _section("\n".join(lines))


def _clause_blocks(refs: Sequence[Mapping[str, Any]]) -> list[Block]:
    if not refs:
        return [_context(_("No clause in this channel's contracts looks relevant yet."))]
    blocks = [_section(_("*Relevant clauses* (quoted verbatim)"))]
    for ref in refs:
        blocks.append(_context(clause_ref_label(ref)))
        if (ref.get("quote") or "").strip():
            blocks.append(_section(_quote(ref["quote"], QUOTE_CHARS)))
    return blocks


def _position_section(side: str, position: Mapping[str, Any] | None) -> Block:
    if not position:
        if side == "client":
            return _section(_("*Client position:* _not yet stated_"))
        return _section(_("*Vendor position:* _not yet stated_"))
    if side == "client":
        stated = _("*Client position* \u2014 stated by {who}, {when}")
    else:
        stated = _("*Vendor position* \u2014 stated by {who}, {when}")
    text = stated.format(who=_who(position.get("author")), when=_when(position.get("at"))) + "\n"
    text += _quote(position.get("text"), POSITION_CHARS)
    if position.get("evidence"):
        text += "\n" + _("_Evidence:_ {evidence}").format(evidence=clip(position["evidence"], 500))
    return _section(text)


def _agreement_line(case: Mapping[str, Any]) -> str:
    parts = []
    for side in ("client", "vendor"):
        by = case.get(f"{side}_agreed_by")
        name = _(SIDE_NAMES[side])
        parts.append(f"{name} :white_check_mark: {_who(by)}" if by else _("{side} _not yet_").format(side=name))
    return _("*Agreement:* {sides}").format(sides=" \u00b7 ".join(parts))


def _actions(case: Mapping[str, Any]) -> list[Block]:
    value, status = str(case["id"]), case["status"]
    close = _button(_("Close"), CLOSE, value)
    close["confirm"] = {
        "title": _plain(_("Close this mediation?"), CONFIRM_TITLE_CHARS),
        "text": {"type": "plain_text", "text": _("Closing records the outcome; the thread stays for reference.")},
        "confirm": _plain(_("Close"), CONFIRM_BUTTON_CHARS),
        "deny": _plain(_("Not yet"), CONFIRM_BUTTON_CHARS),
    }
    summarise = _button(_("Summarise"), SUMMARISE, value)
    escalate = _button(_("Escalate"), ESCALATE, value)
    withdraw = _button(_("Withdraw"), WITHDRAW, value, "danger")
    if status in ("open", "proposal"):
        buttons = [
            _button(_("Add client position"), ADD_CLIENT_POSITION, value),
            _button(_("Add vendor position"), ADD_VENDOR_POSITION, value),
            summarise,
            _button(_("Propose outcome"), PROPOSE, value),
            _button(_("Agree"), AGREE, value, "primary"),
            escalate,
            withdraw,
            close,
        ]
    elif status == "agreed":
        buttons = [summarise, escalate, close]
    elif status == "escalated":
        buttons = [summarise, withdraw, close]
    elif status == "withdrawn":
        buttons = [close]
    else:
        return [_context(_("This mediation is closed. The thread stays for reference."))]
    return [{"type": "actions", "block_id": f"mediation_{value}", "elements": buttons}]


def header_blocks(case: Mapping[str, Any], *, side: str = "shared", today: date | None = None) -> list[Block]:
    """The mediation's header message in a channel of `side`, updated in place after every change.

    `case` is `bot.mediation.lifecycle.mediation_case(...)`: `mediation_as_dict` plus "positions" ({side: {author, text,
    evidence, at}}), "evidence_count", "issues" (the related issues as dicts) and "parties" ({"mediators",
    "client_owners", "vendor_owners": [user ids]}). `today` shows how far off the deadline is.
    """
    title = "\u2696\ufe0f " + _("Mediation #{id}: {title}").format(
        id=case["id"], title=" ".join(str(case["title"]).split())
    )
    blocks: list[Block] = [
        {"type": "header", "text": _plain(title, HEADER_CHARS)},
        _section(
            _("*Engagement:* {engagement} \u00b7 *Status:* {status} \u00b7 *Deadline:* {deadline}").format(
                engagement=clip(case["engagement"], 100),
                status=status_label(case["status"]),
                deadline=_deadline_line(case, today),
            )
        ),
        _context(
            _(
                "Opened by {who}. Discuss in this thread; react with :pushpin: to a reply "
                "to add it to the case as evidence."
            ).format(who=_who(case.get("opened_by")))
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
    pinned = ngettext(":pushpin: *Evidence:* {n} message pinned", ":pushpin: *Evidence:* {n} messages pinned", count)
    blocks.append(_section(pinned.format(n=count)))
    if case.get("outcome_text"):
        if case["status"] in ("agreed", "closed") and _both(case):
            heading = _("*Agreed outcome:*")
        else:
            heading = _("*Proposal on the table:*")
        blocks.append(_section(f"{heading}\n{_quote(case['outcome_text'], 1500)}"))
    else:
        blocks.append(_section(_("*Proposal:* _none yet_")))
    blocks.append(_section(_agreement_line(case)))
    if case.get("escalated_to"):
        blocks.append(_section(_("*Escalated to:* {who}").format(who=_who(case["escalated_to"]))))
    tail = _actions(case)
    return [*blocks[: MAX_BLOCKS - len(tail)], *tail]


def _both(case: Mapping[str, Any]) -> bool:
    return bool(case.get("client_agreed_by") and case.get("vendor_agreed_by"))


# -- reminders -------------------------------------------------------------------------------------
def reminder_text(
    case: Mapping[str, Any], *, kinds: Sequence[str], today: date, side: str = "shared", idle_hours: float = 0
) -> str:
    """One reminder in the mediation's thread, mentioning its parties, for any of "idle", "due-soon", "overdue"."""
    name = _("mediation #{id} *{title}*").format(id=case["id"], title=clip(case["title"], 200))
    sentences = []
    idle = "idle" in kinds
    if idle:
        said = ngettext(
            "Nothing has happened on {name} for {hours} hour.",
            "Nothing has happened on {name} for {hours} hours.",
            1 if idle_hours == 1 else 2,
        )
        sentences.append(said.format(name=name, hours=f"{idle_hours:g}"))
    if case.get("deadline") and ("overdue" in kinds or "due-soon" in kinds):
        deadline = date.fromisoformat(case["deadline"])
        days = (deadline - today).days
        if "overdue" in kinds:
            if idle:  # the mediation was just named: "It was due ..."
                said = ngettext(
                    "It was due on {date} and is {n} day overdue.",
                    "It was due on {date} and is {n} days overdue.",
                    -days,
                )
            else:
                said = ngettext(
                    "{name} was due on {date} and is {n} day overdue.",
                    "{name} was due on {date} and is {n} days overdue.",
                    -days,
                )
            sentences.append(said.format(name=name, date=deadline.isoformat(), n=-days))
            sentences.append(_("Agree an outcome, escalate or withdraw it."))
        else:
            if days <= 0:
                if idle:
                    said = _("It is due today ({date}). Agree an outcome before then, or escalate it.")
                else:
                    said = _("{name} is due today ({date}). Agree an outcome before then, or escalate it.")
            elif idle:
                said = ngettext(
                    "It is due in {n} day ({date}). Agree an outcome before then, or escalate it.",
                    "It is due in {n} days ({date}). Agree an outcome before then, or escalate it.",
                    days,
                )
            else:
                said = ngettext(
                    "{name} is due in {n} day ({date}). Agree an outcome before then, or escalate it.",
                    "{name} is due in {n} days ({date}). Agree an outcome before then, or escalate it.",
                    days,
                )
            sentences.append(said.format(name=name, date=deadline.isoformat(), n=days))
    if idle and len(sentences) == 1:
        sentences.append(
            _("Where does it stand? State a position, pin evidence with :pushpin:, or propose an outcome.")
        )
    text = " ".join(sentences)
    text = text[:1].upper() + text[1:]
    who = mentions(parties_of(case, side=side))
    return f"{who} \u2014 {text}" if who else text


def note_block(text: str) -> Block:
    """A short note (escaped), e.g. in a private reply."""
    return _section(f":information_source: {clip(text, SECTION_CHARS - 30)}")


def reminder_blocks(text: str) -> list[Block]:
    return [_section(f":alarm_clock: {text}")]
