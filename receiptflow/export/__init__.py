"""Exporters: stored receipts -> a file an accountant opens. One module per format plus one
line in ``EXPORTERS``; the CLI's ``--format`` choices and the web UI's download links come
from this dict."""

from __future__ import annotations

from collections.abc import Callable

from receiptflow.export.base import Exporter
from receiptflow.registry import load_entry

EXPORTERS: dict[str, str] = {
    "csv": "receiptflow.export.csv:CsvExporter",
    "json": "receiptflow.export.json:JsonExporter",
    "xero": "receiptflow.export.xero:XeroBillsExporter",
    "qbo": "receiptflow.export.qbo:QboBankExporter",
}


def get_exporter(name: str) -> Exporter:
    factory: Callable[[], Exporter] = load_entry("exporter", EXPORTERS, name)
    return factory()


__all__ = ["EXPORTERS", "Exporter", "get_exporter"]
