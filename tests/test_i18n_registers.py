"""The registers' timelines in the reader's language (issue #14): an SLA level's events and a deadline's, worded
again from their kind and data by `liaison sla show` and `liaison deadlines show`; the stored English text and
the `--json` output unchanged; older rows without the data shown as stored.

Real records on SQLite (and PostgreSQL where it runs), through the same workflows as the SLA and deadline tests,
and the `liaison` command through click's CliRunner on that database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import Engine

from bot import issues
from bot.cli import cli
from bot.db import session
from bot.deadlines import reminders, reviews
from bot.deadlines.events import event_text as deadline_event_text
from bot.home import EngagementHome, Home, HomeIssue, Standing
from bot.i18n import speaking
from bot.issues.timeline import entry_text
from bot.records import case_schemas
from bot.records import sla as sla_records
from bot.sla import register
from bot.sla.breaches import description_of, issue_description, issue_title, title_of
from bot.sla.events import event_text
from bot.sla.workflows import operator
from bot.slack.blocks.home import home_view
from bot.slack.blocks.issues import issue_card_blocks, issue_list_blocks
from tests.test_deadlines_register import deps_for, ids, sync
from tests.test_digest_sla import SPEED, with_register

E = "acme"


@pytest.fixture
def liaison(database: tuple[Engine, str], db: Engine, tmp_path: Path) -> Callable[..., Result]:
    """The `liaison` command on the test's records database."""
    env: dict[str, str | None] = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database[1]}
    for name in ("LIAISON_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        env[name] = None

    def run(*args: str) -> Result:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False, prog_name="liaison")
        assert result.exit_code == 0, result.output
        return result

    return run


def _speed(db: Engine) -> int:
    with session(db) as s:
        return next(r.id or 0 for r in register.levels(s, engagement=E) if r.metric.startswith("Average Speed"))


def test_an_sla_levels_events_are_shown_in_italian_and_in_english(db: Engine, liaison: Callable[..., Result]) -> None:
    with_register(db)  # approved; 82% and 76.4% reported; October disputed; a breach issue logged
    level = str(_speed(db))
    en = liaison("sla", "show", level, "-e", E).stdout
    it = liaison("--lang", "it", "sla", "show", level, "-e", E).stdout
    assert " approved  U1  draft -> approved" in en and " approvato U1  bozza -> approvato" in it
    assert " reported  U1  2026-10: 76.4%" in en and " registrata U1  2026-10: 76,4%" in it
    assert " disputed  U2  2026-10: IVR outage excluded" in en
    assert " contestata U2  2026-10: IVR outage excluded" in it  # the reason: the person's words
    assert " breach    liaison  issue #1 for 2026-10" in en and " violazione liaison  segnalazione #1 per 2026-10" in it
    shown = json.loads(liaison("--lang", "it", "sla", "show", level, "-e", E, "--json").stdout)
    kept = {e["kind"]: e for e in shown["timeline"]}  # the JSON keeps the stored English record
    assert kept["reported"]["text"] == "2026-10: 76.4%" and kept["breach"]["text"] == "issue #1"
    assert kept["disputed"]["data"] == {"period": "2026-10", "reason": "IVR outage excluded"}


def test_sla_events_without_the_data_to_word_them_are_shown_as_stored(db: Engine) -> None:
    with_register(db)
    level = _speed(db)
    with session(db) as s:
        older = [  # as an older Liaison wrote them: the words, without the data now kept beside them
            sla_records.add_event(s, engagement=E, kind=kind, actor="U1", level_id=level, text=text, data=data)
            for kind, text, data in (
                ("reported", "2026-11: 81.5%", {"period": "2026-11", "value": "81.5"}),  # no unit
                ("disputed", "2026-11: late feed", {}),
                ("breach", "issue #7", {}),
                ("approved", "", {}),
            )
        ]
        rows = [{"kind": e.kind, "text": e.text, "data": e.data} for e in older]
    with speaking("it"):
        assert [event_text(e) for e in rows] == ["2026-11: 81.5%", "2026-11: late feed", "issue #7", ""]


