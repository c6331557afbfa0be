"""When the line-role classifier's row replaces the rules' total, and how its amount is read."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from local_receipts_support import Printed, lines_of

from receiptflow.extractors.local.layout import group_rows
from receiptflow.extractors.local.row_features import printed_row
from receiptflow.extractors.local.total_choice import apply_classifier
from receiptflow.extractors.local.totals import find_totals


def chosen(rows: list[Printed], probabilities: list[float]) -> Decimal | None:
    """The total after the classifier, given its probability of "total" for each row."""
    grouped = group_rows(lines_of(rows))
    totals = find_totals(grouped)
    total = totals.total
    rule_row = printed_row(grouped, total.text, total.start) if total else None
    roles = np.array([[p] for p in probabilities])
    apply_classifier(totals, grouped, roles, 0, rule_row, decimal_comma=None, minor=2)
    return totals.total.value if totals.total else None


def test_the_classifier_reads_a_total_printed_without_decimals() -> None:
    rows: list[Printed] = [
        ("SWEET LASSI 1", "44.76"),
        ("Sub Total:", "99.04"),
        ("SGST 02.5% :", "2.48"),
        ("CGST 02.5% :", "2.48"),
        ("2/2 Total :", "104"),
    ]
    assert chosen(rows, [0.0, 0.01, 0.01, 0.0, 0.89]) == Decimal("104")
    # a count is no total, however sure the classifier is
    counted: list[Printed] = [("Milk", "2.50"), ("TOTAL", "2.50"), ("TOTAL QTY", "12")]
    assert chosen(counted, [0.0, 0.2, 0.9]) == Decimal("2.50")


def test_the_classifier_reads_a_total_glued_to_a_misread_mark() -> None:
    # the rules take the stronger label; the classifier's row is read all the same
    rows: list[Printed] = [("Coca-Cola", "£3.90"), ("GRAND TOTAL", "£5.00"), ("Total: E3.90",)]
    assert chosen(rows, [0.0, 0.1, 0.9]) == Decimal("3.90")


def test_the_tendered_cash_never_replaces_a_total_that_cash_minus_change_confirms() -> None:
    rows: list[Printed] = [
        ("FRUIT BOWL", "12.97"),
        ("TOTAL", "96.70"),
        ("PAYMENTS TENDER", "100.00"),
        ("CASH CHANGE", "3.30"),
    ]
    assert chosen(rows, [0.0, 0.16, 0.78, 0.0]) == Decimal("96.70")
    # without the change the classifier's row still wins
    assert chosen(rows[:3], [0.0, 0.16, 0.78]) == Decimal("100.00")
