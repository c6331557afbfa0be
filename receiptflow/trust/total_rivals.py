"""Signals of the total's rivals: the other rows that could be what the receipt means.

A wrong total on a photo is most often another row's amount: the amount sent before a fee
("Total to Recipient 400.00" above the 409.50 charged), an "Amt Due" a few cents off a
labelled "Total", a subtotal above the tax. What tells the calibrator that such a receipt is
in doubt is the competition itself: how close the nearest other claimed value is, whether a
larger claim stands above or below, how strongly the line-role classifier backs a row with
another amount, and whether the card or cash rows agree with the total or with a rival.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from receiptflow.extractors.local.row_features import FEATURE_NAMES
from receiptflow.schemas.parsing import find_amounts
from receiptflow.schemas.validation import items_sum

if TYPE_CHECKING:
    from receiptflow.trust.local_signals import Reading

_HAS_AMOUNT = FEATURE_NAMES.index("has_amount")
_PAYMENT_WORDS = (FEATURE_NAMES.index("kw_card"), FEATURE_NAMES.index("kw_cash"))
_CHANGE = FEATURE_NAMES.index("kw_change")
# a rival further than this from the total (relative) is a different kind of amount (a
# subtotal before a large tax, cash handed over); the signal saturates there
_FAR = 1.0

RIVAL_SIGNALS = (
    "equals_subtotal_despite_tax",
    "larger_claim_below",
    "larger_claim_above",
    "rival_gap",
    "rival_role",
    "amount_rows_below",
    "payment_rows_agree",
    "payment_rows_differ",
    "rival_adds_up",
)


def last_amounts(reading: Reading) -> list[Decimal | None]:
    """Each row's right-most amount (unsigned), parsed once for all the total's signals."""
    found = [find_amounts(row.text) for row in reading.rows]
    return [abs(amounts[-1].value) if amounts else None for amounts in found]


def _rival_role(reading: Reading, last: list[Decimal | None], total: Decimal | None) -> float:
    """The line-role classifier's highest total probability on a row whose amount is not the
    total (-1 without the classifier)."""
    if reading.roles is None or not len(reading.roles):
        return -1.0
    from receiptflow.extractors.local.roles import role_index

    column = reading.roles[:, role_index("total")]
    best = 0.0
    for row, features in enumerate(reading.row_features):
        if features[_HAS_AMOUNT] and last[row] != total:
            best = max(best, float(column[row]))
    return best


def _payment_rows(
    reading: Reading, last: list[Decimal | None], total: Decimal | None
) -> tuple[float, float]:
    """Rows paying by card or cash (not change): how many carry the total, how many another
    amount that is not more than the total (cash handed over is usually more)."""
    agree = differ = 0
    for row, features in enumerate(reading.row_features):
        if not any(features[i] for i in _PAYMENT_WORDS) or features[_CHANGE]:
            continue
        amount = last[row]
        if amount is None or total is None:
            continue
        agree += amount == total
        differ += 0 < amount < total
    return float(agree), float(differ)


def _sums(reading: Reading) -> set[Decimal]:
    """What the total should be by the receipt's own arithmetic: the subtotal (or the items)
    plus the taxes added on top."""
    receipt = reading.receipt
    bases = {receipt.subtotal} if receipt.subtotal is not None else set()
    if (items := items_sum(receipt)) is not None:
        bases.add(items)
    added = sum((tax.amount for tax in receipt.taxes if not tax.inclusive), Decimal(0))
    return {base + added for base in bases}


def rival_signals(
    reading: Reading, index: int | None, claims: list[int], last: list[Decimal | None]
) -> dict[str, float]:
    """``RIVAL_SIGNALS`` by name; ``claims``: the rows that name a total and carry an
    amount; ``index``: the total's row; ``last``: ``last_amounts(reading)``."""
    receipt, total = reading.receipt, reading.receipt.total
    exclusive = [tax for tax in receipt.taxes if not tax.inclusive]
    below = range(index + 1, len(reading.rows)) if index is not None else range(0)
    rivals = {row: amount for row in claims if row != index and (amount := last[row]) is not None}
    different = {row: amount for row, amount in rivals.items() if amount != total}
    gap = -1.0
    if total and different:
        gap = min(_FAR, min(float(abs(a - total) / total) for a in different.values()))
    above = range(index) if index is not None else range(0)
    agree, differ = _payment_rows(reading, last, total)
    return {
        "equals_subtotal_despite_tax": float(
            total is not None and total == receipt.subtotal and bool(exclusive)
        ),
        "larger_claim_below": float(
            total is not None and any(row in below and a > total for row, a in rivals.items())
        ),
        "larger_claim_above": float(
            total is not None and any(row in above and a > total for row, a in rivals.items())
        ),
        "rival_gap": gap,
        "rival_role": _rival_role(reading, last, total),
        "amount_rows_below": float(
            sum(reading.row_features[row][_HAS_AMOUNT] > 0 for row in below)
        ),
        "payment_rows_agree": agree,
        "payment_rows_differ": differ,
        # another claimed value is what the items and taxes add up to, the total is not
        "rival_adds_up": float(
            total is not None
            and total not in (sums := _sums(reading))
            and any(amount in sums for amount in different.values())
        ),
    }
