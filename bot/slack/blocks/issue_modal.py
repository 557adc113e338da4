"""Block Kit for logging an issue: the "Log an issue" modal (from `/liaison issue`, "Log as issue" or the App
Home) and reading its submission. The issue's card and the list are in `bot.slack.blocks.issues`.

Pure functions: nothing here talks to Slack or the database. Plain-text fields are clipped to Slack's limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from bot.i18n import N_, _
from bot.records import cases
from bot.slack.blocks.kit import Block, Element, InputState, Option, Text, View
from bot.slack.blocks.kit import context as _context
from bot.slack.seal import seal_metadata

CALLBACK_ID = "log_issue"
# block ids; each input's action_id is the same string
TITLE, DESCRIPTION, CATEGORY, SEVERITY = "title", "description", "category", "severity"
RISK, VALUE, SIDE, CLAUSE, OWNER, DUE = "risk", "value", "side", "clause", "owner", "due"

TITLE_CHARS = 150  # our choice: an issue title is one line
DESCRIPTION_CHARS = 3000  # Slack's plain_text_input maximum
CLAUSE_CHARS = 200
OPTION_CHARS = 75  # Slack's limit on an option's text

# Labels are marked N_() and translated where they are shown (`severity_label`, `category_label`).
SEVERITY_LABELS = {1: N_("1 - critical"), 2: N_("2 - high"), 3: N_("3 - medium"), 4: N_("4 - low")}
CATEGORY_GROUPS = (
    (N_("Back office"), cases.BACK_OFFICE),
    (N_("Front office"), cases.FRONT_OFFICE),
    (N_("Other"), tuple(c for c in cases.CATEGORIES if c not in cases.BACK_OFFICE + cases.FRONT_OFFICE)),
)
CATEGORY_LABELS = {  # a category in the form's menu
    "finance": N_("Finance"),
    "accounting": N_("Accounting"),
    "billing": N_("Billing"),
    "data-processing": N_("Data processing"),
    "customer-service": N_("Customer service"),
    "technical-support": N_("Technical support"),
    "marketing": N_("Marketing"),
    "sales": N_("Sales"),
    "sla-breach": N_("Sla breach"),
    "other": N_("Other"),
}
CATEGORY_NAMES = {  # a category inside a sentence ("billing (back office)"): the stored value, in English
    "finance": N_("finance"),
    "accounting": N_("accounting"),
    "billing": N_("billing"),
    "data-processing": N_("data-processing"),
    "customer-service": N_("customer-service"),
    "technical-support": N_("technical-support"),
    "marketing": N_("marketing"),
    "sales": N_("sales"),
    "sla-breach": N_("sla-breach"),
    "other": N_("other"),
}
LEVEL_NAMES = {"high": N_("high"), "low": N_("low")}  # risk and value at stake


def severity_label(severity: object) -> str:
    """ "2 - high" for 2, in the reader's language; anything unknown as it is."""
    label = SEVERITY_LABELS.get(severity) if isinstance(severity, int) else None
    return _(label) if label else str(severity)


def category_name(category: str) -> str:
    """A category as a sentence names it ("billing"), in the reader's language."""
    return _(CATEGORY_NAMES[category]) if category in CATEGORY_NAMES else category


def level_name(level: str) -> str:
    """ "high" or "low" (a risk, a value at stake), in the reader's language."""
    return _(LEVEL_NAMES[level]) if level in LEVEL_NAMES else level


class IssueMeta(TypedDict, total=False):
    """What the "Log an issue" modal carries (sealed) in its private_metadata."""

    channel: str
    engagement: str
    permalink: str
    thread_ts: str


# -- the modal -----------------------------------------------------------------------------------
def plain_option_text(text: str) -> Text:
    return {"type": "plain_text", "text": text[:OPTION_CHARS] or " ", "emoji": True}


def option(label: str, value: str) -> Option:
    return {"text": plain_option_text(label), "value": value}


def category_label(category: str) -> str:
    if category in CATEGORY_LABELS:
        return _(CATEGORY_LABELS[category])
    return category.replace("-", " ").capitalize()


