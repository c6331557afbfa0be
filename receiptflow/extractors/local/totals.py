"""The money summary under the items: total, subtotal, taxes, rounding, discounts, tip,
service charge and payment.

Every row with a money amount gets a label kind from its words. The total is the amount due
after rounding: a total row printed after the rounding row wins, then the strongest label
(GRAND / NETT / DUE / INCL. TAX beat a plain TOTAL), then the later one. Cash minus change
cross-checks it; agreement raises the confidence, disagreement lowers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from receiptflow.extractors.local import money_labels as words
from receiptflow.extractors.local.layout import Row
from receiptflow.extractors.local.money_repair import joined_cents, lost_cent, unglued
from receiptflow.extractors.local.tax_rows import is_table_header, rate_of, tax_of_rate_row
from receiptflow.extractors.local.total_fallback import (
    due_by_the_subtotal,
    fallback_total,
    in_table,
    printed,
    whole_total,
)
from receiptflow.extractors.local.vocab import currency_word_pattern
from receiptflow.schemas.parsing import AmountMatch, find_amounts


@dataclass
class MoneyRow:
    index: int
    label: str  # upper-case row text without its amounts
    amount: AmountMatch  # the rightmost amount (printed with decimals)
    count: int  # how many money amounts the row shows
    in_summary: bool = False  # inside a GST/VAT summary table at the bottom
    printed: str = ""  # the label as printed (case kept), for tax and discount descriptions
    values: tuple[Decimal, ...] = ()  # every money amount of the row, left to right
    vat_row: bool = False  # rate, net, tax (gross): a row of a VAT table, headed or not


@dataclass
class Totals:
    total: AmountMatch | None = None
    total_confidence: float = 0.0
    subtotal: Decimal | None = None
    rounding: Decimal | None = None
    taxes: list[tuple[str, Decimal | None, Decimal]] = field(default_factory=list)
    service_charge: Decimal | None = None
    tip: Decimal | None = None
    discounts: list[tuple[str, Decimal]] = field(default_factory=list)
    tendered: Decimal | None = None
    change: Decimal | None = None
    method: str | None = None
    card_last4: str | None = None
    marks: list[AmountMatch] = field(default_factory=list)  # amounts that printed a currency
    tax_table: bool = False  # a GST/VAT summary table was printed


def _money(amounts: list[AmountMatch], whole: bool, minor: int = 2) -> list[AmountMatch]:
    """Amounts that look like money: printed with decimals (three for the dinars: KWD 23.875),
    or a currency mark, or thousands when the currency has no minor unit."""
    return [
        a
        for a in amounts
        if a.decimals in (1, 2)
        or (minor == 3 and a.decimals == 3)
        or a.mark
        or (whole and a.decimals == 0 and abs(a.value) >= 100)
    ]


_THOUSANDS = re.compile(r"\d{1,3}(?:[.,'’]\d{3})+")


def _grouped_whole(amounts: list[AmountMatch]) -> list[AmountMatch]:
    """Whole amounts printed with thousands groups ("Total 48,000", "Total 134.999"), on a
    summary row when the receipt was not recognised as one in a currency without cents (dong,
    rupiah): grouping marks money, where a bare "Total 12" is a count of items."""
    return [a for a in amounts if a.decimals == 0 and _THOUSANDS.fullmatch(a.text.strip())]


def money_rows(
    rows: list[Row], decimal_comma: bool | None = None, whole: bool = False, minor: int = 2
) -> list[MoneyRow]:
    found: list[MoneyRow] = []
    in_summary = seen_total = False
    for index, row in enumerate(rows):
        text = row.text
        upper = text.upper()
        seen_total = seen_total or any(_total_rank(money) for money in found[-1:])
        if words.SUMMARY.search(upper) or (seen_total and is_table_header(upper)):
            in_summary = True  # a VAT table's heads come after the total, an items' before
        if words.SUMMARY_AMOUNT.search(upper):
            text = joined_cents(text)  # "Subtotal $43 70"
        amounts = _money(find_amounts(text, decimal_comma=decimal_comma), whole, minor)
        if not amounts and words.SUMMARY_AMOUNT.search(upper):
            text = unglued(text)  # "Total: E17.99", "GRAND TOTAL Rs.2,800.00"
            upper = text.upper()
            amounts = _money(find_amounts(text, decimal_comma=decimal_comma), whole, minor)
            if not amounts:
                amounts = _grouped_whole(find_amounts(text, decimal_comma=decimal_comma))
        if not amounts:
            continue
        label, printed = upper, text
        for amount in reversed(amounts):
            label = label[: amount.start] + " " + label[amount.end :]
            printed = printed[: amount.start] + " " + printed[amount.end :]
        label, printed = (re.sub(r"\s+", " ", part).strip() for part in (label, printed))
        values = tuple(amount.value for amount in amounts)
        money = MoneyRow(index, label, amounts[-1], len(amounts), in_summary, printed, values)
        money.vat_row = _is_vat_row(money)
        found.append(money)
    return _pull_up_values(rows, found)


def _is_vat_row(money: MoneyRow) -> bool:
    """ "A 19% 7,31 1,39 8,70", "MwSt 7% 0,75 10,75": a rate, and amounts related by it, on
    a row that names a tax or nothing but a VAT class (never a discount or service row)."""
    rate = rate_of(money.label)
    if rate is None or tax_of_rate_row(rate, list(money.values)) is None:
        return False
    if any(
        pattern.search(money.label)
        for pattern in (words.DISCOUNT, words.SERVICE, words.TIP, words.ANY_TOTAL)
    ):
        return False
    bare = re.sub(r"[\d.,%*=:()\s-]+", " ", money.label).split()
    return bool(words.TAX.search(money.label)) or all(len(word) <= 2 for word in bare)


_CURRENCY_LABEL = re.compile(
    r"\b(?:RM|MYR|USD|EUR)\b|" + currency_word_pattern().pattern, re.IGNORECASE
)


def _pull_up_values(rows: list[Row], found: list[MoneyRow]) -> list[MoneyRow]:
    """A label alone on its row ("TOTAL:") takes the bare amount printed on the next row."""
    by_index = {money.index: money for money in found}
    for index, row in enumerate(rows[:-1]):
        if index in by_index:
            continue
        below = by_index.get(index + 1)
        if below is None or re.search(r"[A-Z]", _CURRENCY_LABEL.sub("", below.label)):
            continue
        label = row.text.upper()
        if is_table_header(label):
            continue  # "Base IVA Importe" over "35,91 10% 3,59": heads, not a label
        if (
            words.ANY_TOTAL.search(label)
            or words.SUBTOTAL.search(label)
            or words.TAX.search(label)
            or words.CHANGE.search(label)
            or words.CASH.search(label)
            or words.ROUNDING.search(label)
        ):
            by_index[index + 1] = MoneyRow(
                index + 1,
                label,
                below.amount,
                below.count,
                below.in_summary,
                row.text.strip(),
                below.values,
            )
    return sorted(by_index.values(), key=lambda money: money.index)


def _total_rank(money: MoneyRow) -> int:
    """0 when the row is not a total; higher is a stronger claim to be the amount due."""
    return words.label_rank(money.label)


def _pick_total(rows: list[MoneyRow], totals: Totals) -> None:
    labelled = [(rank, m) for m in rows if (rank := _total_rank(m))]
    # a total of nothing ("TOTAL 0.00", a voucher) or a refund ("TOTAL -3.29") only when no
    # labelled total is positive: "Total Due 0.00" under "Total 136.95" is what is left to pay
    candidates = [(r, m) for r, m in labelled if m.amount.value > 0] or labelled
    candidates = [(r, m) for r, m in candidates if not in_table(m)] or candidates
    rounded = _rounded_total(rows)
    paid = _cash_minus_change(totals)
    if not candidates and rounded is None:
        fallback_total(rows, totals, paid)
        return
    if rounded is not None:  # a total after the rounding row settles it
        rank, chosen = 5, rounded
    else:
        rank, best = max(
            candidates, key=lambda item: (item[0] - (item[1].count > 1), item[1].index)
        )
        chosen = best.amount
    confidence = {5: 0.92, 4: 0.9, 3: 0.82, 2: 0.6}.get(rank, 0.5)
    agreeing = [m.amount for _, m in candidates if m.amount.value == paid]
    if paid is not None and paid > 0 and paid != chosen.value:
        match = agreeing[0] if agreeing else printed(rows, paid)
        if match is not None and (
            agreeing or abs(paid - chosen.value) <= Decimal("0.10") or rank <= 3
        ):
            chosen, confidence = match, 0.85  # what was paid settles a weak or unrounded total
        else:
            confidence -= 0.25
    elif paid is not None and paid > 0:
        confidence = min(0.98, confidence + 0.08)
    elif len({m.amount.value for _, m in candidates}) > 2:
        confidence -= 0.1
    if totals.subtotal is not None and totals.taxes:
        mended = lost_cent(chosen, due_by_the_subtotal(totals.subtotal, totals))
        chosen, confidence = (mended, 0.6) if mended else (chosen, confidence)
    totals.total, totals.total_confidence = chosen, max(0.05, confidence)


def _rounded_total(rows: list[MoneyRow]) -> AmountMatch | None:
    """The amount after a rounding row that equals an amount above it plus the adjustment."""
    for position, money in enumerate(rows):
        if not _is_rounding(money) or money.amount.value == 0:
            continue
        above = {m.amount.value for m in rows[max(0, position - 4) : position]}
        for below in rows[position + 1 : position + 4]:
            if below.amount.value - money.amount.value in above and not words.CHANGE.search(
                below.label
            ):
                return below.amount
    return None


def _is_rounding(money: MoneyRow) -> bool:
    return (
        bool(words.ROUNDING.search(money.label))
        and not words.ROUNDED_TOTAL.search(money.label)
        and abs(money.amount.value) < 1
    )


def _is_discount(label: str, value: Decimal) -> bool:
    """A row labelled as a saving: a negative amount with a discount word, or a discount word
    that opens the row ("RABATT 0,50", "YOU SAVED 2.00"); never a product that names one
    ("ENERGY SAVING BULB 9.00")."""
    found = words.DISCOUNT.search(label)
    if found is None or value == 0:
        return False
    return value < 0 or not re.search(r"[A-Z]{2}", label[: found.start()])


def _unlabelled_saving(money: MoneyRow, totals: Totals) -> bool:
    """A negative amount under the subtotal and before the payment is a saving, whatever
    the promotion calls itself."""
    return totals.tendered is None and _total_rank(money) == 0


def _cash_minus_change(totals: Totals) -> Decimal | None:
    if totals.tendered is None or totals.change is None:
        return None
    return totals.tendered - totals.change


def _read_labels(rows: list[MoneyRow], all_rows: list[Row], totals: Totals) -> None:
    for money in rows:
        label, value = money.label, money.amount.value
        if words.DEPOSIT.search(label):
            continue  # "Pfand 0,25": charged like an item, not a part of the summary
        if _is_rounding(money) and totals.rounding is None:
            totals.rounding = value
        elif words.SUBTOTAL.search(label) and totals.subtotal is None and not money.in_summary:
            totals.subtotal = value
        elif (
            words.TAX.search(label) and not words.TAX_NOT.search(label) and _total_rank(money) == 0
        ):
            if not money.in_summary and not any(t[0].upper() == label for t in totals.taxes):
                rate = rate_of(label)
                tax = tax_of_rate_row(rate, list(money.values)) if rate else None
                totals.taxes.append((money.printed or label, rate, tax or value))
        elif words.SERVICE.search(label) and totals.service_charge is None and value >= 0:
            totals.service_charge = value
        elif words.TIP.search(label) and totals.tip is None:
            totals.tip = value
        elif _is_discount(label, value) and _total_rank(money) == 0:
            totals.discounts.append((money.printed or label, abs(value)))
        elif words.CHANGE.search(label) and totals.change is None:
            totals.change = abs(value)  # "Rückgeld -25,77": given back, whatever the sign
        elif totals.tendered is None and words.payment_method(label):
            totals.tendered, totals.method = value, words.payment_method(label)
        elif value < 0 and totals.subtotal is not None and _unlabelled_saving(money, totals):
            totals.discounts.append((money.printed or label, abs(value)))  # "3 for 2 ..."
    _read_tax_table(rows, totals)
    for row in all_rows:
        if match := re.search(
            r"(?:[X*#]{4,}|ENDING\s*(?:IN)?\s*:?)\s?-?\s?(\d{4})\b", row.text.upper()
        ):
            totals.card_last4 = match.group(1)
            totals.method = totals.method or "card"


def _read_tax_table(rows: list[MoneyRow], totals: Totals) -> None:
    """The rows of a GST/VAT summary table ("SR @ 6%  8.49  0.51", "A 19% 7,31 1,39 8,70"):
    a tax per rate that no labelled tax row stated; the tax is the amount that is the rate's
    share of another on the row, else (OCR slips) the right-most."""
    stated = {tax[1] for tax in totals.taxes}
    totals.tax_table = any(in_table(money) for money in rows)
    if None in stated:
        return  # "GST 0.51": the table would state the same tax again
    for money in rows:
        rate = rate_of(money.label)
        if (
            in_table(money)
            and rate
            and rate not in stated
            and money.count >= 2
            and not words.TOTAL.search(money.label)
        ):
            tax = tax_of_rate_row(rate, list(money.values))
            if tax is None and not stated:
                tax = money.amount.value  # an OCR slip broke the sum: the right-most amount
            if tax is not None:
                totals.taxes.append((money.printed or money.label, rate, tax))
                stated.add(rate)


def find_totals(
    rows: list[Row], *, decimal_comma: bool | None = None, whole: bool = False, minor: int = 2
) -> Totals:
    """The money summary; ``whole`` when amounts carry no minor units ("23.000" IDR), ``minor``
    the currency's decimals (3 for KWD/BHD/OMR/JOD)."""
    totals = Totals()
    found = money_rows(rows, decimal_comma, whole, minor)
    totals.marks = [m.amount for m in found if m.amount.mark]
    _read_labels(found, rows, totals)
    _pick_total(found, totals)
    whole_total(rows, totals)
    return totals
