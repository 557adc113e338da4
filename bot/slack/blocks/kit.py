"""Slack's limits and the small pieces every builder uses; pure.

Block Kit primitives shared by all the message and modal builders of the Slack transport: Block Kit's
shapes, Slack's size limits, text objects, sections, context lines, headers and buttons (escaping and the
fitting of long text live in `bot.slack.blocks.text_fit`). Nothing here talks to Slack. Every piece of
contract or user text that goes into mrkdwn is escaped (`&`, `<`, `>`) and marked `verbatim`, so a clause
can never mention `<!channel>`, link somewhere or be auto-linked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Required, TypedDict  # Any: what slack_sdk takes (`wire`), a stored clause ref

from bot.i18n import _
from bot.slack.blocks.text_fit import chunks, escape, escaped_fit, normalize, plain_fit, shorten
from bot.slack.seal import SEAL_CHARS, seal


# -- Block Kit's shapes (https://api.slack.com/reference/block-kit): the keys Liaison writes or reads --------
class Text(TypedDict, total=False):
    """A text object."""

    type: Required[Literal["plain_text", "mrkdwn"]]
    text: Required[str]
    emoji: bool
    verbatim: bool


class Option(TypedDict, total=False):
    """An option of a menu or of radio buttons."""

    text: Required[Text]
    value: Required[str]
    description: Text


class OptionGroup(TypedDict):
    label: Text
    options: list[Option]


class Confirm(TypedDict, total=False):
    """The "Are you sure?" dialog of a button."""

    title: Text
    text: Text
    confirm: Text
    deny: Text
    style: Literal["primary", "danger"]


class Element(TypedDict, total=False):
    """An interactive element (button, menu, text input, date picker, radio buttons) or an image."""

    type: Required[str]
    action_id: str
    text: Text
    value: str
    style: Literal["primary", "danger"]
    url: str
    placeholder: Text
    options: list[Option]
    option_groups: list[OptionGroup]
    initial_option: Option
    initial_value: str
    initial_date: str
    initial_user: str
    multiline: bool
    max_length: int
    min_length: int
    image_url: str
    alt_text: str
    confirm: Confirm


class Block(TypedDict, total=False):
    """A layout block: section, context, header, actions, input, divider, image (each uses some of the keys)."""

    type: Required[str]
    block_id: str
    text: Text  # section, header
    fields: Sequence[Text]  # section
    accessory: Element  # section
    elements: Sequence[Element | Text]  # actions: interactive elements; context: text objects and images
    label: Text  # input
    element: Element  # input
    optional: bool  # input
    hint: Text  # input
    dispatch_action: bool  # input
    image_url: str  # image
    alt_text: str  # image
    title: Text  # image


class View(TypedDict, total=False):
    """A modal or a Home tab, as `views.open`, `views.update`, `views.publish` or a `response_action` take it."""

    type: Required[Literal["modal", "home"]]
    blocks: Required[list[Block]]
    callback_id: str
    title: Text
    submit: Text
    close: Text
    private_metadata: str
    clear_on_close: bool
    notify_on_close: bool
    external_id: str


class InputState(TypedDict, total=False):
    """What one input of a submitted view holds (`view.state.values[block_id][action_id]`)."""

    type: str
    value: str | None
    selected_option: Option | None
    selected_user: str | None
    selected_date: str | None


class ViewState(TypedDict, total=False):
    values: dict[str, dict[str, InputState]]


class ShownView(View, total=False):
    """A view as Slack sends it back with a click or a submission: what Liaison sent, with Slack's id, hash
    and state (Slack adds more keys, such as app_id and team_id, that Liaison does not read)."""

    id: str
    hash: str
    state: ViewState
    root_view_id: str
    previous_view_id: str | None


class Message(TypedDict, total=False):
    """What a message builder returns for `chat.postMessage`: the notification's text and the blocks."""

    text: Required[str]
    blocks: list[Block]


def wire(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Blocks as slack_sdk and Bolt type them (plain dicts: mypy counts no TypedDict as a `dict`); the same JSON."""
    return [dict(b) for b in blocks]


def wire_view(view: View) -> dict[str, Any]:
    """A view as slack_sdk and Bolt type it (see `wire`)."""
    return dict(view)


# Slack's limits (https://api.slack.com/reference/block-kit)
MAX_BLOCKS = 50
SECTION_CHARS = 3000
CONTEXT_CHARS = 3000  # each context element is a text object
CONTEXT_ELEMENTS = 10
HEADER_CHARS = 150
BUTTON_TEXT_CHARS = 75
ACTION_ID_CHARS = 255
BUTTON_VALUE_CHARS = 2000
FALLBACK_CHARS = 4000

USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


# -- blocks --------------------------------------------------------------------------------------
def clip(text: str | None, limit: int) -> str:
    """User text on one line, escaped, shortened with "\u2026" to `limit` characters (counted before escaping)."""
    text = " ".join((text or "").split())
    return escape(text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026")


def plain(text: str, limit: int = BUTTON_TEXT_CHARS) -> Text:
    """A plain_text object on one line, shortened with "\u2026" to `limit` characters, never empty."""
    text = " ".join(text.split())
    clipped = text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
    return {"type": "plain_text", "text": clipped or " ", "emoji": True}


def mrkdwn(text: str) -> Text:
    """A mrkdwn text object, verbatim (no automatic links or mentions: we escape and format ourselves)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str) -> Block:
    """A section of mrkdwn, cut at Slack's limit (callers shorten text nicely first)."""
    return {"type": "section", "text": mrkdwn(text[:SECTION_CHARS])}


