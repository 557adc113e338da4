"""Block Kit for the issue log: the "Log an issue" modal, reading its submission, the confirmation, the list.

Pure functions, like `bot.slack.blocks`: nothing here talks to Slack or the database. User text that goes
into mrkdwn is escaped and marked verbatim; plain-text fields are clipped to Slack's limits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import cases
from bot.slack.blocks import _USER_ID, clause_ref_label
from bot.slack.blocks import clip as _clip
from bot.slack.blocks import context as _context
from bot.slack.blocks import section as _section

Block = dict[str, Any]

CALLBACK_ID = "log_issue"
# block ids; each input's action_id is the same string
TITLE, DESCRIPTION, CATEGORY, SEVERITY = "title", "description", "category", "severity"
RISK, VALUE, SIDE, CLAUSE, OWNER, DUE = "risk", "value", "side", "clause", "owner", "due"

TITLE_CHARS = 150  # our choice: an issue title is one line
DESCRIPTION_CHARS = 3000  # Slack's plain_text_input maximum
CLAUSE_CHARS = 200
OPTION_CHARS = 75  # Slack's limit on an option's text
LIST_LIMIT = 20
QUOTE_PREVIEW_CHARS = 400  # a clause's quote on the issue card (the full clause is in the contract)
MAX_CLAUSES = 5  # attached, and suggested, shown on the card
HISTORY_LINES = 5
ARROW = " \u2192 "  # latest timeline entries on the card

SHORTCUT_ID = "log_as_issue"  # the message shortcut "Log as issue"
STATUS_ACTION = "issue_status"  # the card's status menu; option values "<issue id>:<status>"
ATTACH_ACTION = "issue_attach_clause"  # the card's "Attach" buttons
STATUS_LABELS = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "in-progress": "In progress",
    "resolved": "Resolved",
    "closed": "Closed",
}

SEVERITY_LABELS = {1: "1 - critical", 2: "2 - high", 3: "3 - medium", 4: "4 - low"}
CATEGORY_GROUPS = (
    ("Back office", cases.BACK_OFFICE),
    ("Front office", cases.FRONT_OFFICE),
    ("Other", tuple(c for c in cases.CATEGORIES if c not in cases.BACK_OFFICE + cases.FRONT_OFFICE)),
)
OFFICE_NAMES = {"back": "back office", "front": "front office"}


# -- the modal -----------------------------------------------------------------------------------
def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:OPTION_CHARS] or " ", "emoji": True}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


def category_label(category: str) -> str:
    return category.replace("-", " ").capitalize()


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _radio(options: Sequence[tuple[str, str]], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "radio_buttons", "options": [_option(label, v) for label, v in options]}
    if initial is not None:
        element["initial_option"] = _option(dict((v, label) for label, v in options)[initial], initial)
    return element


def issue_modal(
    *,
    channel: str,
    engagement: str,
    side: str,
    title: str = "",
    description: str = "",
    permalink: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """The "Log an issue" modal for a channel bound to `engagement` on `side`; `title` and `description`
    pre-fill the form. From a message ("Log as issue"), `permalink` links the issue back to it and
    `thread_ts` is where the confirmation goes (the message's thread)."""
    severity_options = [_option(label, str(n)) for n, label in SEVERITY_LABELS.items()]
    levels = [("High", "high"), ("Low", "low")]
    title_element: dict[str, Any] = {"type": "plain_text_input", "max_length": TITLE_CHARS}
    if title.strip():
        title_element["initial_value"] = " ".join(title.split())[:TITLE_CHARS]
    description_element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": DESCRIPTION_CHARS,
    }
    if description.strip():
        description_element["initial_value"] = description.strip()[:DESCRIPTION_CHARS]
    metadata: dict[str, Any] = {"channel": channel, "engagement": engagement, "side": side}
    if permalink:
        metadata["permalink"] = permalink
    if thread_ts:
        metadata["thread_ts"] = thread_ts
    blocks = [
        _input(TITLE, "Title", title_element),
        _input(DESCRIPTION, "Description", description_element, optional=True),
        _input(
            CATEGORY,
            "Category",
            {
                "type": "static_select",
                "placeholder": _plain("Choose a category"),
                "option_groups": [
                    {"label": _plain(group), "options": [_option(category_label(c), c) for c in members]}
                    for group, members in CATEGORY_GROUPS
                ],
            },
        ),
        _input(
            SEVERITY,
            "Severity",
            {"type": "static_select", "options": severity_options, "initial_option": severity_options[2]},
        ),
        _input(RISK, "Risk", _radio(levels, "low")),
        _input(VALUE, "Value at stake", _radio(levels, "low")),
        _input(
            SIDE,
            "Raised by",
            _radio([("Client", "client"), ("Vendor", "vendor")], side if side in cases.CASE_SIDES else None),
        ),
        _input(
            CLAUSE,
            "Clause reference",
            {"type": "plain_text_input", "max_length": CLAUSE_CHARS, "placeholder": _plain("e.g. SLA 5.3")},
            optional=True,
            hint="Kept with the description.",
        ),
        _input(OWNER, "Owner", {"type": "users_select", "placeholder": _plain("Who follows it up")}, optional=True),
        _input(DUE, "Due date", {"type": "datepicker"}, optional=True),
    ]
    if permalink:
        blocks.insert(0, _context(f"From <{permalink}|this message>; the issue links back to it."))
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps(metadata),
        "title": _plain("Log an issue"),
        "submit": _plain("Log issue"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


# -- reading a submission ------------------------------------------------------------------------
@dataclass(frozen=True)
class IssueForm:
    """What the modal's fields say, checked; `description` already carries the clause reference."""

    title: str
    description: str
    category: str
    severity: int
    risk: str
    value: str
    raised_by_side: str | None
    owner: str | None
    due: date | None


def _field(values: Mapping[str, Any], block_id: str) -> dict[str, Any]:
    return dict((values.get(block_id) or {}).get(block_id) or {})


def _text_of(values: Mapping[str, Any], block_id: str) -> str:
    return (_field(values, block_id).get("value") or "").strip()


def _selected(values: Mapping[str, Any], block_id: str) -> str | None:
    option = _field(values, block_id).get("selected_option") or {}
    return option.get("value") or None


def read_issue_form(values: Mapping[str, Any]) -> tuple[IssueForm | None, dict[str, str]]:
    """The form from a view's `state.values`, or None and Slack's `errors` ({block_id: message})."""
    errors: dict[str, str] = {}
    title = " ".join(_text_of(values, TITLE).split())
    if not title:
        errors[TITLE] = "Give the issue a title."
    category = _selected(values, CATEGORY)
    if category not in cases.CATEGORIES:
        errors[CATEGORY] = "Choose a category."
    severity = _selected(values, SEVERITY) or "3"
    if not severity.isdigit() or int(severity) not in cases.SEVERITIES:
        errors[SEVERITY] = "Choose a severity from 1 (critical) to 4 (low)."
    risk, value = _selected(values, RISK) or "low", _selected(values, VALUE) or "low"
    if risk not in cases.LEVELS:
        errors[RISK] = "Choose high or low."
    if value not in cases.LEVELS:
        errors[VALUE] = "Choose high or low."
    side = _selected(values, SIDE)
    if side is not None and side not in cases.CASE_SIDES:
        errors[SIDE] = "Choose client or vendor."
    due: date | None = None
    if raw_due := _field(values, DUE).get("selected_date"):
        try:
            due = date.fromisoformat(raw_due)
        except ValueError:
            errors[DUE] = "Pick a date."
    if errors:
        return None, errors
    description = _text_of(values, DESCRIPTION)
    if clause := _text_of(values, CLAUSE):
        # a free-text clause is not a checked clause reference (those need a document), so it goes here
        description = f"{description}\n\nClause: {clause}".strip()
    owner = _field(values, OWNER).get("selected_user") or None
    return (
        IssueForm(
            title=title,
            description=description,
            category=str(category),
            severity=int(severity),
            risk=risk,
            value=value,
            raised_by_side=side,
            owner=owner,
            due=due,
        ),
        {},
    )


# -- messages ------------------------------------------------------------------------------------
def _mention(user: str | None) -> str | None:
    return f"<@{user}>" if user and _USER_ID.match(user) else None


def _category_text(category: str, office: str | None) -> str:
    where = OFFICE_NAMES.get(office or "")
    return f"{category} ({where})" if where else category


def issue_confirmation_text(issue: Mapping[str, Any]) -> str:
    """ "Issue #12 logged: Title — severity 2, billing (back office), raised by client, owner <@U1>, due ..." """
    parts = [f"severity {issue['severity']}", _category_text(issue["category"], issue.get("office"))]
    if issue.get("side"):
        parts.append(f"raised by {issue['side']}")
    if owner := _mention(issue.get("owner")):
        parts.append(f"owner {owner}")
    if issue.get("due"):
        parts.append(f"due {issue['due']}")
    return f"Issue #{issue['id']} logged: {_clip(issue['title'], 300)} \u2014 {', '.join(parts)}"


def clause_value(issue_id: int, ref: Mapping[str, Any]) -> str:
    """An "Attach" button's value: where the clause is (not its text, which is read back from the document)."""
    compact = {
        "i": issue_id,
        "d": ref["document"],
        "s": ref.get("section"),
        "p": ref.get("page"),
        "t": _clip(ref.get("title") or "", 150),
        "a": ref["start"],
        "b": ref["end"],
        "h": quote_hash(ref["quote"]),
    }
    return json.dumps(compact, separators=(",", ":"))[:2000]


def read_clause_value(value: str) -> tuple[int, dict[str, Any], str] | None:
    """(issue id, clause ref without its quote, the quote's hash) from an "Attach" value, or None if malformed."""
    try:
        data = json.loads(value)
        ref = {"document": str(data["d"]), "section": data.get("s"), "page": data.get("p"), "title": data.get("t")}
        ref.update(start=int(data["a"]), end=int(data["b"]))
        return int(data["i"]), ref, str(data["h"])
    except (ValueError, KeyError, TypeError):
        return None


def quote_hash(quote: str) -> str:
    return hashlib.sha256(quote.encode("utf-8")).hexdigest()[:16]


def _where(ref: Mapping[str, Any]) -> str:
    return clause_ref_label(ref)


def _quote(text: str, limit: int = QUOTE_PREVIEW_CHARS) -> str:
    return "> " + _clip(text, limit)


def _when(at: str | None) -> str:
    return (at or "")[:16].replace("T", " ") + " UTC" if at else ""


def issue_card_blocks(
    issue: Mapping[str, Any],
    *,
    user: str,
    suggestions: Sequence[Mapping[str, Any]] = (),
    history: Sequence[Mapping[str, Any]] = (),
) -> list[Block]:
    """The issue's message in the channel, updated in place: what it is, its status (with a menu to change
    it), the clauses attached, the clauses Liaison suggests (the reporter attaches those that apply), and the
    latest timeline entries (who did what, when)."""
    blocks = [_section(f":memo: {issue_confirmation_text(issue)}")]
    if issue.get("description"):
        blocks.append(_section(_clip(issue["description"], 600)))
    if issue.get("permalink"):
        blocks.append(_context(f"From <{issue['permalink']}|this message>"))
    status = issue["status"]
    menu = {
        "type": "static_select",
        "action_id": STATUS_ACTION,
        "placeholder": _plain("Change status"),
        "options": [_option(STATUS_LABELS[s], f"{issue['id']}:{s}") for s in cases.ISSUE_STATUSES if s != status],
    }
    blocks.append({**_section(f"*Status:* {STATUS_LABELS.get(status, status)}"), "accessory": menu})
    attached = list(issue.get("clause_refs") or [])
    if attached:
        blocks.append(_section("*Contract clauses attached*"))
        for ref in attached[:MAX_CLAUSES]:
            blocks.append(_section(_quote(ref.get("quote") or "")))
            blocks.append(_context(_where(ref)))
    where_attached = {(r.get("document"), r.get("start"), r.get("end")) for r in attached}
    fresh = [r for r in suggestions if (r["document"], r["start"], r["end"]) not in where_attached][:MAX_CLAUSES]
    if fresh:
        who = _mention(issue.get("created_by")) or "the reporter"
        blocks.append(_section(f"*Clauses that may apply* \u2014 {who} can attach the ones that do:"))
        for ref in fresh:
            button = {
                "type": "button",
                "action_id": ATTACH_ACTION,
                "text": _plain("Attach"),
                "value": clause_value(int(issue["id"]), ref),
            }
            blocks.append({**_section(_quote(ref["quote"])), "accessory": button})
            blocks.append(_context(_where(ref)))
    if history:
        lines = [
            " \u00b7 ".join(
                (
                    _clip(entry["text"].replace(" -> ", ARROW), 150),
                    _mention(entry.get("actor")) or _clip(str(entry.get("actor")), 40),
                    _when(entry.get("at")),
                )
            )
            for entry in list(history)[-HISTORY_LINES:]
        ]
        blocks.append(_context("\n".join(lines)))
    who = _mention(user)
    note = f"Logged by {who}. " if who else ""
    blocks.append(_context(f"{note}Risk {issue['risk']}, value {issue['value']}. See all: `/liaison issues`"))
    return blocks


def _issue_line(issue: Mapping[str, Any]) -> str:
    extras = [issue["status"]]
    extras.append(f"owner {_mention(issue.get('owner')) or 'none'}")
    if issue.get("due"):
        extras.append(f"due {issue['due']}")
    label = SEVERITY_LABELS.get(issue["severity"], str(issue["severity"]))
    return f"*#{issue['id']}* `{label}` {_clip(issue['title'], 200)}\n" + " \u00b7 ".join(extras)


def issue_list_blocks(issues: Sequence[Mapping[str, Any]], *, engagement: str, limit: int = LIST_LIMIT) -> list[Block]:
    """The open issues of an engagement, in the order given (most severe first), at most `limit` of them."""
    name = _clip(engagement, 200)
    if not issues:
        return [_section(f"No open issues in *{name}*. Log one with `/liaison issue`.")]
    noun = "issue" if len(issues) == 1 else "issues"
    blocks = [_section(f"*{len(issues)} open {noun} in {name}*, most severe first:")]
    blocks.extend(_section(_issue_line(issue)) for issue in issues[:limit])
    if len(issues) > limit:
        blocks.append(_context(f"\u2026and {len(issues) - limit} more."))
    return blocks


def issue_list_text(issues: Sequence[Mapping[str, Any]], *, engagement: str) -> str:
    """The plain-text fallback of the list."""
    if not issues:
        return f"No open issues in {engagement}."
    return f"{len(issues)} open issue(s) in {engagement}"
