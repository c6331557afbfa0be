"""Supermarket receipts in German, Dutch, French and English: weighed items, multi-buys,
deposits and their returns, discounts under an item, voided lines, tax codes after the
amounts, and the summary (amount due, payment, change, VAT table) that is never an item.

Convention: a discount printed under an item is not an item and does not change the item's
amount (the item keeps its printed price; the discount is the receipt's); a deposit and a
deposit return are items; a voided item and the line that voids it are both left out. The
items then add up to the printed subtotal, or to the total plus the discounts.
"""

from __future__ import annotations

from decimal import Decimal

from items_support import amounts, items_of, money, read


def test_german_supermarket_weighed_multibuy_deposit_discount_storno_and_summary() -> None:
    result = items_of(
        "REWE Markt GmbH",
        "Hauptstr. 12, 10115 Berlin",
        ("", "EUR"),
        "BANANEN",
        ("  0,872 kg x 1,99 EUR/kg", "1,74", "B"),
        ("MILCH 3,5% 1L", "1,19", "B"),
        ("BROETCHEN", "0,70", "B"),
        "  2 Stk x 0,35",
        ("COLA 1,0L", "1,49", "A"),
        ("PFAND 0,25", "0,25", "A"),
        ("JOGHURT NATUR", "0,99", "B"),
        ("  Rabatt", "-0,20", "B"),
        ("BUTTER", "2,29", "B"),
        "STORNO",
        ("BUTTER", "-2,29", "B"),
        ("LEERGUT", "-0,75", "A"),
        "--------------------------------------",
        ("SUMME", "EUR 5,41"),
        ("Geg. BAR", "EUR 10,00"),
        ("Rückgeld BAR", "EUR 4,59"),
        "Steuer  %   Netto  Steuer  Brutto",
        ("A= 19,0%   0,83   0,16", "0,99"),
        ("B=  7,0%   4,13   0,29", "4,42"),
        ("Gesamtbetrag 4,96 0,45", "5,41"),
    )
    assert read(result) == [
        ("BANANEN", Decimal("0.872"), Decimal("1.99"), Decimal("1.74")),
        ("MILCH 3,5% 1L", 1, Decimal("1.19"), Decimal("1.19")),
        ("BROETCHEN", 2, Decimal("0.35"), Decimal("0.70")),
        ("COLA 1,0L", 1, Decimal("1.49"), Decimal("1.49")),
        ("PFAND 0,25", 1, Decimal("0.25"), Decimal("0.25")),
        ("JOGHURT NATUR", 1, Decimal("0.99"), Decimal("0.99")),
        ("LEERGUT", 1, Decimal("-0.75"), Decimal("-0.75")),
    ]
    assert sum(amounts(result)) - Decimal("0.20") == Decimal("5.41")
    assert result.confidence >= 0.9  # the items less the discount are the printed total


def test_german_lidl_weight_line_with_the_amount_wrapped_and_the_zu_zahlen_row() -> None:
    result = items_of(
        "LIDL",
        ("Bananen", "1,74", "A"),
        "  0,872 kg x 1,99 EUR/kg",
        "Paprika rot",
        "  Handeingabe 1,393 kg x 4,99",
        ("", "6,95", "A"),
        ("Mineralwasser 1,5l", "0,98", "A"),
        "  2 x 0,49",
        ("Pfand", "0,50", "A"),
        "  2 x 0,25",
        ("zu zahlen", "10,17"),
        ("BAR", "20,00"),
        ("ZURÜCK", "9,83"),
    )
    assert read(result) == [
        ("Bananen", Decimal("0.872"), Decimal("1.99"), Decimal("1.74")),
        ("Paprika rot", Decimal("1.393"), Decimal("4.99"), Decimal("6.95")),
        ("Mineralwasser 1,5l", 2, Decimal("0.49"), Decimal("0.98")),
        ("Pfand", 2, Decimal("0.25"), Decimal("0.50")),
    ]
    assert sum(amounts(result)) == Decimal("10.17")


