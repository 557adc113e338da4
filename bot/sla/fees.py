"""The engagement's fees over time: the base its service credits are a share of.

Fees are set from a period on (`from_period`, a month) and stay in force until fees set from a later period;
the fees of a period are those set from the latest `from_period` at or before it. Setting them again from the
same period replaces them. Amounts are `Decimal`, kept as decimal text. Who may set them: `review-sla`; who
may read them: anyone with a role in the engagement (`report-sla`), as for the credits they are the base of.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.authorize import Actor, authorize
from bot.db import session
from bot.deps import Deps
from bot.digest.schedule import schedule_of
from bot.errors import NotFound
from bot.i18n import _
from bot.records import sla as records
from bot.records.sla import SlaFees
from bot.records.tables import utcnow
from bot.settings import Settings
from bot.sla.money import SlaInputError, currency_code, exact, number
from bot.sla.terms import Period


def how_to_set(engagement: str, period: str) -> str:
    """How to set the fees, in Slack and from the shell."""
    return _(
        "set them with `/liaison sla fees 200000 USD from {period}` in one of {engagement}'s channels, or "
        "`liaison sla fees --engagement {engagement} --fees 200000 --currency USD --from {period}`"
    ).format(period=period, engagement=engagement)


def zone_of(s: Session, settings: Settings, engagement: str) -> ZoneInfo:
    """The engagement's time zone: its digest schedule's, else the settings', else UTC."""
    return schedule_of(session=s, settings=settings, engagement=engagement).zone


def last_period(today: date) -> Period:
    """The month before `today`'s."""
    return Period(today.year - 1, 12) if today.month == 1 else Period(today.year, today.month - 1)


def fees_json(row: SlaFees) -> dict[str, Any]:
    return {
        "from": row.from_period,
        "amount": number(Decimal(row.amount)),
        "currency": row.currency,
        "set_by": row.set_by,
        "set_at": row.set_at.isoformat(),
    }


def in_force(s: Session, *, engagement: str, period: str) -> tuple[Decimal, str, str] | None:
    """(amount, currency, from_period) of the fees in force in `period`, or None if none are set for it."""
    row = records.fees_for(s, engagement=engagement, period=str(Period.parse(period)))
    if row is None:
        return None
    return Decimal(row.amount), row.currency, row.from_period


def set_fees(
    deps: Deps,
    *,
    engagement: str,
    fees: object,
    currency: str = "USD",
    from_period: str | None = None,
    who: Actor,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Set the fees from a period on (by default the last month, in the engagement's time zone): what was set,
    and the history. The kept statements of that period and after are not recomputed: their fees stay theirs."""
    authorize(who, "review-sla", engagement)
    amount = exact(fees, "fees")
    code = currency_code(currency)
    with session(deps.engine) as s:
        if from_period is None:
            today = (now or utcnow()).astimezone(zone_of(s, deps.settings, engagement)).date()
            start = last_period(today)
        else:
            start = Period.parse(from_period)
        row = records.put_fees(
            s, engagement=engagement, from_period=str(start), amount=amount, currency=code, actor=who.user_id
        )
        history = records.fees_history(s, engagement=engagement)
        return {"engagement": engagement, "set": fees_json(row), "fees": [fees_json(f) for f in history]}


def history(deps: Deps, *, engagement: str, who: Actor) -> dict[str, Any]:
    """The fees as set over time, oldest first."""
    authorize(who, "report-sla", engagement)
    with session(deps.engine) as s:
        rows = records.fees_history(s, engagement=engagement)
        return {"engagement": engagement, "fees": [fees_json(f) for f in rows]}


def fees_of(
    s: Session, *, engagement: str, period: str, fees: object | None, currency: str | None
) -> tuple[object, str, str | None]:
    """The fees a period's credits are computed on: those given (`currency` or USD), else those in force
    (`from_period` said); NotFound saying how to set them if neither."""
    if fees is not None:
        return fees, currency or "USD", None
    found = in_force(s, engagement=engagement, period=period)
    if found is None:
        when = Period.parse(period)
        raise NotFound(
            _("No fees are set for {engagement} in {period}: {how}.").format(
                engagement=engagement, period=when, how=how_to_set(engagement, str(when))
            )
        )
    amount, code, start = found
    if currency is not None and currency_code(currency) != code:
        raise SlaInputError(
            _("The fees in force in {period} are in {code}, not {currency}.").format(
                period=period, code=code, currency=currency_code(currency)
            )
        )
    return amount, code, start
