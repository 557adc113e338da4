"""The App Home: for one person, their engagements, the open issues they own, their mediations and deadlines
(their issues' and mediations', and the deadlines register's approved obligations their side may see), and the
service levels they own that are at risk (`bot.sla.home`).

No Slack imports: `home_for` reads the records and returns plain frozen dataclasses for
`bot.slack.blocks.home` to render. A person's engagements are those they hold a role in, own an open issue
in, or are party to an open mediation of (they opened it, stated a position or agreed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, or_, select

from bot.db import session
from bot.deadlines.names import kind_name, where
from bot.deadlines.register import dated
from bot.deps import Deps
from bot.records.cases import (
    ACTIVE_MEDIATION_STATUSES,
    OPEN_ISSUE_STATUSES,
    OPEN_MEDIATION_STATUSES,
    IssueRecord,
    MediationRecord,
    Position,
    TimelineEntry,
)
from bot.records.tables import ChannelBinding, EngagementRole, QuestionRecord
from bot.sla import home as sla_home
from bot.sla.breaches import is_logged_breach
from bot.sla.home import Latest
from knowledge.visibility import visible_to

DEADLINE_LIMIT = 10  # per engagement


@dataclass(frozen=True)
class Standing:
    """Where a person stands in an engagement: their roles, the side they ask from, where issues are confirmed."""

    engagement: str
    roles: tuple[str, ...]
    side: str  # "client", "vendor" or "shared": which documents their questions may quote
    channel: str | None  # a channel bound on their side (or shared) to confirm issues in; None: a DM


@dataclass(frozen=True)
class HomeIssue:
    id: int
    title: str
    severity: int  # 1 (worst) .. 4
    status: str
    due: date | None
    days_left: int | None  # negative: overdue
    permalink: str | None
    logged_breach: bool = False  # a breach issue Liaison logged: its title is said again in the reader's language


@dataclass(frozen=True)
class HomeMediation:
    id: int
    title: str
    status: str
    channel_id: str
    thread_ts: str | None
    deadline: date | None
    days_left: int | None
    age_days: int  # since it was opened
    involvement: tuple[str, ...]  # why it is on this person's Home: "opened it", "mediator", ...
    positions: tuple[str, ...]  # the sides that stated a position
    agreed: tuple[str, ...]  # the sides that agreed to the proposal on the table
    awaiting_you: bool  # a proposal the person's side has not agreed to yet


@dataclass(frozen=True)
class Deadline:
    on: date
    days_left: int  # negative: overdue
    kind: str  # "issue", "mediation" or "deadline" (an approved obligation of the deadlines register)
    ref: int
    title: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class EngagementHome:
    standing: Standing
    issues: tuple[HomeIssue, ...]  # open issues the person owns, worst first
    mediations: tuple[HomeMediation, ...]  # soonest deadline first
    deadlines: tuple[Deadline, ...]  # soonest first, at most DEADLINE_LIMIT
    more_deadlines: int  # how many later ones were left out
    at_risk: tuple[Latest, ...] = ()  # service levels the person owns that missed or are disputed (with a role)

    @property
    def engagement(self) -> str:
        return self.standing.engagement


@dataclass(frozen=True)
class Home:
    user_id: str
    today: date
    engagements: tuple[EngagementHome, ...]  # by name

    def get(self, engagement: str) -> EngagementHome | None:
        return next((e for e in self.engagements if e.engagement == engagement), None)


def side_of(roles: Iterable[str]) -> str:
    """The side a person asks from: a client-owner only sees client documents, a vendor-owner only vendor
    ones; anyone else (mediator, admin, both owners, no role) sees shared documents only."""
    held = set(roles)
    if held == {"client-owner"}:
        return "client"
    if held == {"vendor-owner"}:
        return "vendor"
    return "shared"


def _channel_for(bindings: Iterable[ChannelBinding], side: str) -> str | None:
    """A channel bound on the person's side, else a shared one; never the other side's."""
    ranked = sorted(
        (b for b in bindings if b.side in (side, "shared")),
        key=lambda b: (b.side != side, b.bound_at, b.channel_id),
    )
    return ranked[0].channel_id if ranked else None


def _roles(session: Session, user_id: str, engagements: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
    query = select(EngagementRole).where(EngagementRole.user_id == user_id)
    if engagements is not None:
        query = query.where(col(EngagementRole.engagement).in_(list(engagements)))
    held: dict[str, list[str]] = defaultdict(list)
    for row in session.exec(query.order_by(col(EngagementRole.engagement), col(EngagementRole.role))):
        held[row.engagement].append(row.role)
    return {name: tuple(roles) for name, roles in held.items()}


def _bindings(session: Session, engagements: Iterable[str]) -> dict[str, list[ChannelBinding]]:
    query = select(ChannelBinding).where(col(ChannelBinding.engagement).in_(list(engagements)))
    out: dict[str, list[ChannelBinding]] = defaultdict(list)
    for row in session.exec(query):
        out[row.engagement].append(row)
    return out


def _owned_issues(session: Session, user_id: str, engagements: Iterable[str] | None = None) -> list[IssueRecord]:
    query = select(IssueRecord).where(IssueRecord.owner == user_id, col(IssueRecord.status).in_(OPEN_ISSUE_STATUSES))
    if engagements is not None:
        query = query.where(col(IssueRecord.engagement).in_(list(engagements)))
    return list(session.exec(query).all())


def _party_to(session: Session, user_id: str, engagements: Iterable[str] | None = None) -> list[MediationRecord]:
    """Open mediations the person opened, stated a position in (now or earlier) or agreed to."""
    stated = select(Position.mediation_id).where(Position.author == user_id)
    stated_before = select(TimelineEntry.mediation_id).where(
        TimelineEntry.kind == "position", TimelineEntry.actor == user_id, col(TimelineEntry.mediation_id).is_not(None)
    )
    query = select(MediationRecord).where(
        col(MediationRecord.status).in_(OPEN_MEDIATION_STATUSES),
        or_(
            MediationRecord.opened_by == user_id,
            MediationRecord.client_agreed_by == user_id,
            MediationRecord.vendor_agreed_by == user_id,
            col(MediationRecord.id).in_(stated),
            col(MediationRecord.id).in_(stated_before),
        ),
    )
    if engagements is not None:
        query = query.where(col(MediationRecord.engagement).in_(list(engagements)))
    return list(session.exec(query).all())


def standing_in(*, session: Session, user_id: str, engagement: str) -> Standing | None:
    """The person's standing in one engagement, or None if they are no part of it (any more)."""
    roles = _roles(session, user_id, [engagement]).get(engagement, ())
    if (
        not roles
        and not _owned_issues(session, user_id, [engagement])
        and not _party_to(session, user_id, [engagement])
    ):
        return None
    side = side_of(roles)
    return Standing(engagement, roles, side, _channel_for(_bindings(session, [engagement])[engagement], side))


