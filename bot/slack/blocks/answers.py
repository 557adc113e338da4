"""The contract-question messages: answers and their citations, and the short messages around them.

Pure functions from answers and events to blocks, within Slack's limits: an answer and its quoted
citations, an answer shared in the channel, the thinking placeholder, the unbound-channel, help and
bound messages, refusals, errors, indexing progress and the ping to the contract owners. Nothing here
talks to Slack. The Block Kit primitives and Slack's limits live in `bot.slack.blocks.kit` and are re-exported
here for existing callers.

Every piece of contract or user text that goes into mrkdwn is escaped (`&`, `<`, `>`) and marked
`verbatim`. Quotes are mrkdwn block quotes; a quote too long for one section is split at line,
sentence or word boundaries and, past a few sections, shortened with "…" and a note. A message never
exceeds 50 blocks: the least important citations (nearest, related, definition) are left out first
and the message says how many.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.i18n import N_, _, ngettext

# The primitives and limits below are re-exported: other builders, listeners and tests use them from here.
from bot.slack.blocks.kit import (
    CONTEXT_CHARS,
    FALLBACK_CHARS,
    MAX_BLOCKS,
    SECTION_CHARS,
    USER_ID,
    Block,
    actions,
    button,
    check_value,
    context,
    header,
    section,
    text_chars,
    text_sections,
)
from bot.slack.blocks.text_fit import chunks, escape, escaped_fit, normalize, plain_fit, quoted
from knowledge.answers import Answer, Citation
from knowledge.direct import Direct
from knowledge.text import citation_label, marked, starts_mid_sentence

# Our own choices, for readability rather than Slack's limits
MAX_QUOTE_SECTIONS = 2  # one clause takes at most this many sections before it is shortened
MAX_QUOTED_CHARS = 15_000  # all quotes of one message together
MAX_LEAD_SECTIONS = 2
FALLBACK_LEAD_CHARS = 1500
FALLBACK_QUOTE_CHARS = 280
DIRECT_CHARS = 900  # a longer direct line is shown around its value, with "…" where it is shortened
DIRECT_CONTEXT_CHARS = 300  # how much of a long line is kept on each side of its value

# Texts marked with N_() are translated where they are shown (`_(LLM_NOTE)`), never at import time.
LLM_NOTE = N_(":robot_face: Written by an AI model from the quoted clauses.")
NEAREST_HEADER = N_("Nearest clauses (not an answer)")
THINKING = N_("Looking through the contracts\u2026")
BIND_COMMAND = N_("/liaison bind ENGAGEMENT client|vendor|shared")  # its placeholder in the reader's language

ROLE_TEMPLATES = {
    "amendment": N_("Amended by *{label}*"),
    "definition": N_("Definition: *{label}*"),
    "related": N_("Related: *{label}*"),
}
ROLE_PRIORITY = {"answer": 0, "amendment": 1, "definition": 2, "related": 3, "nearest": 4}
SIDES = {  # side: (whose channel it is, which documents it may see), translated where shown
    "client": (N_("the client's own channel"), N_("shared documents and client-only ones")),
    "vendor": (N_("the vendor's own channel"), N_("shared documents and vendor-only ones")),
    "shared": (N_("a channel with both sides in it"), N_("shared documents only")),
}


def side_sees(side: str) -> str:
    """Which documents a side's channel may quote, in the reader's language (an unknown side reads as shared)."""
    return _(SIDES.get(side, SIDES["shared"])[1])


def _role_count(role: str, n: int) -> str:
    """ "2 definitions", "1 related": how many citations of a role were left out."""
    if role == "answer":
        return ngettext("{n} answer", "{n} answers", n).format(n=n)
    if role == "amendment":
        return ngettext("{n} amendment", "{n} amendments", n).format(n=n)
    if role == "definition":
        return ngettext("{n} definition", "{n} definitions", n).format(n=n)
    if role == "related":
        return ngettext("{n} related", "{n} related", n).format(n=n)
    if role == "nearest":
        return ngettext("{n} nearest", "{n} nearest", n).format(n=n)
    return f"{n} {role}"


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


# -- answers -------------------------------------------------------------------------------------
def _citation_label(c: Citation, *, nearest: bool) -> str:
    label = escaped_fit(c.label(), CONTEXT_CHARS - 40)
    template = None if nearest else ROLE_TEMPLATES.get(c.role)
    return _(template).format(label=label) if template else f"*{label}*"


def _citation_blocks(c: Citation, *, nearest: bool, max_sections: int) -> list[Block]:
    """A citation: a context line with its label and role, then the clause as a block quote."""
    blocks = [context(_citation_label(c, nearest=nearest))]
    if c.header and c.header_start is not None:  # a table row: its header row, so the cells read as columns
        columns = _flat(marked(c.header, c.header_start, c.placeholders))
        blocks.append(context(_("Columns: {columns}").format(columns=escape(escaped_fit(columns, CONTEXT_CHARS - 20)))))
    quote = normalize(marked(c.quote, c.start, c.placeholders))  # template slots shown as such
    if not quote:
        return blocks
    if starts_mid_sentence(quote):  # a clause that runs on from the page or the part before: say it does
        quote = "\u2026" + quote
    spans = chunks(quote, quoted, SECTION_CHARS)
    blocks.extend(text_sections(quote, max_sections, quoted))
    if len(spans) > max_sections:
        label = escaped_fit(c.label(), CONTEXT_CHARS - 60)
        blocks.append(context(_("Quote shortened; the full clause is in {label}.").format(label=label)))
    if c.translation:  # with an LLM: beside the verbatim quote, marked, never in its place
        said = _(":globe_with_meridians: Machine translation, not the contract's words: {text}")
        room = CONTEXT_CHARS - len(said) + len("{text}")
        blocks.append(context(said.format(text=escape(escaped_fit(_flat(c.translation), room)))))
    return blocks


def _left_out_note(roles: Counter[str]) -> Block:
    total = sum(roles.values())
    parts = [_role_count(role, roles[role]) for role in sorted(roles, key=lambda r: ROLE_PRIORITY.get(r, 3))]
    note = ngettext(
        "{total} more clause left out to keep this message short ({parts}).",
        "{total} more clauses left out to keep this message short ({parts}).",
        total,
    )
    return context(note.format(total=total, parts=escape(", ".join(parts))))


def _citations_within(answer: Answer, budget: int) -> list[Block]:
    """Citation and nearest blocks in display order, fitting budget blocks; least important ones dropped."""
    items = [(c, False) for c in answer.citations] + [(c, True) for c in answer.nearest]
    full = [_citation_blocks(c, nearest=n, max_sections=MAX_QUOTE_SECTIONS) for c, n in items]
    nearest_header = 1 if answer.nearest else 0
    kept: dict[int, list[Block]] = {}
    if sum(map(len, full)) + nearest_header <= budget and sum(map(text_chars, full)) <= MAX_QUOTED_CHARS:
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
                if len(blocks) + extra <= blocks_left and text_chars(blocks) <= chars_left:
                    kept[i] = blocks
                    blocks_left -= len(blocks) + extra
                    chars_left -= text_chars(blocks)
                    header_counted = header_counted or is_nearest
                    break
    out: list[Block] = []
    shown_header = False
    for i, blocks in sorted(kept.items()):
        if items[i][1] and not shown_header:
            out.append(header(_(NEAREST_HEADER)))
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
        return [actions(button(_("Ask the contract owner"), "ask_owner", answer_id, "primary"))]
    buttons = [
        button(_("\U0001f44d Helpful"), "feedback_up", answer_id),
        button(_("\U0001f44e Not helpful"), "feedback_down", answer_id),
    ]
    if shareable:
        buttons.append(button(_("Share in channel"), "share_answer", answer_id))
    return [actions(*buttons)]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def direct_line(direct: Direct) -> str:
    """The direct answer line as mrkdwn: the verbatim line, escaped, its value in bold, then where it is."""
    raw_before, value, raw_after = direct.parts()
    before = _flat(marked(raw_before, direct.start, direct.placeholders)).lstrip()
    after = _flat(marked(raw_after, direct.value_end, direct.placeholders)).rstrip()
    value = _flat(value)
    if len(before) + len(value) + len(after) > DIRECT_CHARS:
        if len(before) > DIRECT_CONTEXT_CHARS:
            cut = before.find(" ", len(before) - DIRECT_CONTEXT_CHARS)
            before = "\u2026" + before[cut if cut >= 0 else len(before) - DIRECT_CONTEXT_CHARS :]
        if len(after) > DIRECT_CONTEXT_CHARS:
            cut = after.rfind(" ", 0, DIRECT_CONTEXT_CHARS)
            after = after[: cut if cut > 0 else DIRECT_CONTEXT_CHARS] + " \u2026"
    label = citation_label(title=direct.title, document=direct.document, section=direct.section, page=direct.page)
    line = f"{escape(before)}*{escape(value.strip())}*{escape(after)}"
    return f"\u201c{line}\u201d \u2014 {escaped_fit(label, 400)}"


def _direct_blocks(direct: Direct | None) -> list[Block]:
    """The line that answers, first; a table row shows its table's header row beside it."""
    if direct is None or not direct.value.strip():
        return []
    blocks = [section(direct_line(direct))]
    if direct.header:
        columns = marked(direct.header, direct.header_start or 0, direct.placeholders)
        shown = escape(escaped_fit(_flat(columns), CONTEXT_CHARS - 20))
        blocks.append(context(_("Columns: {columns}").format(columns=shown)))
    return blocks


