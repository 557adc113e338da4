"""Block Kit for the App Home tab and its "Ask a question" modal: pure functions, within Slack's limits.

Nothing here talks to Slack or the database. User text (titles, engagement names, questions) is escaped
and marked verbatim; a Home view never exceeds 100 blocks: engagements that do not fit are counted instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Literal, TypedDict

from bot.home import Deadline, EngagementHome, Home, HomeIssue, HomeMediation
from bot.i18n import N_, _, ngettext
from bot.issues.timeline import status_name
from bot.sla.breaches import title_of
from bot.slack.blocks.answers import THINKING, answer_blocks, side_sees
from bot.slack.blocks.issue_modal import severity_label
from bot.slack.blocks.kit import BUTTON_TEXT_CHARS, HEADER_CHARS, SECTION_CHARS, Block, Element, InputState, Text, View
from bot.slack.blocks.kit import clip as _clip
from bot.slack.blocks.kit import context as _context
from bot.slack.blocks.kit import mrkdwn as _mrkdwn
from bot.slack.blocks.sla import at_risk_section
from bot.slack.blocks.text_fit import escape
from bot.slack.seal import seal, seal_metadata
from knowledge.answers import Answer

# action ids of the Home's buttons (their value is the engagement) and the modal's callback id
REFRESH = "home_refresh"
LOG_ISSUE = "home_log_issue"
ASK = "home_ask_question"
ASK_CALLBACK = "home_ask"
QUESTION = "question"  # the question input's block id prefix (one per round, so Slack shows it empty)

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab (and for a modal)
MODAL_TITLE_CHARS = 24
QUESTION_CHARS = 2000
ISSUE_LIMIT = 10  # lines per list, per engagement; the rest are counted
MEDIATION_LIMIT = 8
TITLE_CHARS = 120
MODAL_ACTIONS = ("feedback_up", "feedback_down")  # the answer buttons that work in a modal (no channel there)
# commands shown to type, their placeholders in the reader's language
ROLES_COMMAND = N_("liaison roles grant --engagement ENGAGEMENT --user {user} --role client-owner")
BIND_COMMAND = N_("/liaison bind ENGAGEMENT client|vendor|shared")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]+$")
_USER = re.compile(r"^[UW][A-Z0-9]+$")
# what `bot.home` says, as people read it (the values are English words; anything else is shown as it is)
SIDE_NAMES = {"client": N_("client"), "vendor": N_("vendor")}
INVOLVEMENT = {
    "opened it": N_("opened it"),
    "mediator": N_("mediator"),
    "admin": N_("admin"),
    "client position": N_("client position"),
    "vendor position": N_("vendor position"),
    "agreed for the client": N_("agreed for the client"),
    "agreed for the vendor": N_("agreed for the vendor"),
}
MEDIATION_STATUS_NAMES = {
    "open": N_("open"),
    "proposal": N_("proposal"),
    "agreed": N_("agreed"),
    "escalated": N_("escalated"),
    "withdrawn": N_("withdrawn"),
    "closed": N_("closed"),
}
DEADLINE_KINDS = {"issue": N_("issue"), "mediation": N_("mediation"), "deadline": N_("deadline")}


def _said(names: Mapping[str, str], value: str) -> str:
    return _(names[value]) if value in names else value


def _both(items: Sequence[str]) -> str:
    """ "client and vendor" (or one, or a list), in the reader's language."""
    if len(items) < 2:
        return "".join(items)
    return _("{first} and {last}").format(first=", ".join(items[:-1]), last=items[-1])


# -- pieces --------------------------------------------------------------------------------------
def _plain(text: str, limit: int) -> Text:
    text = " ".join(text.split())
    return {"type": "plain_text", "text": (text[: limit - 1] + "\u2026" if len(text) > limit else text) or " "}


def _section(text: str, accessory: Element | None = None) -> Block:
    if len(text) > SECTION_CHARS:
        text = text[: SECTION_CHARS - 1].rsplit("\n", 1)[0] + "\n\u2026"
    block: Block = {"type": "section", "text": _mrkdwn(text)}
    if accessory:
        block["accessory"] = accessory
    return block


def _header(text: str) -> Block:
    return {"type": "header", "text": {**_plain(text, HEADER_CHARS), "emoji": True}}


def _button(text: str, action_id: str, value: str, style: Literal["primary", "danger"] | None = None) -> Element:
    button: Element = {
        "type": "button",
        "text": {**_plain(text, BUTTON_TEXT_CHARS), "emoji": True},
        "action_id": action_id,
        "value": seal(value),
    }
    if style:
        button["style"] = style
    return button


def _channel(channel: str | None) -> str:
    if channel and _CHANNEL.match(channel):
        return f"<#{channel}>"
    return escape(channel or _("a channel"))