def _home_issue(issue: IssueRecord, today: date) -> HomeIssue:
    assert issue.id is not None
    days = None if issue.due is None else (issue.due - today).days
    logged = is_logged_breach({"category": issue.category, "created_by": issue.created_by})
    return HomeIssue(issue.id, issue.title, issue.severity, issue.status, issue.due, days, issue.permalink, logged)


def _home_mediation(
    mediation: MediationRecord, user_id: str, standing: Standing, positions: list[Position], today: date
) -> HomeMediation:
    assert mediation.id is not None
    involvement = [role for role in standing.roles if role in ("mediator", "admin")]
    if mediation.opened_by == user_id:
        involvement.append("opened it")
    involvement += [f"{p.side} position" for p in positions if p.author == user_id]
    agreed = tuple(side for side in ("client", "vendor") if getattr(mediation, f"{side}_agreed_by"))
    involvement += [f"agreed for the {s}" for s in agreed if getattr(mediation, f"{s}_agreed_by") == user_id]
    awaiting = mediation.status == "proposal" and standing.side in ("client", "vendor") and standing.side not in agreed
    days = None if mediation.deadline is None else (mediation.deadline - today).days
    return HomeMediation(
        id=mediation.id,
        title=mediation.title,
        status=mediation.status,
        channel_id=mediation.channel_id,
        thread_ts=mediation.thread_ts,
        deadline=mediation.deadline,
        days_left=days,
        age_days=max(0, (today - mediation.opened_at.date()).days),
        involvement=tuple(involvement),
        positions=tuple(sorted(p.side for p in positions)),
        agreed=agreed,
        awaiting_you=awaiting,
    )


def _visible(mediation: MediationRecord, standing: Standing, sides: Mapping[str, str]) -> bool:
    """A role holder sees the engagement's mediations, except those run in the other side's own channel."""
    channel_side = sides.get(mediation.channel_id, "shared")
    return standing.side == "shared" or channel_side in ("shared", standing.side)


