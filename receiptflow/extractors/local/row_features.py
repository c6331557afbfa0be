"""What the line-role classifier sees of each printed row: layout, shape, words, the rules.

One vector per visual row (``layout.Row``): where it sits on the page (position, alignment,
text height), what it looks like (amounts, dates, letters, digits), which vocabulary it hits
(total, change, tax, address, legal suffix, ...) and what the hand-written rules already
decided about it (the merchant row, the items region, the total row). The same function serves
training (``scripts/train_models.py``) and extraction, so the two can never drift apart.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from receiptflow.extractors.local import money_labels as words
from receiptflow.extractors.local.header_rules import (
    ADDRESS_WORD,
    LEGAL,
    PHONE,
    STOP,
    TAX_ID,
    TITLE,
    TRADE,
    has_postcode_town,
)
from receiptflow.extractors.local.items_tokens import HEADER_WORDS
from receiptflow.extractors.local.layout import Row
from receiptflow.schemas.parsing import AmountMatch, find_amounts, find_dates, find_time


@dataclass
class RuleView:
    """What the rules decided, by row index: the classifier's strongest hints."""

    name_row: int | None = None
    address_rows: list[int] = field(default_factory=list)
    date_row: int | None = None
    total_row: int | None = None
    items_first: int | None = None
    items_last: int | None = None
    header_end: int = 0  # first row past the header block


_KEYWORDS: dict[str, re.Pattern[str]] = {
    "kw_total": words.TOTAL,
    "kw_grand": words.GRAND,
    "kw_rounded_total": words.ROUNDED_TOTAL,
    "kw_subtotal": words.SUBTOTAL,
    "kw_tax": words.TAX,
    "kw_tax_not": words.TAX_NOT,
    "kw_service": words.SERVICE,
    "kw_tip": words.TIP,
    "kw_discount": words.DISCOUNT,
    "kw_change": words.CHANGE,
    "kw_card": words.CARD,
    "kw_mobile": words.MOBILE,
    "kw_cash": words.CASH,
    "kw_rounding": words.ROUNDING,
    "kw_summary": words.SUMMARY,
    "kw_count": words.NOT_MONEY,
    "kw_legal": LEGAL,
    "kw_trade": TRADE,
    "kw_address": ADDRESS_WORD,
    "kw_stop": STOP,
    "kw_title": TITLE,
}
_DATE_LABEL = re.compile(r"(?<![A-Z])(?:DATE|DATUM|FECHA|DATA|TARIKH|TGL|DT)(?![A-Z])")
_THANKS = re.compile(r"THANK|DANKE|MERCI|GRACIAS|GRAZIE|BEDANKT|OBRIGAD|TERIMA|WELCOME|AGAIN")
_PEOPLE = re.compile(r"CASHIER|SERVER|WAITER|TABLE|TISCH|KASSIER|BEDIENT|OPERATOR|STAFF|GUEST")
_MULTIPLY = re.compile(r"\d\s*[xX×@*]\s*\d|\d\s*[xX×]\s|@\s*\d")
_WEIGHT = re.compile(r"\d\s*(?:KG|G|LB|L)\b|/\s*(?:KG|LB|L)\b", re.IGNORECASE)
_LONG_DIGITS = re.compile(r"\d{6,}")
_CURRENCY = re.compile(r"[$€£¥]|(?<![A-Z])(?:RM|EUR|EURO|USD|GBP|MYR|IDR|RP)(?![A-Z])")

_CONTEXT = ("has_amount", "kw_total", "kw_subtotal", "kw_tax", "kw_change", "kw_cash", "in_items")


def _row_names() -> list[str]:
    names = [
        "y_rel",
        "top_rel",
        "left_rel",
        "right_rel",
        "width_rel",
        "centre_offset",
        "height_rel",
        "gap_above",
        "gap_below",
        "cells",
        "chars",
        "words",
        "letters",
        "digits",
        "upper",
        "amounts",
        "has_amount",
        "amount_at_end",
        "amount_is_max",
        "amount_rank",
        "amount_repeats",
        "amount_negative",
        "has_date",
        "has_time",
        "has_percent",
        "has_multiply",
        "has_weight",
        "has_long_digits",
        "has_phone",
        "has_tax_id",
        "has_currency",
        "has_postcode_town",
        "kw_date",
        "kw_thanks",
        "kw_people",
        "header_words",
        *_KEYWORDS,
        "rule_name",
        "rule_address",
        "rule_date",
        "rule_total",
        "in_items",
        "before_items",
        "after_items",
        "in_header",
        "to_total_row",
        "ocr_confidence",
    ]
    for side in ("prev", "next"):
        names += [f"{side}_{name}" for name in _CONTEXT]
    return names


FEATURE_NAMES: tuple[str, ...] = tuple(_row_names())


