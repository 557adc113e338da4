"""The workflows speak the reader's language (issue #14): the digest's headings, facts and lines, the SLA
register's working (credit lines, totals, numbers written the Italian way), deadline names and the workflows'
refusals, in Italian under `speaking("it")`; in English, word for word as before, by default. What is kept in the
database (a credit statement's working) stays English whatever the reader's language.

Real records through the same helpers as the digest and SLA tests; no model is loaded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from bot.authorize import Actor, authorize
from bot.db import session
from bot.deadlines.names import kind_name
from bot.digest.schedule import ScheduleError, parse_schedule
from bot.digest.text import digest_text, summary_text
from bot.errors import NotAllowed
from bot.i18n import _, speaking
from bot.records import sla as sla_records
from bot.sla import measures
from bot.sla.credits import Cap, ServiceLevel, compute_credits
from bot.sla.money import money, pct
from bot.sla.terms import Source, Tier, Tiers
from tests.test_digest import built, fact, seed
from tests.test_digest_sla import with_register

E = "acme"
QUOTE = "Credits: 2% of the monthly fees below 80%."


def _source(quote: str = QUOTE) -> Source:
    return Source("schedule.md", "4.1", quote, 0, len(quote))


def _credits() -> list[str]:
    tiers = Tiers((Tier(None, Decimal(80), Decimal(2)),), _source())
    level = ServiceLevel(1, "Call answer rate", ">=", Decimal(80), "%", _source(), rule=tiers, status="approved")
    cap = Cap(_source(), pct=Decimal(10))
    return compute_credits([level], {1: Decimal("76.4")}, period="2026-10", fees=Decimal(1_250_000), cap=cap).working


def test_a_credit_working_line_in_italian_and_in_english_by_default() -> None:
    english = [
        "Call answer rate 76.4% vs >= 80%: tier up to 80% (exclusive) = 2% (schedule.md §4.1)",
        "Total 2% of USD 1,250,000 = USD 25,000, within the cap of USD 125,000 (schedule.md §4.1)",
    ]
    assert _credits() == english
    with speaking("it"):
        assert _credits() == [
            "Call answer rate 76,4% rispetto a >= 80%: fascia fino a 80% (escluso) = 2% (schedule.md §4.1)",
            "Totale 2% di USD 1.250.000 = USD 25.000, entro il tetto di USD 125.000 (schedule.md §4.1)",
        ]
        assert (money(Decimal("2000.5"), "USD"), pct(Decimal("3.6"))) == ("USD 2.000,50", "3,6%")
    assert _credits() == english  # the language is the block's only


def test_the_digest_in_italian_headings_facts_and_lines(db: Engine) -> None:
    seed(db)
    with_register(db)
    english = digest_text(built(db, "shared"))
    with speaking("it"):
        d = built(db, "shared")
        text = digest_text(d)
        assert d.title == "Riepilogo settimanale: acme"
        titles = [s.title for s in d.sections]
        assert titles[:3] == ["Segnalazioni della settimana", "Segnalazioni aperte e di vecchia data", "Mediazioni"]
        assert "Scadenze dei prossimi 90 giorni" in titles and "Valutazioni delle risposte" in titles
        assert fact(d, "sla.credits") == ("USD 16.000 (2% dei corrispettivi)", None)
        assert fact(d, "sla.missed") == ("1", "▲1 rispetto a 0 nel 2026-09")
        assert d.fact("sla.credits").detail == "non richiesti, da richiedere entro il 2026-11-30"  # type: ignore[union-attr]
        assert "76,4% rispetto a >= 80%: mancato (contestato) · schedule.md §3.1" in text
        assert "visto dai canali condivisi" in text and "lun 16 nov 08:00" in text
        assert "SEGNALAZIONI DELLA SETTIMANA" in text and "Weekly digest" not in text and "ISSUES" not in text
        assert "livelli di servizio rispettati" in summary_text(d)
    assert digest_text(built(db, "shared")) == english
    assert "ISSUES THIS WEEK" in english and "SEGNALAZIONI" not in english


def test_a_kept_statement_stays_english_whatever_the_reader_speaks(db: Engine) -> None:
    seed(db)
    with_register(db)
    with speaking("it"), session(db) as s:
        result, row = measures.save_statement(
            s, engagement=E, period="2026-10", fees=Decimal(800000), currency="USD", actor="U1"
        )
        assert any("rispetto a" in line for line in result.working)  # the reply: the reader's language
    with session(db) as s:
        kept = sla_records.statement_of(s, engagement=E, period="2026-10")
        assert kept is not None
        assert kept.result["total_working"].startswith("Total 2% of USD 800,000")  # the record: English


def test_workflow_refusals_and_names_in_italian() -> None:
    nobody = Actor("U9")
    with pytest.raises(NotAllowed) as refused:
        authorize(nobody, "review-sla", E)
    assert str(refused.value) == (
        "Only mediators, admins and owners of acme can draft, approve, edit or reject service levels."
    )
    with speaking("it"):
        with pytest.raises(NotAllowed) as refused:
            authorize(nobody, "review-sla", E)
        assert str(refused.value) == (
            "Solo i mediatori, gli amministratori e i responsabili di acme possono redigere, approvare, modificare "
            "o respingere i livelli di servizio."
        )
        with pytest.raises(NotAllowed, match="^Solo i mediatori e gli amministratori di acme possono aprire"):
            authorize(nobody, "open-mediation", E)
        with pytest.raises(ScheduleError, match="^l'ora deve essere HH:MM"):
            parse_schedule("mon 25:00")
        assert kind_name("non-renewal-notice") == "Disdetta del rinnovo"
    assert kind_name("non-renewal-notice") == "Notice of non-renewal"
    assert date(2026, 10, 1).isoformat() == "2026-10-01"


def test_the_deadline_calendar_and_register_refusals_in_italian(db: Engine) -> None:
    from bot.deadlines.ics import calendar_of
    from bot.deadlines.reviews import DeadlineInputError, put_settings

    shown = {
        "id": 3,
        "kind": "non-renewal-notice",
        "status": "draft",
        "date": "2027-01-09",
        "document": "msa.md",
        "section": "5.2",
        "quote": "no later than ninety days before the end of the term",
        "rule": "90 days before the term ends",
        "start": 10,
        "end": 62,
    }
    english = calendar_of(E, [shown], lead_days=30).decode()
    assert "Non-renewal notice due: msa.md (draft)" in english and "Decide now:" in english
    with speaking("it"):
        italian = calendar_of(E, [shown], lead_days=30).decode()
        with session(db) as s, pytest.raises(DeadlineInputError, match="^una suddivisione appartiene a un paese"):
            put_settings(s, engagement=E, actor="U1", subdivision="LOM")
    assert "Termine per la disdetta del rinnovo: msa.md (bozza)" in italian
    assert "Decidi ora:" in italian and "no later than ninety days" in italian  # the contract's words stay


def test_a_mediation_summary_frames_in_italian_and_keeps_the_parties_words() -> None:
    from bot.mediation.summaries import MISSING, Difference, Summary

    def summary() -> Summary:
        return Summary(
            "Credits for October",
            agreed=["The report was late."],
            differences=[Difference("Point 1", "We were not told.", "")],
            missing=[_(MISSING["vendor"])],
        )

    english = summary().as_text()
    assert "Where they differ:" in english and "Vendor states: (no position stated yet)" in english
    with speaking("it"):
        made = summary()
        text = made.as_text()
        assert not made.stated("vendor") and made.stated("client")
    assert "Dove divergono:" in text and "Il cliente afferma: We were not told." in text  # the parties' own words
    assert "Il fornitore afferma: (nessuna posizione ancora esposta)" in text
    assert "- Il fornitore non ha ancora esposto la propria posizione." in text and "Where they differ" not in text
    assert summary().as_text() == english


def test_a_chronic_failure_is_explained_in_italian() -> None:
    from bot.sla.series import ChronicFailure
    from bot.sla.terms import Period

    failure = ChronicFailure(1, "Call answer rate", (Period(2026, 8), Period(2026, 9), Period(2026, 10)))
    assert failure.working == "Call answer rate missed 3 months running (2026-08 to 2026-10): chronic failure"
    with speaking("it"):
        assert failure.working == (
            "Call answer rate mancato per 3 mesi consecutivi (dal 2026-08 al 2026-10): inadempimento cronico"
        )
