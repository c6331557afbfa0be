"""The receipt edit form: a Receipt as text fields and tables, and back again.

Input names are the same dotted paths flags use (``total``, ``merchant.name``,
``line_items.2.amount``), so each flag lands beside its input. A table row whose cells are all
blank, or whose remove box is ticked, is no row at all: that is how rows are removed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from receiptflow.books.chart import Chart
from receiptflow.schemas.receipt import PaymentMethod, Receipt
from receiptflow.storage import fits

TEXT_FIELDS = (
    "merchant.name",
    "merchant.address",
    "merchant.phone",
    "merchant.tax_id",
    "receipt_number",
    "currency",
    "payment.card_last4",
)
DECIMAL_FIELDS = (
    "subtotal",
    "tip",
    "service_charge",
    "rounding",
    "total",
    "payment.tendered",
    "payment.change",
)
HEADER_FIELDS = (*TEXT_FIELDS, "date", "time", "payment.method", *DECIMAL_FIELDS)
# table -> (columns, the decimal columns among them)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "line_items": (
        ("description", "quantity", "unit_price", "amount", "sku", "category"),
        ("quantity", "unit_price", "amount"),
    ),
    "taxes": (("label", "rate", "amount", "inclusive"), ("rate", "amount")),
    "discounts": (("description", "amount"), ("amount",)),
}
REMOVE = "_remove"
PAYMENT_METHODS = tuple(method.value for method in PaymentMethod)
_ROW_NAME = re.compile(r"^(line_items|taxes|discounts)\.(\d{1,4})\.(\w+)$")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_decimal(text: str) -> Decimal:
    """What a person types: ``12.30``, ``12,30`` (decimal comma), ``1,234.50``, ``-0.02``."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS.match(cleaned) and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and "." not in cleaned:
        if re.search(r",\d{3}$", cleaned):
            raise ValueError(f"{text!r} is ambiguous: write 1234 or 1.234")
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"{text!r} is not a number")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above rules this out
        raise ValueError(f"{text!r} is not a number") from exc


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, PaymentMethod):
        return value.value
    return str(value)


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


@dataclass
class ReceiptForm:
    values: dict[str, str] = field(default_factory=dict)  # header path -> text
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # table -> rows
    errors: dict[str, str] = field(default_factory=dict)  # path -> what is wrong

    @classmethod
    def from_receipt(cls, receipt: Receipt) -> ReceiptForm:
        data = receipt.model_dump()
        values = {path: _text(_lookup(data, path)) for path in HEADER_FIELDS}
        rows = {
            table: [{column: _text(row.get(column)) for column in columns} for row in data[table]]
            for table, (columns, _) in TABLES.items()
        }
        return cls(values=values, rows=rows)

    @classmethod
    def from_submitted(cls, form: Mapping[str, Any]) -> ReceiptForm:
        values = {path: str(form.get(path) or "") for path in HEADER_FIELDS}
        indexed: dict[str, dict[int, dict[str, str]]] = {table: {} for table in TABLES}
        for name, value in form.items():
            match = _ROW_NAME.match(str(name))
            if match is None:
                continue
            table, index, column = match.group(1), int(match.group(2)), match.group(3)
            if column in TABLES[table][0] or column == REMOVE:
                indexed[table].setdefault(index, {})[column] = str(value)
        rows = {
            table: [row for _, row in sorted(found.items()) if _kept(table, row)]
            for table, found in indexed.items()
        }
        return cls(values=values, rows=rows)

    def to_receipt(self, chart: Chart | None = None) -> Receipt | None:
        """The Receipt, or None with ``errors`` saying which inputs need fixing. With the
        ``chart``, a line item's category must be one of its accounts (stored as the chart
        names it): exports look the account code up by that name, so any other name would
        be booked without one."""
        self.errors = {}
        data: dict[str, Any] = {"merchant": {}, "payment": {}}
        for path in HEADER_FIELDS:
            self._put(data, path, self._convert(path, self.values.get(path, "")))
        for table, (columns, decimals) in TABLES.items():
            data[table] = [
                self._row(table, index, row, columns, decimals)
                for index, row in enumerate(self.rows.get(table, []))
            ]
        if chart is not None:
            self._charted(data["line_items"], chart)
        if not any(value is not None for value in data["payment"].values()):
            data["payment"] = None
        if self.errors:
            return None
        try:
            receipt = Receipt.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                path = ".".join(str(part) for part in error["loc"])
                self.errors.setdefault(path or "receipt", error["msg"])
            return None
        # What the database could not hold is the reviewer's to fix, beside the input.
        self.errors.update(fits.problems(receipt))
        return None if self.errors else receipt

    def _row(
        self,
        table: str,
        index: int,
        row: Mapping[str, str],
        columns: tuple[str, ...],
        decimals: tuple[str, ...],
    ) -> dict[str, Any]:
        converted: dict[str, Any] = {}
        for column in columns:
            text = row.get(column, "").strip()
            path = f"{table}.{index}.{column}"
            if column == "inclusive":
                converted[column] = bool(text)
            elif column in decimals:
                converted[column] = self._decimal(path, text)
            else:
                converted[column] = text or None
        if table == "line_items" and converted["description"] is None:
            self.errors[f"{table}.{index}.description"] = "a line item needs a description"
        return converted

    def _charted(self, items: list[dict[str, Any]], chart: Chart) -> None:
        for index, item in enumerate(items):
            category = item.get("category")
            account = chart.account(category)
            if account is not None:
                item["category"] = account.name
            elif category is not None:
                self.errors[f"line_items.{index}.category"] = (
                    f"{category!r} is not in the chart of accounts, so it would be exported "
                    "without an account code: choose one of its categories or none"
                )

    def _convert(self, path: str, text: str) -> Any:
        text = text.strip()
        if not text:
            return None
        if path in DECIMAL_FIELDS:
            return self._decimal(path, text)
        if path == "date":
            return self._parsed(path, text, dt.date.fromisoformat, "a date such as 2024-03-14")
        if path == "time":
            return self._parsed(path, text, dt.time.fromisoformat, "a time such as 14:05")
        if path == "payment.method" and text not in PAYMENT_METHODS:
            self.errors[path] = f"choose one of {', '.join(PAYMENT_METHODS)}"
            return None
        return text

    def _decimal(self, path: str, text: str) -> Decimal | None:
        if not text:
            return None
        try:
            return parse_decimal(text)
        except ValueError as exc:
            self.errors[path] = str(exc)
            return None

    def _parsed(self, path: str, text: str, parse: Any, example: str) -> Any:
        try:
            return parse(text)
        except ValueError:
            self.errors[path] = f"{text!r} is not {example}"
            return None

    @staticmethod
    def _put(data: dict[str, Any], path: str, value: Any) -> None:
        head, _, tail = path.partition(".")
        if tail:
            data[head][tail] = value
        else:
            data[head] = value


def _kept(table: str, row: Mapping[str, str]) -> bool:
    if row.get(REMOVE):
        return False
    columns = TABLES[table][0]
    return any(row.get(column, "").strip() for column in columns if column != "inclusive")
