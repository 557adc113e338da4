"""An SLA breach issue's title and description, in the reader's language (issue #14).

Liaison logs a missed level as an issue (`bot.sla.measures`) whose title and description are the English record,
written in the one form of `Breach`. Shown to people (the issue card, the issue list, the App Home, the timeline's
"raised" entry), they are said again in the reader's language from what that form holds: the level's name (the
contract's words), the period, the value measured and the target. A title or description that is not exactly in
that form (a person's issue, or one written by an older Liaison in other words) is shown as stored: a text is
read back only when saying it again in English gives it word for word.

Pure: no session, no Slack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.i18n import _, speaking
from bot.sla.terms import quantity

CATEGORY = "sla-breach"  # the category and the creator of the issues Liaison logs for a missed level
LOGGED_BY = "liaison"
_TITLE = re.compile(r"SLA breach: (?P<name>.+) in (?P<period>\d{4}-(?:\d{2}|Q[1-4])): (?P<words>.+)", re.S)
_DESCRIPTION = re.compile(
    r"(?P<name>.+) measured (?P<actual>.+?) in (?P<period>\d{4}-(?:\d{2}|Q[1-4])) against a target of "
    r"(?P<comparison>\S+) (?P<target>.+?) \(service level (?P<level>\d+), (?P<where>.+)\)\.",
    re.S,
)
_QUANTITY = re.compile(r"(?P<number>-?\d+(?:\.\d+)?)(?P<unit>%|(?: .+)?)")


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str

    def __str__(self) -> str:
        return quantity(self.value, self.unit)


@dataclass(frozen=True)
class Breach:
    """What a breach issue says: the level missed, in which period, the value measured against its target."""

    name: str
    period: str
    actual: Quantity
    comparison: str
    target: Quantity

    def title(self) -> str:
        """'SLA breach: Quality Score in 2026-10: 76.4% vs >= 80%', in the reader's language."""
        return _("SLA breach: {name} in {period}: {actual} vs {comparison} {target}").format(**self._fields())

    def description(self, *, level: int, where: str) -> str:
        """'Quality Score measured 76.4% in 2026-10 against a target of >= 80% (service level 3, msa.md §7)."""
        return _(
            "{name} measured {actual} in {period} against a target of {comparison} {target} "
            "(service level {level}, {where})."
        ).format(**self._fields(), level=level, where=where)

    def _fields(self) -> dict[str, str]:
        return {
            "name": self.name,
            "period": self.period,
            "actual": str(self.actual),
            "comparison": self.comparison,
            "target": str(self.target),
        }


def title_of(title: str) -> str:
    """A breach issue's stored title in the reader's language; any other title as stored."""
    found = _TITLE.fullmatch(title)
    if found is None:
        return title
    actual, _vs, rest = found.group("words").partition(" vs ")
    comparison, _space, target = rest.partition(" ")
    breach = _breach(found.group("name"), found.group("period"), actual, comparison, target)
    if breach is None:
        return title
    with speaking("en"):
        if breach.title() != title:
            return title
    return breach.title()


def description_of(description: str) -> str:
    """A breach issue's stored description in the reader's language; any other description as stored."""
    found = _DESCRIPTION.fullmatch(description)
    if found is None:
        return description
    fields = found.groupdict()
    breach = _breach(fields["name"], fields["period"], fields["actual"], fields["comparison"], fields["target"])
    if breach is None:
        return description
    level, where = int(fields["level"]), fields["where"]
    with speaking("en"):
        if breach.description(level=level, where=where) != description:
            return description
    return breach.description(level=level, where=where)


def is_logged_breach(issue: Mapping[str, Any]) -> bool:
    """Whether an issue (its JSON) is one Liaison logged for a missed level."""
    return issue.get("category") == CATEGORY and issue.get("created_by") == LOGGED_BY


def issue_title(issue: Mapping[str, Any]) -> str:
    """An issue's title as shown: a breach issue Liaison logged in the reader's language, any other as stored."""
    title = str(issue.get("title") or "")
    return title_of(title) if is_logged_breach(issue) else title


def issue_description(issue: Mapping[str, Any]) -> str:
    description = str(issue.get("description") or "")
    return description_of(description) if is_logged_breach(issue) else description


def _breach(name: str, period: str, actual: str, comparison: str, target: str) -> Breach | None:
    measured, targeted = _quantity(actual), _quantity(target)
    if not comparison or measured is None or targeted is None:
        return None
    return Breach(name, period, measured, comparison, targeted)


def _quantity(text: str) -> Quantity | None:
    """'76.4%' or '3 hours' as written in English (`terms.quantity`), or None."""
    found = _QUANTITY.fullmatch(text)
    if found is None:
        return None
    try:
        return Quantity(Decimal(found.group("number")), found.group("unit").strip())
    except InvalidOperation:
        return None
