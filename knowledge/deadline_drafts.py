"""What deadline extraction drafts: a dated obligation (`ObligationDraft`) and its period (`Duration`), every
value tied to the characters of the document it came from (`knowledge.slas.Span`). `knowledge.deadlines` is
their face."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from knowledge.slas import Span

Kind = Literal[
    "effective",
    "term-end",
    "renewal",
    "non-renewal-notice",
    "termination-notice",
    "cure",
    "credit-claim",
    "report",
    "exit",
    "other",
]
Unit = Literal["day", "business-day", "week", "month", "year"]
Anchor = Literal[
    "effective",
    "signature",
    "term-end",
    "anniversary",
    "breach-notice",
    "notice",
    "period-end",
    "go-live",
    "termination",
]
Renewal = Literal["none", "automatic", "option", "evergreen"]
Direction = Literal["before", "after"]


@dataclass(frozen=True)
class Duration:
    """A period as written: "one hundred and twenty (120) days" is amount 120, unit "day"."""

    amount: int
    unit: Unit  # "business-day" only when the text says business or working days
    span: Span


@dataclass(frozen=True)
class ObligationDraft:
    """A dated obligation as a document states it: the rule as written, the sentence quoted, and the values
    (the date is anchor +/- duration, or the calendar date written `on`)."""

    kind: Kind
    rule: Span  # "at least 90 days before the end of the Initial Term"; for "effective" the date's words
    quote: Span  # the sentence (or table row) holding the rule
    section: str | None  # the clause label as citations show it ("3.2", "11.1(b)")
    duration: Duration | None = None  # the offset, or the length (term-end: the initial term; renewal: a period)
    direction: Direction | None = None
    anchor: Anchor | None = None
    on: date | None = None  # a calendar date written in the text, with values["date"]
    renewal: Renewal | None = None
    day_of_month: int | None = None  # "by the fifth (5th) Business Day of the following month" -> 5
    values: dict[str, Span] = field(default_factory=dict)
