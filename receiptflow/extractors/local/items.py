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
from decimal import Decimal

from receiptflow.extractors.local import vocab
from receiptflow.extractors.local.items_assembly import assemble_items
from receiptflow.extractors.local.items_rows import ItemRow, find_amount, read_row
from receiptflow.extractors.local.items_skew import straightened
from receiptflow.extractors.local.items_tokens import (
    DETAIL_ROW,
    DISCOUNT,
    END_OF_ITEMS,
    HEADER_WORDS,
    ITEM_COUNT_LINE,
    LABELLED_NUMBER,
    NOT_ITEM,
    PAYMENT_START,
    ROUNDING_START,
    SUMMARY,
    SUMMARY_START,
    TOTAL_ANYWHERE,
    Word,
    count_value,
    is_code,
    is_count_line,
    is_currency_word,
    is_detail_label,
    is_operator,
    join_spaced_thousands,
    looks_whole,
    money_value,
    row_words,
    split_glued_counts,
    whole_amounts,
)
from receiptflow.extractors.local.layout import Row
from receiptflow.extractors.local.money_labels import TAX
from receiptflow.extractors.local.tax_rows import is_table_header
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
    assembled = assemble_items(read)
    totals = _printed_totals(all_words[end : end + 8], whole=whole)
    items = _without_running_sum(assembled.items, totals, assembled.discounts)
    if not items:
        return ItemsResult(confidence=0.2)
    return ItemsResult(
        items=items,
        confidence=_confidence(items, totals, assembled.discounts),
        first_row=origin[start],
        last_row=max(origin[row.index] for row in read if row.amount is not None or row.has_text),
    )


def _read(index: int, words: list[Word], *, whole: bool, column: float | None) -> ItemRow:
    if whole:
        words = join_spaced_thousands(words)
    words = split_glued_counts(words)
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
        if _is_header(all_words[index]) and not _is_table_or_total(rows[index].text):
            start = index + 1
            while start < len(rows) and _is_header(all_words[start], loose=True):
                start += 1
            return start if start < stop else None
        if TOTAL_ANYWHERE.search(rows[index].text):
            break  # "IMPORTE TOTAL": a header further down heads the VAT table
    for index in range(stop):
        text = rows[index].text
        priced = find_amount(all_words[index], whole=whole) is not None
        if priced and TOTAL_ANYWHERE.search(text):
            return None  # a total before any item: the items were not printed or not read
        if not priced or _is_rate_row(all_words[index], whole=whole) or not _may_start(text):
            continue
        near = [rows[i].text for i in (index - 1, index + 1) if 0 <= i < len(rows)]
        if _names_something(text) or any(_names_something(other) for other in near):
            return _back_over_names(rows, index, all_words[index], whole=whole)
    return None


def _is_table_or_total(text: str) -> bool:
    """Column heads of the VAT table, or a total label made of header words ("IMPORTE
    TOTAL"), rather than the items table's head."""
    return is_table_header(text) or bool(_TOTAL_PHRASE.search(text.upper()))


# the total labels of two words or more (one header word alone is a column head: "TOTAL")
_TOTAL_PHRASE = vocab.whole_phrases(p for p in vocab.phrases("grand_total") if " " in p.strip())


def _is_rate_row(words: list[Word], *, whole: bool) -> bool:
    """A VAT rate row ("A 19% 7,31 1,39 8,70", "TAX 8% 2.23"), not a name that holds a
    percent ("Beef Mince 5% 500g 3.45", "BIO VOLLMILCH 1,5% 1,19 B")."""
    at = next((i for i, word in enumerate(words) if word.text.endswith("%")), None)
    if at is None:
        return False
    if TAX.search(" ".join(word.text for word in words).upper()):
        return True
    after = [word for word in words[at + 1 :] if money_value(word.text, whole=whole) is not None]
    return len(after) >= 2


def _may_start(text: str) -> bool:
    return not (_closes(text) or NOT_ITEM.search(text) or DISCOUNT.search(text))