def _answer_blocks(answer: Answer, answer_id: str, shareable: bool, preface: list[Block]) -> list[Block]:
    check_value(answer_id)
    head = [
        *preface,
        *_direct_blocks(answer.direct),
        *text_sections(normalize(answer.text) or _("(no answer)"), MAX_LEAD_SECTIONS),
    ]
    if answer.mode == "llm":
        head.append(context(_(LLM_NOTE)))
    tail = _answer_actions(answer, answer_id, shareable)
    return [*head, *_citations_within(answer, MAX_BLOCKS - len(head) - len(tail)), *tail]


def answer_blocks(answer: Answer, *, answer_id: str, shareable: bool = False) -> list[Block]:
    """The blocks of an answer: the direct line, lead-in, quoted citations, nearest clauses when not found, buttons."""
    return _answer_blocks(answer, answer_id, shareable, [])


def shared_answer_blocks(answer: Answer, *, answer_id: str, user: str) -> list[Block]:
    """An answer shared in the channel: who shared it and what was asked, then the answer itself."""
    question = escaped_fit(answer.question, CONTEXT_CHARS - 60) or _("a question")
    if USER_ID.match(user):
        shared = _("{user} shared an answer to: {question}").format(user=f"<@{user}>", question=question)
    else:
        shared = _("Someone shared an answer to: {question}").format(question=question)
    return _answer_blocks(answer, answer_id, False, [context(shared)])


