"""Line items of a receipt from its visual rows (the rule-based ``local`` extractor).

Three steps: find the items region (after a "QTY DESC PRICE AMOUNT" header or from the first
row that reads as an item, up to SUBTOTAL/TOTAL), read each row (items_rows), then join rows
that belong to one item: a code row and a description row above a "1 PC * 9.000 9.00" row
(SROIE), a name row above or below a "2 x 12.000 24.000" row (CORD), a description wrapped
onto a second row. Confidence is high only when the items add up to a printed subtotal/total.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from receiptflow.extractors.local.items_rows import ItemRow, find_amount, read_row
from receiptflow.extractors.local.items_skew import straightened
from receiptflow.extractors.local.items_tokens import (
    DISCOUNT,
    END_OF_ITEMS,
    HEADER_WORDS,
    ITEM_COUNT_LINE,
    LABELLED_NUMBER,
    NOT_ITEM,
    SUMMARY,
    TOTAL_ANYWHERE,
    UNIT_WORDS,
    Word,
    count_value,
    is_code,
    is_currency_word,
    is_operator,
    join_spaced_thousands,
    looks_whole,
    money_value,
    row_words,
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


def find_line_items(
    rows: list[Row], *, currency: str | None = None, whole: bool | None = None
) -> ItemsResult:
    """The receipt's line items, with how sure we are and which rows they came from.
    ``whole``: whether amounts carry no minor units, when the caller knows better than the
    currency code (an unmarked "0.725" receipt is in mils, not rupiah)."""
    rows, origin = straightened(rows)
    all_words = [row_words(row) for row in rows]
    if whole is None:
        whole = whole_amounts(currency) if currency else looks_whole(all_words)
    start = _region_start(rows, all_words, whole=whole)
    if start is None:
        return ItemsResult(confidence=0.2)
    end = _region_end(rows, start, all_words, whole=whole)
    column = _amount_column(all_words, whole=whole)
    read = [
        _read(index, all_words[index], whole=whole, column=column) for index in range(start, end)
    ]
    items = _assemble(read)
    if not items:
        return ItemsResult(confidence=0.2)
    totals = _printed_totals(all_words[end : end + 6], whole=whole)
    return ItemsResult(
        items=items,
        confidence=_confidence(items, totals, _discounts(read)),
        first_row=origin[start],
        last_row=max(origin[row.index] for row in read if row.amount is not None or row.has_text),
    )


def _read(index: int, words: list[Word], *, whole: bool, column: float | None) -> ItemRow:
    if whole:
        words = join_spaced_thousands(words)
    amount_at = find_amount(words, whole=whole)
    off_column = False
    if amount_at is not None and column is not None:
        width = max(word.x1 for word in words) - min(word.x0 for word in words)
        char = (words[amount_at].x1 - words[amount_at].x0) / max(len(words[amount_at].text), 1)
        off_column = words[amount_at].x1 < column - max(6 * char, 0.05 * width)
        if off_column and amount_at == 0:
            amount_at = None  # a lone number left of the amount column: a count or a unit price
    row = read_row(index, words, whole=whole, amount_at=amount_at)
    if off_column and row.has_text and row.amount:
        # "SUSHI 1.80" above "4 X 1.80 7.20": a price inside the name, not the line amount
        row = read_row(index, words, whole=whole, amount_at=None)
    row.off_column = off_column
    return row


def _region_start(rows: list[Row], all_words: list[list[Word]], *, whole: bool) -> int | None:
    """After the items header, else at the first priced row that names something; never in
    the tax summary or loyalty statement printed after the total."""
    stop = next(
        (
            i
            for i, row in enumerate(rows)
            if SUMMARY.search(row.text)
            or (TOTAL_ANYWHERE.search(row.text) and find_amount(all_words[i], whole=whole))
        ),
        len(rows),
    )
    for index in range(stop):
        if _is_header(all_words[index]):
            start = index + 1
            while start < len(rows) and _is_header(all_words[start], loose=True):
                start += 1
            return start if start < stop else None
    for index in range(stop):
        text = rows[index].text
        priced = find_amount(all_words[index], whole=whole) is not None
        if priced and TOTAL_ANYWHERE.search(text):
            return None  # a total before any item: the items were not printed or not read
        if not priced or "%" in text or not _may_start(text):
            continue
        near = [rows[i].text for i in (index - 1, index + 1) if 0 <= i < len(rows)]
        if _names_something(text) or any(_names_something(other) for other in near):
            return _back_over_names(rows, index, all_words[index], whole=whole)
    return None


def _may_start(text: str) -> bool:
    return not (END_OF_ITEMS.search(text) or NOT_ITEM.search(text) or DISCOUNT.search(text))


def _names_something(text: str) -> bool:
    """A word of three letters or more, on a row that is not a label, a date or a total."""
    if END_OF_ITEMS.search(text) or NOT_ITEM.search(text) or DISCOUNT.search(text):
        return False
    return bool(re.search(r"[^\W\d_]{2,}", text))


def _back_over_names(rows: list[Row], index: int, words: list[Word], *, whole: bool) -> int:
    """Include the count rows ("2 X 13,000") printed just above the first priced row, and
    its name and code rows when it has no name of its own ("30000 30000", "1 X 3.00 SR")."""
    before_amount = words[: find_amount(words, whole=whole)]
    nameless = not any(
        re.search(r"[^\W\d_]{2}", re.sub(r"/\w+$", "", word.text))  # not "0.94/kg"
        and not is_code(word.text)
        and count_value(word.text) is None
        and not is_currency_word(word.text)
        and word.text not in UNIT_WORDS  # "0.385 kg @ 0.94/kg 0.36": a weighed item's count
        and not is_operator(word.text)
        for word in before_amount
    )
    start = index
    while start > 0:
        text = rows[start - 1].text
        count_row = re.match(r"\s*\d{1,3}\s*[xX*]?\s*[@xX*]\s*\S*\d", text)  # "2 X 13,000"
        if END_OF_ITEMS.search(text) or NOT_ITEM.search(text) or LABELLED_NUMBER.match(text):
            break
        priced = re.search(r"\d[.,]\d\d\s*\S{0,3}$", text)  # ends in an amount: an item
        if not count_row and (not nameless or priced):
            break
        if not re.search(r"[^\W\d_]", text) and not is_code(text.strip()) and not count_row:
            break
        start -= 1
        if index - start >= 2:
            break
    return start


def _region_end(rows: list[Row], start: int, all_words: list[list[Word]], *, whole: bool) -> int:
    seen_item = False
    for index in range(start, len(rows)):
        text = rows[index].text
        priced_total = TOTAL_ANYWHERE.search(text) and find_amount(all_words[index], whole=whole)
        if END_OF_ITEMS.search(text) or ITEM_COUNT_LINE.search(text) or priced_total:
            if seen_item:
                return index
            continue
        seen_item = seen_item or bool(re.search(r"\d", text))
    return len(rows)


def _is_header(words: list[Word], *, loose: bool = False) -> bool:
    if not words:
        return False
    if any(re.search(r"\d", word.text) for word in words):
        return False
    # "AMT(RM)" is AMT; a lone "(RM)" / "(GST)" under a header word is neither here nor there
    names = [re.sub(r"\(.*\)$", "", word.text.upper().strip(":")) for word in words]
    names = [name for name in names if name]
    hits = sum(name in HEADER_WORDS for name in names)
    if loose:
        return hits == len(names)
    return hits >= 2 and 2 * hits >= len(names)


def _amount_column(all_words: list[list[Word]], *, whole: bool) -> float | None:
    edges = []
    for words in all_words:
        position = find_amount(words, whole=whole)
        if position is not None and position > 0:
            edges.append(words[position].x1)
    return statistics.median(edges) if edges else None


def _fold_count_rows(read: list[ItemRow]) -> list[ItemRow]:
    """A row with only a count and a price ("2 X 13,000" above "Honey Mandarin 26,000", or
    "@2 X RM 10.40" below "AJINOMOTO 1KG 20.80") belongs to the neighbour it multiplies to."""
    kept: list[ItemRow] = []
    for position, row in enumerate(read):
        price = row.unit_price if row.amount is None else row.amount
        if row.has_text or price is None or (row.amount is not None and row.unit_price):
            kept.append(row)
            continue
        count = row.quantity or Decimal(1)
        neighbours = [read[position - 1]] if position > 0 else []
        neighbours += read[position + 1 : position + 2]
        for neighbour in neighbours:
            if (
                neighbour.has_text
                and neighbour.amount is not None
                and abs(neighbour.amount - count * price) < Decimal("0.01")
                and neighbour.quantity in (None, count)
                and neighbour.unit_price in (None, price)
            ):
                neighbour.quantity, neighbour.unit_price = count, price
                break
        else:
            kept.append(row)
    return kept


def _assemble(read: list[ItemRow]) -> list[LineItem]:
    read = _fold_count_rows(read)
    names_above = _names_above(read)
    items: list[_Draft] = []
    pending_names: list[ItemRow] = []
    pending_counts: list[ItemRow] = []
    pending_code: str | None = None
    for position, row in enumerate(read):
        if row.negative or DISCOUNT.search(row.description):
            continue  # discounts are not items (the key-field step reads them)
        below = read[position + 1] if position + 1 < len(read) else None
        if row.amount is None:
            if LABELLED_NUMBER.match(row.description):
                continue  # "BARCODE: 10182079", "ITEM NO. : 30001640"
            if row.has_text:
                pending_code = pending_code or row.sku
                if names_above or not items or pending_counts or _names_next(row, below, items):
                    pending_names.append(row)
                elif not items[-1].named or not _is_option(row, items[-1].row):
                    items[-1].names.append(row)  # a wrapped name, or the name of a code row
            elif row.quantity is not None or row.unit_price is not None:
                pending_counts.append(row)
            elif row.sku or is_code(" ".join(word.text for word in row.words)):
                pending_code = row.sku or row.words[0].text.rstrip("-")
            continue
        if items and row.amount == 0 and _is_option(row, items[-1].row):
            continue  # "  1 *Rhum 0": a free option of the item above, not an item
        draft = _Draft(row=row, sku=row.sku or pending_code, counts=pending_counts)
        pending_code, pending_counts = None, []
        if pending_names and row.has_text and items and not names_above:
            items[-1].names.extend(pending_names)
        else:
            draft.names = pending_names
        pending_names = []
        items.append(draft)
    if pending_names and items and not names_above:
        items[-1].names.extend(row for row in pending_names if row.quantity is None)
    _lend_names(items)
    return [item for item in (draft.build() for draft in items) if item is not None]


def _lend_names(items: list[_Draft]) -> None:
    """A nameless "2PC @ 7.99 15.98" row takes the name printed just above it, which was read
    as the wrapped end of the item before."""
    for before, draft in zip(items, items[1:], strict=False):
        if draft.row.has_text or draft.names or not before.names:
            continue
        if before.names[-1].index > before.row.index:
            draft.names.append(before.names.pop())


def _names_next(row: ItemRow, below: ItemRow | None, items: list[_Draft]) -> bool:
    """A "2 Maling" row above a "12000 24.000" row names that row, not the item above; so
    does a plain name row ("Caesar Salad" over "2 @ 9.50 19.00") when the item above
    already has its name ("BLT 9.25")."""
    if below is None or below.amount is None or below.has_text:
        return False
    return row.quantity is not None or items[-1].named


def _is_option(row: ItemRow, item: ItemRow) -> bool:
    """Printed under an item but not aligned with its name: an option ("+Hot", "1 Sedang")."""
    if row.quantity is not None and row.amount is None:
        return True
    if row.amount in (None, 0) and (row.off_column or row.description[:1] in {"+", "*", "-", ">"}):
        return True
    if row.description_x is None or item.description_x is None:
        return False
    tolerance = 1.2 * max(item.char_width, row.char_width, 1.0)
    if row.amount is not None:
        return row.description_x - item.description_x > tolerance
    return abs(row.description_x - item.description_x) > tolerance


def _names_above(read: list[ItemRow]) -> bool:
    """Whether name rows sit above their priced row (else below it, as a continuation)."""
    for row in read:
        if row.amount is not None:
            return False
        if row.has_text and not LABELLED_NUMBER.match(row.description):
            return True
    return False


@dataclass
class _Draft:
    row: ItemRow
    sku: str | None = None
    names: list[ItemRow] = field(default_factory=list)
    counts: list[ItemRow] = field(default_factory=list)

    @property
    def named(self) -> bool:
        return self.row.has_text or bool(self.names)

    def build(self) -> LineItem | None:
        row = self.row
        quantity, unit = row.quantity, row.unit_price
        for count_row in self.counts:
            quantity = quantity or count_row.quantity
            unit = unit or count_row.unit_price
        in_print_order = sorted([*self.names, row], key=lambda part: part.index)
        parts = [part.description for part in in_print_order]
        if quantity is None and self.names:
            quantity = self.names[-1].quantity
        for name in self.names:  # "NAME BADGE (H) @ 0.5500" under the priced row
            unit = unit or name.unit_price
        description = " ".join(part for part in parts if part).strip()
        description = description or self.sku or ""  # a code row whose name was not read
        if not description or row.amount is None:
            return None
        return LineItem(
            description=description,
            quantity=quantity if quantity is not None else Decimal(1),
            unit_price=unit if unit is not None else _unit_from(row.amount, quantity),
            amount=row.amount,
            sku=self.sku,
        )


def _unit_from(amount: Decimal, quantity: Decimal | None) -> Decimal | None:
    if quantity is None or quantity == 1:
        return amount
    unit = amount / quantity
    return unit if unit == unit.quantize(Decimal("0.01")) else None


def _printed_totals(all_words: list[list[Word]], *, whole: bool) -> list[Decimal]:
    totals = []
    for words in all_words:
        position = find_amount(words, whole=whole)
        if position is not None:
            value = money_value(words[position].text, whole=whole)
            if value is not None:
                totals.append(value)
    return totals


def _discounts(read: list[ItemRow]) -> Decimal:
    return sum(
        (
            abs(row.amount)
            for row in read
            if row.amount is not None and (row.negative or DISCOUNT.search(row.description))
        ),
        Decimal(0),
    )


def _confidence(items: list[LineItem], totals: list[Decimal], discounts: Decimal) -> float:
    """High when the items add up to a printed subtotal/total (before or after discounts)."""
    amounts = [item.amount for item in items if item.amount is not None]
    if not amounts:
        return 0.2
    if sum(amounts) in totals or sum(amounts) - discounts in totals:
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


__all__ = ["ItemsResult", "find_line_items"]
