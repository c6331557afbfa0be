"""How an extraction is shown: the JSON object scripts rely on, and a readable table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from receiptflow.extractors.base import ExtractionResult
from receiptflow.ingest.document import Document


def result_object(document: Document, result: ExtractionResult) -> dict[str, Any]:
    """``{"source", "extractor", "receipt", "flags", "confidence"}`` plus status and usage.

    The first five keys are the contract of ``receiptflow extract``; later keys only extend it.
    """
    return {
        "source": {
            "path": str(document.path),
            "sha256": document.sha256,
            "pages": len(document.pages),
        },
        "extractor": result.method,
        "receipt": result.receipt.model_dump(mode="json") if result.receipt else None,
        "flags": [flag.model_dump(mode="json") for flag in result.flags],
        "confidence": result.confidence,
        "status": result.status.value,
        "errors": result.errors,
        "evidence": result.evidence,
        "model": result.model,
        "usage": result.usage.model_dump(mode="json"),
        "timings": {name: round(seconds, 3) for name, seconds in result.timings.items()},
        # cascade: why each stage passed over was not accepted (None when none was)
        "escalated_because": result.escalated_because,
    }


def summary_table(rows: list[tuple[Path, ExtractionResult]]) -> Table:
    table = Table(title="receiptflow extract", show_lines=False)
    table.add_column("file", no_wrap=True)
    table.add_column("merchant", overflow="fold", max_width=28)
    table.add_column("date", no_wrap=True)
    table.add_column("items", justify="right")
    table.add_column("total", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("flags", overflow="fold")
    for path, result in rows:
        receipt = result.receipt
        merchant = receipt.merchant.name if receipt else None
        total = (
            f"{receipt.total} {receipt.currency or ''}".strip()
            if receipt and receipt.total
            else "-"
        )
        status_style = {"ok": "green", "flagged": "yellow", "failed": "red"}[result.status.value]
        flags = ", ".join(flag.code for flag in result.flags if flag.severity != "info")
        table.add_row(
            path.name,
            merchant or "-",
            str(receipt.date) if receipt and receipt.date else "-",
            str(len(receipt.line_items)) if receipt else "-",
            total,
            f"[{status_style}]{result.status.value}[/]",
            flags or "-",
        )
    return table
