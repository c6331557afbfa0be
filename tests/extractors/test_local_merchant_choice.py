"""The classifier's merchant row: which neighbours join it and which cells beside it stay out."""

from __future__ import annotations

import numpy as np
from local_receipts_support import Printed, lines_of

from receiptflow.extractors.local.header import Header
from receiptflow.extractors.local.layout import group_rows
from receiptflow.extractors.local.merchant import apply_classifier


def named(rows: list[Printed], probabilities: list[float], rule_row: int | None = None) -> str:
    """The name after the classifier, given its probability of "merchant" for each row (the
    rules' name: the text of ``rule_row``)."""
    grouped = group_rows(lines_of(rows))
    roles = np.array([[p] for p in probabilities])
    rules = Header(name_row=rule_row, name=None if rule_row is None else grouped[rule_row].text)
    header = apply_classifier(rules, grouped, roles, 0, legal_first=False)
    return header.name or ""


def test_a_name_continued_on_the_next_row_joins_but_the_street_under_it_does_not() -> None:
    assert named(["ILIO'S", "RESTAURANT", "12 MAIN ST"], [0.9, 0.6, 0.1]) == "ILIO'S RESTAURANT"
    rows: list[Printed] = ["Natomas Car Wash & Detail", "4461 East Commerce Way", "916-419-8846"]
    assert named(rows, [0.9, 0.6, 0.0]) == "Natomas Car Wash & Detail"


def test_a_title_printed_on_the_name_row_is_no_part_of_the_name() -> None:
    rows: list[Printed] = [("Faji", "TAX INVOICE (ABB)/RECEIPT"), "Central World (F09)"]
    assert named(rows, [0.9, 0.2]) == "Faji"
    # cells that all read as a name stay together
    assert named([("BURGER", "PROJECT"), "12 MAIN ST"], [0.9, 0.1]) == "BURGER PROJECT"


def test_the_classifier_does_not_move_the_name_to_a_street() -> None:
    rows: list[Printed] = [
        ("CHEERS", "STORE"),
        "THE CENTRAL",
        "6 Eu Tong Sen Street #01-05/06/14",
        "Singapore 059817",
    ]
    assert named(rows, [0.3, 0.1, 0.8, 0.0], rule_row=0) == "CHEERS STORE"  # the rules' name
    # a brand that opens with digits is no street
    assert named(["7-ELEVEN", "12 MAIN ST"], [0.9, 0.1], rule_row=1) == "7-ELEVEN"
