"""The arithmetic of the items: the reading of the items region that adds up to the printed
subtotal or total is the one kept, and only then are the items called certain."""

from __future__ import annotations

from decimal import Decimal

from items_support import amounts, items_of, money

from receiptflow.extractors.local.items_sums import Sums
from receiptflow.schemas.receipt import LineItem


def _items(*prices: str) -> list[LineItem]:
    return [LineItem(description=f"Item {n}", amount=Decimal(p)) for n, p in enumerate(prices)]


def test_a_garbled_vat_row_read_as_the_last_item_is_left_out_when_the_rest_adds_up() -> None:
    result = items_of(
        "UNID. DESCRIPCION PRECIO IMPORTE",
        ("1,000 CACERES 14,00", "14,00"),
        ("1,000 AGUA LITRO 3,00", "3,00"),
        ("3,000 RACION DE PAN 1,40", "4,20"),
        "BASE LIOA IMP.IUA",
        ("115.55 10,00", "11,35"),
        ("TOTAL IMPORTE", "21,20"),
        ("EFECTIVO", "21,20"),
    )
    assert amounts(result) == money("14.00", "3.00", "4.20")
    assert result.adds_up and result.confidence >= 0.9


def test_items_that_add_up_are_kept_as_read() -> None:
    sums = Sums(printed=money("6.00", "10.00", "4.00"), labelled=money("6.00"))
    items = _items("1.00", "2.00", "3.00")
    assert sums.best_reading(items, Decimal(0)) == items
    assert sums.confidence(items, Decimal(0)) == 0.95


def test_only_a_labelled_total_lets_an_item_go_not_the_cash_or_a_taxable_part() -> None:
    items = _items("5.99", "9.99", "2.00")
    # 15.98 is printed, but as the cash handed over or the taxable total: all three stay
    cash = Sums(printed=money("20.00", "15.98"), labelled=money("17.98"))
    assert cash.best_reading(items, Decimal(0)) == items
    labelled = Sums(printed=money("15.98"), labelled=money("15.98"))
    assert [item.amount for item in labelled.best_reading(items, Decimal(0))] == money(
        "5.99", "9.99"
    )


def test_the_items_less_their_discounts_add_up_to_the_total() -> None:
    sums = Sums(printed=money("9.50"), labelled=money("9.50"))
    assert sums.adds_up(_items("5.00", "5.00"), Decimal("0.50"))
    assert not sums.adds_up(_items("5.00", "5.00"), Decimal(0))
