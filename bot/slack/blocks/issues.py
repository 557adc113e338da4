"""Block Kit for the issue log in channels: the issue's card (status menu, clauses attached and suggested,
latest timeline entries), the confirmation text and the list of open issues. The "Log an issue" modal and
reading its submission are in `bot.slack.blocks.issue_modal` (re-exported here).

Pure functions, like `bot.slack.blocks.answers`: nothing here talks to Slack or the database. User text that goes
into mrkdwn is escaped and marked verbatim.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any  # issues, clause refs, timeline entries: `bot.issues`' JSON, the records' to type

from bot.i18n import N_, _, ngettext
from bot.issues.timeline import entry_text, status_name
from bot.issues.workflows import quote_hash
from bot.records import cases
from bot.sla.breaches import issue_description, issue_title
from bot.slack.blocks.issue_modal import category_name, level_name, severity_label
from bot.slack.blocks.issue_modal import option as _option
from bot.slack.blocks.issue_modal import plain_option_text as _plain
from bot.slack.blocks.kit import USER_ID, Block, Element, clause_ref_label
from bot.slack.blocks.kit import clip as _clip
from bot.slack.blocks.kit import context as _context
from bot.slack.blocks.kit import section as _section
from bot.slack.seal import clip as seal_clip
from bot.slack.seal import seal

LIST_LIMIT = 20
QUOTE_PREVIEW_CHARS = 400  # a clause's quote on the issue card (the full clause is in the contract)
MAX_CLAUSES = 5  # attached, and suggested, shown on the card
HISTORY_LINES = 5  # latest timeline entries on the card
ARROW = " \u2192 "

SHORTCUT_ID = "log_as_issue"  # the message shortcut "Log as issue"
STATUS_ACTION = "issue_status"  # the card's status menu; option values "<issue id>:<status>"
ATTACH_ACTION = "issue_attach_clause"  # the card's "Attach" buttons
# Labels are marked N_() and translated where they are shown. A status label carries its context before a "|"
# ("Open" is one issue's status here, and a digest's heading elsewhere): shown, the context is dropped.
STATUS_LABELS = {
    "open": N_("issue status|Open"),
    "acknowledged": N_("issue status|Acknowledged"),
    "in-progress": N_("issue status|In progress"),
    "resolved": N_("issue status|Resolved"),
    "closed": N_("issue status|Closed"),
}
OFFICE_NAMES = {"back": N_("back office"), "front": N_("front office")}
RAISED_BY = {"client": N_("raised by client"), "vendor": N_("raised by vendor")}


def status_label(status: str) -> str:
    """ "In progress" for "in-progress", in the reader's language."""
    return _(STATUS_LABELS[status]).rpartition("|")[2] if status in STATUS_LABELS else status


# -- messages ------------------------------------------------------------------------------------
def _mention(user: str | None) -> str | None:
    return f"<@{user}>" if user and USER_ID.match(user) else None


def _category_text(category: str, office: str | None) -> str:
    where = OFFICE_NAMES.get(office or "")
    name = category_name(category)
    return f"{name} ({_(where)})" if where else name


def issue_confirmation_text(issue: Mapping[str, Any]) -> str:
    """ "Issue #12 logged: Title — severity 2, billing (back office), raised by client, owner <@U1>, due ..." """
    parts = [
        _("severity {severity}").format(severity=issue["severity"]),
        _category_text(issue["category"], issue.get("office")),
    ]
    if side := issue.get("side"):
        parts.append(_(RAISED_BY[side]) if side in RAISED_BY else _("raised by {side}").format(side=side))
    if owner := _mention(issue.get("owner")):
        parts.append(_("owner {owner}").format(owner=owner))
    if issue.get("due"):
        parts.append(_("due {date}").format(date=issue["due"]))
    return _("Issue #{id} logged: {title} \u2014 {details}").format(
        id=issue["id"], title=_clip(issue_title(issue), 300), details=", ".join(parts)
    )


def clause_value(issue_id: int, ref: Mapping[str, Any]) -> str:
    """An "Attach" button's value: where the clause is (not its text, which is read back from the document)."""
    compact = {
        "i": issue_id,
        "d": ref["document"],
        "s": ref.get("section"),
        "p": ref.get("page"),
        "t": _clip(ref.get("title") or "", 150),
        "a": ref["start"],
        "b": ref["end"],
        "h": quote_hash(ref["quote"]),
    }
    return seal_clip(json.dumps(compact, separators=(",", ":")), 2000)


def read_clause_value(value: str) -> tuple[int, dict[str, Any], str] | None:
    """(issue id, clause ref without its quote, the quote's hash) from an "Attach" value, or None if malformed."""
    try:
        data = json.loads(value)
        ref = {"document": str(data["d"]), "section": data.get("s"), "page": data.get("p"), "title": data.get("t")}
        ref.update(start=int(data["a"]), end=int(data["b"]))
        return int(data["i"]), ref, str(data["h"])
    except (ValueError, KeyError, TypeError):
        return None


def _where(ref: Mapping[str, Any]) -> str:
    return clause_ref_label(ref)


