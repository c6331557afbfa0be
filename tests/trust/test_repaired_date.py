"""A date read only after undoing OCR's slips is never passed on the calibrator's word alone."""

from __future__ import annotations

import sys
from pathlib import Path

from receiptflow.extractors.local import LocalExtractor
from receiptflow.settings import Settings
from receiptflow.trust.calibrator import REPAIRED_DATE_CEILING
from receiptflow.trust.local_signals import FIELD_SIGNALS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "extractors"))
from local_receipts_support import lines_of  # noqa: E402


def _diner(date_row: str) -> list[tuple[str, ...] | str]:
    return [
        "MAPLE DINER",
        "12 MAIN ST",
        "SPRINGFIELD, IL 62704",
        date_row,
        ("1 PANCAKES", "8.50"),
        ("1 COFFEE", "2.25"),
        ("SUBTOTAL", "$10.75"),
        ("TAX", "$0.86"),
        ("TOTAL", "$11.61"),
    ]


def test_a_repaired_date_is_capped_and_its_repair_reaches_the_signals() -> None:
    settings = Settings()
    extractor = LocalExtractor(settings.ocr, settings.local)
    clean = extractor.assess(lines_of(_diner("Date: 07-03-2016 Time: 6:04PM")))
    slipped_lines = lines_of(_diner("Date: 07-03-201o Time: 6:04PM"))  # an o for the last digit
    slipped = extractor.assess(slipped_lines)
    repaired = FIELD_SIGNALS["date"].index("repaired")
    assert clean.parsed.when.repaired is False
    assert slipped.parsed.when.repaired is True
    assert slipped.signals["date"][repaired] == 1.0 != clean.signals["date"][repaired]
    result = extractor.extract_lines(slipped_lines)
    assert result.receipt is not None and result.receipt.date is not None
    assert result.confidence["date"] <= REPAIRED_DATE_CEILING
    # the same receipt printed cleanly keeps the calibrator's probability
    assert (
        extractor.extract_lines(lines_of(_diner("Date: 07-03-2016 Time: 6:04PM"))).confidence[
            "date"
        ]
        > REPAIRED_DATE_CEILING
    )
