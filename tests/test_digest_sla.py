"""The weekly digest reads the SLA register: each approved level in the last closed month, breaches against the
month before, the month's credits and their claim, claim windows closing, the chart's grid, and side rules.

Levels, measurements and statements are real records, written through `bot.sla.register` and `bot.sla.measures`
over the small schedule whose spans `tests/test_sla_register.py` builds."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.db import session
from bot.digest import posts as digest_posts
from bot.digest import schedule as digest_schedule
from bot.digest.sla import Cell, closed_periods, closing_claims, register_of
from bot.digest.text import digest_text, summary_text
from bot.localslack.api import SlackAPI
from bot.records import sla as sla_records
from bot.records.digests import ALL_ENGAGEMENTS
from bot.sla import measures, register, reviews
from bot.slack import posting
from bot.slack.blocks.digest import digest_blocks
from tests.test_digest import NOW, PNG, WEEK, E, bind, built, client_for, deps_for, fact, seed
from tests.test_sla_register import SCHEDULE, schedule_drafts

SPEED, QUALITY = "Average Speed of Answer (voice)", "Quality Score"


def with_register(engine: Engine, *, one_sided: str | None = None) -> None:
    """Both levels approved (Quality Score from a `one_sided` document when given); September met on both;
    October: speed 76.4% (missed, disputed), quality 95% (met); October's credits computed on USD 800,000."""
    speed, quality = schedule_drafts()
    found = [register.Found("schedule.md", "shared", [speed, quality])]
    if one_sided:
        found = [register.Found("schedule.md", "shared", [speed]), register.Found("internal.md", one_sided, [quality])]
    with session(engine) as s:
        register.sync_drafts(s, engagement=E, found=found, actor="cli")
        ids = [r.id or 0 for r in register.levels(s, engagement=E)]
        reviews.review(s, engagement=E, level_ids=ids, status="approved", actor="U1")
        for period, values in (("2026-09", ("82", "95")), ("2026-10", ("76.4", "95"))):
            for name, value in zip((SPEED, QUALITY), values, strict=True):
                measures.report(s, engagement=E, ref=name, period=period, value=value, actor="U1")
        measures.set_status(
            s, engagement=E, ref=SPEED, period="2026-10", status="disputed", actor="U2", reason="IVR outage excluded"
        )
        measures.save_statement(s, engagement=E, period="2026-10", fees=Decimal(800000), currency="USD", actor="U1")


def sla_items(engine: Engine, side: str) -> tuple[str, ...]:
    return next(s for s in built(engine, side).sections if s.key == "sla").items


def test_the_last_closed_month_of_each_level_breaches_against_the_month_before_and_credits(db: Engine) -> None:
    seed(db)
    with_register(db)
    d = built(db, "shared")
    assert fact(d, "sla.met") == ("1 of 2", None)
    assert fact(d, "sla.missed") == ("1", "▲1 vs 0 in 2026-09")
    assert fact(d, "sla.credits") == ("USD 16,000 (2% of fees)", None)
    assert d.fact("sla.credits").detail == "not claimed, claim by 2026-11-30"  # type: ignore[union-attr]
    assert fact(d, "sla.breaches") == ("1", "= same as the week before")  # the week's breach issues stay
    assert sla_items(db, "shared") == (
        "Claim window closing: USD 16,000 for 2026-10, by 2026-11-30 (7 days left)",
        f"{SPEED}: 76.4% vs >= 80%: missed (disputed) · schedule.md §3.1",
        f"{QUALITY}: 95% vs >= 90%: met · schedule.md §3.1",
    )
    text = digest_text(d)
    assert "No approved service levels" not in text and "No SLA register" not in text
    assert "80%" in SCHEDULE and "90%" in SCHEDULE  # each target shown is the schedule's, as written
    assert "1 of 2 service levels met" in summary_text(d)


def test_claimed_credits_say_so_and_no_claim_window_is_named(db: Engine) -> None:
    with_register(db)
    with session(db) as s:
        measures.claim(s, engagement=E, period="2026-10", actor="U1")
    d = built(db, "shared")
    assert d.fact("sla.credits").detail == "claimed"  # type: ignore[union-attr]
    assert not any(item.startswith("Claim window") for item in sla_items(db, "shared"))


def test_a_claim_window_is_named_within_its_last_14_days_only(db: Engine) -> None:
    with_register(db)

    def closing(today: date) -> list[str]:
        with session(db) as s:
            return closing_claims(register_of(s, engagement=E, side="shared", today=today))

    assert closing(date(2026, 11, 15)) == []  # 15 days before 30 November
    assert closing(date(2026, 11, 16)) == ["Claim window closing: USD 16,000 for 2026-10, by 2026-11-30 (14 days left)"]
    assert closing(date(2026, 11, 30)) == ["Claim window closing: USD 16,000 for 2026-10, by 2026-11-30 (today)"]
    assert closing(date(2026, 12, 1)) == []  # closed