def _when(days: int) -> str:
    """ "overdue by 3 days", "today", "tomorrow", "in 5 days"."""
    if days < 0:
        return ngettext("overdue by {n} day", "overdue by {n} days", -days).format(n=-days)
    if days == 0:
        return _("today")
    return _("tomorrow") if days == 1 else ngettext("in {n} day", "in {n} days", days).format(n=days)


def _due(on: date, days: int) -> str:
    return f"{on.isoformat()} (*{_when(days)}*)" if days <= 0 else f"{on.isoformat()} ({_when(days)})"


def thread_link(*, channel: str, thread_ts: str | None, workspace_url: str | None) -> str:
    """A link to a mediation thread (`https://team.slack.com/archives/C1/p1700000000000100`), or the channel."""
    where = _channel(channel)
    if not thread_ts:
        return _("in {channel}").format(channel=where)
    if workspace_url and _CHANNEL.match(channel) and re.fullmatch(r"\d+\.\d+", thread_ts):
        url = f"{workspace_url.rstrip('/')}/archives/{channel}/p{thread_ts.replace('.', '')}"
        return _("<{url}|open the thread> in {channel}").format(url=url, channel=where)
    return _("thread {ts} in {channel}").format(ts=escape(thread_ts), channel=where)


def _more(shown: int, total: int, say: Callable[[int], str]) -> str:
    """ "\n…and 3 more mediations.": `say(n)` words it for the n left out."""
    return "\n" + say(total - shown) if total > shown else ""


# -- the Home tab --------------------------------------------------------------------------------
def _issue_line(issue: HomeIssue) -> str:
    label = severity_label(issue.severity)
    title = _clip(title_of(issue.title) if issue.logged_breach else issue.title, TITLE_CHARS)  # a person's: as written
    if issue.permalink and issue.permalink.startswith("https://"):
        title = f"<{issue.permalink}|{title}>"
    parts = [escape(status_name(issue.status))]
    if issue.due is not None and issue.days_left is not None:
        parts.append(_("due {date}").format(date=_due(issue.due, issue.days_left)))
    return f"\u2022 *#{issue.id}* `{label}` {title} \u00b7 " + " \u00b7 ".join(parts)


def _issues_section(issues: Sequence[HomeIssue]) -> Block:
    if not issues:
        return _section(_("*Open issues assigned to you*\nNone. :tada:"))
    lines = [_issue_line(i) for i in issues[:ISSUE_LIMIT]]
    more = _more(
        len(lines),
        len(issues),
        lambda n: _("\u2026and {n} more (see `/liaison issues` in the engagement's channel).").format(n=n),
    )
    heading = _("*Open issues assigned to you ({n})*, most severe first:").format(n=len(issues))
    return _section(heading + "\n" + "\n".join(lines) + more)


def _age(days: int) -> str:
    if days == 0:
        return _("opened today")
    return ngettext("opened {n} day ago", "opened {n} days ago", days).format(n=days)


def _mediation_line(m: HomeMediation, workspace_url: str | None) -> str:
    status = escape(_said(MEDIATION_STATUS_NAMES, m.status))
    if m.awaiting_you:
        status += " \u2014 " + _("*waiting for your side to agree*")
    parts = [status, _age(m.age_days)]
    if m.deadline is not None and m.days_left is not None:
        parts.append(_("deadline {date}").format(date=_due(m.deadline, m.days_left)))
    detail = [thread_link(channel=m.channel_id, thread_ts=m.thread_ts, workspace_url=workspace_url)]
    if m.positions:
        sides = _both([_said(SIDE_NAMES, p) for p in m.positions])
        detail.append(_("positions from {sides}").format(sides=sides))
    if m.agreed:
        detail.append(_("{sides} agreed").format(sides=_both([_said(SIDE_NAMES, a) for a in m.agreed])))
    if m.involvement:
        detail.append(_("you: {roles}").format(roles=", ".join(_said(INVOLVEMENT, i) for i in m.involvement)))
    head = f"\u2022 *#{m.id}* {_clip(m.title, TITLE_CHARS)} \u00b7 " + " \u00b7 ".join(parts)
    return head + "\n      " + " \u00b7 ".join(detail)


def _mediations_section(mediations: Sequence[HomeMediation], workspace_url: str | None) -> Block:
    if not mediations:
        return _section(_("*Mediations*\nNone you are part of."))
    lines = [_mediation_line(m, workspace_url) for m in mediations[:MEDIATION_LIMIT]]
    more = _more(
        len(lines),
        len(mediations),
        lambda n: ngettext("\u2026and {n} more mediation.", "\u2026and {n} more mediations.", n).format(n=n),
    )
    heading = _("*Mediations you are part of ({n})*").format(n=len(mediations))
    return _section(heading + "\n" + "\n".join(lines) + more)


