"""A date read only after undoing OCR's slips, or one the day printed beside it contradicts, is
never passed on the calibrator's word alone."""

from __future__ import annotations

import sys
from pathlib import Path

from receiptflow.extractors.base import ExtractionStatus
from receiptflow.extractors.local import LocalExtractor
from receiptflow.settings import Settings
from receiptflow.trust.calibrator import CONTRADICTED_CEILING, REPAIRED_DATE_CEILING, capped
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


def test_a_date_on_another_day_than_printed_is_flagged_and_capped() -> None:
    settings = Settings()
    extractor = LocalExtractor(settings.ocr, settings.local, settings.trust)
    # July 3rd 2016 was a Sunday
    right = extractor.extract_lines(lines_of(_diner("Sun 07-03-2016 6:04PM")))
    wrong = extractor.extract_lines(lines_of(_diner("Sat 07-03-2016 6:04PM")))
    assert right.receipt is not None and wrong.receipt is not None
    assert str(right.receipt.date) == str(wrong.receipt.date) == "2016-07-03"
    assert "weekday_mismatch" not in {flag.code for flag in right.flags}
    assert right.confidence["date"] > CONTRADICTED_CEILING
    assert wrong.status is ExtractionStatus.FLAGGED
    (flag,) = [flag for flag in wrong.flags if flag.code == "weekday_mismatch"]
    assert flag.field == "date" and "Saturday" in flag.message
    assert wrong.confidence["date"] <= CONTRADICTED_CEILING


def test_capped_lowers_only_the_contradicted_fields_it_has() -> None:
    found = capped({"date": 0.99, "total": 0.99}, {}, frozenset({"date", "merchant.name"}))
    assert found == {"date": CONTRADICTED_CEILING, "total": 0.99}
    assert capped({"date": 0.3}, {}, frozenset({"date"})) == {"date": 0.3}
