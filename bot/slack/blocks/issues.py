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

from bot.issues.workflows import quote_hash
from bot.records import cases
from bot.slack.blocks.issue_modal import SEVERITY_LABELS
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
STATUS_LABELS = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "in-progress": "In progress",
    "resolved": "Resolved",
    "closed": "Closed",
}
OFFICE_NAMES = {"back": "back office", "front": "front office"}


# -- messages ------------------------------------------------------------------------------------
def _mention(user: str | None) -> str | None:
    return f"<@{user}>" if user and USER_ID.match(user) else None


def _category_text(category: str, office: str | None) -> str:
    where = OFFICE_NAMES.get(office or "")
    return f"{category} ({where})" if where else category


def issue_confirmation_text(issue: Mapping[str, Any]) -> str:
    """ "Issue #12 logged: Title — severity 2, billing (back office), raised by client, owner <@U1>, due ..." """
    parts = [f"severity {issue['severity']}", _category_text(issue["category"], issue.get("office"))]
    if issue.get("side"):
        parts.append(f"raised by {issue['side']}")
    if owner := _mention(issue.get("owner")):
        parts.append(f"owner {owner}")
    if issue.get("due"):
        parts.append(f"due {issue['due']}")
    return f"Issue #{issue['id']} logged: {_clip(issue['title'], 300)} \u2014 {', '.join(parts)}"


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
    latest timeline entries (who did what, when)."""
    blocks = [_section(f":memo: {issue_confirmation_text(issue)}")]
    if issue.get("description"):
        blocks.append(_section(_clip(issue["description"], 600)))
    if issue.get("permalink"):
        blocks.append(_context(f"From <{issue['permalink']}|this message>"))
    status = issue["status"]
    menu: Element = {
        "type": "static_select",
        "action_id": STATUS_ACTION,
        "placeholder": _plain("Change status"),
        "options": [_option(STATUS_LABELS[s], seal(f"{issue['id']}:{s}")) for s in cases.ISSUE_STATUSES if s != status],
    }
    blocks.append({**_section(f"*Status:* {STATUS_LABELS.get(status, status)}"), "accessory": menu})
    attached = list(issue.get("clause_refs") or [])
    if attached:
        blocks.append(_section("*Contract clauses attached*"))
        for ref in attached[:MAX_CLAUSES]:
            blocks.append(_section(_quote(ref.get("quote") or "")))
            blocks.append(_context(_where(ref)))
    where_attached = {(r.get("document"), r.get("start"), r.get("end")) for r in attached}
    fresh = [r for r in suggestions if (r["document"], r["start"], r["end"]) not in where_attached][:MAX_CLAUSES]
    if fresh:
        who = _mention(issue.get("created_by")) or "the reporter"
        blocks.append(_section(f"*Clauses that may apply* \u2014 {who} can attach the ones that do:"))
        for ref in fresh:
            button: Element = {
                "type": "button",
                "action_id": ATTACH_ACTION,
                "text": _plain("Attach"),
                "value": seal(clause_value(int(issue["id"]), ref)),
            }
            blocks.append({**_section(_quote(ref["quote"])), "accessory": button})
            blocks.append(_context(_where(ref)))
    if history:
        lines = [
            " \u00b7 ".join(
                (
                    _clip(entry["text"].replace(" -> ", ARROW), 150),
                    _mention(entry.get("actor")) or _clip(str(entry.get("actor")), 40),
                    _when(entry.get("at")),
                )
            )
            for entry in list(history)[-HISTORY_LINES:]
        ]
        blocks.append(_context("\n".join(lines)))
    logged_by = _mention(user)
    note = f"Logged by {logged_by}. " if logged_by else ""
    blocks.append(_context(f"{note}Risk {issue['risk']}, value {issue['value']}. See all: `/liaison issues`"))
    return blocks


def _issue_line(issue: Mapping[str, Any]) -> str:
    extras = [issue["status"]]
    extras.append(f"owner {_mention(issue.get('owner')) or 'none'}")
    if issue.get("due"):
        extras.append(f"due {issue['due']}")
    label = SEVERITY_LABELS.get(issue["severity"], str(issue["severity"]))
    return f"*#{issue['id']}* `{label}` {_clip(issue['title'], 200)}\n" + " \u00b7 ".join(extras)


def issue_list_blocks(issues: Sequence[Mapping[str, Any]], *, engagement: str, limit: int = LIST_LIMIT) -> list[Block]:
    """The open issues of an engagement, in the order given (most severe first), at most `limit` of them."""
    name = _clip(engagement, 200)
    if not issues:
        return [_section(f"No open issues in *{name}*. Log one with `/liaison issue`.")]
    noun = "issue" if len(issues) == 1 else "issues"
    blocks = [_section(f"*{len(issues)} open {noun} in {name}*, most severe first:")]
    blocks.extend(_section(_issue_line(issue)) for issue in issues[:limit])
    if len(issues) > limit:
        blocks.append(_context(f"\u2026and {len(issues) - limit} more."))
    return blocks


def issue_list_text(issues: Sequence[Mapping[str, Any]], *, engagement: str) -> str:
    """The plain-text fallback of the list."""
    if not issues:
        return f"No open issues in {engagement}."
    return f"{len(issues)} open issue(s) in {engagement}"
