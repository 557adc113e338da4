"""The digest's "Deadlines in the next 90 days": approved obligations from the digest's date to 90 days after,
soonest first, with rule and clause; a line asking for the anchor of an obligation that counts from a date nobody
has given yet; drafts counted, not listed; side rules. On real records (`register.sync_drafts`, `reviews`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from bot.db import session
from bot.deadlines import register, reviews
from bot.digest.deadlines import deadlines_section
from bot.digest.model import Window, window_ending
from bot.digest.sections import build_digest
from bot.records import deadlines as records
from bot.slack.blocks.digest import digest_blocks
from knowledge.deadlines import Duration, ObligationDraft
from knowledge.slas import Span
from tests.conftest import ENGAGEMENT
from tests.test_deadline_reminders import seed

TODAY = date(2026, 10, 5)  # a Monday
SOW = "4.1 Vendor shall complete the exit plan within thirty (30) days after the Go-Live Date.\n"


def window(side: str, day: date = TODAY) -> Window:
    moment = datetime.combine(day, time(8, 0), tzinfo=UTC)
    return window_ending(engagement=ENGAGEMENT, side=side, week_start=day, moment=moment, timezone="UTC")


def section_of(engine: Engine, side: str, day: date = TODAY) -> tuple[tuple[str, ...], dict[str, str], str]:
    with session(engine) as s:
        found = deadlines_section(s, window(side, day))
    return found.items, {f.key: f.value for f in found.facts}, found.note


def waiting_on_go_live(engine: Engine, *, approve: bool = True) -> int:
    """An exit obligation counted from the go-live date, which no one has given: its id."""
    rule = "within thirty (30) days after the Go-Live Date"
    start = SOW.index(rule)
    words = SOW.index("thirty (30) days")
    draft = ObligationDraft(
        kind="exit",
        rule=Span(rule, start, start + len(rule)),
        quote=Span(SOW.strip(), 0, len(SOW.strip())),
        section="4.1",
        duration=Duration(30, "day", Span("thirty (30) days", words, words + len("thirty (30) days"))),
        direction="after",
        anchor="go-live",
    )
    with session(engine) as s:
        register.sync_drafts(s, engagement=ENGAGEMENT, found=[register.Found("sow.md", "shared", [draft])], actor="cli")
        [row] = [r for r in records.deadlines_of(s, engagement=ENGAGEMENT) if r.document == "sow.md"]
        assert row.id is not None
        if approve:
            reviews.review(s, engagement=ENGAGEMENT, deadline_ids=[row.id], status="approved", actor="cli")
        return row.id


def test_the_next_90_days_are_listed_soonest_first_with_rule_and_clause(db: Engine) -> None:
    later = seed(db, on=TODAY + timedelta(days=60))
    sooner = seed(db, client_only=True, on=TODAY + timedelta(days=3))
    items, facts, _ = section_of(db, "client")
    assert items == (
        "2026-10-08 · in 3 days · Notice of non-renewal: no later than 08 October 2026 · client-notes.md §2.1 · "
        f"#{sooner}",
        f"2026-12-04 · in 60 days · Notice of non-renewal: no later than 04 December 2026 · msa.md §5.2 · #{later}",
    )
    assert facts == {"deadlines.due": "2", "deadlines.anchors": "0"}


def test_beyond_90_days_past_and_done_are_left_out(db: Engine) -> None:
    seed(db, on=TODAY + timedelta(days=91))
    done = seed(db, client_only=True, on=TODAY + timedelta(days=10))
    with session(db) as s:
        reviews.review(s, engagement=ENGAGEMENT, deadline_ids=[done], status="done", actor="cli")
    items, facts, _ = section_of(db, "client")
    assert items == () and facts["deadlines.due"] == "0"
    assert len(section_of(db, "client", TODAY + timedelta(days=2))[0]) == 1  # 89 days ahead by then


def test_a_client_only_obligation_never_reaches_a_vendor_or_shared_digest(db: Engine) -> None:
    seed(db, client_only=True, on=TODAY + timedelta(days=3))
    for side in ("vendor", "shared"):
        items, facts, _ = section_of(db, side)
        assert items == () and facts["deadlines.due"] == "0"
    assert len(section_of(db, "client")[0]) == 1


def test_an_unknown_anchor_is_asked_for_with_how_to_set_it(db: Engine) -> None:
    deadline_id = waiting_on_go_live(db)
    items, facts, _ = section_of(db, "shared")
    assert items == (
        f"Date needed: Exit assistance (sow.md §4.1, #{deadline_id}) counts from the go-live date, not known yet. "
        f"Give it with `liaison deadlines edit {deadline_id} --anchor-date YYYY-MM-DD --engagement {ENGAGEMENT}` "
        "(or the deadline itself with `--date YYYY-MM-DD`)",
    )
    assert facts["deadlines.anchors"] == "1"
    with session(db) as s:  # the go-live date given: counted from it, listed with the others, no more asked for
        go_live = (TODAY - timedelta(days=20)).isoformat()
        reviews.edit(s, engagement=ENGAGEMENT, deadline_id=deadline_id, changes={"anchor_date": go_live}, actor="cli")
        register.refresh_dates(s, engagement=ENGAGEMENT, as_of=TODAY)
    items, facts, _ = section_of(db, "shared")
    assert facts == {"deadlines.due": "1", "deadlines.anchors": "0"} and items[0].startswith("2026-10-15 · in 10 days")


def test_drafts_are_counted_with_how_to_review_them_not_listed(db: Engine) -> None:
    seed(db, approve=False, on=TODAY + timedelta(days=3))
    items, facts, note = section_of(db, "shared")
    assert items == () and facts["deadlines.due"] == "0"
    assert note == (
        f"1 draft deadline awaits review: `liaison deadlines --status draft --engagement {ENGAGEMENT}`, "
        "then approve them."
    )


def test_the_weekly_digest_carries_the_section_to_slack(db: Engine) -> None:
    seed(db, on=TODAY + timedelta(days=30))
    with session(db) as s:
        digest = build_digest(session=s, window=window("shared"))
    assert [x.key for x in digest.sections].index("deadlines") == [x.key for x in digest.sections].index("sla") + 1
    text = str(digest_blocks(digest))
    assert "Deadlines in the next 90 days" in text and "in 30 days · Notice of non-renewal" in text
