"""The total when the line-role classifier clearly disagrees with the rules.

The rules rank labelled money rows (ROUNDED TOTAL > GRAND TOTAL > TOTAL > AMOUNT) and
cross-check with cash minus change; they go wrong where a receipt's words are unknown, where
a tax or tip line looks like a total, or where the due amount stands unlabelled. The
classifier sees every row with its layout, words and the rules' own choice; when it gives
another amount-bearing row a clearly higher probability of being the total (by ``MARGIN``,
chosen on 5-fold cross-validation over the datasets: it gains most on WildReceipt photos and
costs least on SROIE scans), that row's amount is the total. It never switches to the cash
handed over when that minus the change is the rules' total.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from receiptflow.extractors.local import money_labels as words
from receiptflow.extractors.local.layout import Row
from receiptflow.extractors.local.money_repair import unglued
from receiptflow.extractors.local.totals import Totals
from receiptflow.schemas.parsing import AmountMatch, find_amounts

MARGIN = 0.1


def _row_amount(row: Row, decimal_comma: bool | None, minor: int) -> AmountMatch | None:
    """The right-most amount printed like money (two decimals, three for mils, or whole).
    On a row that names a total, also one OCR glued to a misread mark ("Total: E17.99") or
    one printed without decimals ("Total : 104", "Grand Total 1108", "Total 48,000"): the
    classifier already judged the row the total, and some tills print no minor units."""
    upper = row.text.upper()
    named = bool(words.ANY_TOTAL.search(upper)) and not words.NOT_MONEY.search(upper)
    text = unglued(row.text) if named else row.text
    found = find_amounts(text, decimal_comma=decimal_comma)
    amounts = [amount for amount in found if amount.decimals in (2, minor) or amount.mark]
    if not amounts and named:
        # the largest: a count or an OCR fragment ("Total 20.000 1") is a small whole number
        whole = [amount for amount in found if amount.decimals == 0 and amount.value >= 10]
        return max(whole, key=lambda amount: amount.value) if whole else None
    return amounts[-1] if amounts else None


def _tendered_when_paid_agrees(totals: Totals) -> Decimal | None:
    """The cash handed over, when it minus the change is the rules' total: the till's own
    arithmetic confirms that total, so the tendered amount cannot be what was due."""
    if totals.total is None or totals.tendered is None or totals.change is None:
        return None
    agrees = totals.tendered - totals.change == totals.total.value > 0
    return totals.tendered if agrees else None


def apply_classifier(
    totals: Totals,
    rows: list[Row],
    roles: np.ndarray,
    total_role: int,
    rule_row: int | None,
    *,
    decimal_comma: bool | None,
    minor: int,
) -> int | None:
    """Switch ``totals.total`` to the classifier's row when it wins by ``MARGIN``; returns the
    row the total is read from."""
    if not len(roles):
        return rule_row
    tendered = _tendered_when_paid_agrees(totals)
    column = roles[:, total_role]
    floor = float(column[rule_row]) + MARGIN if rule_row is not None else MARGIN
    best: tuple[float, int, AmountMatch] | None = None
    for index, row in enumerate(rows):
        if column[index] <= floor or (best is not None and column[index] <= best[0]):
            continue
        amount = _row_amount(row, decimal_comma, minor)
        if amount is not None and amount.value != tendered:
            best = (float(column[index]), index, amount)
    if best is None:
        return rule_row
    probability, index, amount = best
    totals.total = amount
    totals.total_confidence = probability
    return index