def context(*texts: str) -> Block:
    """A context line of up to ten mrkdwn elements, each cut at Slack's limit."""
    return {"type": "context", "elements": [mrkdwn(t[:CONTEXT_CHARS]) for t in texts[:CONTEXT_ELEMENTS]]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": plain_fit(text, HEADER_CHARS), "emoji": True}}


def button(text: str, action_id: str, value: str, style: Literal["primary", "danger"] | None = None) -> Element:
    button: Element = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain_fit(text, BUTTON_TEXT_CHARS), "emoji": True},
        "action_id": action_id[:ACTION_ID_CHARS],
        "value": seal(value),
    }
    if style:
        button["style"] = style
    return button


def actions(*buttons: Element) -> Block:
    return {"type": "actions", "elements": list(buttons)}


def check_value(value: str) -> str:
    if not value or len(value) > BUTTON_VALUE_CHARS - SEAL_CHARS:
        limit = BUTTON_VALUE_CHARS - SEAL_CHARS
        raise ValueError(f"a button value must be 1 to {limit} characters (before its seal), got {len(value)}")
    return value


def text_chars(blocks: Sequence[Block]) -> int:
    """How many characters of text the section, header and context blocks hold."""
    total = 0
    for block in blocks:
        if "text" in block:
            total += len(block["text"]["text"])
        if block["type"] == "context":
            total += sum(len(e["text"]) for e in block["elements"])
    return total


# -- long text and clause references ------------------------------------------------------------
def text_sections(text: str, max_sections: int, render: Callable[[str], str] = escape) -> list[Block]:
    """Text over as many sections as it needs, up to max_sections, the last shortened if it must be."""
    text = normalize(text)
    spans = chunks(text, render, SECTION_CHARS)
    if len(spans) <= max_sections:
        return [section(render(text[a:b])) for a, b in spans]
    pieces = [text[a:b] for a, b in spans[: max_sections - 1]]
    pieces.append(shorten(text[spans[max_sections - 1][0] :], render, SECTION_CHARS))
    return [section(render(p)) for p in pieces]


def clause_ref_label(ref: Mapping[str, Any]) -> str:
    """Where a stored clause reference is, as answers cite: "*Master Services Agreement (01-msa.md), §4.3, p. 2*"."""
    from knowledge.text import citation_label  # the one label answers use too (escaped here)

    label = citation_label(
        title=str(ref.get("title") or ""),
        document=str(ref.get("document") or ""),
        section=ref.get("section") or None,
        page=ref.get("page") or None,
    )
    return f"*{escaped_fit(label, CONTEXT_CHARS - 40)}*"


# -- views -----------------------------------------------------------------------------------------
FEEDBACK_ACTIONS = ("feedback_up", "feedback_down")
# the keys of a view that `views.update` accepts back, by the type of their value
_VIEW_TEXTS: tuple[Literal["title", "submit", "close"], ...] = ("title", "submit", "close")
_VIEW_FLAGS: tuple[Literal["clear_on_close", "notify_on_close"], ...] = ("clear_on_close", "notify_on_close")


def thanked_view(view: ShownView) -> View:
    """A modal as Slack sent it with a click, to `views.update` back: its 👍/👎 buttons replaced by a thank-you.

    Only the keys `views.update` accepts are kept; every other block (and its block_id, so Slack keeps what
    was typed in the inputs) stays as it was.
    """
    out: list[Block] = []
    for block in view.get("blocks") or []:
        elements = block.get("elements") or []
        if block.get("type") != "actions" or not any(e.get("action_id") in FEEDBACK_ACTIONS for e in elements):
            out.append(block)
            continue
        rest = [e for e in elements if e.get("action_id") not in FEEDBACK_ACTIONS]
        out.append(context(_("Thanks, noted: your feedback helps the contract owners see what is missing.")))
        if rest:
            out.append({**block, "elements": rest})
    kept: View = {"type": view["type"], "blocks": out}
    if "callback_id" in view:
        kept["callback_id"] = view["callback_id"]
    for text in _VIEW_TEXTS:
        if text in view:
            kept[text] = view[text]
    for flag in _VIEW_FLAGS:
        if flag in view:
            kept[flag] = view[flag]
    if "private_metadata" in view:  # the gate opened it on the way in: seal it again on the way out
        meta = view["private_metadata"]
        kept["private_metadata"] = seal(meta) if meta else meta
    return kept
