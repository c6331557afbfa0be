"""Riskiest first: the queue sorts by the receipt's probability of being right, in SQL, and the
pages show each probability in words."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from review_support import SAMPLE_IMAGE, sample_path, sample_receipt, seed, wrong_total

from receiptflow.review import queue
from receiptflow.review.likelihood import likelihood
from receiptflow.review.queue import QueueFilter, queue_ids, queue_page
from receiptflow.settings import TrustSettings
from receiptflow.storage import Store


def _seed_risks(store: Store) -> dict[str, int]:
    """Five waiting receipts whose probabilities order them differently from their flags."""
    ids = {}
    ids["sure_but_flagged"] = seed(
        store, SAMPLE_IMAGE, wrong_total(), confidence={"total": 0.97, "date": 0.95}
    ).id
    ids["doubtful_total"] = seed(
        store,
        sample_path("eu_cafe"),
        sample_receipt("eu_cafe"),
        confidence={"total": 0.30, "date": 0.99, "merchant.address": 0.05},
    ).id
    ids["unknown"] = seed(
        store,
        sample_path("uk_supermarket_photo"),
        sample_receipt("uk_supermarket_photo"),
        confidence={},
    ).id
    ids["receipt_says"] = seed(
        store,
        sample_path("jp_konbini_rot90"),
        sample_receipt("jp_konbini_rot90"),
        confidence={"receipt": 0.5, "total": 0.99},
    ).id
    ids["default"] = seed(
        store, sample_path("us_restaurant_digital"), sample_receipt("us_restaurant_digital")
    ).id  # weakest key field: total 0.62
    return ids


def test_queue_is_riskiest_first_and_pages_follow_it(
    any_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _seed_risks(any_store)
    expected = [
        ids["unknown"],  # no probability: the riskiest
        ids["doubtful_total"],  # 0.30 (the address's 0.05 is not a key field)
        ids["receipt_says"],  # 0.50, the receipt's own probability
        ids["default"],  # 0.62
        ids["sure_but_flagged"],  # 0.95, although it has an error flag
    ]
    assert queue_ids(any_store, QueueFilter()) == expected
    records = queue_page(any_store, QueueFilter())
    assert [record.trust for record in records] == [None, 0.30, 0.5, 0.62, 0.95]
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    pages = [queue_page(any_store, QueueFilter(), page=number) for number in range(3)]
    assert [[record.id for record in page] for page in pages] == [
        expected[:2],
        expected[2:4],
        expected[4:],
    ]
    flagged = queue_ids(any_store, QueueFilter(view="flagged"))
    assert flagged == [ids["sure_but_flagged"]]  # tabs and filters are kept


def _likelihoods(html: str) -> list[str]:
    return re.findall(r'<td class="num likely">.*?>([^<]+)</span></td>', html)


def test_queue_shows_each_receipts_probability(
    client: TestClient, reviewer: str, store: Store
) -> None:
    _seed_risks(store)
    html = client.get("/").text
    assert _likelihoods(html) == ["unknown", "30 %", "50 %", "62 %", "95 %"]
    assert "Riskiest first" in html


def test_receipt_page_says_how_likely_each_field_is_right(
    client: TestClient, reviewer: str, store: Store
) -> None:
    record = seed(
        store,
        SAMPLE_IMAGE,
        sample_receipt("us_diner"),
        confidence={"merchant.name": 0.97, "total": 0.62, "line_items": 0.996, "time": 0.4},
    )
    html = client.get(f"/receipts/{record.id}").text
    found = re.findall(
        r'<span class="(conf[^"]*)" title="[^"]*" data-field="([^"]+)">([^<]+)<', html
    )
    badges = {field: (text, classes) for classes, field, text in found}
    assert badges["merchant.name"] == ("97 % likely right", "conf")
    assert badges["total"] == ("62 % likely right", "conf low")
    assert badges["line_items"] == ("99 % likely right", "conf")  # never rounded up to certain
    assert badges["time"] == ("40 %", "conf low score")  # an uncalibrated score, not a probability
    assert re.search(r'id="receipt-likelihood"[^>]*>whole receipt 62 % likely right<', html)


def test_thresholds_decide_what_is_highlighted() -> None:
    trust = TrustSettings(total=0.95, date=None)
    total = likelihood("total", 0.93, trust)
    assert total is not None and total.low and total.text == "93 % likely right"
    assert "95 %" in total.title
    date = likelihood("date", 0.85, trust)  # no threshold of its own: 0.8
    assert date is not None and not date.low
    assert likelihood("total", None, trust) is None
    assert [likelihood("receipt", p, trust).percent for p in (0.004, 0.0, 1.0)] == [  # type: ignore[union-attr]
        "1 %",
        "0 %",
        "100 %",
    ]
