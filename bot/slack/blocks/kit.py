"""Slack's limits and the small pieces every builder uses; pure.

Block Kit primitives shared by all the message and modal builders of the Slack transport: Slack's size
limits, escaping, text objects, sections, context lines, headers and buttons, and the splitting of long
text at line, sentence or word boundaries. Nothing here talks to Slack. Every piece of contract or user
text that goes into mrkdwn is escaped (`&`, `<`, `>`) and marked `verbatim`, so a clause can never
mention `<!channel>`, link somewhere or be auto-linked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.slack.seal import SEAL_CHARS, seal

Block = dict[str, Any]

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

ELLIPSIS = " \u2026"  # what a shortened text ends with

_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_SENTENCE_END = re.compile(r"[.!?;:][\"'\u201d\u2019)\]]*$")


# -- text ----------------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Escape `&`, `<` and `>` the way Slack's mrkdwn requires."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _normalize(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _quoted(text: str) -> str:
    """Text as an mrkdwn block quote: every line starts with `>`."""
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.split("\n"))


def _max_fit(text: str, start: int, render: Callable[[str], str], limit: int) -> int:
    """The largest end such that render(text[start:end]) fits in limit characters."""
    lo, hi = start, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(render(text[start:mid])) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _break_before(text: str, start: int, fit: int) -> int:
    """Where a piece starting at start and ending by fit should end: a line, sentence or word boundary."""
    line = sentence = word = None
    for b in range(min(fit, len(text) - 1), start, -1):
        if not text[b].isspace() or text[b - 1].isspace():
            continue  # b must be the first blank after a word
        run_end = b
        while run_end < len(text) and text[run_end].isspace():
            run_end += 1
        if line is None and "\n" in text[b:run_end]:
            line = b
        elif sentence is None and _SENTENCE_END.search(text[max(start, b - 4) : b]):
            sentence = b
        elif word is None:
            word = b
        if line is not None:
            break
    half = start + (fit - start) // 2
    for candidate in (line, sentence, word):
        if candidate is not None and candidate > half:
            return candidate
    found = [b for b in (line, sentence, word) if b is not None]
    return max(found) if found else fit  # a single word longer than the limit is the only mid-word cut


def _chunks(text: str, render: Callable[[str], str], limit: int) -> list[tuple[int, int]]:
    """Spans of text whose rendering fits in limit, cut at line, then sentence, then word boundaries."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(text):
        if len(render(text[pos:])) <= limit:
            spans.append((pos, len(text)))
            break
        cut = _break_before(text, pos, _max_fit(text, pos, render, limit))
        cut = max(cut, pos + 1)
        end = cut
        while end > pos and text[end - 1].isspace():
            end -= 1
        spans.append((pos, end))
        pos = cut
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return spans


def _shorten(text: str, render: Callable[[str], str], limit: int) -> str:
    """The longest head of text, ending at a boundary, whose rendering with " …" fits in limit."""
    if len(render(text)) <= limit:
        return text
    fit = _max_fit(text, 0, lambda s: render(s + ELLIPSIS), limit)
    return text[: _break_before(text, 0, fit)].rstrip() + ELLIPSIS


def _clip(text: str, limit: int) -> str:
    """Escaped text, shortened at a word boundary so that it fits in limit characters."""
    return escape(_shorten(_normalize(text), escape, limit))


def _plain_clip(text: str, limit: int) -> str:
    return _shorten(" ".join(text.split()), lambda s: s, limit)


# -- blocks --------------------------------------------------------------------------------------
def clip(text: str | None, limit: int) -> str:
    """User text on one line, escaped, shortened with "\u2026" to `limit` characters (counted before escaping)."""
    text = " ".join((text or "").split())
    return escape(text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026")


def plain(text: str, limit: int = BUTTON_TEXT_CHARS) -> dict[str, Any]:
    """A plain_text object on one line, shortened with "\u2026" to `limit` characters, never empty."""
    text = " ".join(text.split())
    clipped = text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
    return {"type": "plain_text", "text": clipped or " ", "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object, verbatim (no automatic links or mentions: we escape and format ourselves)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str) -> Block:
    """A section of mrkdwn, cut at Slack's limit (callers shorten text nicely first)."""
    return {"type": "section", "text": mrkdwn(text[:SECTION_CHARS])}


def context(*texts: str) -> Block:
    """A context line of up to ten mrkdwn elements, each cut at Slack's limit."""
    return {"type": "context", "elements": [mrkdwn(t[:CONTEXT_CHARS]) for t in texts[:CONTEXT_ELEMENTS]]}


_mrkdwn, _section, _context = mrkdwn, section, context


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _plain_clip(text, HEADER_CHARS), "emoji": True}}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _plain_clip(text, BUTTON_TEXT_CHARS), "emoji": True},
        "action_id": action_id[:ACTION_ID_CHARS],
        "value": seal(value),
    }
    if style:
        button["style"] = style
    return button


def _actions(*buttons: dict[str, Any]) -> Block:
    return {"type": "actions", "elements": list(buttons)}


def _check_value(value: str) -> str:
    if not value or len(value) > BUTTON_VALUE_CHARS - SEAL_CHARS:
        limit = BUTTON_VALUE_CHARS - SEAL_CHARS
        raise ValueError(f"a button value must be 1 to {limit} characters (before its seal), got {len(value)}")
    return value


def _text_chars(blocks: Sequence[Block]) -> int:
    """How many characters of text the section, header and context blocks hold."""
    total = 0
    for block in blocks:
        if "text" in block:
            total += len(block["text"]["text"])
        if block["type"] == "context":
            total += sum(len(e["text"]) for e in block["elements"])
    return total


# -- long text and clause references ------------------------------------------------------------
def _text_sections(text: str, max_sections: int, render: Callable[[str], str] = escape) -> list[Block]:
    """Text over as many sections as it needs, up to max_sections, the last shortened if it must be."""
    text = _normalize(text)
    spans = _chunks(text, render, SECTION_CHARS)
    if len(spans) <= max_sections:
        return [_section(render(text[a:b])) for a, b in spans]
    pieces = [text[a:b] for a, b in spans[: max_sections - 1]]
    pieces.append(_shorten(text[spans[max_sections - 1][0] :], render, SECTION_CHARS))
    return [_section(render(p)) for p in pieces]


def clause_ref_label(ref: Mapping[str, Any]) -> str:
    """Where a stored clause reference is, as answers cite: "*Master Services Agreement (01-msa.md), §4.3, p. 2*"."""
    from knowledge.answers import citation_label  # the one label answers use too (escaped here)

    label = citation_label(
        title=str(ref.get("title") or ""),
        document=str(ref.get("document") or ""),
        section=ref.get("section") or None,
        page=ref.get("page") or None,
    )
    return f"*{_clip(label, CONTEXT_CHARS - 40)}*"


# -- views -----------------------------------------------------------------------------------------
FEEDBACK_ACTIONS = ("feedback_up", "feedback_down")
_VIEW_KEYS = (
    "type",
    "callback_id",
    "title",
    "submit",
    "close",
    "private_metadata",
    "clear_on_close",
    "notify_on_close",
)


def thanked_view(view: Mapping[str, Any]) -> dict[str, Any]:
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
        out.append(context("Thanks, noted: your feedback helps the contract owners see what is missing."))
        if rest:
            out.append({**block, "elements": rest})
    kept = {key: view[key] for key in _VIEW_KEYS if key in view}
    if kept.get("private_metadata"):  # the gate opened it on the way in: seal it again on the way out
        kept["private_metadata"] = seal(str(kept["private_metadata"]))
    return {**kept, "blocks": out}
