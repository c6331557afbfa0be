"""Exporters: stored receipts -> a file an accountant opens. One module per format plus one
line in ``EXPORTERS``; the CLI's ``--format`` choices and the web UI's download links come
from this dict."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from receiptflow.export.base import Exporter
from receiptflow.registry import load_entry

if TYPE_CHECKING:
    from receiptflow.books.chart import Chart
    from receiptflow.storage.records import ReceiptRecord

EXPORTERS: dict[str, str] = {
    "csv": "receiptflow.export.csv:CsvExporter",
    "json": "receiptflow.export.json:JsonExporter",
    "xero": "receiptflow.export.xero:XeroBillsExporter",
    "qbo": "receiptflow.export.qbo:QboBankExporter",
}


def get_exporter(name: str) -> Exporter:
    factory: Callable[[], Exporter] = load_entry("exporter", EXPORTERS, name)
    return factory()


def export_text(name: str, receipts: Iterable[ReceiptRecord], chart: Chart | None = None) -> str:
    """The whole file as text: what a recorded export keeps and hands out again."""
    out = io.StringIO(newline="")
    get_exporter(name).export(receipts, out, chart=chart)
    return out.getvalue()


__all__ = ["EXPORTERS", "Exporter", "export_text", "get_exporter"]
