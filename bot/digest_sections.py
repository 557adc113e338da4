"""What a weekly digest says: a list of section builders over one week's window, for one side of an engagement.

No Slack imports. Each builder takes the session and a `Window` and returns a `Section` of facts (with the trend
against the week before), items and an optional action; `SECTIONS` is the order they appear in. Service credits
and notice deadlines slot in as more builders once there is an SLA register.

Side-aware: issues are shared records; questions (and the document names their answers cite) and mediations
are seen only from the sides that may see the channel they came from (`SIDES_SEEN`): a vendor channel's
question never reaches a client digest, and the reverse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import digests
from bot.cases import IssueRecord, MediationRecord
from bot.records import ChannelBinding, QuestionRecord

SIDES_SEEN = {"client": ("client", "shared"), "vendor": ("vendor", "shared"), "shared": ("shared",)}
AGEING_DAYS = 7  # an issue open longer than this is ageing
TOP = 5  # items listed per section
CHART_WEEKS = 10
OFFICES = {"back": "back office", "front": "front office", None: "other"}
SLA_NOTE = (
    "No SLA register yet: SLA breaches are issues logged in the sla-breach category, and SLA attainment is the "
    "share of days in the week with no such issue open."
)
ADD_DOCUMENT_ACTION = "digest_add_document"


@dataclass(frozen=True)
class Window:
    """One week of one engagement, seen from one side: [start, end), `end` being the digest's moment."""

    engagement: str
    side: str  # the channel's side; the managers' channel counts as shared
    week_start: date  # the Monday of the week the digest is sent in
    start: datetime
    end: datetime
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sides(self) -> tuple[str, ...]:
        return SIDES_SEEN[self.side]

    @property
    def previous(self) -> Window:
        return replace(self, start=weeks_before(self.start, self.zone, 1), end=self.start)


def weeks_before(moment: datetime, zone: ZoneInfo, weeks: int) -> datetime:
    """The same local weekday and time `weeks` earlier (so DST changes keep the digest's hour), in UTC."""
    return (moment.astimezone(zone) - timedelta(weeks=weeks)).astimezone(UTC)


def window_ending(
    *, engagement: str, side: str, week_start: date, moment: datetime, timezone: str, now: datetime | None = None
) -> Window:
    """The week up to `moment` (the digest's scheduled time), or only up to `now` if that is earlier."""
    start = weeks_before(moment, ZoneInfo(timezone), 1)
    end = moment if now is None else max(start, min(moment, now))
    return Window(engagement, side, week_start, start, end.astimezone(UTC), timezone)


@dataclass(frozen=True)
class Trend:
    """This week's number against the week before's."""

    current: int
    previous: int
    unit: str = ""  # "%" for percentages: the change is then in points

    def text(self) -> str:
        delta = self.current - self.previous
        if delta == 0:
            return "= same as the week before"
        points = " pts" if self.unit == "%" else ""
        return f"{'▲' if delta > 0 else '▼'}{abs(delta)}{points} vs {self.previous}{self.unit} the week before"


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str
    trend: Trend | None = None
    detail: str = ""


@dataclass(frozen=True)
class Action:
    label: str
    action_id: str
    value: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    facts: tuple[Fact, ...] = ()
    items: tuple[str, ...] = ()  # plain text, user text included: escape when rendering
    empty: str = ""  # said when there are no items
    note: str = ""
    action: Action | None = None


@dataclass(frozen=True)
class Digest:
    engagement: str  # digests.ALL_ENGAGEMENTS for the managers' digest
    side: str
    window: Window
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        name = "all engagements" if self.engagement == digests.ALL_ENGAGEMENTS else self.engagement
        return f"Weekly digest: {name}"

    def fact(self, key: str) -> Fact | None:
        return next((f for s in self.sections for f in s.facts if f.key == key), None)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["window"] = {k: str(v) for k, v in data["window"].items()}
        return data


SectionBuilder = Callable[[Session, Window], Section]


# Counting


def _opened(issues: Iterable[IssueRecord], start: datetime, end: datetime) -> list[IssueRecord]:
    return [i for i in issues if start <= i.created_at < end]