def _deadlines(db: Engine, tmp_path: Path) -> tuple[int, int]:
    """The MSA's cure period approved, dated by hand and snoozed; its monthly report approved and this month's
    occurrence done: (cure, report)."""
    sync(db)
    cure, report = ids(db)[("msa.md", "cure")], ids(db)[("msa.md", "report")]
    with session(db) as s:
        reviews.review(s, engagement=E, deadline_ids=[cure, report], status="approved", actor="U1")
        reviews.edit(s, engagement=E, deadline_id=cure, changes={"date": "2026-12-20"}, actor="U1")
        reviews.reviewed(s, engagement=E, deadline_ids=[report], status="done", actor="U2", as_of=date(2026, 12, 1))
    deps = deps_for(db, tmp_path)
    reminders.snooze(
        deps, engagement=E, deadline_id=cure, who=operator(), side="shared", today=date(2026, 12, 1), days=3
    )
    return cure, report


def test_a_deadlines_timeline_is_shown_in_italian_and_in_english(
    db: Engine, tmp_path: Path, liaison: Callable[..., Result]
) -> None:
    cure, report = (str(i) for i in _deadlines(db, tmp_path))
    en = liaison("deadlines", "show", cure, "-e", E).stdout
    it = liaison("--lang", "it", "deadlines", "show", cure, "-e", E).stdout
    assert " approved  U1  draft -> approved" in en and " approvata U1  bozza -> approvata" in it
    assert " edited    U1  date: - -> 2026-12-20" in en and " modificata U1  date: - -> 2026-12-20" in it
    assert "reminders snoozed until 2026-12-04" in en and " rinviata " in it
    assert "promemoria rinviati fino al 2026-12-04" in it and "snoozed" not in it
    monthly = liaison("deadlines", "show", report, "-e", E).stdout
    italian = liaison("--lang", "it", "deadlines", "show", report, "-e", E).stdout
    closed = next(line for line in monthly.splitlines() if " done " in line)
    assert "occurrence of 2026-12-07 done; next 2027-01-" in closed
    assert " completata U2  scadenza del 2026-12-07 completata; la prossima è il 2027-01-" in italian
    shown = json.loads(liaison("--lang", "it", "deadlines", "show", cure, "-e", E, "--json").stdout)
    snoozed = next(e for e in shown["timeline"] if e["kind"] == "snoozed")  # the JSON keeps the stored record
    assert snoozed["text"] == "reminders snoozed until 2026-12-04"


def test_deadline_events_without_the_data_to_word_them_are_shown_as_stored() -> None:
    older = [  # as an older Liaison wrote them, and words this module does not know
        {"kind": "extracted", "text": "credits of 2026-10", "data": {}},
        {"kind": "snoozed", "text": "reminders snoozed until 2026-12-04", "data": {}},
        {"kind": "done", "text": "occurrence of 2026-12-07 done; next 2027-01-08", "data": {"from": "approved"}},
        {"kind": "approved", "text": "", "data": {}},
        {"kind": "done", "text": "done by hand", "data": {"from": "approved", "to": "done"}},
    ]
    with speaking("it"):
        assert [deadline_event_text(e) for e in older] == [e["text"] for e in older]
        kept = {"kind": "extracted", "text": "credits of 2026-10", "data": {"period": "2026-10"}}
        assert deadline_event_text(kept) == "crediti di 2026-10"
        claimed = {"kind": "done", "text": "claimed in the SLA register", "data": {"from": "draft", "to": "done"}}
        assert deadline_event_text(claimed) == "richiesti nel registro SLA"


def _breach_issue(db: Engine) -> dict[str, Any]:
    """October's missed speed of answer, logged by Liaison as an issue: its JSON, as the transports get it."""
    with_register(db)
    with session(db) as s:
        [breach] = issues.list_issues(session=s, engagement=E)
        return case_schemas.issue_as_dict(breach)


