"""Line items of a receipt from its visual rows (the rule-based ``local`` extractor).

Three steps: find the items region (after a "QTY DESC PRICE AMOUNT" header or from the first
row that reads as an item, up to SUBTOTAL/TOTAL), read each row (items_rows), then join rows
that belong to one item (items_assembly). This module holds the region finding, the amount
column and the scoring: confidence is high only when the items add up to a printed
subtotal/total.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from receiptflow.extractors.local.items_assembly import assemble_items
from receiptflow.extractors.local.items_region import is_item_tax, region
from receiptflow.extractors.local.items_rows import (
    ItemRow,
    find_amount,
    left_of_column,
    read_row,
)
from receiptflow.extractors.local.items_skew import straightened
from receiptflow.extractors.local.items_sums import Sums, labelled_totals, printed_totals
from receiptflow.extractors.local.items_tokens import (
    Word,
    join_spaced_cents,
    join_spaced_thousands,
    looks_whole,
    row_words,
    split_class_digit,
    split_glued,
    whole_amounts,
)
from receiptflow.extractors.local.layout import Row
from receiptflow.schemas.receipt import LineItem


@dataclass
class ItemsResult:
    items: list[LineItem] = field(default_factory=list)
    confidence: float = 0.0
    first_row: int | None = None
    last_row: int | None = None
    adds_up: bool = False  # the items add up to a printed subtotal or total


def find_line_items(
    rows: list[Row], *, currency: str | None = None, whole: bool | None = None
) -> ItemsResult:
    """The receipt's line items, with how sure we are and which rows they came from.
    ``whole``: whether amounts carry no minor units, when the caller knows better than the
    currency code (an unmarked "0.725" receipt is in mils, not rupiah). Otherwise, when the
    items do not add up to a printed total, whole amounts are tried and kept if their items
    do ("TOMATO BASIL SOUP 199 199" ... "Sub Total 1774.00": rupees printed without paise)."""
    rows, origin = straightened(rows)
    all_words = [join_spaced_cents(split_glued(row_words(row))) for row in rows]
    if _prints_class_digits(all_words):
        all_words = [split_class_digit(words) for words in all_words]
    dollar = currency in _DOLLARS
    if whole is not None:
        return _find(rows, origin, all_words, whole=whole, dollar=dollar)
    whole = whole_amounts(currency) if currency else looks_whole(all_words)
    found = _find(rows, origin, all_words, whole=whole, dollar=dollar)
    if whole or found.adds_up:
        return found
    other = _find(rows, origin, all_words, whole=True)
    return other if other.adds_up else found


# currencies printed with "$"
_DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"})


def _find(
    rows: list[Row],
    origin: list[int],
    all_words: list[list[Word]],
    *,
    whole: bool,
    dollar: bool = False,
) -> ItemsResult:
    column = _amount_column(all_words, whole=whole)
    skip = 0
    for _ in range(_MOST_REGIONS):
        found = _find_in(rows, origin, all_words, skip, whole=whole, dollar=dollar, column=column)
        if not isinstance(found, int):
            return found
        skip = found  # nothing read as an item up to this row: look again below it
    return ItemsResult(confidence=0.2)


# regions tried in turn: a card slip above the items ("Purchase $ 1.48" / "VISA") reads as
# a region of its own with no item in it
_MOST_REGIONS = 3


def _find_in(
    rows: list[Row],
    origin: list[int],
    all_words: list[list[Word]],
    skip: int,
    *,
    whole: bool,
    dollar: bool,
    column: float | None,
) -> ItemsResult | int:
    """The items of the first region at or below row ``skip``; when that region holds none,
    the row after it (to look again from), and when there is no region, an empty result."""
    found = region(rows[skip:], all_words[skip:], whole=whole, column=column)
    if found is None:
        return ItemsResult(confidence=0.2)
    start, end = found[0] + skip, found[1] + skip
    column = _own_column(all_words[start:end], column, whole=whole)
    read = [
        _read(index, all_words[index], whole=whole, column=column)
        for index in range(start, end)
        if not is_item_tax(all_words, index, whole=whole)
    ]
    assembled = assemble_items(read)
    after = all_words[end : end + 8]
    sums = Sums(
        printed_totals(after, whole=whole), labelled_totals(after, whole=whole), dollar=dollar
    )
    items = sums.best_reading(assembled.items, assembled.discounts)
    if not items:
        return end if end < len(rows) else ItemsResult(confidence=0.2)
    return ItemsResult(
        items=items,
        confidence=sums.confidence(items, assembled.discounts),
        first_row=origin[start],
        last_row=max(origin[row.index] for row in read if row.amount is not None or row.has_text),
        adds_up=sums.adds_up(items, assembled.discounts),
    )


def _own_column(all_words: list[list[Word]], column: float | None, *, whole: bool) -> float | None:
    """The items' own amount column when every amount of theirs stands left of the page's
    (a restaurant bill's items "Ramen Special 15.90" mid-page, "SUBTOTAL 42.69" at the edge):
    else the page's, against which a lone price left of it is a unit price or an option's."""
    if column is None:
        return None
    placed = [(words, find_amount(words, whole=whole)) for words in all_words]
    priced = [(words, at) for words, at in placed if at is not None and at > 0]
    if not priced or not all(left_of_column(words, at, column) for words, at in priced):
        return column
    return _amount_column(all_words, whole=whole)


def _prints_class_digits(all_words: list[list[Word]]) -> bool:
    """VAT classes printed as a digit after the amounts ("1,05 1", French tills), on two
    rows or more: then "2,291" is 2,29 and class 1 with the space lost."""
    return (
        sum(
            len(words) >= 2
            and re.fullmatch(r"\d", words[-1].text) is not None
            and re.fullmatch(r"-?\d+[.,]\d\d", words[-2].text) is not None
            for words in all_words
        )
        >= 2
    )


def _read(index: int, words: list[Word], *, whole: bool, column: float | None) -> ItemRow:
    if whole:
        words = join_spaced_thousands(words)
    amount_at = find_amount(words, whole=whole)
    off_column = amount_at is not None and left_of_column(words, amount_at, column)
    if off_column and amount_at == 0:
        amount_at = None  # a lone number left of the amount column: a count or a unit price
    row = read_row(index, words, whole=whole, amount_at=amount_at)
    if off_column and row.has_text and row.amount:
        # "SUSHI 1.80" above "4 X 1.80 7.20": a price inside the name, not the line amount
        row = read_row(index, words, whole=whole, amount_at=None)
    row.off_column = off_column
    return row


def _amount_column(all_words: list[list[Word]], *, whole: bool) -> float | None:
    edges = []
    for words in all_words:
        position = find_amount(words, whole=whole)
        if position is not None and position > 0:
            edges.append(words[position].x1)
    return statistics.median(edges) if edges else None


__all__ = ["ItemsResult", "find_line_items"]
