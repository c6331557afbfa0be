"""The total when the line-role classifier clearly disagrees with the rules.

The rules rank labelled money rows (ROUNDED TOTAL > GRAND TOTAL > TOTAL > AMOUNT) and
cross-check with cash minus change; they go wrong where a receipt's words are unknown, where
a tax or tip line looks like a total, or where the due amount stands unlabelled. The
classifier sees every row with its layout, words and the rules' own choice; when it gives
another amount-bearing row a clearly higher probability of being the total (by ``MARGIN``,
chosen on 5-fold cross-validation over the datasets: it gains most on WildReceipt photos and
costs least on SROIE scans), that row's amount is the total.
"""

from __future__ import annotations

import numpy as np

from receiptflow.extractors.local.layout import Row
from receiptflow.extractors.local.totals import Totals
from receiptflow.schemas.parsing import AmountMatch, find_amounts

MARGIN = 0.1


def _row_amount(row: Row, decimal_comma: bool | None, minor: int) -> AmountMatch | None:
    """The right-most amount printed like money (two decimals, three for mils, or whole)."""
    amounts = [
        amount
        for amount in find_amounts(row.text, decimal_comma=decimal_comma)
        if amount.decimals in (2, minor) or amount.mark
    ]
    return amounts[-1] if amounts else None


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
    column = roles[:, total_role]
    floor = float(column[rule_row]) + MARGIN if rule_row is not None else MARGIN
    best: tuple[float, int, AmountMatch] | None = None
    for index, row in enumerate(rows):
        if column[index] <= floor or (best is not None and column[index] <= best[0]):
            continue
        amount = _row_amount(row, decimal_comma, minor)
        if amount is not None:
            best = (float(column[index]), index, amount)
    if best is None:
        return rule_row
    probability, index, amount = best
    totals.total = amount
    totals.total_confidence = probability
    return index