def _resolved(issues: Iterable[IssueRecord], start: datetime, end: datetime) -> list[IssueRecord]:
    return [i for i in issues if i.resolved_at is not None and start <= i.resolved_at < end]


def _open_at(issues: Iterable[IssueRecord], moment: datetime) -> list[IssueRecord]:
    return [i for i in issues if i.created_at < moment and (i.resolved_at is None or i.resolved_at >= moment)]


def _ageing(issues: Iterable[IssueRecord], moment: datetime) -> list[IssueRecord]:
    return [i for i in _open_at(issues, moment) if moment - i.created_at > timedelta(days=AGEING_DAYS)]


def _breakdown(issues: Sequence[IssueRecord]) -> str:
    if not issues:
        return ""
    severities = Counter(i.severity for i in issues)
    offices = Counter(OFFICES.get(i.office, "other") for i in issues)
    by_severity = ", ".join(f"sev {s}: {severities[s]}" for s in sorted(severities))
    by_office = ", ".join(f"{name}: {offices[name]}" for name in OFFICES.values() if offices[name])
    return f"{by_severity}; {by_office}"


def _issue_line(issue: IssueRecord, moment: datetime | None = None) -> str:
    office = f" ({OFFICES[issue.office]})" if issue.office in ("back", "front") else ""
    age = f" · open {(moment - issue.created_at).days} days" if moment else ""
    return f"#{issue.id} · sev {issue.severity} · {issue.category}{office}{age} · {issue.title}"


def _listed(lines: list[str]) -> tuple[str, ...]:
    shown = lines[:TOP]
    if len(lines) > TOP:
        shown.append(f"… and {len(lines) - TOP} more")
    return tuple(shown)


def sla_attainment(issues: Iterable[IssueRecord], start: datetime, end: datetime, zone: ZoneInfo) -> int:
    """Percent of the window's days (24 h slices from `start`, local time) with no sla-breach issue open."""
    breaches = [i for i in issues if i.category == "sla-breach"]
    local = start.astimezone(zone)
    days, clear = 0, 0
    while (day_start := (local + timedelta(days=days)).astimezone(UTC)) < end:
        day_end = min((local + timedelta(days=days + 1)).astimezone(UTC), end)
        days += 1
        if not any(i.created_at < day_end and (i.resolved_at is None or i.resolved_at > day_start) for i in breaches):
            clear += 1
    return round(100 * clear / days) if days else 100


def _issues(session: Session, window: Window) -> list[IssueRecord]:
    """The issues that existed during this week or the one before."""
    start = window.previous.start
    return digests.issues_between(session=session, engagements=[window.engagement], start=start, end=window.end)


def _visible(session: Session, channel_id: str, window: Window) -> bool:
    binding = session.get(ChannelBinding, channel_id)
    return binding is None or binding.side in window.sides


# Sections


def new_and_resolved_issues(session: Session, window: Window) -> Section:
    issues, before = _issues(session, window), window.previous
    new, resolved = _opened(issues, window.start, window.end), _resolved(issues, window.start, window.end)
    facts = (
        Fact(
            "issues.new",
            "New",
            str(len(new)),
            Trend(len(new), len(_opened(issues, before.start, before.end))),
            _breakdown(new),
        ),
        Fact(
            "issues.resolved",
            "Resolved",
            str(len(resolved)),
            Trend(len(resolved), len(_resolved(issues, before.start, before.end))),
            _breakdown(resolved),
        ),
    )
    urgent = [_issue_line(i) for i in new if i.severity <= 2]
    return Section("issues", "Issues this week", facts, _listed(urgent), empty="No new severity 1 or 2 issues.")


def ageing_issues(session: Session, window: Window) -> Section:
    issues, moment, earlier = _issues(session, window), window.end, window.start
    open_now, ageing = _open_at(issues, moment), _ageing(issues, moment)
    facts = (
        Fact(
            "issues.open",
            "Open",
            str(len(open_now)),
            Trend(len(open_now), len(_open_at(issues, earlier))),
            _breakdown(open_now),
        ),
        Fact(
            "issues.ageing",
            f"Open over {AGEING_DAYS} days",
            str(len(ageing)),
            Trend(len(ageing), len(_ageing(issues, earlier))),
            _breakdown(ageing),
        ),
    )
    oldest = sorted(ageing, key=lambda i: (i.severity, i.created_at))
    return Section(
        "ageing",
        "Open and ageing issues",
        facts,
        _listed([_issue_line(i, moment) for i in oldest]),
        empty="Nothing ageing.",
    )


