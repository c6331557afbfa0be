"""Text lines -> Receipt with per-field confidence and the printed text behind key fields.

Rows come from ``layout.group_rows``; the header (merchant), the when (date/time/number), the
money summary (totals, taxes, payment) and the line items are each read by their own module.
Confidences are 0..1 and meant to be calibrated: the cascade extractor hands a receipt to an
LLM when a key field's confidence is low, so a doubtful reading says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np

from receiptflow.extractors.local import merchant, total_choice
from receiptflow.extractors.local.currency import guess_currency
from receiptflow.extractors.local.dates import When, date_order, find_receipt_number, find_when
from receiptflow.extractors.local.header import find_header
from receiptflow.extractors.local.header_rules import body_start
from receiptflow.extractors.local.items import find_line_items
from receiptflow.extractors.local.layout import Row, group_rows, ocr_trust
from receiptflow.extractors.local.lexicon import Lexicon
from receiptflow.extractors.local.roles import role_index
from receiptflow.extractors.local.roles import role_model as load_role_model
from receiptflow.extractors.local.row_features import (
    FEATURE_NAMES,
    RuleView,
    printed_row,
    row_feature_matrix,
)
from receiptflow.extractors.local.totals import Totals, find_totals
from receiptflow.extractors.local.vocab import LanguageGuess, guess_language, words
from receiptflow.ingest.document import TextLine
from receiptflow.learned.files import BUNDLED
from receiptflow.schemas.parsing import AmountMatch
from receiptflow.schemas.receipt import (
    Discount,
    LineItem,
    Merchant,
    Payment,
    PaymentMethod,
    Receipt,
    TaxLine,
)


@dataclass
class ParsedReceipt:
    receipt: Receipt
    confidence: dict[str, float] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)  # field -> text as printed
    rows: list[Row] = field(default_factory=list)
    rules: RuleView = field(default_factory=RuleView)  # the rules' rows (classifier features)
    chosen: RuleView = field(default_factory=RuleView)  # the rows the fields came from
    decimal_comma: bool | None = None
    row_features: np.ndarray = field(default_factory=lambda: np.zeros((0, len(FEATURE_NAMES))))
    roles: np.ndarray | None = None  # rows x roles.ROLES probabilities; None: rules only
    when: When = field(default_factory=When)  # how the date was read
    # which vocabulary the receipt prints most ("de"), for later steps and the currency default
    language: LanguageGuess = field(default_factory=lambda: LanguageGuess(None, 0.0))


# English notes that the tax is inside the prices, as OCR reads them; every language's
# ("enthalten", "dont TVA", "IVA incluido") are the vocabulary's kind ``tax_included``
_INCLUSIVE = re.compile(
    r"INCL\w*\.?\s*(?:OF\s*)?(?:GST|SST|VAT|TAX)|(?:GST|SST|VAT|TAX)\s*(?:[\d.,]+\s*%\s*)?\(?\*?\s*(?:=\s*)?INC\w*|"
    r"(?:GST|TAX|VAT)\s*SUMMARY|PRICES?\s*INCLUSIVE|INC\.\s*GST|" + words("tax_included").pattern
)


def _taxes(totals: Totals, rows: list[Row], language: LanguageGuess) -> list[TaxLine]:
    text = "\n".join(row.text.upper() for row in rows)
    inclusive = bool(_INCLUSIVE.search(text))
    if not inclusive and totals.subtotal is not None and totals.total is not None:
        # subtotal == total means the tax was already inside the prices
        inclusive = totals.subtotal == totals.total.value and bool(totals.taxes)
    if not inclusive and language.language and language.language.prices_include_tax:
        inclusive = not _added_on_top(totals)  # EU shelf prices include VAT
    lines: list[TaxLine] = []
    for label, rate, amount in totals.taxes:
        if amount < 0:
            continue
        printed = _tax_label(label)
        lines.append(TaxLine(label=printed, rate=rate, amount=amount, inclusive=inclusive))
    return lines


# "enth. A MwSt 19%", "GST 6% incl.", "VAT 20% (* incl.)": the tax is named without the note
# that it is inside the prices (TaxLine.inclusive says so)
_INCLUSION_NOTE = re.compile(
    r"\(\s*\*?\s*(?:INCL?|INKL|INC)\.?\s*\)|(?<!\w)(?:ENTH|ENTHALTEN|INKL|INCL|INCLUDED|INCLUSIVE)\b\.?",
    re.IGNORECASE,
)


def _added_on_top(totals: Totals) -> bool:
    """The total is the subtotal plus the taxes: the tax was added (a restaurant's "TOTAL HT
    ... TVA ... TOTAL TTC")."""
    if totals.subtotal is None or totals.total is None or totals.subtotal == totals.total.value:
        return False
    taxes = sum((tax[2] for tax in totals.taxes), Decimal(0))
    return abs(totals.subtotal + taxes - totals.total.value) <= Decimal("0.02")


def _tax_label(label: str) -> str | None:
    name = _INCLUSION_NOTE.sub(" ", label)
    if re.fullmatch(r"\s*\(.*\)\s*", name):
        name = name.strip()[1:-1]  # "(INCL. 10% TAX)" -> "10% TAX"
    return re.sub(r"\s+", " ", name).strip(" :()") or None


def _payment(totals: Totals) -> Payment | None:
    if totals.tendered is None and totals.change is None and totals.card_last4 is None:
        return None
    method = PaymentMethod(totals.method) if totals.method else None
    return Payment(
        method=method,
        card_last4=totals.card_last4,
        tendered=totals.tendered,
        change=totals.change if totals.change is None or totals.change >= 0 else None,
    )


def _set(confidence: dict[str, float], name: str, value: object, score: float) -> None:
    if value not in (None, [], ""):
        confidence[name] = round(max(0.0, min(1.0, score)), 3)


def parse_lines(
    lines: list[TextLine],
    *,
    default_currency: str | None = None,
    lexicon: Lexicon | None = None,
    role_model: str | None = BUNDLED,
) -> ParsedReceipt:
    """``role_model``: the line-role classifier's model file ("bundled", a path), or None to
    read with the rules alone (what the classifier's training needs)."""
    rows = group_rows(lines)
    language = guess_language("\n".join(row.text for row in rows))
    currency = guess_currency(rows, default_currency=default_currency, language=language.language)
    header = find_header(rows)
    order = date_order(rows, currency=currency.code, country=currency.country)
    when = find_when(rows, order=order, language=language.code)
    number, number_confidence = find_receipt_number(rows)
    totals = find_totals(
        rows,
        decimal_comma=currency.decimal_comma,
        whole=currency.whole_amounts,
        minor=currency.minor_digits,
    )
    mils = currency.minor_digits == 3
    items = find_line_items(rows, currency=currency.code, whole=False if mils else None)
    rules = RuleView(
        name_row=header.name_row,
        address_rows=list(header.address_rows),
        date_row=printed_row(rows, when.date.text if when.date else None),
        total_row=printed_row(rows, totals.total.text, totals.total.start)
        if totals.total
        else None,
        items_first=items.first_row,
        items_last=items.last_row,
        header_end=body_start(rows),
    )
    features = row_feature_matrix(rows, rules, decimal_comma=currency.decimal_comma)
    roles = None
    total_row = rules.total_row
    if role_model is not None:
        roles = load_role_model(role_model).predict(features)
        header = merchant.apply_classifier(
            header, rows, roles, role_index("merchant"), legal_first=currency.code == "MYR"
        )
        total_row = total_choice.apply_classifier(
            totals,
            rows,
            roles,
            role_index("total"),
            rules.total_row,
            decimal_comma=currency.decimal_comma,
            minor=currency.minor_digits,
        )
    total = totals.total.value if totals.total else None
    if lexicon is not None and lexicon.applies_to(currency.code):
        if header.name:
            header.name = lexicon.mend(header.name)
        if header.address:
            header.address = lexicon.mend(header.address, split_glued=True)
    receipt = Receipt(
        merchant=Merchant(
            name=header.name, address=header.address, phone=header.phone, tax_id=header.tax_id
        ),
        receipt_number=number,
        date=when.date.value if when.date else None,
        time=when.time,
        currency=currency.code,
        line_items=items.items,
        subtotal=totals.subtotal or _items_subtotal(totals, items.items, total),
        taxes=_taxes(totals, rows, language),
        tip=totals.tip,
        service_charge=totals.service_charge,
        discounts=[
            Discount(description=label.strip(" :") or None, amount=amount)
            for label, amount in totals.discounts
        ],
        rounding=totals.rounding if totals.rounding else None,
        total=abs(total) if total is not None else None,
        payment=_payment(totals),
    )
    confidence: dict[str, float] = {}
    _set(confidence, "merchant.name", header.name, header.name_confidence)
    _set(confidence, "merchant.address", header.address, header.address_confidence)
    _set(confidence, "merchant.phone", header.phone, 0.8)
    _set(confidence, "merchant.tax_id", header.tax_id, 0.75)
    _set(confidence, "date", receipt.date, when.date_confidence)
    _set(confidence, "time", receipt.time, when.time_confidence)
    _set(confidence, "receipt_number", number, number_confidence)
    _set(confidence, "currency", currency.code, currency.confidence)
    _set(confidence, "total", total, _total_confidence(totals, items.items, rows))
    _set(confidence, "subtotal", totals.subtotal, 0.75)
    _set(confidence, "line_items", items.items, items.confidence)
    printed: dict[str, str] = {}
    if when.date:
        printed["date"] = when.date.text
    if when.time_text:
        printed["time"] = when.time_text
    if totals.total:
        printed["total"] = _printed_amount(totals.total)
    return ParsedReceipt(
        receipt=receipt,
        confidence=confidence,
        printed=printed,
        rows=rows,
        rules=rules,
        chosen=replace(rules, name_row=header.name_row, total_row=total_row),
        decimal_comma=currency.decimal_comma,
        row_features=features,
        roles=roles,
        language=language,
        when=when,
    )


def _items_subtotal(totals: Totals, items: list[LineItem], total: Decimal | None) -> Decimal | None:
    """No subtotal printed ("SUMME 23,70" with the VAT inside, or "Total Incl. GST 104.98" then
    "ROUNDING ADJ 0.02"): the items' sum is the subtotal when the total follows from it
    by what is printed after it (exclusive tax, service, tip, rounding, discounts)."""
    amounts = [item.amount for item in items if item.amount is not None]
    if total is None or not amounts or len(amounts) != len(items):
        return None
    items_sum = sum(amounts, Decimal(0))
    after = (totals.rounding or 0) + (totals.service_charge or 0) + (totals.tip or 0)
    after -= sum((amount for _, amount in totals.discounts), Decimal(0))
    taxes = sum((amount for _, _, amount in totals.taxes), Decimal(0))
    return items_sum if abs(total) in (items_sum + after, items_sum + after + taxes) else None


def _total_confidence(totals: Totals, items: list[LineItem], rows: list[Row]) -> float:
    """The total's own confidence, raised when the line items add up to it and lowered when
    OCR was unsure of the row it was read from."""
    score = totals.total_confidence
    if totals.total is None:
        return 0.0
    amounts = [item.amount for item in items if item.amount is not None]
    if amounts and len(amounts) == len(items):
        items_sum = sum(amounts, Decimal(0))
        extras = sum((t[2] for t in totals.taxes), Decimal(0)) + (totals.service_charge or 0)
        if totals.total.value in (items_sum, items_sum + extras):
            score = min(0.99, score + 0.1)
    found = totals.total
    printed_on = [row for row in rows if row.text[found.start : found.end] == found.text]
    if printed_on:
        score *= ocr_trust(printed_on[-1].confidence, len(found.text))
    return score


def _printed_amount(amount: AmountMatch) -> str:
    """The amount as printed, with its currency mark only when glued to it ("RM9.00"): a mark
    set apart ("RM 9.00", "9.00 RM") reads as a column label, and SROIE labels omit it."""
    text = amount.text.strip()
    mark = amount.mark
    if mark and not re.match(re.escape(mark) + r"\S", text):
        text = re.sub(r"\s+", " ", text.replace(mark, "", 1)).strip()
    return text
