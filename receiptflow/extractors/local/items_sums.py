"""The arithmetic of the items: which reading of the items region adds up to what the
receipt prints below it.

A till's items add up to its subtotal, or to its total before (or after) the discounts it
prints under them. So when the items as read do not, and a reading without a row that only
looks like an item does (a subtotal whose label was not recognised, "TUSSENTOTAAL"; a VAT
row OCR garbled, "BASE LIOA IMP.IUA 11,35"), that reading is the receipt's; and the items are
only called certain when they add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from receiptflow.extractors.local.items_rows import find_amount
from receiptflow.extractors.local.items_tokens import Word, money_value
from receiptflow.extractors.local.money_labels import (
    ANY_TOTAL,
    CHANGE,
    DISCOUNT,
    PAID,
    SUBTOTAL,
    TAX,
    TAX_TABLE,
)
from receiptflow.schemas.receipt import LineItem

_FIFTY, _SIXTY = Decimal(50), Decimal(60)
_MOST_DOUBTFUL = 6  # items tried left out, at most two at a time


def printed_totals(all_words: list[list[Word]], *, whole: bool) -> list[Decimal]:
    """Every amount printed on the rows after the items."""
    totals = []
    for words in all_words:
        position = find_amount(words, whole=whole)
        if position is not None:
            value = money_value(words[position].text, whole=whole)
            if value is not None:
                totals.append(value)
    return totals


def labelled_totals(all_words: list[list[Word]], *, whole: bool) -> list[Decimal]:
    """The amounts of the rows after the items that say they are a total or subtotal (not
    its tax, the cash handed over or the change)."""
    return [
        total
        for words in all_words
        if _labels_total(" ".join(word.text for word in words).upper())
        for total in printed_totals([words], whole=whole)
    ]


def _labels_total(text: str) -> bool:
    """A total or subtotal of everything bought: not a tax, a change or a saving, nor the
    taxable part of it ("Taxable Total" leaves out the untaxed donation)."""
    if not (ANY_TOTAL.search(text) or SUBTOTAL.search(text)) or "TAX" in text:
        return False
    return not any(pattern.search(text) for pattern in (TAX, CHANGE, DISCOUNT))


def _summary_like(description: str) -> bool:
    text = description.upper()
    return bool(
        ANY_TOTAL.search(text) or SUBTOTAL.search(text) or TAX.search(text) or PAID.search(text)
    ) or bool(TAX_TABLE.search(text))


@dataclass(frozen=True)
class Sums:
    printed: list[Decimal]  # every amount below the items
    labelled: list[Decimal]  # the totals and subtotals among them
    dollar: bool = False  # amounts printed after "$", which OCR may read as a 5

    def adds_up(self, items: list[LineItem], discounts: Decimal, *, labelled: bool = False) -> bool:
        """The items' sum, or the sum less the discounts, is printed below them (``labelled``:
        as a total or subtotal)."""
        amounts = [item.amount for item in items if item.amount is not None]
        if not amounts:
            return False
        totals = self.labelled if labelled else self.printed
        return sum(amounts) in totals or sum(amounts) - discounts in totals

    def best_reading(self, items: list[LineItem], discounts: Decimal) -> list[LineItem]:
        """The items as read, unless they do not add up and a reading without one or two of
        them does: first a subtotal read as an item, then the doubtful items left out."""
        if self.adds_up(items, discounts):
            return items
        mended = self._dollar_read_as_five(items, discounts) if self.dollar else None
        if mended is not None:
            return mended
        items = self._without_running_sum(items, discounts)
        if self.adds_up(items, discounts) or len(items) < 3:
            return items
        last = len(items) - 1
        doubtful = [
            at
            for at, item in enumerate(items)
            if at in (0, last) or _summary_like(item.description)
        ][:_MOST_DOUBTFUL]
        for size in (1, 2):
            for left_out in combinations(doubtful, size):
                kept = [item for at, item in enumerate(items) if at not in left_out]
                if self.adds_up(kept, discounts, labelled=True):
                    return kept
        return items

    def _dollar_read_as_five(
        self, items: list[LineItem], discounts: Decimal
    ) -> list[LineItem] | None:
        """The items with one amount's leading 5 read back as the "$" it was ("Cafe Latte
        54.75" for $4.75, a phone photo's OCR), when that and nothing else makes them add up
        to a labelled total or subtotal."""
        for at, item in enumerate(items):
            if item.amount is None or not _FIFTY <= item.amount < _SIXTY:
                continue
            amount = item.amount - _FIFTY
            unit = item.unit_price if item.unit_price != item.amount else amount
            fixed = item.model_copy(update={"amount": amount, "unit_price": unit})
            mended = [*items[:at], fixed, *items[at + 1 :]]
            if self.adds_up(mended, discounts, labelled=True):
                return mended
        return None

    def _without_running_sum(self, items: list[LineItem], discounts: Decimal) -> list[LineItem]:
        """The items up to one whose amount is the sum of all items above it: a subtotal
        whose label was not read as one ("TUSSENTOTAAL", "PARZIALE", "WARENWERT", OCR's
        "SUB CTAL")."""
        running = Decimal(0)
        for position, item in enumerate(items):
            if item.amount is None:
                return items
            sums = item.amount > 0 and item.amount in (running, running - discounts)
            # one item above: "Diesel 58,70" / "Tussentotaal 58,70" only when the total says so
            if sums and (position >= 2 or (position == 1 and self.adds_up(items[:1], discounts))):
                return items[:position]
            running += item.amount
        return items

    def confidence(self, items: list[LineItem], discounts: Decimal) -> float:
        """High when the items add up to a printed subtotal/total (before or after the
        discounts); else by how many items' count times unit price is their amount."""
        if not any(item.amount is not None for item in items):
            return 0.2
        if self.adds_up(items, discounts):
            return 0.95
        consistent = sum(
            1
            for item in items
            if item.quantity is not None
            and item.unit_price is not None
            and item.amount is not None
            and abs(item.quantity * item.unit_price - item.amount) <= Decimal("0.01")
        )
        return round(0.35 + 0.25 * consistent / len(items), 2)
