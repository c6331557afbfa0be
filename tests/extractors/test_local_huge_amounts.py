"""An amount too long to be money on a receipt is not read as money, and never crashes."""

from __future__ import annotations

from decimal import Decimal

from local_receipts_support import Printed, lines_of

from receiptflow.extractors.local import LocalExtractor
from receiptflow.settings import Settings

HUGE = "1234567890123456789012.00"


def _extract(rows: list[Printed]) -> tuple[Decimal | None, list[Decimal]]:
    settings = Settings()
    result = LocalExtractor(settings.ocr, settings.local, settings.trust).extract_lines(
        lines_of(rows)
    )
    assert result.receipt is not None
    return result.receipt.total, [item.amount for item in result.receipt.line_items]


def test_a_huge_total_is_not_the_total() -> None:
    total, items = _extract(["CORNER SHOP", ("COFFEE", "4.00"), ("TOTAL", HUGE)])
    assert total != Decimal(HUGE) and items == [Decimal("4.00")]


def test_a_huge_total_on_one_line_and_a_huge_item() -> None:
    total, items = _extract(["CORNER SHOP", ("COFFEE", HUGE), f"TOTAL {HUGE}"])
    assert Decimal(HUGE) not in [total, *items]


def test_the_largest_amount_a_receipt_holds_is_still_read() -> None:
    largest = "999999999999.99"  # 12 whole digits: Receipt's Money (18 digits, 6 decimals)
    total, _ = _extract(["CORNER SHOP", ("GOLD BAR", largest), ("TOTAL", largest)])
    assert total == Decimal(largest)
