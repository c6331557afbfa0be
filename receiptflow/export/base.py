"""The exporter contract."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, TextIO, runtime_checkable

if TYPE_CHECKING:
    from receiptflow.books.chart import Chart
    from receiptflow.storage.records import ReceiptRecord


@runtime_checkable
class Exporter(Protocol):
    name: str
    media_type: str  # for HTTP downloads, e.g. "text/csv"
    suffix: str  # file name extension, e.g. ".csv"

    def is_available(self) -> bool: ...

    def export(
        self, receipts: Iterable[ReceiptRecord], out: TextIO, *, chart: Chart | None = None
    ) -> None:
        """Write the receipts to ``out`` (a text stream opened with ``newline=""``); ``chart``
        turns categories into account codes and tax types (none: those columns stay empty)."""
        ...
