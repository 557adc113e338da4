"""The digest as plain text: `liaison digest --dry-run`'s output, and the one-line notification text.

No Slack imports; the Block Kit rendering is `bot.slack.blocks.digest`, which reuses `period_text` and
`summary_text`. The types rendered are in `bot.digest.model`.
"""

from __future__ import annotations

from datetime import datetime

from bot.digest.model import ADD_DOCUMENT_ACTION, HEADLINE, Digest, Fact, Window, weeks_before
from bot.i18n import N_, _, current
from bot.records import digests

SEEN_FROM = {
    "client": N_("{period}, as seen from the client's channels"),
    "vendor": N_("{period}, as seen from the vendor's channels"),
    "shared": N_("{period}, as seen from shared channels"),
}
PHRASES = {  # the notification's headline numbers; the value is a text (a fact's value: "3", "2 of 5")
    "issues.new": N_("{} new issues"),
    "issues.resolved": N_("{} resolved"),
    "issues.open": N_("{} open"),
    "sla.breaches": N_("{} SLA breaches"),
    "sla.met": N_("{} service levels met"),
    "mediations.open": N_("{} mediations under way"),
    "deadlines.due": N_("{} deadlines in the next 90 days"),
    "questions.unanswered": N_("{} questions not answered"),
}


def period_text(window: Window) -> str:
    start, end = window.start.astimezone(window.zone), window.end.astimezone(window.zone)
    so_far = weeks_before(window.end, window.zone, 1) != window.start
    text = _("{start} – {end} ({zone}) so far") if so_far else _("{start} – {end} ({zone})")
    return text.format(start=_moment(start, year=False), end=_moment(end, year=True), zone=window.timezone)


def _moment(moment: datetime, *, year: bool) -> str:
    """'Mon 09 Nov 08:00' (with the year: 'Mon 16 Nov 2026 08:00'), in the reader's language ('lun 09 nov')."""
    lang = current()
    if lang == "en":
        return f"{moment:%a %d %b %Y %H:%M}" if year else f"{moment:%a %d %b %H:%M}"
    from babel.dates import format_datetime  # imported when first needed

    return format_datetime(moment, "EEE dd MMM yyyy HH:mm" if year else "EEE dd MMM HH:mm", locale=lang)


def fact_text(fact: Fact) -> str:
    text = f"{fact.label}: {fact.value}"
    if fact.trend is not None:
        text += f" ({fact.trend.text()})"
    return text + (f" — {fact.detail}" if fact.detail else "")


def digest_text(digest: Digest) -> str:
    """The digest as a person reads it in a terminal: sections, facts with trends, items."""
    seen = _(SEEN_FROM[digest.side]).format(period=period_text(digest.window))
    lines = [digest.title, seen, ""]
    for section in digest.sections:
        lines.append(section.title.upper())
        lines.extend(f"  {fact_text(f)}" for f in section.facts)
        lines.extend(f"  - {item}" for item in section.items)
        if not section.items and section.empty:
            lines.append(f"  {section.empty}")
        if section.action is not None and section.action.action_id == ADD_DOCUMENT_ACTION:
            lines.append("  " + _("To fill a gap: share the contract in a bound channel, then /liaison index there."))
        if section.note:
            lines.append("  " + _("Note: {note}").format(note=section.note))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_text(digest: Digest) -> str:
    """One line for notifications: the headline numbers (per engagement in the managers' digest)."""
    if digest.engagement == digests.ALL_ENGAGEMENTS:
        names = ", ".join(s.title for s in digest.sections) or _("no engagement with a bound channel")
        return f"{digest.title} ({period_text(digest.window)}): {names}"
    values = {key: f.value for key in HEADLINE if (f := digest.fact(key)) is not None}
    numbers = ", ".join(_(PHRASES[key]).format(value) for key, value in values.items())
    return f"{digest.title} ({period_text(digest.window)})" + (f": {numbers}" if numbers else "")