def _input(block_id: str, label: str, element: Element, *, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain_option_text(label),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _radio(options: Sequence[tuple[str, str]], initial: str | None) -> Element:
    element: Element = {"type": "radio_buttons", "options": [option(label, v) for label, v in options]}
    if initial is not None:
        element["initial_option"] = option(dict((v, label) for label, v in options)[initial], initial)
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
) -> View:
    """The "Log an issue" modal for a channel bound to `engagement` on `side`; `title` and `description`
    pre-fill the form. From a message ("Log as issue"), `permalink` links the issue back to it and
    `thread_ts` is where the confirmation goes (the message's thread)."""
    severity_options = [option(_(label), str(n)) for n, label in SEVERITY_LABELS.items()]
    levels = [(_("High"), "high"), (_("Low"), "low")]
    title_element: Element = {"type": "plain_text_input", "max_length": TITLE_CHARS}
    if title.strip():
        title_element["initial_value"] = " ".join(title.split())[:TITLE_CHARS]
    description_element: Element = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": DESCRIPTION_CHARS,
    }
    if description.strip():
        description_element["initial_value"] = description.strip()[:DESCRIPTION_CHARS]
    # the side is the form's default only: where the card goes, and what it may quote, is derived on submission
    metadata: IssueMeta = {"channel": channel, "engagement": engagement}
    if permalink:
        metadata["permalink"] = permalink
    if thread_ts:
        metadata["thread_ts"] = thread_ts
    blocks = [
        _input(TITLE, _("Title"), title_element),
        _input(DESCRIPTION, _("Description"), description_element, optional=True),
        _input(
            CATEGORY,
            _("Category"),
            {
                "type": "static_select",
                "placeholder": plain_option_text(_("Choose a category")),
                "option_groups": [
                    {"label": plain_option_text(_(group)), "options": [option(category_label(c), c) for c in members]}
                    for group, members in CATEGORY_GROUPS
                ],
            },
        ),
        _input(
            SEVERITY,
            _("Severity"),
            {"type": "static_select", "options": severity_options, "initial_option": severity_options[2]},
        ),
        _input(RISK, _("Risk"), _radio(levels, "low")),
        _input(VALUE, _("Value at stake"), _radio(levels, "low")),
        _input(
            SIDE,
            _("Raised by"),
            _radio([(_("Client"), "client"), (_("Vendor"), "vendor")], side if side in cases.CASE_SIDES else None),
        ),
        _input(
            CLAUSE,
            _("Clause reference"),
            {
                "type": "plain_text_input",
                "max_length": CLAUSE_CHARS,
                "placeholder": plain_option_text(_("e.g. SLA 5.3")),
            },
            optional=True,
            hint=_("Kept with the description."),
        ),
        _input(
            OWNER,
            _("Owner"),
            {"type": "users_select", "placeholder": plain_option_text(_("Who follows it up"))},
            optional=True,
        ),
        _input(DUE, _("Due date"), {"type": "datepicker"}, optional=True),
    ]
    if permalink:
        linked = _("From <{permalink}|this message>; the issue links back to it.").format(permalink=permalink)
        blocks.insert(0, _context(linked))
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": seal_metadata(metadata),
        "title": plain_option_text(_("Log an issue")),
        "submit": plain_option_text(_("Log issue")),
        "close": plain_option_text(_("Cancel")),
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


Values = Mapping[str, Mapping[str, InputState]]  # a submitted view's `state.values`: {block_id: {action_id: state}}


def _field(values: Values, block_id: str) -> InputState:
    return (values.get(block_id) or {}).get(block_id) or {}


def _text_of(values: Values, block_id: str) -> str:
    return (_field(values, block_id).get("value") or "").strip()


def _selected(values: Values, block_id: str) -> str | None:
    option = _field(values, block_id).get("selected_option")
    return (option.get("value") or None) if option else None


def read_issue_form(values: Values) -> tuple[IssueForm | None, dict[str, str]]:
    """The form from a view's `state.values`, or None and Slack's `errors` ({block_id: message})."""
    errors: dict[str, str] = {}
    title = " ".join(_text_of(values, TITLE).split())
    if not title:
        errors[TITLE] = _("Give the issue a title.")
    category = _selected(values, CATEGORY)
    if category not in cases.CATEGORIES:
        errors[CATEGORY] = _("Choose a category.")
    severity = _selected(values, SEVERITY) or "3"
    if not severity.isdigit() or int(severity) not in cases.SEVERITIES:
        errors[SEVERITY] = _("Choose a severity from 1 (critical) to 4 (low).")
    risk, value = _selected(values, RISK) or "low", _selected(values, VALUE) or "low"
    if risk not in cases.LEVELS:
        errors[RISK] = _("Choose high or low.")
    if value not in cases.LEVELS:
        errors[VALUE] = _("Choose high or low.")
    side = _selected(values, SIDE)
    if side is not None and side not in cases.CASE_SIDES:
        errors[SIDE] = _("Choose client or vendor.")
    due: date | None = None
    if raw_due := _field(values, DUE).get("selected_date"):
        try:
            due = date.fromisoformat(raw_due)
        except ValueError:
            errors[DUE] = _("Pick a date.")
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
