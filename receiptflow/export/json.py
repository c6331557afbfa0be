"""JSON: an array with one object per receipt (values, status, flags, confidence, document,
category and its account code). Money stays exact: decimals are written as strings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from receiptflow.books.chart import EMPTY_CHART, Chart

if TYPE_CHECKING:
    from receiptflow.storage.records import ReceiptRecord


def receipt_json(record: ReceiptRecord, chart: Chart | None = None) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    data["document"] = {
        "id": data.pop("document_id"),
        "sha256": data.pop("document_sha256"),
        "name": data.pop("document_name"),
    }
    # The receipt's own shape stays the schema's; codes sit beside it, per category used.
    codes = chart or EMPTY_CHART
    data["account_code"] = codes.code(record.category) or None
    used = {item.category for item in record.receipt.line_items if item.category}
    data["account_codes"] = {name: codes.code(name) or None for name in sorted(used)}
    return data


class JsonExporter:
    name = "json"
    media_type = "application/json"
    suffix = ".json"

    def is_available(self) -> bool:
        return True

    def export(
        self, receipts: Iterable[ReceiptRecord], out: TextIO, *, chart: Chart | None = None
    ) -> None:
        out.write("[")
        for index, record in enumerate(receipts):
            out.write(",\n" if index else "\n")
            out.write(json.dumps(receipt_json(record, chart), ensure_ascii=False, indent=2))
        out.write("\n]\n")
