"""Text lines -> Receipt with per-field confidence. (Being filled in; see fields/items modules.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from receiptflow.ingest.document import TextLine
from receiptflow.schemas.receipt import Receipt


@dataclass
class ParsedReceipt:
    receipt: Receipt
    confidence: dict[str, float] = field(default_factory=dict)


def parse_lines(lines: list[TextLine], *, default_currency: str | None = None) -> ParsedReceipt:
    raise NotImplementedError("local parser is being written")
