"""The digest as plain text: `liaison digest --dry-run`'s output, and the one-line notification text.

No Slack imports; the Block Kit rendering is `bot.slack.blocks.digest`, which reuses `period_text` and
`summary_text`. The types rendered are in `bot.digest.model`.
"""

from __future__ import annotations

from bot.digest.model import ADD_DOCUMENT_ACTION, HEADLINE, Digest, Fact, Window, weeks_before
from bot.records import digests


def period_text(window: Window) -> str:
    start, end = window.start.astimezone(window.zone), window.end.astimezone(window.zone)
    so_far = " so far" if weeks_before(window.end, window.zone, 1) != window.start else ""
    return f"{start:%a %d %b %H:%M} – {end:%a %d %b %Y %H:%M} ({window.timezone}){so_far}"


def fact_text(fact: Fact) -> str:
    text = f"{fact.label}: {fact.value}"
    if fact.trend is not None:
        text += f" ({fact.trend.text()})"
    return text + (f" — {fact.detail}" if fact.detail else "")


def digest_text(digest: Digest) -> str:
    """The digest as a person reads it in a terminal: sections, facts with trends, items."""
    seen_from = {"client": "the client's channels", "vendor": "the vendor's channels", "shared": "shared channels"}
    lines = [digest.title, f"{period_text(digest.window)}, as seen from {seen_from[digest.side]}", ""]
    for section in digest.sections:
        lines.append(section.title.upper())
        lines.extend(f"  {fact_text(f)}" for f in section.facts)
        lines.extend(f"  - {item}" for item in section.items)
        if not section.items and section.empty:
            lines.append(f"  {section.empty}")
        if section.action is not None and section.action.action_id == ADD_DOCUMENT_ACTION:
            lines.append("  To fill a gap: share the contract in a bound channel, then /liaison index there.")
        if section.note:
            lines.append(f"  Note: {section.note}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_text(digest: Digest) -> str:
    """One line for notifications: the headline numbers (per engagement in the managers' digest)."""
    if digest.engagement == digests.ALL_ENGAGEMENTS:
        names = ", ".join(s.title for s in digest.sections) or "no engagement with a bound channel"
        return f"{digest.title} ({period_text(digest.window)}): {names}"
    values = {key: f.value for key in HEADLINE if (f := digest.fact(key)) is not None}
    phrases = {
        "issues.new": "{} new issues",
        "issues.resolved": "{} resolved",
        "issues.open": "{} open",
        "sla.breaches": "{} SLA breaches",
        "sla.met": "{} service levels met",
        "mediations.open": "{} mediations under way",
        "deadlines.due": "{} deadlines in the next 90 days",
        "questions.unanswered": "{} questions not answered",
    }
    numbers = ", ".join(phrases[key].format(value) for key, value in values.items())
    return f"{digest.title} ({period_text(digest.window)})" + (f": {numbers}" if numbers else "")
