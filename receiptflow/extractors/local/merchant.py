"""The merchant name when the rules and the line-role classifier disagree.

The header rules find a name row by its words (a legal suffix such as SDN BHD or GMBH, a
trade word such as RESTAURANT) and do well on receipts that print them. A brand printed in
large letters at the top ("COSTCO", "ILIO'S"), with a server's name or a street on the rows
below, has neither; there the classifier's merchant probability per row (which already
weighs the rules' choice, text height, position and words) picks the row. The rules' name
stands unless the classifier prefers another row by a clear margin.

Which name a receipt is filed under is a convention: the brand a person recognises
("MYDIN", "COSTCO") everywhere, except on Malaysian receipts, whose registered company name
("TRI SHAAS SDN BHD") is what a tax invoice names as the supplier; there a legal name found
by the rules is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from receiptflow.extractors.local.header import Header
from receiptflow.extractors.local.header_rules import (
    ADDRESS_WORD,
    LEGAL,
    address_start,
    name_like,
    tidy_spacing,
    without_outlet_number,
    without_reg_no,
)
from receiptflow.extractors.local.layout import Row, ocr_trust

MARGIN = 0.15  # how much more likely the classifier's row must be than the rules' row
JOIN = 0.5  # a neighbouring row this likely to be the merchant is part of the name

# Words around a brand that are not the name: "WELCOME TO", "STORE #182", "#1044"
_GREETING = re.compile(
    r"^\W*(?:WELCOME\s+TO|WELCOME|BIENVENUE\s+(?:A|À|AU)|WILLKOMMEN\s+BEI)\s+", re.I
)
_STORE_NUMBER = re.compile(
    r"\s*(?:(?:STORE|STR|SHOP|FILIALE|BRANCH)\s*)?(?:#|NO\.?\s*)\s*\d+\s*$", re.I
)


@dataclass(frozen=True)
class MerchantChoice:
    row: int
    probability: float


def classifier_choice(
    roles: np.ndarray, merchant: int, rule_row: int | None
) -> MerchantChoice | None:
    """The classifier's merchant row when it beats the rules' row by ``MARGIN``."""
    if not len(roles):
        return None
    column = roles[:, merchant]
    best = int(np.argmax(column))
    rule = float(column[rule_row]) if rule_row is not None else 0.0
    if best == rule_row or column[best] < rule + MARGIN:
        return None
    return MerchantChoice(best, float(column[best]))


def brand_text(text: str) -> str:
    """A brand row without greetings, registration and store numbers."""
    name = without_outlet_number(_GREETING.sub("", text))
    name = without_reg_no(name)
    name = _STORE_NUMBER.sub("", name)
    return tidy_spacing(re.sub(r"\s+", " ", name).strip(" ,:;-*#"))


def _joined_rows(rows: list[Row], roles: np.ndarray, merchant: int, row: int) -> list[int]:
    """The chosen row with a neighbour above or below that is also likely the merchant and
    reads as a name ("ILIO'S" over "Restaurant"), not as the start of the address under it
    ("4461 East Commerce Way", "1-1-24 Kristal Point")."""
    chosen = [row]
    for neighbour in (row - 1, row + 1):
        if (
            0 <= neighbour < len(rows)
            and roles[neighbour, merchant] >= JOIN
            and name_like(rows[neighbour].text.upper())
            and not (neighbour > row and address_start(rows[neighbour].text.upper()))
        ):
            chosen.append(neighbour)
    return sorted(chosen)


def _street_row(text: str) -> bool:
    """A house number then a street ("6 EU TONG SEN STREET #01-05", "1-1-24 KRISTAL POINT ...
    JALAN TUN"): the address, however large it is printed; "7-ELEVEN" names no street."""
    return bool(re.match(r"\W*\d", text)) and bool(ADDRESS_WORD.search(text))


def _name_text(row: Row) -> str:
    """A row's text without the cells printed beside the name that are no part of it: "Faji"
    with "TAX INVOICE (ABB)/RECEIPT" on the same line."""
    kept = [cell.text for cell in row.cells if name_like(cell.text.upper())]
    return " ".join(kept) if kept and len(row.cells) > 1 else row.text


def apply_classifier(
    header: Header, rows: list[Row], roles: np.ndarray, merchant: int, *, legal_first: bool
) -> Header:
    """The header with the classifier's merchant name where it clearly beats the rules'.
    ``legal_first``: a registered company name found by the rules stands (Malaysian tax
    invoices name the supplier by its registered name, and that is what the books take)."""
    if legal_first and header.name and LEGAL.search(header.name.upper()):
        choice = None
    else:
        choice = classifier_choice(roles, merchant, header.name_row)
    if choice is not None and _street_row(rows[choice.row].text.upper()):
        choice = None
    if choice is None:
        if header.name_row is not None and len(roles):
            # the rules' row, with the classifier's view of it folded into the confidence
            header.name_confidence = 0.5 * (
                header.name_confidence + float(roles[header.name_row, merchant])
            )
        return header
    picked = _joined_rows(rows, roles, merchant, choice.row)
    name = brand_text(" ".join(_name_text(rows[index]) for index in picked))
    if not name:
        return header
    header.name = name
    header.name_row = choice.row
    lowest = min(rows[index].confidence for index in picked)
    header.name_confidence = choice.probability * ocr_trust(lowest, len(name))
    return header
