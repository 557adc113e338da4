"""Block Kit for the deadlines register in Slack: a reminder (the clause quoted with its document and section,
the rule as written, the days left, and the Mark done, Snooze and Open a mediation buttons), and
`/liaison deadlines`, the side's upcoming deadlines with Approve, Mark done and Waive for its reviewers.

Pure functions over the JSON of `bot.deadlines.register.deadline_json` and the
`bot.deadlines.reminders.DeadlineReminder`s. Contract text is escaped and quoted verbatim; button values carry an
obligation's id only (sealed by `kit.button`); the listener re-reads and re-authorizes at the click.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any  # the workflows' JSON

from bot.deadlines.names import kind_name, title_of, where
from bot.deadlines.reminders import SNOOZE_DAYS, DeadlineReminder
from bot.slack.blocks.kit import USER_ID, Block, Element, actions, button, clip, context, header, section
from bot.slack.blocks.text_fit import escape, quoted

DONE = "deadline_done"  # on a reminder
LIST_DONE = "deadline_list_done"  # in the /liaison deadlines listing
SNOOZE = "deadline_snooze"
MEDIATE = "deadline_mediate"
APPROVE = "deadline_approve"
WAIVE = "deadline_waive"
LISTED = 11  # deadlines a /liaison deadlines reply shows (4 blocks each, with a header, a note and a line said first)
QUOTE_CHARS = 1200
HELP = (
    "`/liaison deadlines` lists this channel's upcoming deadlines, each with its clause. "
    "`liaison deadlines extract -e ENGAGEMENT` drafts them from the contracts; a reviewer approves them here."
)


def days_text(days: int) -> str:
    """'today', 'tomorrow', 'in 30 days', '3 days ago'."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{-days} day{'' if days == -1 else 's'} ago"
    return f"in {days} days"


def _where(shown: Mapping[str, Any]) -> str:
    return escape(where(str(shown["document"]), shown.get("section")))


def _quote(shown: Mapping[str, Any]) -> str:
    text = str(shown["quote"])
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rstrip() + "\u2026"
    return quoted(text)


# -- a reminder ------------------------------------------------------------------------------------
def reminder_text(reminder: DeadlineReminder) -> str:
    """'Notice of non-renewal (02-msa.md §5.2) is due in 30 days, on 2027-01-31: at least ninety (90) days …'."""
    shown = reminder.deadline
    name = escape(title_of(shown))
    when = f"*{days_text(reminder.days_left)}*, on {shown['date']}"
    people = " ".join(f"<@{u}>" for u in reminder.people if USER_ID.match(u))
    return f":alarm_clock: {name} is due {when}: {clip(shown['rule'], 300)}" + (f" {people}" if people else "")


def _lead_line(reminder: DeadlineReminder) -> str | None:
    lead = next((k for k in reminder.kinds if k.startswith("lead-")), None)
    if lead is None or not reminder.deadline.get("lead_date"):
        return None
    days = lead.removeprefix("lead-")
    decide = date.fromisoformat(reminder.deadline["lead_date"])
    left = (decide - reminder.today).days
    when = "today" if left == 0 else f"by {decide.isoformat()} ({days_text(left)})" if left > 0 else "now"
    return f"Your own lead time is {days} days before the date: decide {when}."


def reminder_buttons(deadline_id: int) -> Block:
    value = str(deadline_id)
    return actions(
        button("Mark done", DONE, value, "primary"),
        button(f"Snooze {SNOOZE_DAYS} days", SNOOZE, value),
        button("Open a mediation", MEDIATE, value),
    )


def reminder_blocks(reminder: DeadlineReminder) -> list[Block]:
    """The reminder: what falls due and when, the rule, the clause quoted, and its buttons."""
    shown = reminder.deadline
    blocks: list[Block] = [section(reminder_text(reminder)), section(_quote(shown))]
    lead = _lead_line(reminder)
    if lead:
        blocks.append(section(lead))
    again = " · reminded again after a snooze" if any(k.startswith("snooze-") for k in reminder.kinds) else ""
    blocks.append(context(f"Deadline #{shown['id']} · {_where(shown)} · {escape(str(shown['kind']))}{again}"))
    blocks.append(reminder_buttons(int(shown["id"])))
    return blocks


