"""A period's credit total as it is said: the computed parts of its sentence, kept with the statement.

`Total` holds what the total line says (the lines' percentage before the cap, the fees, the capped and rounded
amount, the cap, the clauses cited); `bot.sla.credits.totals` computes it. Kept with a statement under `TOTAL_KEY`,
it lets a post say the total in its reader's language (`total_working_of`) from what was computed, not computed
again; an older statement, kept without it, says its stored English `total_working`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.i18n import _
from bot.sla.money import money, pct


@dataclass(frozen=True)
class Total:
    """What a period's total says: the lines' pct before the cap, the fees, the amount (capped, rounded), the cap
    (its pct as stated, else None; its amount; None for both: no cap) and the clauses cited.

    Kept with the statement (`as_dict`, exact Decimals as strings) so that the total is said again in the reader's
    language (`total_working_of`) from what was computed, not computed again.
    """

    pct: Decimal
    fees: Decimal
    amount: Decimal
    currency: str
    cap_pct: Decimal | None
    cap_amount: Decimal | None
    capped: bool
    cited: str

    def text(self) -> str:
        """'Total 2% of USD 1,250,000 = USD 25,000, within the cap of USD 125,000 (schedule.md §4.1)', in the
        reader's language."""
        fields = {
            "pct": pct(self.pct),
            "fees": money(self.fees, self.currency),
            "amount": money(self.amount, self.currency),
            "cited": self.cited,
        }
        if self.cap_amount is None:
            return _("Total {pct} of {fees} = {amount}{cited}").format(**fields)
        if self.capped:
            cap = pct(self.cap_pct) if self.cap_pct is not None else money(self.cap_amount, self.currency)
            return _("Total {pct}, capped at {cap} of {fees} = {amount}{cited}").format(**fields, cap=cap)
        cap = money(self.cap_amount, self.currency)
        return _("Total {pct} of {fees} = {amount}, within the cap of {cap}{cited}").format(**fields, cap=cap)

    def as_dict(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "pct": str(self.pct),
            "fees": str(self.fees),
            "amount": str(self.amount),
            "currency": self.currency,
            "cap_pct": text(self.cap_pct),
            "cap_amount": text(self.cap_amount),
            "capped": self.capped,
            "cited": self.cited,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Total:
        """The total `as_dict` kept (ValueError, KeyError or TypeError if it is not one)."""

        def decimal(value: object) -> Decimal | None:
            if value is None:
                return None
            try:
                return Decimal(str(value))
            except ArithmeticError as err:
                raise ValueError(f"not a number: {value!r}") from err

        pct_, fees, amount = decimal(data["pct"]), decimal(data["fees"]), decimal(data["amount"])
        if pct_ is None or fees is None or amount is None:
            raise ValueError("a total needs its pct, fees and amount")
        return cls(
            pct=pct_,
            fees=fees,
            amount=amount,
            currency=str(data["currency"]),
            cap_pct=decimal(data.get("cap_pct")),
            cap_amount=decimal(data.get("cap_amount")),
            capped=bool(data.get("capped")),
            cited=str(data.get("cited") or ""),
        )


TOTAL_KEY = "total_parts"  # a kept statement's JSON: the total's parts (`Total.as_dict`), to say it again


def total_working_of(statement: Mapping[str, Any]) -> str:
    """A kept statement's total line in the reader's language, from its parts; an older statement, kept without
    them, says its stored `total_working` (in English, as computed)."""
    parts = statement.get(TOTAL_KEY)
    if isinstance(parts, Mapping):
        try:
            return Total.from_dict(parts).text()
        except (ValueError, KeyError, TypeError):
            pass
    return str(statement.get("total_working") or "")
