"""Where the items of a receipt are printed: the rows between the items header (or the first
row that reads as an item) and the money summary.

The region starts after a "QTY DESC PRICE AMOUNT" header, else at the first priced row that
names something, taking in the name and code rows printed just above it (a weighed item's
name, an article number); it ends at the first row of the money summary: a total, subtotal or
tax row, an item count, a rounding row, or a payment or change row. A product may be named
like a payment ("CARTA IGIENICA", "BAR SOAP", Dutch "Verse jus" and French "versé"): a row is
a payment when it prints nothing but payment words, or the amount of everything above it, or
round money handed over.
"""

from __future__ import annotations

import re
from decimal import Decimal
from difflib import SequenceMatcher

from receiptflow.extractors.local import vocab
from receiptflow.extractors.local.items_rows import find_amount, left_of_column
from receiptflow.extractors.local.items_tokens import (
    AMOUNT_START,
    DETAIL_ROW,
    DISCOUNT,
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
    money_value,
    strip_currency,
)
from receiptflow.extractors.local.layout import Row
from receiptflow.extractors.local.money_labels import DISCOUNT as DISCOUNT_WORDS
from receiptflow.extractors.local.money_labels import PAID, TAX
from receiptflow.extractors.local.tax_rows import is_table_header, rate_of, tax_of_rate_row


def region(
    rows: list[Row], all_words: list[list[Word]], *, whole: bool, column: float | None
) -> tuple[int, int] | None:
    """The first row of the items and the row after the last, or None when no row reads as
    an item. ``column``: the right edge of the amounts (a lone number far left of it, a
    time "15.44", is no amount)."""
    amounts = [_amount(words, whole=whole, column=column) for words in all_words]
    start = region_start(rows, all_words, amounts, whole=whole)
    if start is None:
        return None
    return start, region_end(rows, start, all_words, amounts, whole=whole)