def answer_text(answer: Answer) -> str:
    """The plain-text fallback of an answer: the direct line, the lead-in, the first citation's label and quote."""
    parts = [direct_line(answer.direct)] if answer.direct and answer.direct.value.strip() else []
    parts.append(escaped_fit(answer.text, FALLBACK_LEAD_CHARS))
    if answer.citations:
        c = answer.citations[0]
        quote = escape(plain_fit(c.quote, FALLBACK_QUOTE_CHARS))
        parts.append(f"{escaped_fit(c.label(), 300)}: \u201c{quote}\u201d")
    elif answer.nearest:
        label = escaped_fit(answer.nearest[0].label(), 300)
        parts.append(_("Nearest clause (not an answer): {label}").format(label=label))
    return "\n".join(p for p in parts if p)[:FALLBACK_CHARS]


# -- other messages ------------------------------------------------------------------------------
def thinking_blocks() -> list[Block]:
    """A placeholder shown while an answer is being prepared."""
    return [context(f":mag: {_(THINKING)}")]


def _sides_section() -> Block:
    lines = [f"\u2022 `{side}` \u2014 {_(whose)}: {_(sees)}" for side, (whose, sees) in SIDES.items()]
    return section(_("*The side* decides which documents I may quote:") + "\n" + "\n".join(lines))


def unbound_channel_blocks(*, channel_is_dm: bool) -> list[Block]:
    """Why Liaison cannot answer here yet, and how a channel is bound to an engagement and side."""
    if channel_is_dm:
        why = _(
            "This conversation is not bound to an engagement yet, so I don't know which contracts I may quote here."
        )
    else:
        why = _("This channel is not bound to an engagement yet, so I don't know which contracts I may quote here.")
    how = _("A workspace admin or an engagement admin can bind it by running:\n`{command}`")
    blocks = [section(why), section(how.format(command=_(BIND_COMMAND))), _sides_section()]
    if channel_is_dm:
        blocks.append(context(_("Or ask me in a channel that is already bound to your engagement.")))
    return blocks