def _deadline_line(d: Deadline) -> str:
    icon = ":warning: " if d.overdue else ""
    when = f"*{_when(d.days_left)}*" if d.days_left <= 0 else _when(d.days_left)
    kind = _said(DEADLINE_KINDS, d.kind)
    return f"\u2022 {icon}{d.on.isoformat()} \u00b7 {when} \u00b7 {kind} #{d.ref} {_clip(d.title, TITLE_CHARS)}"


def _deadlines_section(engagement: EngagementHome) -> Block:
    if not engagement.deadlines:
        return _section(_("*Next deadlines*\nNothing due."))
    lines = [_deadline_line(d) for d in engagement.deadlines]
    shown = len(lines)
    more = _more(shown, shown + engagement.more_deadlines, lambda n: _("\u2026and {n} more later.").format(n=n))
    return _section(_("*Next deadlines*") + "\n" + "\n".join(lines) + more)


def _about(engagement: EngagementHome) -> Block:
    s = engagement.standing
    roles = _("Your roles: {roles}").format(roles=escape(", ".join(s.roles))) if s.roles else _("You have no role here")
    sees = side_sees(s.side)
    if s.channel:
        about = _("{roles} \u00b7 your questions quote {sees} \u00b7 new issues are confirmed in {channel}")
    else:
        about = _(
            "{roles} \u00b7 your questions quote {sees} \u00b7 new issues are confirmed to you in a DM "
            "(no channel is bound on your side)"
        )
    return _context(about.format(roles=roles, sees=sees, channel=_channel(s.channel)))


def engagement_blocks(engagement: EngagementHome, *, workspace_url: str | None = None) -> list[Block]:
    """One engagement on the Home: what it is to the person, their issues, mediations, deadlines, buttons."""
    name = engagement.engagement
    return [
        _header(name),
        _about(engagement),
        _issues_section(engagement.issues),
        _mediations_section(engagement.mediations, workspace_url),
        *([at_risk_section(engagement.at_risk)] if engagement.at_risk else []),
        _deadlines_section(engagement),
        {
            "type": "actions",
            "elements": [
                _button(_("Log an issue"), LOG_ISSUE, name, "primary"),
                _button(_("Ask a question"), ASK, name),
            ],
        },
        {"type": "divider"},
    ]


def _summary(home: Home) -> str:
    issues = sum(len(e.issues) for e in home.engagements)
    mediations = sum(len(e.mediations) for e in home.engagements)
    overdue = sum(1 for e in home.engagements for d in e.deadlines if d.overdue)
    parts = [
        ngettext("{n} open issue assigned to you", "{n} open issues assigned to you", issues).format(n=issues),
        ngettext("{n} mediation", "{n} mediations", mediations).format(n=mediations),
    ]
    if overdue:
        parts.append(ngettext("*{n} overdue*", "*{n} overdue*", overdue).format(n=overdue))
    return _("As of {date}: {summary}").format(date=home.today.isoformat(), summary=" \u00b7 ".join(parts))


def _refresh() -> Element:
    return _button(_("Refresh"), REFRESH, "refresh")


def empty_home_blocks(user_id: str) -> list[Block]:
    """The Home of someone with no engagement yet: what Liaison does and how to get started."""
    user = user_id if _USER.match(user_id) else "USER_ID"
    steps = [
        _("1. An admin binds a channel to your engagement by running `{command}` in it.").format(
            command=_(BIND_COMMAND)
        ),
        _("2. An admin gives you a role: `{command}` (or `vendor-owner`, `mediator`, `admin`).").format(
            command=_(ROLES_COMMAND).format(user=user)
        ),
        _(
            "3. Then @mention Liaison in that channel or use `/liaison ask QUESTION`, and log issues with "
            "`/liaison issue`."
        ),
    ]
    return [
        _header(_("Welcome to Liaison")),
        _section(
            _(
                "I answer questions about your outsourcing contracts by quoting the clauses verbatim, keep the issue "
                "log and help client and vendor settle disputes."
            ),
            accessory=_refresh(),
        ),
        _section(_("*You are not part of any engagement yet.* To get started:") + "\n" + "\n".join(steps)),
        _context(
            _(
                "Your Slack user id is `{user}`. Once you have a role, this page shows the open issues "
                "assigned to you, your mediations and your next deadlines."
            ).format(user=user)
        ),
    ]