def region_start(
    rows: list[Row], all_words: list[list[Word]], amounts: list[Decimal | None], *, whole: bool
) -> int | None:
    """After the items header, else at the first priced row that names something; never in
    the tax summary or loyalty statement printed after the total."""
    stop = next(
        (
            i
            for i, row in enumerate(rows)
            if SUMMARY.search(row.text) or (_is_total(row.text) and amounts[i])
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
        amount = amounts[index]
        if amount is not None and _is_total(text):
            return None  # a total before any item: the items were not printed or not read
        if amount is None or _is_rate_row(all_words[index]):
            continue
        if not _may_start(text, amount):
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


def _is_rate_row(words: list[Word]) -> bool:
    """A VAT rate row ("A 19% 7,31 1,39 8,70", "TAX 8% 2.23"), not a name that holds a
    percent ("Beef Mince 5% 500g 3.45", "BIO VOLLMILCH 1,5% 1,19 B", "DIVERS 20% 30.00")."""
    at = next((i for i, word in enumerate(words) if word.text.rstrip(":").endswith("%")), None)
    if at is None:
        return False
    text = " ".join(word.text for word in words)
    if TAX.search(text.upper()):
        return True
    rate = rate_of(text)
    after = [money_value(word.text, whole=False) for word in words[at + 1 :]]
    amounts = [amount for amount in after if amount is not None]
    # one amount the rate's share of another: not "DIVERS 20% 30.00 30.00"
    return rate is not None and tax_of_rate_row(rate, amounts) is not None


def _may_start(text: str, amount: Decimal | None) -> bool:
    summary = _is_summary(text, amount) or _pays(text, amount, Decimal(0))
    return not (summary or NOT_ITEM.search(text) or DISCOUNT.search(text))


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
        re.search(r"[^\W\d_]{2}", strip_currency(re.sub(r"/\w+$", "", word.text)))  # "£0.94/kg"
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
        took_name = took_name or not (count_row or is_code(text.strip()) or DETAIL_ROW.search(text))
        if index - start >= 2:
            break
    return start


def region_end(
    rows: list[Row],
    start: int,
    all_words: list[list[Word]],
    amounts: list[Decimal | None],
    *,
    whole: bool = False,
) -> int:
    seen_item = False
    running = Decimal(0)  # what the rows so far add up to
    for index in range(start, len(rows)):
        text = rows[index].text
        amount = amounts[index]
        if seen_item and is_item_tax(all_words, index, whole=whole):
            continue  # "G.FISH 320.00" / "TAX 18.00% 57.60": the tax of the item above
        if seen_item and _is_rate_row(all_words[index]):
            return index  # "10,00 %: Base: 112,73 Cuota: 11,27": the VAT summary
        priced_total = (
            amount is not None and _is_total(text) and not _named_total(text, amount, running)
        )
        summary = _is_summary(text, amount) or _pays(text, amount, running)
        summary = summary or _rounds(text, amount)
        if summary or ITEM_COUNT_LINE.search(text) or is_count_line(text) or priced_total:
            if seen_item:
                return index
            continue
        seen_item = seen_item or bool(re.search(r"\d", text))
        running += amount or 0
    return len(rows)


def is_item_tax(all_words: list[list[Word]], index: int, *, whole: bool) -> bool:
    """A tax row printed under each item ("TAX 18.00% 57.60" under "G.FISH 320.00 320.00",
    Indian tills): its amount is its rate of the amount of the row just above."""
    words = all_words[index]
    text = " ".join(word.text for word in words)
    rate = rate_of(text)
    if index == 0 or rate is None or not TAX.search(text.upper()):
        return False
    amount, above = (
        _amount(words, whole=whole, column=None),
        _amount(all_words[index - 1], whole=whole, column=None),
    )
    if amount is None or above is None or amount <= 0:
        return False
    return abs(above * rate / 100 - amount) <= Decimal("0.02") + amount / 200


def _amount(words: list[Word], *, whole: bool, column: float | None) -> Decimal | None:
    at = find_amount(words, whole=whole)
    if at is None or (at == 0 and left_of_column(words, at, column)):
        return None
    return money_value(words[at].text, whole=whole)


def _rounds(text: str, amount: Decimal | None) -> bool:
    """Cash rounding ("AFRONDING 0,02"), not "Round Wagyu 12.00"."""
    return bool(ROUNDING_START.search(text)) and amount is not None and abs(amount) < Decimal("0.1")


def _closes(text: str) -> bool:
    """A summary row, or a row of nothing but payment words ("Geg. BAR", "KARTENZAHLUNG")."""
    return _is_summary(text) or bool(PAYMENT_START.search(text) and not _other_words(text))


def _pays(text: str, amount: Decimal | None, running: Decimal) -> bool:
    """A payment or change row: payment words and nothing else, or the amount of all the rows
    above, or round money handed over; not "CARTA IGIENICA X8 20,94", "1 Verse jus 4,50"."""
    if not PAYMENT_START.search(text):
        return False
    if amount is None or not _other_words(text):
        return True
    return abs(amount - running) < Decimal("0.01") or (
        amount > running and amount == amount.to_integral_value()
    )


def _other_words(text: str) -> bool:
    """Words of three letters or more besides the payment words and currencies."""
    rest = PAID.sub(" ", text.upper())
    return any(
        re.search(r"[^\W\d_]{3}", word) and not is_currency_word(word) for word in rest.split()
    )


def _is_total(text: str) -> bool:
    """A total, not the savings total printed above the items ("TOTAL NON-COUPON SAVINGS")."""
    return bool(TOTAL_ANYWHERE.search(text)) and not DISCOUNT_WORDS.search(text.upper())


def _named_total(text: str, amount: Decimal, running: Decimal) -> bool:
    """ "1 LIST TOTAL CARE 3.2Z 2.77T": a product with TOTAL inside its name (names on both
    sides of the word) that costs less than the items above it, which a total never does."""
    match = TOTAL_ANYWHERE.search(text)
    if match is None or amount >= running:
        return False
    before, after = text[: match.start()], text[match.end() :]
    return bool(re.search(r"[^\W\d_]{2}", before) and re.search(r"[^\W\d_]{2}", after))


def _is_summary(text: str, amount: Decimal | None = None) -> bool:
    """A row of the money summary ("SUBTOTAL", "MWST 19%", "AMOUNT 32.00", OCR's "Subtotw",
    "SUB CTAL", "TOITAL"), not a quantity row that starts with a like word ("QTY 4 @ 10.99",
    "NET WT 1.10 lb @ 2.49/lb") nor the amount of a discount line ("AMOUNT -7,800")."""
    if DETAIL_ROW.search(text):
        return False
    amount_row = AMOUNT_START.search(text) and (amount is None or amount >= 0)
    return bool(SUMMARY_START.search(text) or amount_row) or _misread_total(text)


def _misread_total(text: str) -> bool:
    letters = re.findall(r"[^\W\d_]+", text.upper())
    if not letters:
        return False
    starts = [letters[0]]
    if len(letters) > 1 and len(letters[0]) <= 3:
        starts.append(letters[0] + letters[1])  # "SUB CTAL"
    return any(
        len(word) >= 5 and SequenceMatcher(None, word, label).ratio() >= 0.8
        for word in starts
        for label in ("SUBTOTAL", "TOTAL")
    )


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