def _amounts(text: str, decimal_comma: bool | None) -> list[AmountMatch]:
    return [a for a in find_amounts(text, decimal_comma=decimal_comma) if a.decimals in (2, 3)]


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def row_feature_matrix(
    rows: list[Row], rules: RuleView, *, decimal_comma: bool | None = None
) -> np.ndarray:
    """One row of ``FEATURE_NAMES`` per visual row (float32)."""
    if not rows:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    left = min(row.left for row in rows)
    right = max(row.right for row in rows)
    top = min(row.top for row in rows)
    bottom = max(row.bottom for row in rows)
    width, height = max(right - left, 1.0), max(bottom - top, 1.0)
    line_height = statistics.median(cell.height for row in rows for cell in row.cells) or 1.0
    amounts = [_amounts(row.text, decimal_comma) for row in rows]
    values = [abs(a.value) for found in amounts for a in found]
    largest = max(values, default=Decimal(0))
    ranked = sorted(set(values), reverse=True)
    count = len(rows)
    base: list[dict[str, float]] = []
    for index, row in enumerate(rows):
        text = row.text
        upper = text.upper()
        found = amounts[index]
        last = found[-1] if found else None
        letters = sum(char.isalpha() for char in text)
        features: dict[str, float] = {
            "y_rel": index / max(count - 1, 1),
            "top_rel": (row.top - top) / height,
            "left_rel": (row.left - left) / width,
            "right_rel": (row.right - left) / width,
            "width_rel": (row.right - row.left) / width,
            "centre_offset": abs((row.left + row.right) / 2 - (left + right) / 2) / width,
            "height_rel": (row.bottom - row.top) / line_height,
            "gap_above": (row.top - rows[index - 1].bottom) / line_height if index else 5.0,
            "gap_below": (rows[index + 1].top - row.bottom) / line_height
            if index + 1 < count
            else 5.0,
            "cells": len(row.cells),
            "chars": len(text),
            "words": len(text.split()),
            "letters": _share(letters, len(text)),
            "digits": _share(sum(char.isdigit() for char in text), len(text)),
            "upper": _share(sum(char.isupper() for char in text), letters),
            "amounts": len(found),
            "has_amount": float(bool(found)),
            "amount_at_end": float(last is not None and not text[last.end :].strip(" *ABCTFS")),
            "amount_is_max": float(last is not None and abs(last.value) == largest),
            "amount_rank": (ranked.index(abs(last.value)) + 1) / len(ranked) if last else 0.0,
            "amount_repeats": float(values.count(abs(last.value)) - 1) if last else 0.0,
            "amount_negative": float(last is not None and last.value < 0),
            "has_date": float(bool(find_dates(text))),
            "has_time": float(find_time(text) is not None),
            "has_percent": float("%" in text),
            "has_multiply": float(bool(_MULTIPLY.search(text))),
            "has_weight": float(bool(_WEIGHT.search(text))),
            "has_long_digits": float(bool(_LONG_DIGITS.search(text))),
            "has_phone": float(bool(PHONE.search(text))),
            "has_tax_id": float(bool(TAX_ID.search(text))),
            "has_currency": float(bool(_CURRENCY.search(upper))),
            "has_postcode_town": float(has_postcode_town(upper)),
            "kw_date": float(bool(_DATE_LABEL.search(upper))),
            "kw_thanks": float(bool(_THANKS.search(upper))),
            "kw_people": float(bool(_PEOPLE.search(upper))),
            "header_words": float(
                sum(word.strip(":") in HEADER_WORDS for word in upper.split()) >= 2
            ),
        }
        for name, pattern in _KEYWORDS.items():
            features[name] = float(bool(pattern.search(upper)))
        features.update(_rule_features(index, rules))
        features["ocr_confidence"] = row.confidence
        base.append(features)
    for index, features in enumerate(base):
        for side, other in (("prev", index - 1), ("next", index + 1)):
            for name in _CONTEXT:
                features[f"{side}_{name}"] = base[other][name] if 0 <= other < count else -1.0
    return np.array([[f[name] for name in FEATURE_NAMES] for f in base], dtype=np.float32)


def _rule_features(index: int, rules: RuleView) -> dict[str, float]:
    first, last = rules.items_first, rules.items_last
    in_items = first is not None and last is not None and first <= index <= last
    return {
        "rule_name": float(index == rules.name_row),
        "rule_address": float(index in rules.address_rows),
        "rule_date": float(index == rules.date_row),
        "rule_total": float(index == rules.total_row),
        "in_items": float(in_items),
        "before_items": float(first is not None and index < first),
        "after_items": float(last is not None and index > last),
        "in_header": float(index < rules.header_end),
        "to_total_row": float(np.clip(index - rules.total_row, -20, 20))
        if rules.total_row is not None
        else -30.0,
    }


def printed_row(rows: list[Row], text: str | None, start: int | None = None) -> int | None:
    """Index of the last row printing ``text`` (at ``start`` when given), or None."""
    if not text:
        return None
    found = None
    for index, row in enumerate(rows):
        if start is not None and row.text[start : start + len(text)] == text:
            found = index
        elif start is None and text in row.text:
            found = index if found is None else found
    return found
