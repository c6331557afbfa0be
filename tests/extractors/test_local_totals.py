"""Which amount is the total, and the money rows around it."""

from __future__ import annotations

from decimal import Decimal

from local_receipts_support import Printed, lines_of

from receiptflow.extractors.local.layout import group_rows
from receiptflow.extractors.local.tax_rows import rate_of
from receiptflow.extractors.local.totals import Totals, find_totals


def totals_of(rows: list[Printed], decimal_comma: bool | None = None) -> Totals:
    return find_totals(group_rows(lines_of(rows)), decimal_comma=decimal_comma)


def total_of(rows: list[Printed]) -> Decimal | None:
    found = totals_of(rows).total
    return found.value if found else None


def test_amount_after_the_rounding_row_wins() -> None:
    rows: list[Printed] = [
        ("SUBTOTAL", "87.80"),
        ("10% SRV CHG", "8.78"),
        ("GST @6%", "5.81"),
        ("TOTAL:", "102.39"),
        ("ROUNDING", "0.01"),
        ("TOTAL", "102.40"),
    ]
    totals = totals_of(rows)
    assert totals.total is not None and totals.total.value == Decimal("102.40")
    assert totals.subtotal == Decimal("87.80")
    assert totals.service_charge == Decimal("8.78")
    assert totals.rounding == Decimal("0.01")


def test_rounded_amount_labelled_only_rounding_is_the_total() -> None:
    rows: list[Printed] = [
        ("TOTAL SALES (INCLUSIVE GST) RM", "45.34"),
        ("ROUNDING ADJUSTMENT RM", ".01"),
        ("ROUNDING RM", "45.35"),
        ("CREDIT RM", "45.35"),
        ("CHANGE RM", ".00"),
    ]
    assert total_of(rows) == Decimal("45.35")


def test_cash_minus_change_settles_a_plain_total() -> None:
    rows: list[Printed] = [
        ("TOTAL AMT......... RM", "60.31"),
        ("ROUNDING ADJ", "-0.01"),
        ("RM", "60.30"),
        ("CASH", "100.00"),
        ("CHANGE", "39.70"),
    ]
    totals = totals_of(rows)
    assert totals.total is not None and totals.total.value == Decimal("60.30")
    assert (totals.tendered, totals.change, totals.method) == (
        Decimal("100.00"),
        Decimal("39.70"),
        "cash",
    )


def test_tax_statement_and_quantity_rows_are_not_totals() -> None:
    rows: list[Printed] = [
        ("TOTAL QTY:", "9"),
        ("TAKEOUT TOTAL (INCL GST)", "13.10"),
        ("CASH TENDERED", "20.00"),
        ("CHANGE", "6.90"),
        ("TOTAL INCLUDES 6% GST", "0.74"),
    ]
    assert total_of(rows) == Decimal("13.10")


def test_gst_summary_total_does_not_override_the_receipt_total() -> None:
    rows: list[Printed] = [
        ("TOTAL INCL. GST", "50.45"),
        ("CASH", "50.45"),
        "GST SUMMARY",
        ("SR = GST @6%", "47.59", "2.86"),
        ("TOTAL", "47.59", "2.86"),
    ]
    totals = totals_of(rows)
    assert totals.total is not None and totals.total.value == Decimal("50.45")
    assert totals.taxes == [("SR = GST @6%", Decimal("6"), Decimal("2.86"))]


def test_without_a_total_label_subtotal_plus_tax_as_printed() -> None:
    rows: list[Printed] = [
        ("SUB TOTAL", "RM", "68.87"),
        ("GST/TAX 6%", "RM", "4.13"),
        ("TO", "RM", "73.00"),
    ]
    totals = totals_of(rows)
    assert totals.total is not None and totals.total.value == Decimal("73.00")
    assert totals.total_confidence < 0.8


def test_label_alone_takes_the_amount_on_the_next_row() -> None:
    rows: list[Printed] = ["SUBTOTAL", "28.70", "GRAND TOTAL", "30.42"]
    totals = totals_of(rows)
    assert totals.subtotal == Decimal("28.70")
    assert totals.total is not None and totals.total.value == Decimal("30.42")


def test_discount_and_decimal_comma_amounts() -> None:
    rows: list[Printed] = [
        ("Rabatt", "-1,50"),
        ("SUMME", "12,30 €"),
        ("BAR", "20,00"),
        ("Rückgeld", "7,70"),
    ]
    totals = totals_of(rows, decimal_comma=True)
    assert totals.total is not None and totals.total.value == Decimal("12.30")
    assert totals.discounts == [("Rabatt", Decimal("1.50"))]
    assert totals.change == Decimal("7.70")


