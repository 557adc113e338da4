"""Block Kit for a mediation's neutral summary: pure functions from a Summary to blocks, within Slack's limits.

Titles, positions and evidence are user text and quotes are contract text: all of it is escaped and marked
verbatim, so none of it can mention a channel, link somewhere or format the message. Both sides are shown
the same way, the client then the vendor, side by side in one section's fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.i18n import _, ngettext
from bot.mediation.summaries import LABELS, SILENT, Summary
from bot.mediation.summary_text import clause_label
from bot.slack.blocks.kit import FALLBACK_CHARS, HEADER_CHARS, MAX_BLOCKS, SECTION_CHARS, Block, mrkdwn
from bot.slack.blocks.kit import context as _context
from bot.slack.blocks.kit import section as _section
from bot.slack.blocks.text_fit import escape

FIELD_CHARS = 2000  # Slack's limit on one section field
POINT_CHARS = 300  # our choices from here on, for readability
ITEM_CHARS = 600
QUOTE_CHARS = 2400
MAX_POINTS = 10  # points of difference shown; the full list is in the summary's text in the timeline
SUMMARY_TEXT_CHARS = 600
ELLIPSIS = " \u2026"
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def _fit(text: str, limit: int, render: Callable[[str], str] = escape) -> str:
    """render(text), shortened at a word boundary with an ellipsis until it fits in limit characters."""
    text = text.strip()
    if len(render(text)) <= limit:
        return render(text)
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if len(render(text[:mid] + ELLIPSIS)) <= limit else (lo, mid - 1)
    cut = text.rfind(" ", 0, lo)
    return render(text[: cut if cut > lo // 2 else lo].rstrip() + ELLIPSIS)


def _quoted(text: str) -> str:
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.split("\n"))


def _bullets(heading: str, items: list[str], empty: str = "") -> Block:
    """A section "*heading*" with one bullet per item, as many as fit, then how many more there are."""
    text = f"*{heading}*"
    if not items:
        return _section(f"{text}\n_{empty}_")
    for n, item in enumerate(items):
        line = f"\n\u2022 {_fit(item, ITEM_CHARS)}"
        more = "\n" + _("_\u2026and {n} more_").format(n=len(items) - n)
        if len(text) + len(line) + len(more) > SECTION_CHARS:
            return _section(text + more)
        text += line
    return _section(text)


def _who(author: str) -> str:
    return f"<@{author}>" if _USER_ID.match(author) else escape(author or _("someone"))


def _point(summary: Summary, point: str, sides: list[tuple[str, str]]) -> Block:
    fields = []
    for side, text in sides:
        said = _fit(text, FIELD_CHARS - 40) if text else f"_{_(summary.shown(side, text))}_"
        if side == "client":
            states = _("*Client states:*")
        elif side == "vendor":
            states = _("*Vendor states:*")
        else:
            states = f"*{escape(_(LABELS.get(side, side)))}:*"
        fields.append(mrkdwn(f"{states}\n{said}"))
    return {"type": "section", "text": mrkdwn(f"*{_fit(point, POINT_CHARS)}*"), "fields": fields}


def _contract(summary: Summary, budget: int) -> list[Block]:
    """ "What the contracts say": each clause a quote (the first under its point's name) and a context line."""
    out = [_section(_("*What the contracts say*") + (f"\n{escape(_(SILENT))}" if summary.silent else ""))]
    room = (budget - 2) // 2  # two blocks a clause, less the heading and a note on what was left out
    left_out = 0
    for point in summary.contract:
        for i, clause in enumerate(point.clauses):
            if room <= 0:
                left_out += 1
                continue
            lead = f"*{_fit(point.point, POINT_CHARS)}*\n" if i == 0 else ""
            out += [
                _section(lead + _fit(clause["quote"] or "", QUOTE_CHARS, _quoted)),
                _context(escape(clause_label(clause))),
            ]
            room -= 1
    if left_out:
        note = ngettext(
            "{n} more clause left out to keep this message short.",
            "{n} more clauses left out to keep this message short.",
            left_out,
        )
        out.append(_context(note.format(n=left_out)))
    return out


def _evidence(summary: Summary) -> Block:
    lines = []
    for e in summary.evidence:
        if e.side == "client":
            who = _("{who} (with the client's position)").format(who=_who(e.author))
        elif e.side == "vendor":
            who = _("{who} (with the vendor's position)").format(who=_who(e.author))
        elif e.side:
            who = f"{_who(e.author)} ({escape(e.side)})"
        else:
            who = _who(e.author)
        lines.append(f"{who}: {_fit(e.text, ITEM_CHARS)}")
    text = _("*Evidence*")
    for n, line in enumerate(lines):
        if len(text) + len(line) + 40 > SECTION_CHARS:
            return _section(f"{text}\n" + _("_\u2026and {n} more_").format(n=len(lines) - n))
        text += f"\n\u2022 {line}"
    return _section(text)


def summary_blocks(summary: Summary) -> list[Block]:
    """The blocks of a neutral summary: agreed facts, differences side by side, quoted clauses, what is missing."""
    head: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _fit(_neutral(summary.title), HEADER_CHARS, str)},
        },
        _bullets(_("Both sides agree"), summary.agreed, _("No statement appears in both positions yet.")),
        _section(_("*Where they differ*") + ("" if summary.differences else "\n" + _("_No differing statements._"))),
    ]
    head += [_point(summary, d.point, d.sides()) for d in summary.differences[:MAX_POINTS]]
    if len(summary.differences) > MAX_POINTS:
        more = len(summary.differences) - MAX_POINTS
        note = ngettext(
            "{n} more point is in the summary's full text.", "{n} more points are in the summary's full text.", more
        )
        head.append(_context(note.format(n=more)))
    tail: list[Block] = []
    if summary.evidence:
        tail.append(_evidence(summary))
    if summary.missing:
        tail.append(_bullets(_("Not yet stated"), summary.missing))
    tail.append(_context(f":scales: {escape(_(summary.note))}"))
    return [*head, *_contract(summary, MAX_BLOCKS - len(head) - len(tail)), *tail]


def _neutral(title: str) -> str:
    return _("Neutral summary: {title}").format(title=title)


def summary_text(summary: Summary) -> str:
    """The notification fallback: the title and what the summary holds, in one short line."""
    points, clauses = len(summary.differences), len(summary.clauses())
    counts = ", ".join(
        [
            _("{n} agreed").format(n=len(summary.agreed)),
            ngettext("{n} point of difference", "{n} points of difference", points).format(n=points),
            ngettext("{n} clause quoted", "{n} clauses quoted", clauses).format(n=clauses),
        ]
    )
    text = _("Neutral summary: {title} ({counts})").format(title=summary.title, counts=counts)
    if summary.missing:
        text += " " + " ".join(summary.missing)
    return _fit(text, min(SUMMARY_TEXT_CHARS, FALLBACK_CHARS))
