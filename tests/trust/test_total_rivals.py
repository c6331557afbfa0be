"""The total's rivals reach the calibrator: close claims, larger claims above, what the card
paid, what the items and taxes add up to."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from receiptflow.extractors.local import LocalExtractor
from receiptflow.settings import Settings
from receiptflow.trust.local_signals import FIELD_SIGNALS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "extractors"))
from local_receipts_support import Printed, lines_of  # noqa: E402


def _signals(rows: list[Printed]) -> tuple[str | None, dict[str, float]]:
    settings = Settings()
    assessment = LocalExtractor(settings.ocr, settings.local, check_models=False).assess(
        lines_of(rows)
    )
    values: np.ndarray = assessment.signals["total"]
    total = assessment.parsed.receipt.total
    return (str(total) if total is not None else None), dict(
        zip(FIELD_SIGNALS["total"], values.tolist(), strict=True)
    )


HEAD: list[Printed] = ["MAPLE DINER", "12 MAIN ST", "SPRINGFIELD, IL 62704", "07/03/2016 6:04PM"]


def test_a_total_the_card_paid_and_no_rival() -> None:
    total, signals = _signals(
        [
            *HEAD,
            ("1 PANCAKES", "8.50"),
            ("1 COFFEE", "2.25"),
            ("SUBTOTAL", "10.75"),
            ("TAX", "0.86"),
            ("TOTAL", "11.61"),
            ("VISA", "11.61"),
        ]
    )
    assert total == "11.61"
    assert signals["payment_rows_agree"] == 1.0
    assert signals["payment_rows_differ"] == 0.0
    assert signals["rival_adds_up"] == 0.0
    assert signals["larger_claim_above"] == 0.0
    assert 0.0 <= signals["rival_role"] < 1.0


def test_a_total_with_a_close_rival_that_the_items_add_up_to() -> None:
    # which row the rules take is theirs to decide; the signals must say the other one is close
    # and, when the rules took the 63.90, that the items and tax add up to the 63.92 above it
    total, signals = _signals(
        [
            *HEAD,
            ("1 STEAK", "49.00"),
            ("1 WINE", "10.00"),
            ("SUBTOTAL", "59.00"),
            ("TAX", "4.92"),
            ("TOTAL", "63.92"),
            ("AMT DUE", "63.90"),
        ]
    )
    assert total in {"63.92", "63.90"}
    assert 0.0 < signals["rival_gap"] < 0.001
    if total == "63.90":
        assert signals["rival_adds_up"] == 1.0
        assert signals["larger_claim_above"] == 1.0
    else:
        assert signals["rival_adds_up"] == 0.0
        assert signals["larger_claim_above"] == 0.0


def test_a_fee_between_the_amount_sent_and_the_amount_charged() -> None:
    total, signals = _signals(
        [
            "SWIFT TRANSFER",
            "07/03/2016",
            ("TOTAL TO RECIPIENT", "400.00"),
            ("TRANSFER FEE", "9.50"),
            ("TOTAL", "409.50"),
            ("CARD PAYMENT", "409.50"),
        ]
    )
    assert total == "409.50"
    assert signals["payment_rows_agree"] == 1.0
    # the nearest other claimed value is 400.00, 2.3 % below
    assert abs(signals["rival_gap"] - 9.5 / 409.5) < 1e-6
    assert signals["larger_claim_above"] == 0.0
