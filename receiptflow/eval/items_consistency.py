"""Internal consistency of the local item step on SROIE, which has no item labels.

For each receipt (ground-truth boxes -> ``group_rows`` -> ``find_line_items``, MYR) we check
whether the items' amounts add up to an amount printed below them (subtotal / total), whether
they add up to the labelled SROIE total, and whether each item's count x unit price = amount.
The first check is also what raises ``ItemsResult.confidence``, so the report splits the
labelled-total agreement by confidence to show whether that confidence means something.

Run: ``python -m receiptflow.eval.items_consistency /path/to/sroie-dev [--limit N]``
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from receiptflow.eval.sroie import list_samples, read_box_lines
from receiptflow.extractors.local.items import ItemsResult, find_line_items
from receiptflow.extractors.local.layout import Row, group_rows
from receiptflow.schemas.parsing import find_amounts, parse_money

CONFIDENT = 0.9


@dataclass
class ConsistencyReport:
    receipts: int = 0
    with_items: int = 0
    items: int = 0
    sum_printed_below: int = 0  # items add up to an amount printed after them
    sum_labelled_total: int = 0  # items add up to the SROIE "total" label
    arithmetic_checked: int = 0
    arithmetic_right: int = 0  # count x unit price == amount
    confident: int = 0
    confident_and_total: int = 0
    unsure_and_total: int = 0

    def add(self, result: ItemsResult, rows: list[Row], labelled_total: Decimal | None) -> None:
        self.receipts += 1
        if not result.items:
            return
        self.with_items += 1
        self.items += len(result.items)
        amounts = [item.amount for item in result.items if item.amount is not None]
        items_sum = sum(amounts, Decimal(0))
        below = rows[(result.last_row or 0) + 1 :]
        printed = {match.value for row in below for match in find_amounts(row.text)}
        self.sum_printed_below += items_sum in printed
        matches_label = labelled_total is not None and items_sum == labelled_total
        self.sum_labelled_total += matches_label
        confident = result.confidence >= CONFIDENT
        self.confident += confident
        self.confident_and_total += confident and matches_label
        self.unsure_and_total += (not confident) and matches_label
        for item in result.items:
            if None not in (item.quantity, item.unit_price, item.amount):
                self.arithmetic_checked += 1
                product = item.quantity * item.unit_price  # type: ignore[operator]
                self.arithmetic_right += abs(product - item.amount) <= Decimal("0.01")  # type: ignore[operator]

    def to_dict(self) -> dict[str, Any]:
        unsure = self.with_items - self.confident
        return {
            "dataset": "sroie",
            "receipts": self.receipts,
            "receipts_with_items": self.with_items,
            "items": self.items,
            "share_sum_equals_printed_amount_below": _share(
                self.sum_printed_below, self.with_items
            ),
            "share_sum_equals_labelled_total": _share(self.sum_labelled_total, self.with_items),
            "share_items_count_x_unit_equals_amount": _share(
                self.arithmetic_right, self.arithmetic_checked
            ),
            f"confidence>={CONFIDENT}": {
                "receipts": self.confident,
                "share_sum_equals_labelled_total": _share(self.confident_and_total, self.confident),
            },
            f"confidence<{CONFIDENT}": {
                "receipts": unsure,
                "share_sum_equals_labelled_total": _share(self.unsure_and_total, unsure),
            },
        }


def check_sroie_items(directory: Path, limit: int | None = None) -> ConsistencyReport:
    report = ConsistencyReport()
    for sample in list_samples(directory, ocr_boxes=True, limit=limit):
        rows = group_rows(read_box_lines(sample.box_path))
        result = find_line_items(rows, currency="MYR")
        total = parse_money(sample.labels.get("total", "") or "")
        report.add(result, rows, total)
    return report


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="SROIE folder with box/ and entities/")
    parser.add_argument("--limit", type=int, default=None)
    arguments = parser.parse_args()
    report = check_sroie_items(arguments.directory, arguments.limit)
    print(json.dumps(report.to_dict(), indent=2))


if __name__ == "__main__":
    main()
