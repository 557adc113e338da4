"""Benchmark: the weekly digest posted by several bot replicas at once, exactly once per (engagement, channel, week).

E engagements, each with a client and a vendor channel and a year of records (issues, SLA breaches, mediations,
questions, feedback), are seeded into a fresh database: a SQLite file, or a new schema in PostgreSQL with
`--database-url`. Then `post_due_digests` runs in R threads at once, each thread a "replica" with its own engine,
against the local Slack Web API stand-in (`bot.localslack.api.SlackAPI`): every digest is built, claimed,
posted and its chart uploaded. Measured: digests posted against expected, duplicates (two posts with the same
metadata key; target 0), missing (target 0), wall time, and per-digest time. A single replica on a fresh
database is the baseline, run in the same process: the ratio says what the extra replicas cost or save.

    . .venv/bin/activate
    python benchmarks/digest_posting.py                                  # 20 engagements, 4 replicas, SQLite
    python benchmarks/digest_posting.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from slack_sdk import WebClient
from sqlalchemy import pool
from sqlalchemy.engine import Engine

from bot import issues, records
from bot.db import make_engine, session, upgrade
from bot.deps import Deps
from bot.localslack.api import SlackAPI
from bot.mediation import lifecycle as mediations
from bot.records import questions as question_records
from bot.records.case_schemas import IssueCreate
from bot.settings import Settings
from bot.slack.posting import post_due_digests

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 UTC: every default (Monday 08:00) digest is due
CATEGORIES = ("billing", "customer-service", "technical-support", "sla-breach", "finance", "other")


def seed(engine: Engine, engagements: int, per_engagement: int, rng: random.Random) -> int:
    """Channels and a year of records per engagement; the number of digests that are due."""
    upgrade(engine)
    with session(engine) as s:
        for e in range(engagements):
            name = f"eng-{e:03d}"
            for side in ("client", "vendor"):
                records.bind_channel(
                    session=s,
                    channel_id=f"C{e:03d}{side[0].upper()}",
                    team_id="T1",
                    engagement=name,
                    side=side,
                    user_id="UADMIN",
                )
            for n in range(per_engagement):
                at = NOW - timedelta(days=rng.uniform(0, 365))
                issue = issues.create_issue(
                    session=s,
                    issue_in=IssueCreate(
                        engagement=name,
                        title=f"Issue {n}",
                        created_by="U1",
                        category=rng.choice(CATEGORIES),
                        severity=rng.randint(1, 4),
                        raised_by_side=rng.choice(("client", "vendor")),
                    ),
                )
                issue.created_at = at
                if rng.random() < 0.7:
                    issue.status, issue.resolved_at = "resolved", at + timedelta(days=rng.uniform(0.5, 20))
                s.add(issue)
                question = question_records.record_question(
                    session=s,
                    source_key=f"q:{name}:{n}",
                    engagement=name,
                    side=rng.choice(("client", "vendor")),
                    channel_id=f"C{e:03d}C",
                    user_id="U1",
                    thread_ts=None,
                    question=f"What about clause {n % 40}?",
                    answer_dict={"answer": "", "citations": []},
                    found=rng.random() < 0.8,
                    mode="extractive",
                )
                question.asked_at = at
                if rng.random() < 0.3:
                    question_records.record_feedback(
                        session=s, question_id=question.id, user_id="U2", value=rng.choice((1, -1))
                    )
            for n in range(3):
                mediations.open_mediation(
                    session=s, engagement=name, title=f"Dispute {n}", channel_id=f"C{e:03d}C", opened_by="UMED"
                )
    return engagements * 2


def replica_run(url: str, connect_args: dict[str, Any], api_url: str, data_dir: Path) -> list[Any]:
    engine = make_engine(url, poolclass=pool.NullPool, connect_args=connect_args)
    try:
        deps = Deps(settings=Settings(LIAISON_DATA_DIR=data_dir), kb=None, engine=engine)  # type: ignore[arg-type]
        return post_due_digests(deps, WebClient(token="xoxb-bench", base_url=api_url), now=NOW)
    finally:
        engine.dispose()


def run(url: str, connect_args: dict[str, Any], replicas: int, expected: int, data_dir: Path) -> dict[str, Any]:
    with SlackAPI() as api:
        barrier = threading.Barrier(replicas)
        results: list[list[Any]] = [[] for _ in range(replicas)]

        def work(i: int) -> None:
            barrier.wait(timeout=30)
            results[i] = replica_run(url, connect_args, api.url, data_dir)

        started = time.perf_counter()
        threads = [threading.Thread(target=work, args=(i,)) for i in range(replicas)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        keys = Counter(
            (c.params["channel"], json.dumps((c.params.get("metadata") or {}).get("event_payload"), sort_keys=True))
            for c in api.calls_to("chat.postMessage")
        )
        charts = len(api.calls_to("files.completeUploadExternal"))
    return {
        "replicas": replicas,
        "expected": expected,
        "posted": sum(keys.values()),
        "duplicates": sum(n - 1 for n in keys.values() if n > 1),
        "missing": expected - len(keys),
        "charts": charts,
        "seconds": round(seconds, 2),
        "ms_per_digest": round(1000 * seconds / max(1, len(keys)), 1),
        "posted_by_replica": [len(r) for r in results],
    }


def fresh_database(base_url: str | None, tmp: Path, tag: str) -> tuple[str, dict[str, Any], Any]:
    """(url, connect_args, cleanup) of an empty database: a SQLite file, or a new PostgreSQL schema."""
    if base_url is None:
        return f"sqlite:///{tmp / f'{tag}.db'}", {}, lambda: None
    schema = f"bench_{uuid4().hex[:12]}"
    admin = make_engine(base_url, poolclass=pool.NullPool)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    return base_url, {"options": f"-csearch_path={schema}"}, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engagements", type=int, default=20)
    parser.add_argument("--records", type=int, default=300, help="issues and questions per engagement")
    parser.add_argument("--replicas", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for replicas in (1, args.replicas):  # the baseline first, then the replicas, each on a fresh database
            url, connect_args, cleanup = fresh_database(args.database_url, tmp, f"r{replicas}")
            try:
                engine = make_engine(url, poolclass=pool.NullPool, connect_args=connect_args)
                started = time.perf_counter()
                expected = seed(engine, args.engagements, args.records, random.Random(7))
                seeded = time.perf_counter() - started
                engine.dispose()
                row = run(url, connect_args, replicas, expected, tmp)
                row["seed_seconds"] = round(seeded, 1)
                rows.append(row)
            finally:
                cleanup()
    base, many = rows
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\nweekly digests on {where}: {args.engagements} engagements x 2 channels, {args.records} issues and "
        f"questions each"
    )
    print(
        f"  {'replicas':>8} {'expected':>8} {'posted':>6} {'dupes':>5} {'missing':>7} {'charts':>6} "
        f"{'seconds':>7} {'ms/digest':>9}"
    )
    for r in rows:
        target = "PASS" if r["duplicates"] == 0 and r["missing"] == 0 else "FAIL"
        print(
            f"  {r['replicas']:>8} {r['expected']:>8} {r['posted']:>6} {r['duplicates']:>5} {r['missing']:>7} "
            f"{r['charts']:>6} {r['seconds']:>7} {r['ms_per_digest']:>9}  {target}"
        )
    print(
        f"  {args.replicas} replicas vs 1: {base['seconds'] / max(many['seconds'], 1e-9):.2f}x the throughput; "
        f"work split {many['posted_by_replica']}"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"where": where, "rows": rows}, indent=2), encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
