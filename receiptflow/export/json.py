"""JSON: an array with one object per receipt (values, status, flags, confidence, document).
Money stays exact: decimals are written as strings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from receiptflow.storage.records import ReceiptRecord


def receipt_json(record: ReceiptRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    data["document"] = {
        "id": data.pop("document_id"),
        "sha256": data.pop("document_sha256"),
        "name": data.pop("document_name"),
    }
    return data


class JsonExporter:
    name = "json"
    media_type = "application/json"
    suffix = ".json"

    def is_available(self) -> bool:
        return True

    def export(self, receipts: Iterable[ReceiptRecord], out: TextIO) -> None:
        out.write("[")
        for index, record in enumerate(receipts):
            out.write(",\n" if index else "\n")
            out.write(json.dumps(receipt_json(record), ensure_ascii=False, indent=2))
        out.write("\n]\n")