def help_blocks() -> list[Block]:
    """What Liaison does and its `/liaison` subcommands."""
    commands = [
        _("\u2022 `/liaison ask QUESTION` \u2014 answer from this channel's contracts, quoting the clauses"),
        _(
            "\u2022 `{command}` \u2014 bind this channel to an engagement and side "
            "(workspace admins and engagement admins)"
        ).format(command=_(BIND_COMMAND)),
        _("\u2022 `/liaison unbind` \u2014 stop answering here from the channel's engagement (its admins)"),
        _(
            "\u2022 `/liaison index` \u2014 add the PDF or DOCX you last shared here to the contracts, on this "
            "channel's side (or use the message shortcut *Add to contracts*)"
        ),
        _("\u2022 `/liaison issue [TITLE]` \u2014 log an issue for this channel's engagement (opens a form)"),
        _(
            "\u2022 `/liaison issues` \u2014 list the engagement's open issues, most severe first "
            "(or use the message shortcut *Log as issue* on any message)"
        ),
        _(
            "\u2022 `/liaison mediate TITLE [#ISSUE] [by YYYY-MM-DD]` \u2014 open a mediation thread "
            "(engagement mediators)"
        ),
        _(
            "\u2022 `/liaison sla [list|report|credits|fees|extract|help]` \u2014 the SLA register: service levels "
            "from the contracts, measurements, breaches and credits with the working shown (`/liaison sla help`)"
        ),
        _(
            "\u2022 `/liaison deadlines` \u2014 the engagement's next deadlines (term, renewal, notice, cure, "
            "claim windows) with their clauses"
        ),
        _(
            "\u2022 `/liaison language [LANG|default]` \u2014 which language I speak here; with a language, set this "
            "channel's (those who bind its engagement's channels)"
        ),
        _("\u2022 `/liaison help` \u2014 this message"),
    ]
    return [
        header("Liaison"),
        section(_("I answer questions about your outsourcing contracts by quoting the clauses that answer them.")),
        section("\n".join(commands)),
        context(_("You can also @mention Liaison in a bound channel, or send it a direct message.")),
    ]


def unbound_blocks(*, engagement: str, side: str) -> list[Block]:
    """Confirmation that a channel no longer answers from an engagement."""
    name = escaped_fit(engagement, 500)
    return [
        section(
            _(":white_check_mark: This channel is no longer bound to *{name}* (it was the `{side}` side).").format(
                name=name, side=side
            )
        ),
        context(
            _("Its questions, issues and mediations stay on record. To bind it again: `{command}`.").format(
                command=_(BIND_COMMAND)
            )
        ),
    ]


def bound_blocks(*, engagement: str, side: str) -> list[Block]:
    """Confirmation that a channel is now bound to an engagement and side."""
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}: use one of {', '.join(SIDES)}")
    name = escaped_fit(engagement, 500)
    return [
        section(
            _(":white_check_mark: This channel is now bound to *{name}* as the `{side}` side.").format(
                name=name, side=side
            )
        ),
        context(
            _("I will quote from {sees}. Ask with `/liaison ask QUESTION` or @mention me.").format(sees=side_sees(side))
        ),
    ]


def refusal_blocks(reason: str) -> list[Block]:
    """Why Liaison will not do what was asked."""
    return [section(f":no_entry: {escaped_fit(reason, SECTION_CHARS - 20)}")]


APOLOGY = re.compile(r"(sorry|apologies|mi dispiace|ci dispiace|scusa|scusate|ci scusiamo)\b", re.IGNORECASE)


def error_blocks(message: str) -> list[Block]:
    """A short apology for something that went wrong."""
    text = escaped_fit(message, 500)
    if APOLOGY.match(message.strip()):
        return [section(f":warning: {text}")]  # the message already apologises
    return [section(_(":warning: Sorry, something went wrong: {error}").format(error=text))]


def indexing_blocks(*, name: str, status: str, detail: str | None = None) -> list[Block]:
    """Progress or result of indexing one file: indexing, indexed, unchanged or failed."""
    kind = INDEXING_STATUSES.get(status)
    if kind is None:
        raise ValueError(f"unknown indexing status {status!r}: use one of {', '.join(sorted(INDEXING_STATUSES))}")
    file = escaped_fit(name, 300)
    more = escaped_fit(detail, 1500) if detail else ""
    if kind == "indexing":
        progress = [context(more)] if detail else []
        return [section(_(":hourglass_flowing_sand: Indexing {file}\u2026").format(file=file)), *progress]
    if kind == "indexed":
        said = _(":white_check_mark: Indexed {file}: {detail}") if detail else _(":white_check_mark: Indexed {file}")
    elif kind == "unchanged":
        said = (
            _(":white_check_mark: {file} is already indexed and unchanged: {detail}")
            if detail
            else _(":white_check_mark: {file} is already indexed and unchanged")
        )
    else:
        said = _(":x: Could not index {file}: {detail}") if detail else _(":x: Could not index {file}")
    return [section(said.format(file=file, detail=more))]


def owner_ping_text(*, owners: list[str], question: str) -> str:
    """A message mentioning the contract owners about a question the contracts do not answer."""
    mentions = " ".join(f"<@{o}>" for o in owners if USER_ID.match(o))
    text = _("Liaison could not find this in the contracts: {question}").format(question=escaped_fit(question, 3000))
    return f"{mentions} \u2014 {text}" if mentions else text