def test_disagreeing_payment_lowers_confidence() -> None:
    agree = totals_of([("TOTAL", "10.00"), ("CASH", "20.00"), ("CHANGE", "10.00")])
    disagree = totals_of([("TOTAL", "10.00"), ("CASH", "50.00"), ("CHANGE", "10.00")])
    assert agree.total_confidence > disagree.total_confidence


def test_ocr_misspelt_inclusive_total_is_not_a_tax_line() -> None:
    rows: list[Printed] = [
        ("Total Sales (Excluding GST)", "94.34"),
        ("Total GST", "5.66"),
        ("Rounding", "0.00"),
        ("Total Sales (iclusive of GST)", "100.00"),
    ]
    totals = totals_of(rows)
    assert totals.total is not None and totals.total.value == Decimal("100.00")
    assert [tax[2] for tax in totals.taxes] == [Decimal("5.66")]


def test_paid_amount_picks_the_labelled_total_it_matches() -> None:
    rows: list[Printed] = [
        ("Total Sales(Incl.GST 6%)", "RM 64"),
        ("RoundingAdjustment", "RM 0.02"),
        ("TOTAL", "RM 64.15"),
        ("CASH", "RM 100.00"),
        ("CHANGE", "RM 35.85"),
    ]
    assert total_of(rows) == Decimal("64.15")


def test_whole_amounts_with_thousands_groups() -> None:
    from receiptflow.extractors.local.parser import parse_lines

    for thousands in (",", "."):
        rows: list[Printed] = [
            ("1 NASI GORENG", f"25{thousands}000"),
            ("1 ES TEH", f"20{thousands}500"),
            ("TOTAL", f"45{thousands}500"),
            ("TUNAI", f"50{thousands}000"),
            ("KEMBALI", f"4{thousands}500"),
        ]
        receipt = parse_lines(lines_of(rows)).receipt
        assert receipt.total == Decimal("45500"), thousands
        assert receipt.payment is not None and receipt.payment.change == Decimal("4500")


def test_a_summary_row_with_a_grouped_whole_amount_on_a_receipt_read_as_cents() -> None:
    # dong printed beside "USD" (an exchange rate line): the currency says cents, but the
    # total row's thousands groups still say money
    rows: list[Printed] = [
        ("Iced Coffee 1", "29,000"),
        ("Lime Juice 1", "39,000"),
        ("Sub-total", "68,000"),
        ("Gift voucher", "-20,000"),
        ("Total", "48,000"),
        ("USD 1 =", "21,080.00"),
    ]
    assert total_of(rows) == Decimal("48000")
    # a count of items on a total row is no amount
    assert total_of([("BREAD", "2.50"), ("TOTAL ITEMS", "12"), ("TOTAL", "2.50")]) == Decimal(
        "2.50"
    )


def test_a_total_rounded_to_whole_rupees_is_the_subtotal_plus_its_taxes() -> None:
    rows: list[Printed] = [
        ("BTR UTTAPPA 1", "54.28"),
        ("SWEET LASSI 1", "44.76"),
        ("Sub Total:", "99.04"),
        ("SGST 02.5% :", "2.48"),
        ("CGST 02.5% :", "2.48"),
        ("2/2 Total :", "104"),
        ("KOT Nos.:", "201"),
    ]
    totals = totals_of(rows)
    assert totals.total is not None and totals.total.value == Decimal("104")
    assert [tax[2] for tax in totals.taxes] == [Decimal("2.48"), Decimal("2.48")]
    # a whole number that is not the subtotal plus the taxes stays a count
    rows[-2] = ("Total Items :", "2")
    totals = totals_of(rows)
    assert totals.total is not None and totals.total.value == Decimal("99.04")


def test_an_unlabelled_amount_that_sums_the_rows_above_is_the_total() -> None:
    rows: list[Printed] = [
        ("2 COPA RIOJA", "4,00"),
        ("2 CAFES CON LECHE", "2,40"),
        ("1 SALMOREJO", "4,00"),
        ("", "10,40"),
        "GRACIAS POR SU VISITA",
    ]
    assert totals_of(rows, decimal_comma=True).total is not None
    assert total_of(rows) == Decimal("10.40")


def test_a_tax_inside_the_total_is_not_the_total() -> None:
    rows: list[Printed] = [
        ("Fideua Mixta", "£ 17.00"),
        ("Total", "£ 136.95"),
        ("Total Due", "£ 0.00"),
        ("Incl.of VAT (20.00%)", "£ 22.82"),
    ]
    assert total_of(rows) == Decimal("136.95")
    assert total_of([("TOTAL", "$19.95"), ("Includes GST of", "$1.81")]) == Decimal("19.95")
    # Australia's "TOTAL INCLUDES GST" under the total states the tax, and a rate needs not
    # be printed; "TOTAL INCLUDING GST" still labels the total
    rows = [("SUBTOTAL", "43.80"), ("TOTAL", "$43.80"), ("TOTAL INCLUDES GST", "$3.98")]
    assert total_of(rows) == Decimal("43.80")
    assert total_of([("SUBTOTAL", "40.00"), ("TOTAL INCLUDING GST", "$44.00")]) == Decimal("44.00")


