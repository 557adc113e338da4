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

from bot.deadlines.names import kind_name, status_name, title_of, where
from bot.deadlines.reminders import SNOOZE_DAYS, DeadlineReminder
from bot.i18n import N_, _, ngettext
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
HELP = N_(  # translated where it is shown: `_(HELP)`
    "`/liaison deadlines` lists this channel's upcoming deadlines, each with its clause. "
    "`liaison deadlines extract -e ENGAGEMENT` drafts them from the contracts; a reviewer approves them here."
)


def days_text(days: int) -> str:
    """'today', 'tomorrow', 'in 30 days', '3 days ago'."""
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days < 0:
        return ngettext("{n} day ago", "{n} days ago", -days).format(n=-days)
    return ngettext("in {n} day", "in {n} days", days).format(n=days)


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
    if reminder.days_left < 0:  # a late run: the date has passed
        said = _(":alarm_clock: {name} was due *{when}*, on {date}: {rule}")
    else:
        said = _(":alarm_clock: {name} is due *{when}*, on {date}: {rule}")
    said = said.format(name=name, when=days_text(reminder.days_left), date=shown["date"], rule=clip(shown["rule"], 300))
    people = " ".join(f"<@{u}>" for u in reminder.people if USER_ID.match(u))
    return said + (f" {people}" if people else "")


def _lead_line(reminder: DeadlineReminder) -> str | None:
    lead = next((k for k in reminder.kinds if k.startswith("lead-")), None)
    if lead is None or not reminder.deadline.get("lead_date"):
        return None
    days = lead.removeprefix("lead-")
    n = int(days) if days.isdigit() else 2
    decide = date.fromisoformat(reminder.deadline["lead_date"])
    left = (decide - reminder.today).days
    if left == 0:
        said = ngettext(
            "Your own lead time is {days} day before the date: decide today.",
            "Your own lead time is {days} days before the date: decide today.",
            n,
        )
    elif left > 0:
        said = ngettext(
            "Your own lead time is {days} day before the date: decide by {date} ({left}).",
            "Your own lead time is {days} days before the date: decide by {date} ({left}).",
            n,
        )
    else:
        said = ngettext(
            "Your own lead time is {days} day before the date: decide now.",
            "Your own lead time is {days} days before the date: decide now.",
            n,
        )
    return said.format(days=days, date=decide.isoformat(), left=days_text(left))


def reminder_buttons(deadline_id: int) -> Block:
    value = str(deadline_id)
    return actions(
        button(_("Mark done"), DONE, value, "primary"),
        button(ngettext("Snooze {n} day", "Snooze {n} days", SNOOZE_DAYS).format(n=SNOOZE_DAYS), SNOOZE, value),
        button(_("Open a mediation"), MEDIATE, value),
    )


def reminder_blocks(reminder: DeadlineReminder) -> list[Block]:
    """The reminder: what falls due and when, the rule, the clause quoted, and its buttons."""
    shown = reminder.deadline
    blocks: list[Block] = [section(reminder_text(reminder)), section(_quote(shown))]
    lead = _lead_line(reminder)
    if lead:
        blocks.append(section(lead))
    line = [_("Deadline #{id}").format(id=shown["id"]), _where(shown), escape(str(shown["kind"]))]
    if any(k.startswith("snooze-") for k in reminder.kinds):
        line.append(_("reminded again after a snooze"))
    blocks.append(context(" · ".join(line)))
    blocks.append(reminder_buttons(int(shown["id"])))
    return blocks


def done_text(shown: Mapping[str, Any], user: str) -> str:
    """Who marked it done; a recurring obligation (still approved: one occurrence closed) says its next date."""
    name = _("Deadline #{id} ({title})").format(id=shown["id"], title=escape(title_of(shown)))
    if shown["status"] == "approved":
        if shown.get("date"):
            said = _("This occurrence of {name} is marked done by {user}: the next is due on {date}.")
        else:
            said = _("This occurrence of {name} is marked done by {user}: the next has no date yet.")
        return said.format(name=name, user=f"<@{user}>", date=shown.get("date"))
    return _("{name} is marked done by {user}: no more reminders.").format(name=name, user=f"<@{user}>")


def done_blocks(shown: Mapping[str, Any], user: str) -> list[Block]:
    """What a reminder becomes once marked done: who did, and the clause it was about."""
    return [
        section(f":white_check_mark: {done_text(shown, user)}"),
        section(_quote(shown)),
        context(_("Deadline #{id}").format(id=shown["id"]) + f" · {_where(shown)}"),
    ]


def snoozed_text(deadline_id: int, until: date, user: str) -> str:
    return _("{user} snoozed deadline #{id}: reminded again on {date}.").format(
        user=f"<@{user}>", id=deadline_id, date=until.isoformat()
    )


# -- /liaison deadlines ----------------------------------------------------------------------------
def _item(shown: Mapping[str, Any], today: date, reviewer: bool) -> list[Block]:
    kind = escape(kind_name(str(shown["kind"])))
    if shown.get("date"):
        when = date.fromisoformat(str(shown["date"]))
        dated = f"{when.isoformat()} ({days_text((when - today).days)})"
    elif shown.get("anchor_missing") and shown.get("anchor"):
        dated = _("no date yet: the {anchor} date is not known").format(anchor=escape(str(shown["anchor"])))
    elif shown.get("anchor_missing"):
        dated = _("no date yet: the anchor date is not known")
    else:
        dated = _("no date stated")
    status = str(shown["status"])
    draft = f" · _{status_name(status)}_" if status == "draft" else f" · {escape(status_name(status))}"
    blocks: list[Block] = [
        section(f"*{kind}* · {dated}{draft}\n{clip(shown['rule'], 300)}"),
        section(_quote(shown)),
        context(_("Deadline #{id}").format(id=shown["id"]) + f" · {_where(shown)}"),
    ]
    if reviewer:
        buttons: list[Element] = []
        value = str(shown["id"])
        if shown["status"] == "draft":
            buttons.append(button(_("Approve"), APPROVE, value, "primary"))
        if shown["status"] in ("draft", "approved"):
            buttons.append(button(_("Mark done"), LIST_DONE, value))
            buttons.append(button(_("Waive"), WAIVE, value, "danger"))
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
    n = len(rows)
    said = ngettext("{n} upcoming deadline in {engagement}.", "{n} upcoming deadlines in {engagement}.", n)
    return said.format(n=n, engagement=escape(engagement))


def listing_blocks(
    rows: Sequence[Mapping[str, Any]], *, engagement: str, side: str, today: date, reviewer: bool
) -> list[Block]:
    """The side's upcoming deadlines, each with its clause (drafts marked), and the review buttons for reviewers."""
    if not rows:
        none = _("No upcoming deadlines in {engagement} for this channel.").format(engagement=escape(engagement))
        return [section(none), context(_(HELP))]
    blocks: list[Block] = [header(_("Deadlines of {engagement}").format(engagement=engagement))]
    for shown in rows[:LISTED]:
        blocks.extend(_item(shown, today, reviewer))
    listed = _("Listed: what the {side} side may see. `liaison deadlines -e {engagement}` lists them all.").format(
        side=escape(side), engagement=escape(engagement)
    )
    if len(rows) > LISTED:
        later = len(rows) - LISTED
        listed = ngettext("{n} later one not shown", "{n} later ones not shown", later).format(n=later) + " · " + listed
    blocks.append(context(listed))
    return blocks


def reviewed_text(deadline_id: int, status: str) -> str:
    return _("Deadline #{id} is now *{status}*.").format(id=deadline_id, status=escape(status_name(status)))
