"""The issue log's use cases, for Slack and the CLI alike: log an issue once per form, show its card, change
its status, attach a clause Liaison suggested. Each opens its own session, checks who may (`bot.authorize`),
and returns plain data or raises `bot.errors`.

No Slack imports: what Slack says of a channel comes in through a `bot.access.Probe`, the workspace-admin
check as a function.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from bot import access, issues, records
from bot.access import Probe
from bot.authorize import actor_in, authorize, nobody
from bot.contracts.clauses import relevant_clauses
from bot.db import session
from bot.deps import Deps
from bot.errors import NotFound
from bot.i18n import _
from bot.records import case_schemas, cases
from bot.records.cases import ClauseRef
from knowledge.errors import KnowledgeError
from knowledge.visibility import visible_to

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewIssue:
    """What a form says of a new issue; `log_issue` checks it (as a `bot.records.case_schemas.IssueCreate`)."""

    engagement: str
    title: str
    description: str = ""
    category: str = "other"
    severity: int = 3
    risk: str = "low"
    value: str = "low"
    raised_by_side: str | None = None
    owner: str | None = None
    due: date | None = None
    permalink: str | None = None


@dataclass(frozen=True)
class Logged:
    """The issue a submission logged (as JSON-ready data), and whether this delivery logged it."""

    issue: dict[str, Any]
    first: bool


@dataclass(frozen=True)
class IssueCard:
    """What an issue's card shows: the issue, its timeline, and the clauses that may apply (as a side sees them)."""

    issue: dict[str, Any]
    history: list[dict[str, Any]]
    suggestions: list[ClauseRef]


def quote_hash(quote: str) -> str:
    """A short digest of a suggested clause's text, to tell at the click whether it changed since."""
    return hashlib.sha256(quote.encode("utf-8")).hexdigest()[:16]


def issue_with_permalink(deps: Deps, engagement: str, permalink: str) -> cases.IssueRecord | None:
    with session(deps.engine) as s:
        return issues.issue_with_permalink(session=s, engagement=engagement, permalink=permalink)


def log_issue(deps: Deps, new: NewIssue, *, actor: str, view_id: str) -> Logged:
    """The issue a modal submission logs, once per view, and whether this is the first delivery.

    ValueError (a pydantic ValidationError) if the form's values are not an issue's."""
    issue_in = case_schemas.IssueCreate.model_validate(
        {**asdict(new), "created_by": actor, "source_key": f"view:{view_id}"}
    )
    with session(deps.engine) as s:
        first = records.claim_event(session=s, key=f"issue-confirmation:view:{view_id}")
        issue = issues.create_issue(session=s, issue_in=issue_in)
        return Logged(case_schemas.issue_as_dict(issue), first)


def open_issues(deps: Deps, engagement: str) -> list[dict[str, Any]]:
    with session(deps.engine) as s:
        return [case_schemas.issue_as_dict(i) for i in issues.list_issues(session=s, engagement=engagement)]


def get_issue(deps: Deps, issue_id: int) -> cases.IssueRecord:
    with session(deps.engine) as s:
        issue = issues.get_issue(session=s, issue_id=issue_id)
    if issue is None:
        raise NotFound(_("Issue #{id} no longer exists.").format(id=issue_id))
    return issue


def suggestions_for(deps: Deps, issue: dict[str, Any], side: str) -> list[ClauseRef]:
    """The clauses that may apply to an issue, as the channel's side may see them (none if the search fails)."""
    text = f"{issue['title']}\n{issue.get('description') or ''}"
    try:
        return relevant_clauses(deps.kb, text, engagement=issue["engagement"], side=side)
    except Exception:  # suggestions are a help: the issue is logged and shown either way
        log.exception("could not suggest clauses for issue #%s", issue["id"])
        return []


def issue_card(deps: Deps, issue_id: int, side: str) -> IssueCard:
    """An issue's card as it stands, quoting only what `side` may see."""
    with session(deps.engine) as s:
        record = issues.get_issue(session=s, issue_id=issue_id)
        if record is None:
            raise LookupError(_("no issue #{id}").format(id=issue_id))
        issue = case_schemas.issue_as_dict(record)
        history = [case_schemas.entry_as_dict(e) for e in issues.issue_timeline(session=s, issue_id=issue_id)]
    return IssueCard(issue, history, suggestions_for(deps, issue, side))


def change_status(
    deps: Deps, issue_id: int, status: str, *, actor: str, is_workspace_admin: Callable[[str], bool] = nobody
) -> cases.IssueRecord:
    """Move an issue to `status`: its reporter, its owner, role holders and workspace admins may."""
    with session(deps.engine) as s:
        issue = issues.get_issue(session=s, issue_id=issue_id)
        if issue is None:
            raise NotFound(_("Issue #{id} no longer exists.").format(id=issue_id))
        authorize(actor_in(s, actor, issue.engagement, is_workspace_admin), "change-issue-status", issue)
        issues.set_issue_status(session=s, issue_id=issue_id, status=status, actor=actor)
        return issue


def _readable_text(deps: Deps, engagement: str, document: str, side: str) -> str:
    """The document's text if `side` may read it now; "" if it is hidden from that side or gone (alike, so a
    click learns nothing about documents it may not see)."""
    stored = deps.kb.store.get_document(engagement, document)
    if stored is None or stored.visibility not in visible_to(side):
        return ""
    try:
        return deps.kb.document_text(engagement, document)
    except KnowledgeError:  # removed in the meantime
        return ""


def attach_clause(
    deps: Deps,
    issue_id: int,
    ref: dict[str, Any],
    digest: str,
    *,
    actor: str,
    channel: str,
    probe: Probe | None = None,
) -> tuple[cases.IssueRecord, bool]:
    """Attach a suggested clause (the reporter, or an engagement mediator or admin, confirms it applies), if the
    clicking channel may still read it and it is unchanged: (the issue, whether it was attached)."""
    with session(deps.engine) as s:
        issue = issues.get_issue(session=s, issue_id=issue_id)
        if issue is None:
            raise NotFound(_("Issue #{id} no longer exists.").format(id=issue_id))
        authorize(actor_in(s, actor, issue.engagement), "attach-clause", issue)
    side = access.audience_side(deps, channel=channel, user=actor, engagement=issue.engagement, probe=probe)
    text = "" if side is None else _readable_text(deps, issue.engagement, ref["document"], side)
    quote = text[ref["start"] : ref["end"]]
    if not quote or quote_hash(quote) != digest:
        return issue, False
    with session(deps.engine) as s:
        issues.attach_clause(session=s, issue_id=issue_id, ref={**ref, "quote": quote}, actor=actor)
    return issue, True