def test_a_month_not_measured_or_not_computed_says_so(db: Engine) -> None:
    speed, _ = schedule_drafts()
    with session(db) as s:
        register.sync_drafts(s, engagement=E, found=[register.Found("schedule.md", "shared", [speed])], actor="cli")
        ids = [r.id or 0 for r in register.levels(s, engagement=E)]
        reviews.review(s, engagement=E, level_ids=ids, status="approved", actor="U1")
    d = built(db, "client")
    assert fact(d, "sla.met") == ("0 of 1", None) and d.fact("sla.met").detail == "1 not measured"  # type: ignore[union-attr]
    assert fact(d, "sla.missed") == ("0", "= same as in 2026-09")
    assert fact(d, "sla.credits") == ("not computed: no fees set", None)  # no statement, and no fees to compute one
    assert "`/liaison sla fees 200000 USD from 2026-10`" in digest_text(d)
    with session(db) as s:
        sla_records.put_fees(s, engagement=E, from_period="2026-01", amount=Decimal(1000), currency="USD", actor="U1")
    d = built(db, "client")
    assert fact(d, "sla.credits") == ("not computed", None)  # fees are set: the close computes it
    assert "`liaison sla credits --period 2026-10 --fees N`" in digest_text(d)
    assert sla_items(db, "client") == (f"{SPEED}: not measured vs >= 80% · schedule.md §3.1",)


def test_a_level_from_a_one_sided_document_reaches_that_sides_digest_only(db: Engine) -> None:
    with_register(db, one_sided="client-only")
    assert [i.split(":")[0] for i in sla_items(db, "client")][1:] == [SPEED, QUALITY]
    for side in ("vendor", "shared"):
        assert QUALITY not in json.dumps(digest_blocks(built(db, side)))
        assert fact(built(db, side), "sla.met") == ("0 of 1", None)
        assert fact(built(db, side), "sla.credits") == ("not computed", None)  # the statement is client-only


def test_the_chart_grid_has_each_level_over_the_last_six_months(db: Engine) -> None:
    seed(db)
    with_register(db)
    shared = built(db, "shared")
    with session(db) as s:
        data = digest_posts.chart_data(session=s, digest=shared)
    assert data.periods == ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
    assert [r.name for r in data.levels] == [f"{SPEED} (>= 80%)", f"{QUALITY} (>= 90%)"]
    assert data.levels[0].cells[-2:] == (Cell("met", "82%"), Cell("missed", "76.4%", disputed=True))
    assert data.levels[1].cells[:4] == (Cell("unmeasured"),) * 4
    png = digest_posts.chart(shared, data)
    assert png.startswith(PNG) and len(png) > 10_000


def test_the_managers_digest_and_chart_carry_each_engagements_levels(db: Engine, tmp_path: Path) -> None:
    seed(db)
    with_register(db)
    with session(db) as s:
        bind(s, "COTHER", "client", engagement="globex")
    with SlackAPI() as api:
        deps = deps_for(db, tmp_path, LIAISON_MANAGERS_CHANNEL="CMGR")
        posting.post_due_digests(deps, client_for(api), now=NOW)
        (managers,) = [c.params for c in api.calls_to("chat.postMessage") if c.params["channel"] == "CMGR"]
        comments = [c.params.get("initial_comment", "") for c in api.calls_to("files.completeUploadExternal")]
    assert "Service levels met in 2026-10:* 1 of 2" in json.dumps(managers["blocks"], ensure_ascii=False)
    assert all("each service level met or missed per month" in c for c in comments) and len(comments) == 5
    with session(db) as s:
        assert register_of(s, engagement="globex", side="shared", today=NOW.date()).levels == ()
        schedule = digest_schedule.Schedule("mon", "08:00", "UTC")
        everyone = digest_posts.build(
            session=s, engagement=ALL_ENGAGEMENTS, side="shared", week_start=WEEK, schedule=schedule, now=NOW
        )
        data = digest_posts.chart_data(session=s, digest=everyone)
    assert [r.name for r in data.levels] == [f"acme · {SPEED} (>= 80%)", f"acme · {QUALITY} (>= 90%)"]


def test_closed_periods_are_the_months_before_the_digests_date() -> None:
    assert [str(p) for p in closed_periods(date(2026, 1, 5), 3)] == ["2025-10", "2025-11", "2025-12"]