def _names_something(text: str) -> bool:
    """A word of three letters or more, on a row that is not a label, a date or a total."""
    if _closes(text) or NOT_ITEM.search(text) or DISCOUNT.search(text):
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
        and not is_detail_label(word.text)  # "Peso 0,385 kg @ 0,94/kg 0,36": a weight
        and not is_operator(word.text)
        for word in before_amount
    )
    start, took_name = index, False
    while start > 0:
        text = rows[start - 1].text
        count_row = re.match(r"\s*\d{1,3}\s*[xX*]?\s*[@xX*]\s*\S*\d", text)  # "2 X 13,000"
        if _closes(text) or NOT_ITEM.search(text) or LABELLED_NUMBER.match(text):
            break
        if took_name and not is_code(text.strip()):
            break  # one name row, and the code row above it: not the till's rows before
        priced = re.search(r"\d[.,]\d\d\s*\S{0,3}$", text)  # ends in an amount: an item
        if not count_row and (not nameless or priced):
            break
        if not re.search(r"[^\W\d_]", text) and not is_code(text.strip()) and not count_row:
            break
        start -= 1
        took_name = took_name or (not count_row and not is_code(text.strip()))
        if index - start >= 2:
            break
    return start


def _region_end(rows: list[Row], start: int, all_words: list[list[Word]], *, whole: bool) -> int:
    seen_item = False
    running = Decimal(0)  # what the rows so far add up to
    for index in range(start, len(rows)):
        text = rows[index].text
        at = find_amount(all_words[index], whole=whole)
        amount = money_value(all_words[index][at].text, whole=whole) if at is not None else None
        priced_total = TOTAL_ANYWHERE.search(text) and amount is not None
        summary = _is_summary(text) or (
            PAYMENT_START.search(text) and (amount is None or abs(amount) >= running)
        )  # "CARTA IGIENICA 3,49" costs less than the items above: bought, not a payment
        summary = summary or (  # "AFRONDING 0,02", not "Round Wagyu 12.00"
            ROUNDING_START.search(text) and amount is not None and abs(amount) < Decimal("0.1")
        )
        if summary or ITEM_COUNT_LINE.search(text) or is_count_line(text) or priced_total:
            if seen_item:
                return index
            continue
        seen_item = seen_item or bool(re.search(r"\d", text))
        running += amount or 0
    return len(rows)


def _closes(text: str) -> bool:
    """A summary, payment or change row."""
    return bool(END_OF_ITEMS.search(text)) and not DETAIL_ROW.search(text)


def _is_summary(text: str) -> bool:
    """A row of the money summary ("SUBTOTAL", "MWST 19%"), not a quantity row that starts
    with a like word ("QTY 4 @ 10.99", "NET WT 1.10 lb @ 2.49/lb")."""
    return bool(SUMMARY_START.search(text)) and not DETAIL_ROW.search(text)


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


def _printed_totals(all_words: list[list[Word]], *, whole: bool) -> list[Decimal]:
    totals = []
    for words in all_words:
        position = find_amount(words, whole=whole)
        if position is not None:
            value = money_value(words[position].text, whole=whole)
            if value is not None:
                totals.append(value)
    return totals


def _without_running_sum(
    items: list[LineItem], totals: list[Decimal], discounts: Decimal
) -> list[LineItem]:
    """The items up to one whose amount is the sum of all items above it: a subtotal whose
    label was not read as one ("TUSSENTOTAAL", "PARZIALE", "WARENWERT", OCR's "SUB CTAL").
    Not when all the items add up to a printed total: then that amount was bought."""
    if _adds_up(items, totals, discounts):
        return items
    running = Decimal(0)
    for position, item in enumerate(items):
        if item.amount is None:
            return items
        sums = item.amount > 0 and item.amount in (running, running - discounts)
        # one item above: "Diesel 58,70" / "Tussentotaal 58,70" only when the total says so
        if sums and (position >= 2 or (position == 1 and _adds_up(items[:1], totals, discounts))):
            return items[:position]
        running += item.amount
    return items


def _adds_up(items: list[LineItem], totals: list[Decimal], discounts: Decimal) -> bool:
    amounts = [item.amount for item in items if item.amount is not None]
    return bool(amounts) and (sum(amounts) in totals or sum(amounts) - discounts in totals)


def _confidence(items: list[LineItem], totals: list[Decimal], discounts: Decimal) -> float:
    """High when the items add up to a printed subtotal/total (before or after discounts)."""
    amounts = [item.amount for item in items if item.amount is not None]
    if not amounts:
        return 0.2
    if _adds_up(items, totals, discounts):
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