def test_a_breach_issues_title_and_description_are_said_in_italian(db: Engine) -> None:
    issue = _breach_issue(db)
    title = f"SLA breach: {SPEED} in 2026-10: 76.4% vs >= 80%"
    assert issue["title"] == title  # the record: English
    assert issue["description"].startswith(f"{SPEED} measured 76.4% in 2026-10 against a target of >= 80% (")
    assert issue_title(issue) == title and issue_description(issue) == issue["description"]
    with speaking("it"):
        card = str(issue_card_blocks(issue, user="U1", history=[]))
        listed = str(issue_list_blocks([issue], engagement=E))
        said = issue_description(issue)
    italian = f"Violazione SLA: {SPEED} nel periodo 2026-10: 76,4% rispetto a >= 80%"
    shown = italian.replace(">", "&gt;")  # mrkdwn escapes it
    assert shown in card and shown in listed and "SLA breach" not in card
    assert said.startswith(f"{SPEED}: misurato 76,4% nel periodo 2026-10 a fronte di un obiettivo di >= 80% (")
    assert said.endswith("(livello di servizio 1, schedule.md §3.1).") and said.replace(">", "&gt;") in card
    logged = HomeIssue(issue["id"], title, 2, "open", None, None, None, logged_breach=True)
    home = Home("U1", date(2026, 11, 23), (_engagement(logged),))
    with speaking("it"):
        assert shown in json.dumps(home_view(home), ensure_ascii=False)
        # the same words as a person's own issue title are shown as the person wrote them
        typed = Home("U1", date(2026, 11, 23), (_engagement(HomeIssue(9, title, 2, "open", None, None, None)),))
        assert title.replace(">", "&gt;") in json.dumps(home_view(typed), ensure_ascii=False)


def test_the_raised_entry_of_a_breach_issue_says_its_title_in_italian(db: Engine) -> None:
    issue = _breach_issue(db)
    with session(db) as s:
        raised = issues.issue_timeline(session=s, issue_id=issue["id"])[0]
    assert raised.text == f"issue #{issue['id']} raised: SLA breach: {SPEED} in 2026-10: 76.4% vs >= 80%"
    with speaking("it"):
        assert entry_text(raised) == (
            f"segnalazione #{issue['id']} aperta: Violazione SLA: {SPEED} nel periodo 2026-10: 76,4% rispetto a >= 80%"
        )


def test_titles_not_in_the_breach_form_or_not_logged_by_liaison_are_shown_as_stored() -> None:
    form = "SLA breach: Quality Score in 2026-10: 76.4% vs >= 80%"
    person = {"title": form, "description": "", "category": "sla-breach", "created_by": "U1"}
    with speaking("it"):
        assert issue_title(person) == form  # a person's words, even in Liaison's form
        assert title_of("SLA breach: Quality Score in October: 76.4% vs >= 80%") == (
            "SLA breach: Quality Score in October: 76.4% vs >= 80%"
        )
        assert title_of("SLA breach: Quality Score in 2026-10: 76.40% vs >= 80%") == (
            "SLA breach: Quality Score in 2026-10: 76.40% vs >= 80%"  # not how Liaison writes it: as stored
        )
        assert title_of("Refunds posted late") == "Refunds posted late"
        assert title_of("SLA breach: Resolution (P1) in 2026-Q4: 5 hours vs <= 4 hours") == (
            "Violazione SLA: Resolution (P1) nel periodo 2026-Q4: 5 hours rispetto a <= 4 hours"
        )
        assert description_of("Measured late.") == "Measured late."


def _engagement(issue: HomeIssue) -> EngagementHome:
    return EngagementHome(Standing(E, ("client-owner",), "client", None), (issue,), (), (), 0)


