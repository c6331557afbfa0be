"""What the ``local`` extractor knows about how far to trust each key field: the calibrator's
inputs.

Per field, a fixed list of numbers drawn from the reading itself: the rules' own confidence
(which encodes how the value was found: a TOTAL label beside it, the rounding row, cash minus
change), the features of the row it was read from (OCR confidence, position, the words on it),
the competition (how many other rows claim to be the total, how many different dates are
printed), and the arithmetic (do the items add up to it, does the total equation hold, which
validation flags stand). ``FIELD_SIGNALS`` names them in order; the calibrator's model file
repeats the names, so a mismatch is caught when it loads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from receiptflow.extractors.local.layout import Row
from receiptflow.extractors.local.row_features import FEATURE_NAMES, RuleView
from receiptflow.schemas.flags import Flag, Severity
from receiptflow.schemas.parsing import find_amounts, find_dates
from receiptflow.schemas.receipt import Receipt
from receiptflow.schemas.validation import items_sum
from receiptflow.trust.total_rivals import RIVAL_SIGNALS, last_amounts, rival_signals

# Row features copied from the row a field was read from (``row_features.FEATURE_NAMES``)
_ROW = (
    "y_rel",
    "left_rel",
    "right_rel",
    "height_rel",
    "letters",
    "upper",
    "amounts",
    "amount_is_max",
    "amount_repeats",
    "has_date",
    "has_time",
    "has_currency",
    "kw_total",
    "kw_grand",
    "kw_subtotal",
    "kw_tax",
    "kw_cash",
    "kw_change",
    "kw_card",
    "kw_tip",
    "kw_legal",
    "kw_trade",
    "kw_address",
    "kw_date",
    "kw_people",
    "ocr_confidence",
)
_COMMON = ("rows", "items", "has_currency_code", "error_flags", "ocr_min", "ocr_median")

FIELD_SIGNALS: dict[str, tuple[str, ...]] = {
    "total": (
        "found",
        "rule_confidence",
        "role_probability",
        "role_best_elsewhere",
        *(f"row_{name}" for name in _ROW),
        "total_rows",
        "total_values",
        "items_add_up",
        "equation_holds",
        "cash_minus_change",
        "printed_times",
        "is_largest",
        *RIVAL_SIGNALS,
        "field_flags",
        *_COMMON,
    ),
    "date": (
        "found",
        "rule_confidence",
        "role_probability",
        "role_best_elsewhere",
        *(f"row_{name}" for name in _ROW),
        "dates_printed",
        "distinct_dates",
        "ambiguous",
        "order_certainty",
        "repaired",
        "month_name",
        "two_digit_year",
        "future",
        "before_2000",
        "field_flags",
        *_COMMON,
    ),
    "merchant.name": (
        "found",
        "rule_confidence",
        "role_probability",
        "role_best_elsewhere",
        *(f"row_{name}" for name in _ROW),
        "length",
        "words",
        "row_index",
        "field_flags",
        *_COMMON,
    ),
    "subtotal": (
        "found",
        "items_add_up",
        "equation_holds",
        "field_flags",
        *_COMMON,
    ),
    "taxes": (
        "found",
        "count",
        "with_rate",
        "rate_fits",
        "inclusive",
        "field_flags",
        *_COMMON,
    ),
    "line_items": (
        "found",
        "rule_confidence",
        "count",
        "add_up_to_subtotal",
        "add_up_to_total",
        "lines_consistent",
        "field_flags",
        *_COMMON,
    ),
}


@dataclass
class Reading:
    """One local extraction as the calibrator sees it."""

    rows: list[Row]
    rules: RuleView
    row_features: np.ndarray  # row_features.row_feature_matrix(rows, rules)
    receipt: Receipt
    flags: list[Flag]
    rule_confidence: dict[str, float]
    evidence: dict[str, str]
    roles: np.ndarray | None = None  # the line-role classifier's probabilities, rows x ROLES
    order_certainty: float = 1.0  # how sure the day/month order of an ambiguous date is
    date_repaired: bool = False  # the date was read only after undoing OCR slips


def _row(reading: Reading, index: int | None) -> dict[str, float]:
    if index is None or not len(reading.row_features):
        return {f"row_{name}": -1.0 for name in _ROW}
    values = reading.row_features[index]
    return {f"row_{name}": float(values[FEATURE_NAMES.index(name)]) for name in _ROW}


def _role(reading: Reading, index: int | None, role: str) -> dict[str, float]:
    """The classifier's probability that the field's row has ``role``, and the highest
    probability of that role on any other row (a rival)."""
    if reading.roles is None or not len(reading.roles):
        return {"role_probability": -1.0, "role_best_elsewhere": -1.0}
    from receiptflow.extractors.local.roles import role_index

    column = reading.roles[:, role_index(role)]
    mine = float(column[index]) if index is not None else 0.0
    others = np.delete(column, index) if index is not None else column
    return {
        "role_probability": mine,
        "role_best_elsewhere": float(others.max()) if len(others) else 0.0,
    }


def _field_flags(flags: list[Flag], prefix: str) -> float:
    return float(
        sum(
            flag.severity is Severity.ERROR and (flag.field or "").startswith(prefix)
            for flag in flags
        )
    )


def _common(reading: Reading) -> dict[str, float]:
    confidences = [row.confidence for row in reading.rows] or [0.0]
    return {
        "rows": float(len(reading.rows)),
        "items": float(len(reading.receipt.line_items)),
        "has_currency_code": float(reading.receipt.currency is not None),
        "error_flags": float(sum(flag.severity is Severity.ERROR for flag in reading.flags)),
        "ocr_min": float(min(confidences)),
        "ocr_median": float(np.median(confidences)),
    }


def _total_signals(reading: Reading) -> dict[str, float]:
    receipt, total = reading.receipt, reading.receipt.total
    index = reading.rules.total_row
    values = [abs(a.value) for row in reading.rows for a in find_amounts(row.text)]
    claims = [
        i
        for i, row in enumerate(reading.row_features)
        if row[FEATURE_NAMES.index("kw_total")] or row[FEATURE_NAMES.index("kw_grand")]
        if row[FEATURE_NAMES.index("has_amount")]
    ]
    last = last_amounts(reading)
    claimed = {amount for i in claims if (amount := last[i]) is not None}
    items = items_sum(receipt)
    payment = receipt.payment
    paid = None
    if payment is not None and payment.tendered is not None and payment.change is not None:
        paid = payment.tendered - payment.change
    equation = not any(
        flag.code in {"total_mismatch", "items_vs_total"} for flag in reading.flags
    ) and (receipt.subtotal is not None or items is not None)
    return {
        "found": float(total is not None),
        "rule_confidence": reading.rule_confidence.get("total", 0.0),
        **_role(reading, index, "total"),
        **_row(reading, index),
        "total_rows": float(len(claims)),
        "total_values": float(len(claimed)),
        "items_add_up": float(items is not None and total is not None and items == total),
        "equation_holds": float(total is not None and equation),
        "cash_minus_change": (-1.0 if paid is None or total is None else float(paid == total)),
        "printed_times": float(values.count(total)) if total is not None else 0.0,
        "is_largest": float(total is not None and bool(values) and total >= max(values)),
        **rival_signals(reading, index, claims, last),
        "field_flags": _field_flags(reading.flags, "total"),
    }


_NUMERIC_DATE = re.compile(r"(\d{1,2})\D(\d{1,2})\D(\d{2,4})")


def _date_signals(reading: Reading, today: dt.date) -> dict[str, float]:
    date = reading.receipt.date
    printed = reading.evidence.get("date", "")
    dates = [match for row in reading.rows for match in find_dates(row.text)]
    numeric = _NUMERIC_DATE.search(printed)
    ambiguous = bool(numeric) and all(int(part) <= 12 for part in numeric.groups()[:2])  # type: ignore[union-attr]
    ambiguous = ambiguous and numeric.group(1) != numeric.group(2)  # type: ignore[union-attr]
    return {
        "found": float(date is not None),
        "rule_confidence": reading.rule_confidence.get("date", 0.0),
        **_role(reading, reading.rules.date_row, "date"),
        **_row(reading, reading.rules.date_row),
        "dates_printed": float(len(dates)),
        "distinct_dates": float(len({match.value for match in dates})),
        "ambiguous": float(ambiguous),
        "order_certainty": reading.order_certainty,
        "repaired": float(reading.date_repaired),
        "month_name": float(bool(re.search(r"[A-Za-z]{3}", printed))),
        "two_digit_year": float(bool(numeric) and len(numeric.group(3)) == 2),  # type: ignore[union-attr]
        "future": float(date is not None and date > today),
        "before_2000": float(date is not None and date.year < 2000),
        "field_flags": _field_flags(reading.flags, "date"),
    }


def _merchant_signals(reading: Reading) -> dict[str, float]:
    name = reading.receipt.merchant.name or ""
    index = reading.rules.name_row
    return {
        "found": float(bool(name)),
        "rule_confidence": reading.rule_confidence.get("merchant.name", 0.0),
        **_role(reading, index, "merchant"),
        **_row(reading, index),
        "length": float(len(name)),
        "words": float(len(name.split())),
        "row_index": float(index) if index is not None else -1.0,
        "field_flags": _field_flags(reading.flags, "merchant"),
    }


def _subtotal_signals(reading: Reading) -> dict[str, float]:
    receipt = reading.receipt
    items = items_sum(receipt)
    return {
        "found": float(receipt.subtotal is not None),
        "items_add_up": float(items is not None and items == receipt.subtotal),
        "equation_holds": float(
            receipt.subtotal is not None
            and receipt.total is not None
            and not any(flag.code == "total_mismatch" for flag in reading.flags)
        ),
        "field_flags": _field_flags(reading.flags, "subtotal"),
    }


def _tax_signals(reading: Reading) -> dict[str, float]:
    taxes = reading.receipt.taxes
    return {
        "found": float(bool(taxes)),
        "count": float(len(taxes)),
        "with_rate": float(sum(tax.rate is not None for tax in taxes)),
        "rate_fits": float(
            bool(taxes) and not any(flag.code == "tax_rate_mismatch" for flag in reading.flags)
        ),
        "inclusive": float(any(tax.inclusive for tax in taxes)),
        "field_flags": _field_flags(reading.flags, "taxes"),
    }


def _items_signals(reading: Reading) -> dict[str, float]:
    receipt = reading.receipt
    items = items_sum(receipt)
    consistent = sum(
        1
        for item in receipt.line_items
        if item.quantity is not None
        and item.unit_price is not None
        and item.amount is not None
        and abs(item.quantity * item.unit_price - item.amount) <= Decimal("0.01")
    )
    return {
        "found": float(bool(receipt.line_items)),
        "rule_confidence": reading.rule_confidence.get("line_items", 0.0),
        "count": float(len(receipt.line_items)),
        "add_up_to_subtotal": float(items is not None and items == receipt.subtotal),
        "add_up_to_total": float(items is not None and items == receipt.total),
        "lines_consistent": consistent / len(receipt.line_items) if receipt.line_items else 0.0,
        "field_flags": _field_flags(reading.flags, "line_items"),
    }


def local_signals(reading: Reading, today: dt.date | None = None) -> dict[str, np.ndarray]:
    """Per key field, its signals as a vector in ``FIELD_SIGNALS`` order."""
    today = today or dt.date.today()
    common = _common(reading)
    named = {
        "total": _total_signals(reading),
        "date": _date_signals(reading, today),
        "merchant.name": _merchant_signals(reading),
        "subtotal": _subtotal_signals(reading),
        "taxes": _tax_signals(reading),
        "line_items": _items_signals(reading),
    }
    return {
        field: np.array(
            [(values | common)[name] for name in FIELD_SIGNALS[field]], dtype=np.float64
        )
        for field, values in named.items()
    }