def home_view(home: Home, *, workspace_url: str | None = None) -> View:
    """The Home tab: a summary, then each engagement; at most 100 blocks (the rest are counted)."""
    if not home.engagements:
        return {"type": "home", "blocks": empty_home_blocks(home.user_id)}
    blocks: list[Block] = [
        _header(_("Your engagements")),
        _section(_summary(home), accessory=_refresh()),
        {"type": "divider"},
    ]
    left_out = 0
    for engagement in home.engagements:
        more = engagement_blocks(engagement, workspace_url=workspace_url)
        if left_out or len(blocks) + len(more) > MAX_HOME_BLOCKS - 1:  # keep one block for the note
            left_out += 1
            continue
        blocks.extend(more)
    if left_out:
        note = ngettext(
            "{n} more engagement not shown: there is only room for so many on one page.",
            "{n} more engagements not shown: there is only room for so many on one page.",
            left_out,
        )
        blocks.append(_context(note.format(n=left_out)))
    return {"type": "home", "blocks": blocks}


# -- the "Ask a question" modal ------------------------------------------------------------------
class AskMeta(TypedDict, total=False):
    """What the "Ask a question" modal carries (sealed) in its private_metadata."""

    engagement: str
    side: str
    round: int


def _modal(title: str, blocks: list[Block], meta: AskMeta, *, submit: str | None = None) -> View:
    view: View = {
        "type": "modal",
        "callback_id": ASK_CALLBACK,
        "private_metadata": seal_metadata(meta),
        "title": _plain(title, MODAL_TITLE_CHARS),
        "close": _plain(_("Close"), MODAL_TITLE_CHARS),
        "blocks": blocks[:MAX_HOME_BLOCKS],
    }
    if submit:
        view["submit"] = _plain(submit, MODAL_TITLE_CHARS)
    return view


def _question_input(round_: int, label: str) -> Block:
    block_id = f"{QUESTION}_{round_}"
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": {
            "type": "plain_text_input",
            "action_id": block_id,
            "multiline": True,
            "max_length": QUESTION_CHARS,
            "placeholder": _plain(_("e.g. What is the cap on service credits?"), 150),
        },
    }


def _scope_note(engagement: str, side: str) -> Block:
    return _context(
        _("Engagement *{engagement}* \u00b7 I quote {sees}.").format(
            engagement=_clip(engagement, 200), sees=side_sees(side)
        )
    )


def _meta(engagement: str, side: str, round_: int) -> AskMeta:
    return {"engagement": engagement, "side": side, "round": round_}


def ask_modal(*, engagement: str, side: str, round_: int = 0) -> View:
    """The modal a Home "Ask a question" button opens."""
    blocks = [_scope_note(engagement, side), _question_input(round_, _("Your question about the contracts"))]
    return _modal(_("Ask a question"), blocks, _meta(engagement, side, round_), submit=_("Ask"))


def asking_modal(*, question: str) -> View:
    """What the modal shows while the answer is being looked up (no submit button: nothing to do yet)."""
    blocks = [_section(_asked(question)), _context(f":mag: {_(THINKING)}")]
    return _modal(_("Ask a question"), blocks, {})


def _asked(question: str) -> str:
    return _("*You asked:* {question}").format(question=_clip(question, 2500))


def modal_answer_blocks(answer: Answer, *, answer_id: str) -> list[Block]:
    """An answer's blocks without the buttons that need a channel (share, ask the owner)."""
    out: list[Block] = []
    for block in answer_blocks(answer, answer_id=answer_id, shareable=False):
        if block["type"] == "actions":
            kept = [e for e in block["elements"] if e.get("action_id") in MODAL_ACTIONS]
            if not kept:
                continue
            block = {**block, "elements": kept}
        out.append(block)
    return out


def answer_modal(
    *, engagement: str, side: str, answer: Answer, answer_id: str, round_: int, channel: str | None
) -> View:
    """The answer, quoted, in the modal; below it, room for another question."""
    blocks = [_section(_asked(answer.question))]
    blocks += modal_answer_blocks(answer, answer_id=answer_id)
    if not answer.found:
        if channel:
            where = _("Not in the contracts? Ask in {channel}, where your contract owners can follow it up.")
        else:
            where = _(
                "Not in the contracts? Ask in your engagement's channel, where your contract owners can follow it up."
            )
        blocks.append(_context(where.format(channel=_channel(channel))))
    blocks += [
        {"type": "divider"},
        _scope_note(engagement, side),
        _question_input(round_ + 1, _("Ask another question")),
    ]
    return _modal(_("Ask a question"), blocks, _meta(engagement, side, round_ + 1), submit=_("Ask"))


def notice_modal(text: str) -> View:
    """A modal that only says something (an error, or that the person is no longer part of an engagement)."""
    return _modal("Liaison", [_section(text)], {})


def read_question(values: Mapping[str, Mapping[str, InputState]]) -> str:
    """The question typed in the modal, from its `state.values` ("" if none)."""
    for block_id, actions in values.items():
        if block_id.startswith(QUESTION) and isinstance(actions, Mapping):
            for state in actions.values():
                if isinstance(state, Mapping) and state.get("value"):
                    return str(state["value"]).strip()
    return ""
