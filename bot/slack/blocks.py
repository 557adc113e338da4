"""Block Kit for the Slack transport: pure functions from answers and events to blocks, within Slack's limits.

Nothing here talks to Slack. Every piece of contract or user text that goes into mrkdwn is escaped
(`&`, `<`, `>`) and marked `verbatim`, so a clause can never mention `<!channel>`, link somewhere or
be auto-linked. Quotes are mrkdwn block quotes; a quote too long for one section is split at line,
sentence or word boundaries and, past a few sections, shortened with "…" and a note. A message never
exceeds 50 blocks: the least important citations (nearest, related, definition) are left out first
and the message says how many.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from knowledge.answers import Answer, Citation

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

# Our own choices, for readability rather than Slack's limits
MAX_QUOTE_SECTIONS = 2  # one clause takes at most this many sections before it is shortened
MAX_QUOTED_CHARS = 15_000  # all quotes of one message together
MAX_LEAD_SECTIONS = 2
FALLBACK_LEAD_CHARS = 1500
FALLBACK_QUOTE_CHARS = 280
ELLIPSIS = " \u2026"

LLM_NOTE = ":robot_face: Written by an AI model from the quoted clauses."
NEAREST_HEADER = "Nearest clauses (not an answer)"
THINKING = "Looking through the contracts\u2026"
BIND_COMMAND = "/liaison bind ENGAGEMENT client|vendor|shared"

ROLE_TEMPLATES = {"amendment": "Amended by *{}*", "definition": "Definition: *{}*", "related": "Related: *{}*"}
ROLE_PRIORITY = {"answer": 0, "amendment": 1, "definition": 2, "related": 3, "nearest": 4}
ROLE_NOUNS = {
    "answer": ("answer", "answers"),
    "amendment": ("amendment", "amendments"),
    "definition": ("definition", "definitions"),
    "related": ("related", "related"),
    "nearest": ("nearest", "nearest"),
}
SIDES = {  # side: (whose channel it is, which documents it may see)
    "client": ("the client's own channel", "shared documents and client-only ones"),
    "vendor": ("the vendor's own channel", "shared documents and vendor-only ones"),
    "shared": ("a channel with both sides in it", "shared documents only"),
}
INDEXING_STATUSES = {
    "indexing": "indexing",
    "started": "indexing",
    "running": "indexing",
    "indexed": "indexed",
    "done": "indexed",
    "ok": "indexed",
    "unchanged": "unchanged",
    "failed": "failed",
    "error": "failed",
    "skipped": "failed",
}
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
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _actions(*buttons: dict[str, Any]) -> Block:
    return {"type": "actions", "elements": list(buttons)}


def _check_value(value: str) -> str:
    if not value or len(value) > BUTTON_VALUE_CHARS:
        raise ValueError(f"a button value must be 1 to {BUTTON_VALUE_CHARS} characters, got {len(value)}")
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


# -- answers -------------------------------------------------------------------------------------
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
    """Where a stored clause reference is, as answers cite: "*Master Services Agreement*, §4.3, p. 2" (escaped)."""
    where = [
        f"\u00a7{ref['section']}" if ref.get("section") else None,
        f"p. {ref['page']}" if ref.get("page") else None,
    ]
    label = ", ".join([str(ref.get("title") or ref.get("document") or "a contract"), *[w for w in where if w]])
    return f"*{_clip(label, CONTEXT_CHARS - 40)}*"


def _citation_label(c: Citation, *, nearest: bool) -> str:
    label = _clip(c.label(), CONTEXT_CHARS - 40)
    template = None if nearest else ROLE_TEMPLATES.get(c.role)
    return template.format(label) if template else f"*{label}*"


def _citation_blocks(c: Citation, *, nearest: bool, max_sections: int) -> list[Block]:
    """A citation: a context line with its label and role, then the clause as a block quote."""
    blocks = [_context(_citation_label(c, nearest=nearest))]
    quote = _normalize(c.quote)
    if not quote:
        return blocks
    spans = _chunks(quote, _quoted, SECTION_CHARS)
    blocks.extend(_text_sections(quote, max_sections, _quoted))
    if len(spans) > max_sections:
        blocks.append(_context(f"Quote shortened; the full clause is in {_clip(c.label(), CONTEXT_CHARS - 60)}."))
    return blocks


def _left_out_note(roles: Counter[str]) -> Block:
    total = sum(roles.values())
    parts = []
    for role in sorted(roles, key=lambda r: ROLE_PRIORITY.get(r, 3)):
        singular, plural = ROLE_NOUNS.get(role, (role, role))
        parts.append(f"{roles[role]} {singular if roles[role] == 1 else plural}")
    noun = "clause" if total == 1 else "clauses"
    return _context(f"{total} more {noun} left out to keep this message short ({escape(', '.join(parts))}).")


def _citations_within(answer: Answer, budget: int) -> list[Block]:
    """Citation and nearest blocks in display order, fitting budget blocks; least important ones dropped."""
    items = [(c, False) for c in answer.citations] + [(c, True) for c in answer.nearest]
    full = [_citation_blocks(c, nearest=n, max_sections=MAX_QUOTE_SECTIONS) for c, n in items]
    header = 1 if answer.nearest else 0
    kept: dict[int, list[Block]] = {}
    if sum(map(len, full)) + header <= budget and sum(map(_text_chars, full)) <= MAX_QUOTED_CHARS:
        kept = dict(enumerate(full))
    else:
        blocks_left, chars_left = budget - 1, MAX_QUOTED_CHARS  # one block for the note on what was left out
        order = sorted(
            range(len(items)), key=lambda i: (4 if items[i][1] else ROLE_PRIORITY.get(items[i][0].role, 3), i)
        )
        header_counted = False
        for i in order:
            c, is_nearest = items[i]
            extra = 1 if is_nearest and not header_counted else 0
            for sections in range(MAX_QUOTE_SECTIONS, 0, -1):
                if sections == MAX_QUOTE_SECTIONS:
                    blocks = full[i]
                else:
                    blocks = _citation_blocks(c, nearest=is_nearest, max_sections=sections)
                if len(blocks) + extra <= blocks_left and _text_chars(blocks) <= chars_left:
                    kept[i] = blocks
                    blocks_left -= len(blocks) + extra
                    chars_left -= _text_chars(blocks)
                    header_counted = header_counted or is_nearest
                    break
    out: list[Block] = []
    shown_header = False
    for i, blocks in sorted(kept.items()):
        if items[i][1] and not shown_header:
            out.append(_header(NEAREST_HEADER))
            shown_header = True
        out.extend(blocks)
    left_out = Counter("nearest" if n else c.role for i, (c, n) in enumerate(items) if i not in kept)
    if left_out:
        out.append(_left_out_note(left_out))
    return out


def _answer_actions(answer: Answer, answer_id: str, shareable: bool) -> list[Block]:
    if not answer.found:
        if not answer.question.strip():
            return []  # nothing was asked, so there is nothing to ask the owner
        return [_actions(_button("Ask the contract owner", "ask_owner", answer_id, "primary"))]
    buttons = [
        _button("\U0001f44d Helpful", "feedback_up", answer_id),
        _button("\U0001f44e Not helpful", "feedback_down", answer_id),
    ]
    if shareable:
        buttons.append(_button("Share in channel", "share_answer", answer_id))
    return [_actions(*buttons)]


def _answer_blocks(answer: Answer, answer_id: str, shareable: bool, preface: list[Block]) -> list[Block]:
    _check_value(answer_id)
    head = [*preface, *_text_sections(_normalize(answer.text) or "(no answer)", MAX_LEAD_SECTIONS)]
    if answer.mode == "llm":
        head.append(_context(LLM_NOTE))
    tail = _answer_actions(answer, answer_id, shareable)
    return [*head, *_citations_within(answer, MAX_BLOCKS - len(head) - len(tail)), *tail]


def answer_blocks(answer: Answer, *, answer_id: str, shareable: bool = False) -> list[dict]:
    """The blocks of an answer: lead-in, quoted citations, nearest clauses when not found, and buttons."""
    return _answer_blocks(answer, answer_id, shareable, [])


def shared_answer_blocks(answer: Answer, *, answer_id: str, user: str) -> list[dict]:
    """An answer shared in the channel: who shared it and what was asked, then the answer itself."""
    who = f"<@{user}>" if _USER_ID.match(user) else "Someone"
    question = _clip(answer.question, CONTEXT_CHARS - 60) or "a question"
    return _answer_blocks(answer, answer_id, False, [_context(f"{who} shared an answer to: {question}")])


def answer_text(answer: Answer) -> str:
    """The plain-text fallback of an answer: the lead-in, then the first citation's label and a short quote."""
    parts = [_clip(answer.text, FALLBACK_LEAD_CHARS)]
    if answer.citations:
        c = answer.citations[0]
        quote = escape(_plain_clip(c.quote, FALLBACK_QUOTE_CHARS))
        parts.append(f"{_clip(c.label(), 300)}: \u201c{quote}\u201d")
    elif answer.nearest:
        parts.append(f"Nearest clause (not an answer): {_clip(answer.nearest[0].label(), 300)}")
    return "\n".join(p for p in parts if p)[:FALLBACK_CHARS]