def test_a_mediation_reminders_entries_are_said_in_italian_and_older_ones_read_back(db: Engine, tmp_path: Path) -> None:
    from bot.mediation import lifecycle as mediations
    from bot.mediation import queries
    from bot.mediation.reminders import due_reminders
    from bot.records import reminders as ledger
    from bot.records.tables import utcnow

    now = utcnow() + timedelta(hours=73)  # quiet for longer than the 72 hours a mediation may be
    deadline = now.date() + timedelta(days=1)
    with session(db) as s:
        mediation = mediations.open_mediation(
            session=s, engagement=E, title="March credits", channel_id="C1", opened_by="UMED", deadline=deadline
        )
        assert mediation.id is not None
        mid = mediation.id
        mediations.set_mediation_thread(session=s, mediation_id=mid, thread_ts="1.000100", header_ts="1.000100")
    [reminder] = due_reminders(deps_for(db, tmp_path), now=now)
    assert sorted(reminder.kinds) == ["due-soon", "idle"]
    with session(db) as s:
        older = ledger.note_reminder(session=s, mediation_id=mid, key=f"{mid}:overdue:2026-01-05", text="nudged")
        assert older is not None
        for key in (f"{mid}:overdue:2026-01-09", f"{mid}:idle:2026-01-02T10:30:00+00:00"):  # rows that stored the key
            assert ledger.note_reminder(session=s, mediation_id=mid, key=key, text=key) is not None
        entries = [e for e in queries.mediation_timeline(session=s, mediation_id=mid) if e.kind == "reminder"]
    assert sorted(entry_text(e) for e in entries) == sorted(
        [
            "nudged",
            "reminder: no activity for 72 hours",
            f"reminder: the deadline of {deadline.isoformat()} is near",
            "reminder: the deadline of 2026-01-09 has passed",
            "reminder: no activity since 2026-01-02",
        ]
    )
    with speaking("it"):
        assert sorted(entry_text(e) for e in entries) == sorted(
            [
                "nudged",  # an older row, without the data: as stored
                "promemoria: nessuna attività da 72 ore",
                f"promemoria: la scadenza del {deadline.isoformat()} si avvicina",
                "promemoria: la scadenza del 2026-01-09 è passata",  # older rows that stored their claim key
                "promemoria: nessuna attività dal 2026-01-02",
            ]
        )


def test_a_breach_issue_is_said_in_italian_by_the_cli_list_and_the_digest(
    db: Engine, liaison: Callable[..., Result]
) -> None:
    from bot.digest.sections import _issue_line
    from bot.records.cases import IssueRecord

    issue = _breach_issue(db)
    italian = f"Violazione SLA: {SPEED} nel periodo 2026-10: 76,4% rispetto a >= 80%"
    assert italian in liaison("--lang", "it", "issues", "list", "-e", E).output
    assert f"SLA breach: {SPEED} in 2026-10" in liaison("issues", "list", "-e", E).output
    with session(db) as s:
        record = s.get(IssueRecord, issue["id"])
        assert record is not None
        with speaking("it"):
            assert _issue_line(record).endswith(italian)
        assert _issue_line(record).endswith(issue["title"])


def test_the_home_knows_a_breach_issue_liaison_logged_from_a_persons(db: Engine) -> None:
    from bot.home import home_for
    from bot.records.case_schemas import IssueCreate
    from bot.records.cases import IssueRecord

    issue = _breach_issue(db)
    with session(db) as s:
        record = s.get(IssueRecord, issue["id"])
        assert record is not None
        record.owner = "U1"  # the level's owner, who sees it on their Home
        s.add(record)
        typed = issues.create_issue(
            session=s,
            issue_in=IssueCreate(
                engagement=E,
                title=issue["title"],
                severity=3,
                category="sla-breach",
                raised_by_side="client",
                created_by="U1",
                owner="U1",
            ),
        )
        s.flush()
        home = home_for(session=s, user_id="U1", today=date(2026, 11, 23))
    shown = {i.id: i.logged_breach for e in home.engagements for i in e.issues}
    assert shown[issue["id"]] is True and shown[typed.id] is False