def _mediation_line(mediation: MediationRecord, moment: datetime, zone: ZoneInfo) -> str:
    age = (moment - mediation.opened_at).days
    line = f"#{mediation.id} · {mediation.status} · {age} days old"
    if mediation.deadline:
        overdue = " (overdue)" if mediation.deadline < moment.astimezone(zone).date() else ""
        line += f" · deadline {mediation.deadline.isoformat()}{overdue}"
    return f"{line} · {mediation.title}"


def open_mediations(session: Session, window: Window) -> Section:
    def under_way(end: datetime) -> list[MediationRecord]:
        found = digests.mediations_before(session=session, engagement=window.engagement, end=end)
        return [m for m in found if _visible(session, m.channel_id, window)]

    now, before = under_way(window.end), under_way(window.start)
    today = window.end.astimezone(window.zone).date()
    overdue = [m for m in now if m.deadline and m.deadline < today]
    ages = [(window.end - m.opened_at).days for m in now]
    detail = f"oldest {max(ages)} days, average {round(sum(ages) / len(ages))} days" if ages else ""
    facts = (
        Fact("mediations.open", "Under way", str(len(now)), Trend(len(now), len(before)), detail),
        Fact("mediations.overdue", "Past their deadline", str(len(overdue))),
    )
    items = [_mediation_line(m, window.end, window.zone) for m in now]
    return Section("mediations", "Mediations", facts, _listed(items), empty="No mediation under way.")


def sla_breaches(session: Session, window: Window) -> Section:
    issues, before = _issues(session, window), window.previous
    breaches = [i for i in issues if i.category == "sla-breach"]
    new, earlier = _opened(breaches, window.start, window.end), _opened(breaches, before.start, before.end)
    attainment = sla_attainment(issues, window.start, window.end, window.zone)
    previous = sla_attainment(issues, before.start, before.end, before.zone)
    facts = (
        Fact("sla.breaches", "SLA breaches logged", str(len(new)), Trend(len(new), len(earlier)), _breakdown(new)),
        Fact("sla.open", "SLA breaches still open", str(len(_open_at(breaches, window.end)))),
        Fact("sla.attainment", "SLA attainment", f"{attainment}%", Trend(attainment, previous, "%")),
    )
    return Section(
        "sla", "SLA", facts, _listed([_issue_line(i) for i in new]), empty="No SLA breach logged.", note=SLA_NOTE
    )


def _questions(session: Session, window: Window) -> list[QuestionRecord]:
    return digests.questions_between(
        session=session, engagement=window.engagement, sides=window.sides, start=window.start, end=window.end
    )


def _grouped(questions: Sequence[QuestionRecord]) -> list[str]:
    """'3× what is the notice period?', most asked first (then most recent), same question however typed."""
    counts: Counter[str] = Counter()
    latest: dict[str, QuestionRecord] = {}
    for q in questions:
        key = " ".join(q.question.lower().split()).rstrip("?!. ")
        counts[key] += 1
        latest[key] = q
    order = sorted(counts, key=lambda k: (-counts[k], -latest[k].asked_at.timestamp()))
    return [f"{counts[k]}× {' '.join(latest[k].question.split())}" for k in order]


def top_questions(session: Session, window: Window) -> Section:
    asked, before = _questions(session, window), _questions(session, window.previous)
    answered = [q for q in asked if q.found]
    share = f" ({round(100 * len(answered) / len(asked))}%)" if asked else ""
    cited = Counter(
        str(c.get("title") or c.get("document")) for q in answered for c in q.citations if c.get("document")
    )
    facts = (
        Fact("questions.asked", "Questions asked", str(len(asked)), Trend(len(asked), len(before))),
        Fact("questions.answered", "Answered from the contracts", f"{len(answered)} of {len(asked)}{share}"),
        Fact("questions.cited", "Most cited", ", ".join(f"{name} ×{n}" for name, n in cited.most_common(3)) or "none"),
    )
    return Section("questions", "Top questions", facts, _listed(_grouped(asked)), empty="No questions asked.")


