"""Block Kit for the weekly digest: pure functions from a `Digest` to a message, within Slack's limits.

Every fact, item and title is escaped and sent `verbatim`: an issue title or a question can never ping
`<!channel>` or link anywhere. A message never exceeds 50 blocks, nor a section 3000 characters; a long item
is shortened at a word (" …") so that a section's ten named issues and their count fit.
"""

from __future__ import annotations

from bot.digest.sections import Digest, Fact, Section
from bot.digest.text import period_text, summary_text
from bot.i18n import N_, _, ngettext
from bot.slack.blocks.kit import FALLBACK_CHARS, HEADER_CHARS, MAX_BLOCKS, SECTION_CHARS, Block, Element, Message
from bot.slack.blocks.kit import context as _context
from bot.slack.blocks.kit import mrkdwn as _mrkdwn
from bot.slack.blocks.text_fit import escape, escaped_fit
from bot.slack.seal import clip as seal_clip
from bot.slack.seal import seal

ITEM_CHARS = 250  # an item's share of a section, escaped: ten of them and the facts fit in one
SEEN_FROM = {  # translated where shown
    "client": N_("as seen from the client's channels"),
    "vendor": N_("as seen from the vendor's channels"),
    "shared": N_("as seen from shared channels"),
}
VISIBILITY = {  # where a document added from a side's channel is seen, translated where shown
    "client": N_("Shared in this channel, it will be client-only (only the client's channels will see it)."),
    "vendor": N_("Shared in this channel, it will be vendor-only (only the vendor's channels will see it)."),
    "shared": N_("Shared in this channel, it will be shared (both sides will see it)."),
}


def _fact(fact: Fact) -> str:
    line = f"*{escape(fact.label)}:* {escape(fact.value)}"
    if fact.trend is not None:
        line += f"  _{escape(fact.trend.text())}_"
    if fact.detail:
        line += f"\n      {escape(fact.detail)}"
    return line


def _within(lines: list[str], limit: int = SECTION_CHARS) -> str:
    """Whole lines up to Slack's limit for a section's text, then a note of how many were left out."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        rest = len(lines) - i
        if len("\n".join([*kept, line])) > limit - 40:
            kept.append(ngettext("_… {n} more line left out_", "_… {n} more lines left out_", rest).format(n=rest))
            break
        kept.append(line)
    return "\n".join(kept)


def _section_blocks(section: Section) -> list[Block]:
    lines = [f"*{escape(section.title)}*", *(_fact(f) for f in section.facts)]
    lines.extend(f"• {escaped_fit(item, ITEM_CHARS)}" for item in section.items)
    if not section.items and section.empty:
        lines.append(f"_{escape(section.empty)}_")
    blocks: list[Block] = [{"type": "section", "text": _mrkdwn(_within(lines))}]
    if section.note:
        blocks.append(_context(escape(section.note)))
    if section.action is not None:
        button: Element = {
            "type": "button",
            "text": {"type": "plain_text", "text": section.action.label[:75], "emoji": True},
            "action_id": section.action.action_id,
            "value": seal(seal_clip(section.action.value, 2000)),
        }
        blocks.append({"type": "actions", "elements": [button]})
    return blocks


def digest_blocks(digest: Digest) -> list[Block]:
    """Header, period, then each section (facts with trends, items, note, button), at most 50 blocks."""
    head: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"📊 {digest.title}"[:HEADER_CHARS], "emoji": True}},
        _context(f"{escape(period_text(digest.window))} · {_(SEEN_FROM[digest.side])}"),
    ]
    body: list[Block] = []
    for i, section in enumerate(digest.sections):
        part: list[Block] = [{"type": "divider"}, *_section_blocks(section)]
        if len(head) + len(body) + len(part) > MAX_BLOCKS - 1:
            left = len(digest.sections) - i
            note = ngettext(
                "_{n} more section left out: see `liaison digest`._",
                "_{n} more sections left out: see `liaison digest`._",
                left,
            )
            body.append(_context(note.format(n=left)))
            break
        body.extend(part)
    return head + body


def digest_message(digest: Digest) -> Message:
    """`text` (the notification) and `blocks` for chat.postMessage."""
    return {"text": summary_text(digest)[:FALLBACK_CHARS], "blocks": digest_blocks(digest)}


def add_document_blocks(*, engagement: str, side: str | None) -> list[Block]:
    """How to fill a knowledge gap: add the contract that answers it (the reply to the digest's button)."""
    where = (
        _(VISIBILITY[side])
        if side in VISIBILITY
        else _("A file is visible to the side of the channel it is added from.")
    )
    text = _(
        "*Add a document to {engagement}*\n"
        "1. Share the contract (PDF, DOCX, Markdown, HTML, reST or text) in a channel bound to the engagement.\n"
        "2. Run `/liaison index` there, or use the *Add to contracts* shortcut on the message with the file.\n"
        "{where} Engagement admins (and workspace admins) can add documents; from a terminal: "
        "`liaison index FILE --engagement {engagement} --visibility shared|client-only|vendor-only`."
    ).format(engagement=escape(engagement), where=where)
    return [{"type": "section", "text": _mrkdwn(text)}]
