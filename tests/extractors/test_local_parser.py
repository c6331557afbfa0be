"""parse_lines end to end on typed-out Malaysian, US and German receipts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from local_receipts_support import AMERICAN, EUROPEAN, MALAYSIAN, lines_of

from receiptflow.extractors.local.parser import parse_lines
from receiptflow.schemas.receipt import PaymentMethod

KEY_FIELDS = ("merchant.name", "merchant.address", "date", "total", "currency")


def test_malaysian_receipt_key_fields() -> None:
    parsed = parse_lines(lines_of(MALAYSIAN))
    receipt = parsed.receipt
    # printed "K(TAMAN"; names are given the usual space before a bracket
    assert receipt.merchant.name == "BOOK TA .K (TAMAN DAYA) SDN BHD"
    assert receipt.merchant.address == (
        "NO.53 55,57 & 59, JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU, JOHOR."
    )
    assert receipt.merchant.phone == "07-355 1234"
    assert receipt.merchant.tax_id == "000123456789"
    assert receipt.date == dt.date(2018, 12, 25)
    assert receipt.time == dt.time(20, 13, 39)
    assert receipt.currency == "MYR"
    assert receipt.receipt_number == "TD01167104"


def test_malaysian_receipt_money_summary() -> None:
    receipt = parse_lines(lines_of(MALAYSIAN)).receipt
    assert receipt.total == Decimal("9.00")  # after rounding, not the 9.02 before it
    assert receipt.rounding == Decimal("-0.02")
    assert receipt.payment is not None
    assert receipt.payment.method is PaymentMethod.CASH
    assert (receipt.payment.tendered, receipt.payment.change) == (Decimal("10.00"), Decimal("1.00"))
    (tax,) = receipt.taxes
    assert (tax.rate, tax.amount, tax.inclusive) == (Decimal("6"), Decimal("0.51"), True)


def test_printed_evidence_keeps_the_text_as_printed() -> None:
    parsed = parse_lines(lines_of(MALAYSIAN))
    assert parsed.printed["date"] == "25/12/2018"
    assert parsed.printed["total"] == "9.00"


def test_american_receipt() -> None:
    parsed = parse_lines(lines_of(AMERICAN))
    receipt = parsed.receipt
    assert receipt.merchant.name == "Joe's Corner Diner"
    assert receipt.merchant.address == "1200 Market Street San Francisco, CA 94102"
    assert receipt.date == dt.date(2017, 12, 30)
    assert receipt.time == dt.time(19, 42)
    assert receipt.currency == "USD"
    assert receipt.subtotal == Decimal("15.50")
    assert receipt.total == Decimal("16.82")
    assert receipt.tip == Decimal("3.00")
    (tax,) = receipt.taxes
    assert (tax.rate, tax.amount, tax.inclusive) == (Decimal("8.5"), Decimal("1.32"), False)
    assert receipt.payment is not None
    assert receipt.payment.method is PaymentMethod.CARD
    assert receipt.payment.card_last4 == "1234"
    assert parsed.printed["total"] == "$16.82"


def test_german_receipt_with_decimal_commas() -> None:
    receipt = parse_lines(lines_of(EUROPEAN)).receipt
    assert receipt.merchant.name == "Bäckerei Müller GmbH"
    assert receipt.merchant.address == "Hauptstraße 12 10115 Berlin"
    assert receipt.date == dt.date(2017, 12, 30)
    assert receipt.currency == "EUR"
    assert receipt.total == Decimal("5.60")
    (tax,) = receipt.taxes
    assert (tax.amount, tax.inclusive) == (Decimal("0.37"), True)
    assert receipt.payment is not None
    assert receipt.payment.change == Decimal("4.40")


def test_confidences_cover_key_fields_and_stay_in_range() -> None:
    for rows in (MALAYSIAN, AMERICAN, EUROPEAN):
        confidence = parse_lines(lines_of(rows)).confidence
        assert set(KEY_FIELDS) <= set(confidence)
        assert all(0.0 <= value <= 1.0 for value in confidence.values())


def test_unknown_currency_falls_back_to_the_default_or_none() -> None:
    rows = ["CORNER KIOSK", ("ITEM", "4.50"), ("TOTAL", "4.50")]
    assert parse_lines(lines_of(rows)).receipt.currency is None
    parsed = parse_lines(lines_of(rows), default_currency="chf")
    assert parsed.receipt.currency == "CHF"
    assert parsed.confidence["currency"] <= 0.5


def test_doubtful_total_gets_low_confidence() -> None:
    # no total label at all: the parser guesses and must say it is guessing
    rows = ["SOME SHOP", ("A", "3.00"), ("B", "4.00")]
    parsed = parse_lines(lines_of(rows))
    assert parsed.confidence.get("total", 0.0) < 0.5
    labelled = parse_lines(lines_of(MALAYSIAN))
    assert labelled.confidence["total"] > 0.85


def test_empty_input_gives_an_empty_receipt() -> None:
    parsed = parse_lines([])
    assert parsed.receipt.total is None
    assert parsed.receipt.merchant.name is None
    assert parsed.confidence == {}


def test_unsure_ocr_lowers_confidence_most_for_long_fields() -> None:
    clean = parse_lines(lines_of(MALAYSIAN)).confidence
    unsure_lines = [replace(line, confidence=0.85) for line in lines_of(MALAYSIAN)]
    unsure = parse_lines(unsure_lines).confidence
    assert unsure["merchant.address"] < clean["merchant.address"]
    assert unsure["total"] < clean["total"]
    address_drop = unsure["merchant.address"] / clean["merchant.address"]
    total_drop = unsure["total"] / clean["total"]
    assert address_drop < total_drop  # 70 characters to get right, against 4