def test_dutch_supermarket_statiegeld_bonus_correctie_and_lege_flessen() -> None:
    result = items_of(
        "JUMBO",
        "Bananen",
        ("  Gewicht 0,872 kg x 1,99 €/kg", "1,74"),
        ("Halfvolle melk 1L", "1,19"),
        ("Spa rood 1,5 L", "2,58"),
        "  2 x 1,29",
        ("Statiegeld", "0,30"),
        "  2 x 0,15",
        ("Kaas jong belegen", "4,49"),
        ("  Bonus", "-0,90"),
        ("Pindakaas", "2,99"),
        ("Correctie", "-2,99"),
        ("Lege flessen", "-0,45"),
        "3 artikelen",
        ("Totaal", "8,95"),
        ("Pinnen", "8,95"),
        ("BTW 9% over 8,21", "0,74"),
    )
    assert [(name, amount) for name, _, _, amount in read(result)] == [
        ("Bananen", Decimal("1.74")),
        ("Halfvolle melk 1L", Decimal("1.19")),
        ("Spa rood 1,5 L", Decimal("2.58")),
        ("Statiegeld", Decimal("0.30")),
        ("Kaas jong belegen", Decimal("4.49")),
        ("Lege flessen", Decimal("-0.45")),
    ]
    assert sum(amounts(result)) - Decimal("0.90") == Decimal("8.95")


def test_french_tax_class_digits_after_amounts_remise_and_annulation() -> None:
    result = items_of(
        "CARREFOUR MARKET",
        "BANANES",
        ("  0,872 KG X 1,99 EUR/KG", "1,74", "1"),
        ("LAIT DEMI-ECREME 1L", "1,05", "1"),
        ("YAOURT NATURE X4", "2,40", "1"),
        "  2 X 1,20",
        ("  REMISE", "-0,50", "1"),
        ("BAGUETTE", "1,20", "1"),
        ("ANNULATION BAGUETTE", "-1,20", "1"),
        ("CHOCOLAT NOIR 70%", "1,89", "2"),
        "NB ARTICLES 4",
        ("TOTAL A PAYER", "6,58"),
        ("CB EMV EUR", "6,58"),
        ("TVA 1 5,5%", "0,25"),
        ("TVA 2 20%", "0,32"),
    )
    assert [(name, amount) for name, _, _, amount in read(result)] == [
        ("BANANES", Decimal("1.74")),
        ("LAIT DEMI-ECREME 1L", Decimal("1.05")),
        ("YAOURT NATURE X4", Decimal("2.40")),
        ("CHOCOLAT NOIR 70%", Decimal("1.89")),
    ]
    assert sum(amounts(result)) - Decimal("0.50") == Decimal("6.58")


def test_us_grocery_lb_weights_at_multibuys_crv_you_saved_and_void() -> None:
    result = items_of(
        "SAFEWAY",
        "BANANAS",
        ("  2.31 lb @ 0.99/lb", "2.29", "F"),
        ("MILK 1 GAL", "3.99", "F"),
        ("SODA 12PK", "5.99", "T"),
        ("CRV", "0.60", "T"),
        "  12 @ 0.05",
        ("YOGURT", "3.00", "F"),
        "  3 @ 1.00",
        ("  YOU SAVED", "-0.50", "F"),
        ("CHIPS", "3.49", "T"),
        ("VOID CHIPS", "-3.49", "T"),
        ("BOTTLE RETURN", "-0.30", "T"),
        ("SUBTOTAL", "15.07"),
        ("TAX", "0.61"),
        ("TOTAL", "15.68"),
        ("VISA", "15.68"),
        ("CHANGE", "0.00"),
        currency="USD",
    )
    assert read(result) == [
        ("BANANAS", Decimal("2.31"), Decimal("0.99"), Decimal("2.29")),
        ("MILK 1 GAL", 1, Decimal("3.99"), Decimal("3.99")),
        ("SODA 12PK", 1, Decimal("5.99"), Decimal("5.99")),
        ("CRV", 12, Decimal("0.05"), Decimal("0.60")),
        ("YOGURT", 3, Decimal("1.00"), Decimal("3.00")),
        ("BOTTLE RETURN", 1, Decimal("-0.30"), Decimal("-0.30")),
    ]
    assert sum(amounts(result)) - Decimal("0.50") == Decimal("15.07")


def test_uk_void_line_and_a_detail_line_that_starts_like_a_summary_word() -> None:
    result = items_of(
        "TESCO",
        ("LAGER 4X440ML", "5.00"),
        ("** VOID **", "-5.00"),
        "BROCCOLI",
        ("  NET WT 0.385 kg @ £0.94/kg", "0.36"),
        ("TEA BAGS 80", "3.00"),
        "  QTY 3 @ 1.00",
        ("BALANCE DUE", "3.36"),
        currency="GBP",
    )
    assert read(result) == [
        ("BROCCOLI", Decimal("0.385"), Decimal("0.94"), Decimal("0.36")),
        ("TEA BAGS 80", 3, Decimal("1.00"), Decimal("3.00")),
    ]