def test_a_total_of_nothing_or_a_refund_is_still_the_total() -> None:
    assert total_of([("Gold Wash", "0.00"), ("Sales Tax", "0.00"), ("Total", "0.00")]) == 0
    refund: list[Printed] = [("Prepaid Fuel", "-5.00"), ("Subtotal", "-3.29"), ("TOTAL", "-3.29")]
    assert total_of(refund) == Decimal("-3.29")


def test_a_product_that_names_a_saving_is_not_a_discount() -> None:
    totals = totals_of(
        [
            ("Energy Saving Bulb", "9.00"),
            ("Milk", "1.20"),
            ("YOU SAVED", "2.00"),
            ("Rabatt", "-0.50"),
            ("TOTAL", "10.20"),
        ]
    )
    assert [amount for _, amount in totals.discounts] == [Decimal("2.00"), Decimal("0.50")]


def test_a_tax_stated_as_included_in_the_total_is_not_the_total() -> None:
    rows: list[Printed] = [
        ("Subtotal:", "£16.35"),
        ("Total:", "£17.99"),
        ("VAT included in total:", "£2.72"),
    ]
    assert total_of(rows) == Decimal("17.99")


def test_a_total_glued_to_a_misread_currency_mark_is_read() -> None:
    # OCR's "E" for "£", "S" for "$", and a rupee prefix stuck to its number
    assert total_of([("Subtotal:", "£16.35"), ("Total: E17.99",)]) == Decimal("17.99")
    rows: list[Printed] = [("SUB TOTAL Rs.", "2,424.00"), ("GRAND TOTAL Rs.2,800.00",)]
    assert total_of(rows) == Decimal("2800.00")
    # a code glued to a price on an item row is left alone
    assert total_of([("A123.45 Widget", "3.00"), ("TOTAL", "3.00")]) == Decimal("3.00")


def test_without_a_total_label_a_payment_with_no_change_is_the_total() -> None:
    rows: list[Printed] = [
        ("PADDU 1.00", "120.00"),
        ("SUB_TOT ITM= 8", "885.00"),
        ("BL TOT (ROUNDED)",),
        ("CASH", "1039.00"),
    ]
    assert total_of(rows) == Decimal("1039.00")
    card: list[Printed] = [("Black Tea", "13.00"), ("Fruit Salad", "24.00"), ("Card QAR", "-59.00")]
    assert total_of(card) == Decimal("-59.00")  # the parser prints it without the sign
    # a payment smaller than an amount above pays only a part
    voucher: list[Printed] = [("Fruit Salad", "24.00"), ("Gift Card", "10.00")]
    assert total_of(voucher) != Decimal("10.00")


def test_without_a_total_label_the_subtotal_plus_unlabelled_amounts_under_it_is_the_total() -> None:
    rows: list[Printed] = [
        ("DOLLAR BURGER", "1.00"),
        ("Coors Light Draft", "2.00"),
        ("Subtotal", "5.25"),
        ("0.20",),
        ("5.45",),
    ]
    assert total_of(rows) == Decimal("5.45")
    assert total_of(rows[:4]) == Decimal("5.25")


def test_a_total_that_lost_its_last_digit_is_the_subtotal_plus_tax() -> None:
    # OCR read the decimal points as spaces and dropped the total's last digit
    rows: list[Printed] = [
        ("Sapporo", "$4.00"),
        ("Subtotal", "$43 70"),
        ("Tax 1", "$3 61"),
        ("Total: $47.3",),
    ]
    totals = totals_of(rows)
    assert totals.subtotal == Decimal("43.70")
    assert [tax[2] for tax in totals.taxes] == [Decimal("3.61")]
    assert totals.total is not None and totals.total.value == Decimal("47.31")
    # a one-decimal total the sum does not explain stays as printed
    other: list[Printed] = [("Subtotal", "$43.70"), ("Tax", "$3.61"), ("Total: $48.3",)]
    assert total_of(other) == Decimal("48.3")


def test_a_sales_tax_rate_with_three_decimals_is_read_whole() -> None:
    rows: list[Printed] = [
        ("SUBTOTAL", "20.00"),
        ("SALES TAX 8.875%", "1.78"),
        ("TOTAL", "21.78"),
    ]
    assert [tax[1] for tax in totals_of(rows).taxes] == [Decimal("8.875")]
    assert rate_of("Tax (4.167% of 68.50)") == Decimal("4.167")
    assert rate_of("A 19% 7,31") == Decimal("19")
    assert rate_of("TVA 5,5 %") == Decimal("5.5")
    assert rate_of("12.50 15%") == Decimal("15")
