"""Finding receipts: full-text search (merchant, items, amounts), amount range, sortable
columns. On SQLite and PostgreSQL (money is text on one, NUMERIC on the other)."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient
from review_support import sample_path, sample_receipt, seed
from starlette.datastructures import QueryParams

from receiptflow.review.queue import QueueFilter, counts, queue_ids, queue_page
from receiptflow.review.search import parse_amount, written_forms
from receiptflow.storage import Store

SAMPLES = ["us_diner", "eu_cafe", "uk_supermarket_2pages", "jp_konbini_rot90", "my_shop_photo"]


def _seed_all(store: Store) -> dict[str, int]:
    return {name: seed(store, sample_path(name), sample_receipt(name)).id for name in SAMPLES}


def _find(store: Store, query: str) -> list[str]:
    wanted = QueueFilter.from_params(QueryParams(query), view="all")
    return sorted(r.receipt.merchant.name or "" for r in queue_page(store, wanted))


def test_search_merchant_items_and_amounts(any_store: Store) -> None:
    _seed_all(any_store)
    assert _find(any_store, "q=sunrise") == ["SUNRISE DINER"]
    assert _find(any_store, "q=schokolade") == ["Café Morgenrot"]  # a line item, any case
    assert _find(any_store, "q=CS6125") == ["KEDAI RUNCIT MAJU JAYA"]  # receipt number
    # Exact amounts: a total written with fewer or more decimals, a line amount, a subtotal.
    assert _find(any_store, "q=84.19") == ["SUNRISE DINER"]
    assert _find(any_store, "q=105") == ["KEDAI RUNCIT MAJU JAYA"]  # total 105.00
    assert _find(any_store, "q=6.87") == ["GREENFIELD SUPERSTORE"]  # Coca-Cola's amount
    assert _find(any_store, "q=66.550") == ["SUNRISE DINER"]  # the subtotal
    assert _find(any_store, "q=84.1") == []  # not a prefix match on numbers
    assert _find(any_store, "q=%25") == []  # LIKE wildcards are escaped
    # The search narrows the tab counts too.
    assert counts(any_store, QueueFilter(view="all", text="diner"))["all"] == 1


def test_amount_range_is_numeric_not_text(any_store: Store) -> None:
    _seed_all(any_store)
    # As text "1102" < "23.70" < "83.76": a text comparison would get these wrong.
    assert _find(any_store, "amount_min=80&amount_max=200") == [
        "GREENFIELD SUPERSTORE",
        "KEDAI RUNCIT MAJU JAYA",
        "SUNRISE DINER",
    ]
    assert _find(any_store, "amount_min=1000") == ["HAPPY MART SHIBUYA"]
    assert _find(any_store, "amount_max=23.70") == ["Café Morgenrot"]


def test_sort_by_each_column_both_ways(any_store: Store) -> None:
    ids = _seed_all(any_store)
    any_store.set_status(ids["my_shop_photo"], "approved", user="alice")

    def order(query: str) -> list[int]:
        return queue_ids(any_store, QueueFilter.from_params(QueryParams(query), view="all"))

    by_total = ["eu_cafe", "uk_supermarket_2pages", "us_diner", "my_shop_photo", "jp_konbini_rot90"]
    assert order("sort=total") == [ids[n] for n in by_total]
    assert order("sort=total&dir=desc") == [ids[n] for n in reversed(by_total)]
    by_date = ["my_shop_photo", "us_diner", "uk_supermarket_2pages", "eu_cafe", "jp_konbini_rot90"]
    assert order("sort=date") == [ids[n] for n in by_date]
    merchants = [
        r.receipt.merchant.name
        for r in queue_page(any_store, QueueFilter(view="all", sort="merchant"))
    ]
    assert merchants == sorted(merchants, key=lambda name: (name or "").lower())
    assert order("sort=status")[0] == ids["my_shop_photo"]  # approved < extracted
    # Not a column we sort by: ignored (riskiest first), never interpolated into SQL.
    assert QueueFilter.from_params(QueryParams("sort=id;drop table receipts")).sort is None


def test_amount_parsing() -> None:
    assert parse_amount("12,30") == Decimal("12.30")
    assert parse_amount("$ 12.30") == Decimal("12.30")
    assert parse_amount("12.30 EUR") == Decimal("12.30")
    assert parse_amount("diner") is None
    assert parse_amount("2024-02-08") is None
    assert [str(f) for f in written_forms(Decimal("12.3"))][:3] == ["12.3", "12.30", "12.300"]


def test_queue_page_has_search_and_sort_links(
    client: TestClient, reviewer: str, store: Store
) -> None:
    _seed_all(store)
    html = client.get("/?view=all&q=kedai&sort=total&dir=desc").text
    assert re.findall(r'class="merchant">([^<]*)</a>', html) == ["KEDAI RUNCIT MAJU JAYA"]
    assert 'aria-sort="descending"' in html
    assert 'href="/?view=all&amp;q=kedai&amp;sort=total"' in html  # the next click: ascending
    assert 'id="clear-filters"' in html
    # The filter survives into the receipt page's links (next/previous, back to the queue).
    assert "q=kedai" in re.search(r'data-href="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_category_filter_matches_a_line_items_category(any_store: Store) -> None:
    ids = _seed_all(any_store)
    diner = sample_receipt("us_diner")
    items = [diner.line_items[0].model_copy(update={"category": "Meals"}), *diner.line_items[1:]]
    any_store.update_receipt(
        ids["us_diner"], diner.model_copy(update={"line_items": items}), user="alice"
    )
    assert _find(any_store, "category=meals") == ["SUNRISE DINER"]
    assert _find(any_store, "category=Meal") == []  # the whole name, not a part of it
    assert QueueFilter.from_params(QueryParams("category=Meals")).searching


def test_category_filter_matches_the_receipts_own_category(any_store: Store) -> None:
    ids = _seed_all(any_store)
    any_store.set_category(ids["eu_cafe"], "Entertainment", user="alice")
    assert _find(any_store, "category=entertainment") == ["Café Morgenrot"]
    wanted = QueueFilter.from_params(QueryParams("category=Entertainment"), view="all")
    assert counts(any_store, wanted)["all"] == 1  # the tab counts follow it too