def _quote(text: str, limit: int = QUOTE_PREVIEW_CHARS) -> str:
    return "> " + _clip(text, limit)


def _when(at: str | None) -> str:
    return (at or "")[:16].replace("T", " ") + " UTC" if at else ""


def issue_card_blocks(
    issue: Mapping[str, Any],
    *,
    user: str,
    suggestions: Sequence[Mapping[str, Any]] = (),
    history: Sequence[Mapping[str, Any]] = (),
) -> list[Block]:
    """The issue's message in the channel, updated in place: what it is, its status (with a menu to change
    it), the clauses attached, the clauses Liaison suggests (the reporter attaches those that apply), and the
    latest timeline entries (who did what, when; Liaison's own words in the reader's language)."""
    blocks = [_section(f":memo: {issue_confirmation_text(issue)}")]
    if issue.get("description"):
        blocks.append(_section(_clip(issue_description(issue), 600)))
    if issue.get("permalink"):
        blocks.append(_context(_("From <{permalink}|this message>").format(permalink=issue["permalink"])))
    status = issue["status"]
    menu: Element = {
        "type": "static_select",
        "action_id": STATUS_ACTION,
        "placeholder": _plain(_("Change status")),
        "options": [_option(status_label(s), seal(f"{issue['id']}:{s}")) for s in cases.ISSUE_STATUSES if s != status],
    }
    blocks.append({**_section(_("*Status:* {status}").format(status=status_label(status))), "accessory": menu})
    attached = list(issue.get("clause_refs") or [])
    if attached:
        blocks.append(_section(_("*Contract clauses attached*")))
        for ref in attached[:MAX_CLAUSES]:
            blocks.append(_section(_quote(ref.get("quote") or "")))
            blocks.append(_context(_where(ref)))
    where_attached = {(r.get("document"), r.get("start"), r.get("end")) for r in attached}
    fresh = [r for r in suggestions if (r["document"], r["start"], r["end"]) not in where_attached][:MAX_CLAUSES]
    if fresh:
        if who := _mention(issue.get("created_by")):
            offer = _("*Clauses that may apply* \u2014 {who} can attach the ones that do:").format(who=who)
        else:
            offer = _("*Clauses that may apply* \u2014 the reporter can attach the ones that do:")
        blocks.append(_section(offer))
        for ref in fresh:
            button: Element = {
                "type": "button",
                "action_id": ATTACH_ACTION,
                "text": _plain(_("Attach")),
                "value": seal(clause_value(int(issue["id"]), ref)),
            }
            blocks.append({**_section(_quote(ref["quote"])), "accessory": button})
            blocks.append(_context(_where(ref)))
    if history:
        lines = [
            " \u00b7 ".join(
                (
                    _clip(entry_text(entry).replace(" -> ", ARROW), 150),
                    _mention(entry.get("actor")) or _clip(str(entry.get("actor")), 40),
                    _when(entry.get("at")),
                )
            )
            for entry in list(history)[-HISTORY_LINES:]
        ]
        blocks.append(_context("\n".join(lines)))
    stakes = _("Risk {risk}, value {value}. See all: `/liaison issues`").format(
        risk=level_name(str(issue["risk"])), value=level_name(str(issue["value"]))
    )
    if logged_by := _mention(user):
        stakes = _("Logged by {who}.").format(who=logged_by) + " " + stakes
    blocks.append(_context(stakes))
    return blocks


def _issue_line(issue: Mapping[str, Any]) -> str:
    extras = [status_name(issue["status"])]
    owner = _mention(issue.get("owner"))
    extras.append(_("owner {owner}").format(owner=owner) if owner else _("owner none"))
    if issue.get("due"):
        extras.append(_("due {date}").format(date=issue["due"]))
    label = severity_label(issue["severity"])
    return f"*#{issue['id']}* `{label}` {_clip(issue_title(issue), 200)}\n" + " \u00b7 ".join(extras)


def issue_list_blocks(issues: Sequence[Mapping[str, Any]], *, engagement: str, limit: int = LIST_LIMIT) -> list[Block]:
    """The open issues of an engagement, in the order given (most severe first), at most `limit` of them."""
    name = _clip(engagement, 200)
    if not issues:
        return [_section(_("No open issues in *{name}*. Log one with `/liaison issue`.").format(name=name))]
    n = len(issues)
    heading = ngettext(
        "*{n} open issue in {name}*, most severe first:", "*{n} open issues in {name}*, most severe first:", n
    )
    blocks = [_section(heading.format(n=n, name=name))]
    blocks.extend(_section(_issue_line(issue)) for issue in issues[:limit])
    if len(issues) > limit:
        blocks.append(_context(_("\u2026and {n} more.").format(n=len(issues) - limit)))
    return blocks


def issue_list_text(issues: Sequence[Mapping[str, Any]], *, engagement: str) -> str:
    """The plain-text fallback of the list."""
    if not issues:
        return _("No open issues in {engagement}.").format(engagement=engagement)
    n = len(issues)
    return ngettext("{n} open issue in {engagement}", "{n} open issues in {engagement}", n).format(
        n=n, engagement=engagement
    )
