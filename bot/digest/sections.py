"""What a weekly digest says: a list of section builders over one week's window, for one side of an engagement.

No Slack imports. Each builder takes the session and a `Window` and returns a `Section` of facts (with the trend
against the week before), items and an optional action; `SECTIONS` is the order they appear in. The SLA section
reads the register (`bot.digest.sla`), "Deadlines in the next 90 days" the deadlines
register (`bot.digest.deadlines`).

Side-aware: issues are shared records; questions (and the document names their answers cite) and mediations
are seen only from the sides that may see the channel they came from (`SIDES_SEEN`): a vendor channel's
question never reaches a client digest, and the reverse.

The types are in `bot.digest.model`, the issue counts (and the chart's weekly numbers) in `bot.digest.counts`,
the plain text in `bot.digest.text`; the names callers use from those are re-exported here. The texts are in the
reader's language (`bot.i18n`, at build time); keys, statuses, categories and people's own words are not translated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.digest.counts import AGEING_DAYS, ageing_at, open_at, opened_in, resolved_in
from bot.digest.deadlines import deadlines_section
from bot.digest.model import ADD_DOCUMENT_ACTION, HEADLINE, Action, Digest, Fact, Section, Trend, Window
from bot.digest.sla import NO_LEVELS, register_facts, register_for, register_items
from bot.i18n import N_, _, ngettext
from bot.records import digests
from bot.records.cases import IssueRecord, MediationRecord
from bot.records.tables import ChannelBinding, QuestionRecord
from bot.sla.breaches import issue_title
from knowledge.text import citation_label

TOP = 5  # items listed per section
NEW_ISSUES_NAMED = 10  # the week's new issues are all named up to this many, most severe first
OFFICES = {"back": N_("back office"), "front": N_("front office"), None: N_("other")}

SectionBuilder = Callable[[Session, Window], Section]


# Items


def _breakdown(issues: Sequence[IssueRecord]) -> str:
    if not issues:
        return ""
    severities = Counter(i.severity for i in issues)
    offices = Counter(OFFICES.get(i.office, OFFICES[None]) for i in issues)
    by_severity = ", ".join(
        _("sev {severity}: {count}").format(severity=s, count=severities[s]) for s in sorted(severities)
    )
    by_office = ", ".join(f"{_(name)}: {offices[name]}" for name in OFFICES.values() if offices[name])
    return f"{by_severity}; {by_office}"


def _issue_line(issue: IssueRecord, moment: datetime | None = None) -> str:
    office = f" ({_(OFFICES[issue.office])})" if issue.office in ("back", "front") else ""
    age = ""
    if moment:
        days = (moment - issue.created_at).days
        age = " · " + ngettext("open {n} day", "open {n} days", days).format(n=days)
    severity = _("sev {severity}").format(severity=issue.severity)
    title = issue_title({"title": issue.title, "category": issue.category, "created_by": issue.created_by})
    return f"#{issue.id} · {severity} · {issue.category}{office}{age} · {title}"


def _listed(lines: list[str], limit: int = TOP) -> tuple[str, ...]:
    """The first `limit` lines, then how many more there are."""
    shown = lines[:limit]
    if len(lines) > limit:
        shown.append(_("… and {count} more").format(count=len(lines) - limit))
    return tuple(shown)


# Queries


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
    new, resolved = opened_in(issues, window.start, window.end), resolved_in(issues, window.start, window.end)
    facts = (
        Fact(
            "issues.new",
            _("New"),
            str(len(new)),
            Trend(len(new), len(opened_in(issues, before.start, before.end))),
            _breakdown(new),
        ),
        Fact(
            "issues.resolved",
            _("Resolved"),
            str(len(resolved)),
            Trend(len(resolved), len(resolved_in(issues, before.start, before.end))),
            _breakdown(resolved),
        ),
    )
    worst_first = sorted(new, key=lambda i: (i.severity, i.created_at, i.id or 0))
    named = _listed([_issue_line(i) for i in worst_first], NEW_ISSUES_NAMED)
    return Section("issues", _("Issues this week"), facts, named, empty=_("No new issues."))


def ageing_issues(session: Session, window: Window) -> Section:
    issues, moment, earlier = _issues(session, window), window.end, window.start
    open_now, ageing = open_at(issues, moment), ageing_at(issues, moment)
    facts = (
        Fact(
            "issues.open",
            _("Open"),
            str(len(open_now)),
            Trend(len(open_now), len(open_at(issues, earlier))),
            _breakdown(open_now),
        ),
        Fact(
            "issues.ageing",
            ngettext("Open over {n} day", "Open over {n} days", AGEING_DAYS).format(n=AGEING_DAYS),
            str(len(ageing)),
            Trend(len(ageing), len(ageing_at(issues, earlier))),
            _breakdown(ageing),
        ),
    )
    oldest = sorted(ageing, key=lambda i: (i.severity, i.created_at))
    return Section(
        "ageing",
        _("Open and ageing issues"),
        facts,
        _listed([_issue_line(i, moment) for i in oldest]),
        empty=_("Nothing ageing."),
    )


def _mediation_line(mediation: MediationRecord, moment: datetime, zone: ZoneInfo) -> str:
    age = (moment - mediation.opened_at).days
    old = ngettext("{n} day old", "{n} days old", age).format(n=age)
    line = f"#{mediation.id} · {mediation.status} · {old}"
    if mediation.deadline:
        if mediation.deadline < moment.astimezone(zone).date():
            due = _("deadline {date} (overdue)")
        else:
            due = _("deadline {date}")
        line += " · " + due.format(date=mediation.deadline.isoformat())
    return f"{line} · {mediation.title}"


def open_mediations(session: Session, window: Window) -> Section:
    def under_way(end: datetime) -> list[MediationRecord]:
        found = digests.mediations_before(session=session, engagement=window.engagement, end=end)
        return [m for m in found if _visible(session, m.channel_id, window)]

    now, before = under_way(window.end), under_way(window.start)
    today = window.end.astimezone(window.zone).date()
    overdue = [m for m in now if m.deadline and m.deadline < today]
    ages = [(window.end - m.opened_at).days for m in now]
    detail = ""
    if ages:
        oldest, average = max(ages), round(sum(ages) / len(ages))
        detail = ", ".join(
            (
                ngettext("oldest {n} day", "oldest {n} days", oldest).format(n=oldest),
                ngettext("average {n} day", "average {n} days", average).format(n=average),
            )
        )
    facts = (
        Fact("mediations.open", _("Under way"), str(len(now)), Trend(len(now), len(before)), detail),
        Fact("mediations.overdue", _("Past their deadline"), str(len(overdue))),
    )
    items = [_mediation_line(m, window.end, window.zone) for m in now]
    return Section("mediations", _("Mediations"), facts, _listed(items), empty=_("No mediation under way."))


def sla_standing(session: Session, window: Window) -> Section:
    """The SLA register's last closed period (levels, breaches, credits, claims closing) and the week's breach
    issues; without an approved level, the issues only and `NO_LEVELS`."""
    issues, before = _issues(session, window), window.previous
    breaches = [i for i in issues if i.category == "sla-breach"]
    new, earlier = opened_in(breaches, window.start, window.end), opened_in(breaches, before.start, before.end)
    logged = (
        Fact("sla.breaches", _("SLA breaches logged"), str(len(new)), Trend(len(new), len(earlier)), _breakdown(new)),
        Fact("sla.open", _("SLA breaches still open"), str(len(open_at(breaches, window.end)))),
    )
    register = register_for(session, window)
    if not register.levels:
        items = _listed([_issue_line(i) for i in new])
        return Section("sla", _("SLA"), logged, items, empty=_("No SLA breach logged."), note=_(NO_LEVELS))
    return Section("sla", _("SLA"), register_facts(register) + logged, tuple(register_items(register)))


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
        citation_label(title=c.get("title"), document=c.get("document"), section=None, page=None)
        for q in answered
        for c in q.citations
        if c.get("document")
    )
    facts = (
        Fact("questions.asked", _("Questions asked"), str(len(asked)), Trend(len(asked), len(before))),
        Fact(
            "questions.answered",
            _("Answered from the contracts"),
            _("{answered} of {asked}").format(answered=len(answered), asked=len(asked)) + share,
        ),
        Fact(
            "questions.cited",
            _("Most cited"),
            ", ".join(f"{name} ×{n}" for name, n in cited.most_common(3)) or _("none"),
        ),
    )
    return Section("questions", _("Top questions"), facts, _listed(_grouped(asked)), empty=_("No questions asked."))


def knowledge_gaps(session: Session, window: Window) -> Section:
    gaps = [q for q in _questions(session, window) if not q.found]
    before = [q for q in _questions(session, window.previous) if not q.found]
    fact = Fact(
        "questions.unanswered", _("Not answered from the contracts"), str(len(gaps)), Trend(len(gaps), len(before))
    )
    action = Action(_("Add a document"), ADD_DOCUMENT_ACTION, window.engagement) if gaps else None
    return Section(
        "gaps",
        _("Knowledge gaps"),
        (fact,),
        _listed(_grouped(gaps)),
        empty=_("None: every question was answered from the contracts."),
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
        Fact("feedback.up", _("👍 Helpful"), str(ups), Trend(ups, ups_before)),
        Fact("feedback.down", _("👎 Not helpful"), str(downs), Trend(downs, downs_before)),
        Fact("feedback.balance", _("Balance"), _signed(ups - downs), Trend(ups - downs, ups_before - downs_before)),
    )
    return Section("feedback", _("Feedback on answers"), facts)


SECTIONS: list[SectionBuilder] = [
    new_and_resolved_issues,
    ageing_issues,
    open_mediations,
    sla_standing,
    deadlines_section,
    top_questions,
    knowledge_gaps,
    feedback,
]


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