# -- other messages ------------------------------------------------------------------------------
def thinking_blocks() -> list[dict]:
    """A placeholder shown while an answer is being prepared."""
    return [_context(f":mag: {THINKING}")]


def _sides_section() -> Block:
    lines = [f"\u2022 `{side}` \u2014 {whose}: {sees}" for side, (whose, sees) in SIDES.items()]
    return _section("*The side* decides which documents I may quote:\n" + "\n".join(lines))


def unbound_channel_blocks(*, channel_is_dm: bool) -> list[dict]:
    """Why Liaison cannot answer here yet, and how a channel is bound to an engagement and side."""
    where = "This conversation" if channel_is_dm else "This channel"
    blocks = [
        _section(f"{where} is not bound to an engagement yet, so I don't know which contracts I may quote here."),
        _section(f"A workspace admin or an engagement admin can bind it by running:\n`{BIND_COMMAND}`"),
        _sides_section(),
    ]
    if channel_is_dm:
        blocks.append(_context("Or ask me in a channel that is already bound to your engagement."))
    return blocks


def help_blocks() -> list[dict]:
    """What Liaison does and its `/liaison` subcommands."""
    commands = [
        "\u2022 `/liaison ask QUESTION` \u2014 answer from this channel's contracts, quoting the clauses",
        f"\u2022 `{BIND_COMMAND}` \u2014 bind this channel to an engagement and side "
        "(workspace admins and engagement admins)",
        "\u2022 `/liaison index` \u2014 add the PDF or DOCX you last shared here to the contracts, on this "
        "channel's side (or use the message shortcut *Add to contracts*)",
        "\u2022 `/liaison issue [TITLE]` \u2014 log an issue for this channel's engagement (opens a form)",
        "\u2022 `/liaison issues` \u2014 list the engagement's open issues, most severe first "
        "(or use the message shortcut *Log as issue* on any message)",
        "\u2022 `/liaison mediate TITLE [#ISSUE] [by YYYY-MM-DD]` \u2014 open a mediation thread "
        "(engagement mediators)",
        "\u2022 `/liaison help` \u2014 this message",
    ]
    return [
        _header("Liaison"),
        _section("I answer questions about your outsourcing contracts by quoting the clauses that answer them."),
        _section("\n".join(commands)),
        _context("You can also @mention Liaison in a bound channel, or send it a direct message."),
    ]


