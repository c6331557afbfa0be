"""The total when no row is labelled as one, and the helpers the total's choice shares.

Without a total label the amount due is still on the receipt: what was paid (cash minus
change), the subtotal plus its taxes where that sum is printed, the subtotal, an unlabelled
sum of the rows above, else the largest amount printed twice.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from receiptflow.extractors.local import money_labels as words
from receiptflow.schemas.parsing import AmountMatch

if TYPE_CHECKING:
    from receiptflow.extractors.local.totals import MoneyRow, Totals


def printed(rows: list[MoneyRow], value: Decimal) -> AmountMatch | None:
    """The first non-payment row printing ``value``."""
    for money in rows:
        if (
            money.amount.value == value
            and not words.payment_method(money.label)
            and not words.CHANGE.search(money.label)
        ):
            return money.amount
    return None


def fallback_total(rows: list[MoneyRow], totals: Totals, paid: Decimal | None) -> None:
    """No labelled total: cash minus change, the subtotal, else the largest amount printed
    twice."""
    if paid is not None and paid > 0 and (match := printed(rows, paid)) is not None:
        totals.total, totals.total_confidence = match, 0.6
        return
    subtotal = next(
        (m for m in rows if words.SUBTOTAL.search(m.label) and m.amount.value > 0), None
    )
    if subtotal is not None and totals.taxes:  # subtotal + tax + service, where printed
        due = subtotal.amount.value + sum(tax[2] for tax in totals.taxes)
        due += (totals.service_charge or 0) - sum(d[1] for d in totals.discounts)
        if (match := printed(rows, due)) is not None:
            totals.total, totals.total_confidence = match, 0.6
            return
    if subtotal is not None:
        totals.total, totals.total_confidence = subtotal.amount, 0.45
        return
    if (summed := _sum_of_rows_above(rows)) is not None:
        totals.total, totals.total_confidence = summed, 0.5
        return
    values = [m.amount for m in rows if m.amount.value > 0 and not in_table(m)]
    repeated = [a for a in values if sum(1 for b in values if b.value == a.value) > 1]
    pool = repeated or values
    if pool:
        totals.total = max(pool, key=lambda amount: amount.value)
        totals.total_confidence = 0.35 if repeated else 0.2


def _sum_of_rows_above(rows: list[MoneyRow]) -> AmountMatch | None:
    """An amount printed without a label under the items that is their sum ("20.90" under
    eight priced rows): the total whatever the word for it would have been."""
    for position, money in enumerate(rows):
        above = [m.amount.value for m in rows[:position] if not in_table(m)]
        if (
            len(above) >= 2
            and money.count == 1
            and not re.search(r"[^\W\d_]{2}", money.label)
            and money.amount.value == sum(above, Decimal(0))
        ):
            return money.amount
    return None


def in_table(money: MoneyRow) -> bool:
    return money.in_summary or money.vat_row
