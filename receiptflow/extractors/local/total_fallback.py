"""The total when no row is labelled as one, and the helpers the total's choice shares.

Without a total label the amount due is still on the receipt: what was paid (cash minus
change), the subtotal plus its taxes where that sum is printed, the subtotal, an unlabelled
sum of the rows above, else the largest amount printed twice.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from receiptflow.extractors.local import money_labels as words
from receiptflow.schemas.parsing import AmountMatch, find_amounts

if TYPE_CHECKING:
    from receiptflow.extractors.local.layout import Row
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


def due_by_the_subtotal(subtotal: Decimal, totals: Totals) -> Decimal:
    """The subtotal plus the taxes and service charge, less the discounts."""
    due = subtotal + sum((tax[2] for tax in totals.taxes), Decimal(0))
    return due + (totals.service_charge or 0) - sum((d[1] for d in totals.discounts), Decimal(0))


def fallback_total(rows: list[MoneyRow], totals: Totals, paid: Decimal | None) -> None:
    """No labelled total: cash minus change, the subtotal plus its taxes where printed, a
    payment with no change that covers every amount, the subtotal plus the unlabelled
    amounts under it, the subtotal, else the largest amount printed twice."""
    if paid is not None and paid > 0 and (match := printed(rows, paid)) is not None:
        totals.total, totals.total_confidence = match, 0.6
        return
    subtotal = next(
        (m for m in rows if words.SUBTOTAL.search(m.label) and m.amount.value > 0), None
    )
    if subtotal is not None and totals.taxes:  # subtotal + tax + service, where printed
        due = due_by_the_subtotal(subtotal.amount.value, totals)
        if (match := printed(rows, due)) is not None:
            totals.total, totals.total_confidence = match, 0.6
            return
    if (tender := _paid_in_full(rows, totals)) is not None:
        totals.total, totals.total_confidence = tender, 0.5
        return
    if subtotal is not None and (adjusted := _under_the_subtotal(rows, subtotal)) is not None:
        totals.total, totals.total_confidence = adjusted, 0.5
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


def _paid_in_full(rows: list[MoneyRow], totals: Totals) -> AmountMatch | None:
    """A payment with no change given ("CASH 1039.00", "Card QAR -59.00") that is at least
    every other amount printed: paid to the cent, so it is the amount due. A smaller one
    may pay only a part (a voucher, a gift card)."""
    if totals.tendered is None or totals.change is not None or totals.tendered == 0:
        return None
    tender = next(
        (
            m
            for m in rows
            if m.amount.value == totals.tendered and words.payment_method(m.label) is not None
        ),
        None,
    )
    others = [abs(m.amount.value) for m in rows if m is not tender and not in_table(m)]
    if tender is None or abs(totals.tendered) < max(others, default=Decimal(0)):
        return None
    return tender.amount


def _under_the_subtotal(rows: list[MoneyRow], subtotal: MoneyRow) -> AmountMatch | None:
    """An unlabelled amount under the subtotal that is the subtotal plus the unlabelled
    amounts between ("Subtotal 5.25", "0.20", "5.45"): a tax or fee whose word OCR lost, and
    the total after it."""
    position = rows.index(subtotal)
    between: list[Decimal] = []
    for money in rows[position + 1 :]:
        if re.search(r"[^\W\d_]{2}", money.label) or money.count > 1:
            return None  # a labelled row: the words, not this sum, say what follows
        if between and money.amount.value == subtotal.amount.value + sum(between):
            return money.amount
        between.append(money.amount.value)
    return None


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


def whole_total(rows: list[Row], totals: Totals) -> None:
    """Bills that round the amount due to the whole unit (India's "Total : 104" under "Sub
    Total: 99.04", "SGST 2.5% : 2.48", "CGST 2.5% : 2.48") print it without decimals, which
    reads as a count, not money: a whole number on a total row that is the subtotal plus its
    taxes, rounded, is the total, where the subtotal stood in for it."""
    if totals.subtotal is None or not totals.taxes:
        return
    if totals.total is not None and totals.total.value != totals.subtotal:
        return
    due = due_by_the_subtotal(totals.subtotal, totals)
    whole = due.to_integral_value(rounding=ROUND_HALF_UP)
    if whole == totals.subtotal:
        return
    for row in rows:
        if words.label_rank(row.text.upper()) < 3:
            continue
        for amount in find_amounts(row.text):
            if amount.decimals == 0 and not amount.mark and amount.value == whole:
                totals.total, totals.total_confidence = amount, 0.6
                return