def test_a_voided_line_cancels_only_the_item_with_its_name_and_amount() -> None:
    result = items_of(
        ("KAFFEE CREMA 1KG", "12,99", "B"),
        ("BROT", "2,49", "B"),
        ("TEE", "2,49", "B"),
        ("Storno BROT", "-2,49", "B"),
        ("SUMME", "15,48"),
    )
    assert [name for name, *_ in read(result)] == ["KAFFEE CREMA 1KG", "TEE"]


def test_the_first_item_is_kept_after_the_till_rows_and_under_a_till_header() -> None:
    weighed_first = items_of(
        "Vendedor: Iker",
        "Caja: 2",
        "NARANJAS",
        ("  1,740 kg x 1,49 €/kg", "2,59"),
        ("CHORIZO", "2,40"),
        ("TOTAL A PAGAR", "4,99"),
    )
    assert [name for name, *_ in read(weighed_first)] == ["NARANJAS", "CHORIZO"]
    percent_in_the_name = items_of(
        ("Beef Mince 5% 500g", "3.45"),
        ("Sparkling Water 1L", "1.20"),
        ("TOTAL", "4.65"),
        currency="GBP",
    )
    assert amounts(percent_in_the_name) == money("3.45", "1.20")


def test_a_vat_table_header_after_the_total_does_not_head_the_items() -> None:
    result = items_of(
        ("2668765065879 CARTA IGIENICA X8", "3,49", "22%"),
        ("BISCOTTI", "2,29", "10%"),
        "IMPORTE TOTAL",
        ("", "5,78 EUR"),
        "IVA BASE CUOTA TOTAL",
        ("A 22% 2,86 0,63", "3,49"),
        ("B 10% 2,08 0,21", "2,29"),
    )
    assert amounts(result) == money("3.49", "2.29")
    assert result.items[0].sku == "2668765065879"


def test_a_product_named_like_a_payment_is_bought_when_it_costs_less_than_the_items() -> None:
    result = items_of(
        ("CAFFE MACINATO 250G", "11,37"),
        "  3 X 3,79",
        ("CARTA IGIENICA X8", "10,47"),
        ("TOTALE COMPLESSIVO", "21,84"),
        ("CARTA DI CREDITO", "21,84"),
    )
    assert amounts(result) == money("11.37", "10.47")


def test_a_subtotal_whose_label_is_not_known_is_not_an_item() -> None:
    many = items_of(
        ("Rookworst", "2,49"),
        ("Pindakaas", "2,99"),
        ("Drop", "1,79"),
        ("Tussentotaal", "7,27"),
        ("AFRONDING", "-0,02"),
        ("TOTAAL", "7,25"),
    )
    assert [name for name, *_ in read(many)] == ["Rookworst", "Pindakaas", "Drop"]
    one = items_of(("Super Plus 98", "58,70"), ("Tussentotaal", "58,70"), ("TOTAAL", "58,70"))
    assert amounts(one) == money("58.70")
    two_alike = items_of(("Koffie", "3,00"), ("Thee", "3,00"), ("TOTAAL", "6,00"))
    assert amounts(two_alike) == money("3.00", "3.00")


def test_german_scan_with_the_amount_due_misread_payment_change_and_vat_table() -> None:
    """OCR slips in the amount-due label ("zu zahIen"): the row is found by its sum, and the
    payment, change and VAT rows after it are no items either."""
    result = items_of(
        "LIDL",
        ("", "EUR"),
        ("Milch 3,5%", "1,19", "A"),
        ("Bananen", "1,74", "A"),
        "  0,872 kg x 1,99 EUR/kg",
        ("Pfand", "0,25", "B"),
        ("zu zahIen EURO", "3,18"),
        ("BARGELD", "5,00"),
        ("ZURÜCK", "1,82"),
        "MWST%  MWST  + Netto = Brutto",
        ("A 7% 0,19 2,74", "2,93"),
        ("B 19% 0,04 0,21", "0,25"),
    )
    assert [(name, amount) for name, _, _, amount in read(result)] == [
        ("Milch 3,5%", Decimal("1.19")),
        ("Bananen", Decimal("1.74")),
        ("Pfand", Decimal("0.25")),
    ]