def home_for(*, session: Session, user_id: str, today: date) -> Home:
    """What the person's Home tab shows, as of `today` (their local date)."""
    roles = _roles(session, user_id)
    owned = _owned_issues(session, user_id)
    party = _party_to(session, user_id)
    names = sorted(set(roles) | {i.engagement for i in owned} | {m.engagement for m in party})
    bindings = _bindings(session, names)
    mediations: dict[int, MediationRecord] = {m.id: m for m in party if m.id is not None}
    personal = set(mediations)
    if roles:
        query = select(MediationRecord).where(
            col(MediationRecord.engagement).in_(list(roles)), col(MediationRecord.status).in_(OPEN_MEDIATION_STATUSES)
        )
        mediations.update((m.id, m) for m in session.exec(query) if m.id is not None)
    positions: dict[int, list[Position]] = defaultdict(list)
    if mediations:
        for p in session.exec(select(Position).where(col(Position.mediation_id).in_(list(mediations)))):
            positions[p.mediation_id].append(p)
    out = []
    for name in names:
        held = roles.get(name, ())
        side = side_of(held)
        standing = Standing(name, held, side, _channel_for(bindings[name], side))
        sides = {b.channel_id: b.side for b in bindings[name]}
        issues = sorted(
            (_home_issue(i, today) for i in owned if i.engagement == name),
            key=lambda i: (i.severity, i.due or date.max, i.id),
        )
        theirs = [
            m
            for mid, m in mediations.items()
            if m.engagement == name and (mid in personal or _visible(m, standing, sides))
        ]
        items = sorted(
            (_home_mediation(m, user_id, standing, positions[m.id or 0], today) for m in theirs),
            key=lambda m: (m.deadline or date.max, -m.age_days, m.id),
        )
        deadlines = [Deadline(i.due, i.days_left or 0, "issue", i.id, i.title) for i in issues if i.due]
        deadlines += [
            Deadline(m.deadline, m.days_left or 0, "mediation", m.id, m.title)
            for m in items
            if m.deadline and m.status in ACTIVE_MEDIATION_STATUSES
        ]
        deadlines += _obligations(session, standing, today)
        deadlines.sort(key=lambda d: (d.on, d.kind, d.ref))
        out.append(
            EngagementHome(
                standing=standing,
                issues=tuple(issues),
                mediations=tuple(items),
                deadlines=tuple(deadlines[:DEADLINE_LIMIT]),
                more_deadlines=max(0, len(deadlines) - DEADLINE_LIMIT),
                at_risk=_at_risk(session, standing, user_id, today),
            )
        )
    return Home(user_id=user_id, today=today, engagements=tuple(out))


def _obligations(session: Session, standing: Standing, today: date) -> list[Deadline]:
    """The engagement's approved obligations dated today or later, as the person's side may see them."""
    seen = set(visible_to(standing.side))
    out = []
    for d in dated(session, engagement=standing.engagement, as_of=today):
        row = d.row
        if row.status == "approved" and d.date is not None and d.date >= today and row.visibility in seen:
            title = f"{kind_name(row.kind)} ({where(row.document, row.section)})"
            out.append(Deadline(d.date, (d.date - today).days, "deadline", row.id or 0, title))
    return out


def _at_risk(session: Session, standing: Standing, user_id: str, today: date) -> tuple[Latest, ...]:
    """The service levels the person owns at risk, as their side may see them; only where they hold a role."""
    if not standing.roles:
        return ()
    found = sla_home.at_risk_in(
        session, engagement=standing.engagement, side=standing.side, user_id=user_id, today=today
    )
    return tuple(found)


def asked_before(*, session: Session, source_key: str) -> QuestionRecord | None:
    """The question already answered for a submission of the Home's "Ask a question" modal, if any."""
    return session.exec(select(QuestionRecord).where(QuestionRecord.source_key == source_key)).first()


def home_of(deps: Deps, *, user_id: str, today: date) -> Home:
    """The person's Home as the records stand now, in its own session."""
    with session(deps.engine) as s:
        return home_for(session=s, user_id=user_id, today=today)


def standing_of(deps: Deps, *, user_id: str, engagement: str) -> Standing | None:
    """The person's standing in one engagement now: read again at each click, so a role revoked since the Home
    was published no longer counts."""
    with session(deps.engine) as s:
        return standing_in(session=s, user_id=user_id, engagement=engagement)