def done_text(shown: Mapping[str, Any], user: str) -> str:
    """Who marked it done; a recurring obligation (still approved: one occurrence closed) says its next date."""
    name = f"Deadline #{shown['id']} ({escape(title_of(shown))})"
    if shown["status"] == "approved":
        following = f"the next is due on {shown['date']}" if shown.get("date") else "the next has no date yet"
        return f"This occurrence of {name} is marked done by <@{user}>: {following}."
    return f"{name} is marked done by <@{user}>: no more reminders."


def done_blocks(shown: Mapping[str, Any], user: str) -> list[Block]:
    """What a reminder becomes once marked done: who did, and the clause it was about."""
    return [
        section(f":white_check_mark: {done_text(shown, user)}"),
        section(_quote(shown)),
        context(f"Deadline #{shown['id']} · {_where(shown)}"),
    ]


def snoozed_text(deadline_id: int, until: date, user: str) -> str:
    return f"<@{user}> snoozed deadline #{deadline_id}: reminded again on {until.isoformat()}."


# -- /liaison deadlines ----------------------------------------------------------------------------
def _item(shown: Mapping[str, Any], today: date, reviewer: bool) -> list[Block]:
    kind = escape(kind_name(str(shown["kind"])))
    if shown.get("date"):
        when = date.fromisoformat(str(shown["date"]))
        dated = f"{when.isoformat()} ({days_text((when - today).days)})"
    elif shown.get("anchor_missing"):
        dated = f"no date yet: the {escape(str(shown.get('anchor') or 'anchor'))} date is not known"
    else:
        dated = "no date stated"
    draft = " · _draft_" if shown["status"] == "draft" else f" · {escape(str(shown['status']))}"
    blocks: list[Block] = [
        section(f"*{kind}* · {dated}{draft}\n{clip(shown['rule'], 300)}"),
        section(_quote(shown)),
        context(f"Deadline #{shown['id']} · {_where(shown)}"),
    ]
    if reviewer:
        buttons: list[Element] = []
        value = str(shown["id"])
        if shown["status"] == "draft":
            buttons.append(button("Approve", APPROVE, value, "primary"))
        if shown["status"] in ("draft", "approved"):
            buttons.append(button("Mark done", LIST_DONE, value))
            buttons.append(button("Waive", WAIVE, value, "danger"))
        if buttons:
            blocks.append(actions(*buttons))
    return blocks


def upcoming(rows: Sequence[Mapping[str, Any]], today: date) -> list[Mapping[str, Any]]:
    """What `/liaison deadlines` lists: open obligations (draft or approved) dated today or later, soonest first,
    then those waiting for an anchor date."""
    live = [r for r in rows if r["status"] in ("draft", "approved")]
    dated = [r for r in live if r.get("date") and date.fromisoformat(str(r["date"])) >= today]
    waiting = [r for r in live if not r.get("date") and r.get("anchor_missing")]
    return [*dated, *waiting]


def listing_text(rows: Sequence[Mapping[str, Any]], engagement: str) -> str:
    return f"{len(rows)} upcoming deadline{'' if len(rows) == 1 else 's'} in {escape(engagement)}."


def listing_blocks(
    rows: Sequence[Mapping[str, Any]], *, engagement: str, side: str, today: date, reviewer: bool
) -> list[Block]:
    """The side's upcoming deadlines, each with its clause (drafts marked), and the review buttons for reviewers."""
    if not rows:
        return [section(f"No upcoming deadlines in {escape(engagement)} for this channel."), context(HELP)]
    blocks: list[Block] = [header(f"Deadlines of {engagement}")]
    for shown in rows[:LISTED]:
        blocks.extend(_item(shown, today, reviewer))
    more = f"{len(rows) - LISTED} later ones not shown · " if len(rows) > LISTED else ""
    seen = f"what the {escape(side)} side may see"
    blocks.append(context(f"{more}Listed: {seen}. `liaison deadlines -e {escape(engagement)}` lists them all."))
    return blocks


def reviewed_text(deadline_id: int, status: str) -> str:
    return f"Deadline #{deadline_id} is now *{escape(status)}*."