def bound_blocks(*, engagement: str, side: str) -> list[dict]:
    """Confirmation that a channel is now bound to an engagement and side."""
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}: use one of {', '.join(SIDES)}")
    name = _clip(engagement, 500)
    return [
        _section(f":white_check_mark: This channel is now bound to *{name}* as the `{side}` side."),
        _context(f"I will quote from {SIDES[side][1]}. Ask with `/liaison ask QUESTION` or @mention me."),
    ]


def refusal_blocks(reason: str) -> list[dict]:
    """Why Liaison will not do what was asked."""
    return [_section(f":no_entry: {_clip(reason, SECTION_CHARS - 20)}")]


def error_blocks(message: str) -> list[dict]:
    """A short apology for something that went wrong."""
    text = _clip(message, 500)
    if re.match(r"(sorry|apologies)\b", message.strip(), re.IGNORECASE):
        return [_section(f":warning: {text}")]  # the message already apologises
    return [_section(f":warning: Sorry, something went wrong: {text}")]


def indexing_blocks(*, name: str, status: str, detail: str | None = None) -> list[dict]:
    """Progress or result of indexing one file: indexing, indexed, unchanged or failed."""
    kind = INDEXING_STATUSES.get(status)
    if kind is None:
        raise ValueError(f"unknown indexing status {status!r}: use one of {', '.join(sorted(INDEXING_STATUSES))}")
    file = _clip(name, 300)
    more = f": {_clip(detail, 1500)}" if detail else ""
    if kind == "indexing":
        progress = [_context(_clip(detail, 1500))] if detail else []
        return [_section(f":hourglass_flowing_sand: Indexing {file}\u2026"), *progress]
    if kind == "indexed":
        return [_section(f":white_check_mark: Indexed {file}{more}")]
    if kind == "unchanged":
        return [_section(f":white_check_mark: {file} is already indexed and unchanged{more}")]
    return [_section(f":x: Could not index {file}{more}")]


def owner_ping_text(*, owners: list[str], question: str) -> str:
    """A message mentioning the contract owners about a question the contracts do not answer."""
    mentions = " ".join(f"<@{o}>" for o in owners if _USER_ID.match(o))
    text = f"Liaison could not find this in the contracts: {_clip(question, 3000)}"
    return f"{mentions} \u2014 {text}" if mentions else text


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
    return {**{key: view[key] for key in _VIEW_KEYS if key in view}, "blocks": out}
