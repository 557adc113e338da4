"""Block Kit for the issue log: the "Log an issue" modal, reading its submission, the confirmation, the list.

Pure functions, like `bot.slack.blocks`: nothing here talks to Slack or the database. User text that goes
into mrkdwn is escaped and marked verbatim; plain-text fields are clipped to Slack's limits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import cases
from bot.slack.blocks import _USER_ID, CONTEXT_CHARS, SECTION_CHARS, escape

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


def issue_modal(*, channel: str, engagement: str, side: str, title: str = "") -> dict[str, Any]:
    """The "Log an issue" modal for a channel bound to `engagement` on `side`; `title` pre-fills the title."""
    severity_options = [_option(label, str(n)) for n, label in SEVERITY_LABELS.items()]
    levels = [("High", "high"), ("Low", "low")]
    title_element: dict[str, Any] = {"type": "plain_text_input", "max_length": TITLE_CHARS}
    if title.strip():
        title_element["initial_value"] = " ".join(title.split())[:TITLE_CHARS]
    blocks = [
        _input(TITLE, "Title", title_element),
        _input(
            DESCRIPTION,
            "Description",
            {"type": "plain_text_input", "multiline": True, "max_length": DESCRIPTION_CHARS},
            optional=True,
        ),
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
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"channel": channel, "engagement": engagement, "side": side}),
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
def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text[:SECTION_CHARS])}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(text[:CONTEXT_CHARS])]}


def _clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return escape(text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026")


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


def issue_confirmation_blocks(issue: Mapping[str, Any], *, user: str) -> list[Block]:
    """The channel message saying an issue was logged, and by whom."""
    blocks = [_section(f":memo: {issue_confirmation_text(issue)}")]
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