def knowledge_gaps(session: Session, window: Window) -> Section:
    gaps = [q for q in _questions(session, window) if not q.found]
    before = [q for q in _questions(session, window.previous) if not q.found]
    fact = Fact(
        "questions.unanswered", "Not answered from the contracts", str(len(gaps)), Trend(len(gaps), len(before))
    )
    action = Action("Add a document", ADD_DOCUMENT_ACTION, window.engagement) if gaps else None
    return Section(
        "gaps",
        "Knowledge gaps",
        (fact,),
        _listed(_grouped(gaps)),
        empty="None: every question was answered from the contracts.",
        action=action,
    )


def _signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


def feedback(session: Session, window: Window) -> Section:
    def balance(w: Window) -> tuple[int, int]:
        return digests.feedback_between(
            session=session, engagement=w.engagement, sides=w.sides, start=w.start, end=w.end
        )

    (ups, downs), (ups_before, downs_before) = balance(window), balance(window.previous)
    facts = (
        Fact("feedback.up", "👍 Helpful", str(ups), Trend(ups, ups_before)),
        Fact("feedback.down", "👎 Not helpful", str(downs), Trend(downs, downs_before)),
        Fact("feedback.balance", "Balance", _signed(ups - downs), Trend(ups - downs, ups_before - downs_before)),
    )
    return Section("feedback", "Feedback on answers", facts)


SECTIONS: list[SectionBuilder] = [
    new_and_resolved_issues,
    ageing_issues,
    open_mediations,
    sla_breaches,
    top_questions,
    knowledge_gaps,
    feedback,
]
HEADLINE = (
    "issues.new",
    "issues.resolved",
    "issues.open",
    "sla.breaches",
    "sla.attainment",
    "mediations.open",
    "questions.unanswered",
)


def build_digest(*, session: Session, window: Window, sections: Sequence[SectionBuilder] = SECTIONS) -> Digest:
    """The digest of one engagement's week, as one side sees it."""
    return Digest(window.engagement, window.side, window, tuple(build(session, window) for build in sections))


def build_managers_digest(*, session: Session, engagements: Sequence[str], window: Window) -> Digest:
    """The cross-engagement digest: each engagement's headline facts, as a shared channel sees them."""
    parts = []
    for engagement in engagements:
        digest = build_digest(session=session, window=replace(window, engagement=engagement, side="shared"))
        facts = tuple(f for key in HEADLINE if (f := digest.fact(key)) is not None)
        parts.append(Section(f"engagement:{engagement}", engagement, tuple(replace(f, detail="") for f in facts)))
    window = replace(window, engagement=digests.ALL_ENGAGEMENTS, side="shared")
    return Digest(digests.ALL_ENGAGEMENTS, "shared", window, tuple(parts))


# The chart's numbers


@dataclass(frozen=True)
class WeekPoint:
    label: str  # the week's first day, e.g. "16 Nov"
    opened: int
    resolved: int
    attainment: int  # percent


def weekly_points(
    *, session: Session, engagements: Sequence[str], window: Window, weeks: int = CHART_WEEKS
) -> list[WeekPoint]:
    """Issues opened and resolved, and SLA attainment, for each of the `weeks` weeks ending with `window`."""
    zone, first = window.zone, weeks_before(window.end, window.zone, weeks)
    issues = digests.issues_between(session=session, engagements=engagements, start=first, end=window.end)
    points = []
    for back in range(weeks - 1, -1, -1):
        end = weeks_before(window.end, zone, back)
        start = weeks_before(end, zone, 1)
        label = start.astimezone(zone).strftime("%d %b").lstrip("0")
        points.append(
            WeekPoint(
                label,
                len(_opened(issues, start, end)),
                len(_resolved(issues, start, end)),
                sla_attainment(issues, start, end, zone),
            )
        )
    return points


# Plain text (the CLI's dry run, and the notification text)


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
        "sla.attainment": "SLA attainment {}",
        "mediations.open": "{} mediations under way",
        "questions.unanswered": "{} questions not answered",
    }
    numbers = ", ".join(phrases[key].format(value) for key, value in values.items())
    return f"{digest.title} ({period_text(digest.window)})" + (f": {numbers}" if numbers else "")
