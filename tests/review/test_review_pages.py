"""The queue and the receipt page: order, counts, filters, escaping, and the image route."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from review_support import SAMPLE_IMAGE, sample_path, sample_receipt, seed, wrong_total
from sqlalchemy import update
from sqlalchemy.orm import Session

from receiptflow.review.queue import QueueFilter, counts, neighbours, queue_ids, queue_page
from receiptflow.schemas.receipt import Merchant
from receiptflow.storage import Store
from receiptflow.storage.models import DocumentRow, ReceiptRow


def _merchants(html: str) -> list[str]:
    return re.findall(r'class="merchant">([^<]*)</a>', html)


def _age(store: Store, receipt_id: int, days: int) -> None:
    """Pretend the receipt arrived ``days`` ago."""
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    with Session(store.engine) as session, session.begin():
        session.execute(
            update(ReceiptRow).where(ReceiptRow.id == receipt_id).values(created_at=moment)
        )


def _seed_queue(store: Store) -> dict[str, int]:
    ids = {}
    ids["clean"] = seed(store, sample_path("eu_cafe"), sample_receipt("eu_cafe")).id
    more_vat_than_the_rate_gives = [
        {"label": "VAT 20%", "rate": "20", "amount": "4.50", "inclusive": True}
    ]
    ids["warning"] = seed(
        store,
        sample_path("uk_supermarket_photo"),
        sample_receipt("uk_supermarket_photo", taxes=more_vat_than_the_rate_gives),
    ).id
    ids["error_new"] = seed(store, SAMPLE_IMAGE, wrong_total()).id
    ids["error_old"] = seed(
        store,
        sample_path("us_restaurant_digital"),
        sample_receipt("us_restaurant_digital", total="1.00"),
    ).id
    ids["approved"] = seed(store, sample_path("my_shop_photo"), sample_receipt("my_shop_photo")).id
    store.set_status(ids["approved"], "approved", user="alice")
    _age(store, ids["error_old"], 3)
    _age(store, ids["clean"], 9)  # oldest of all, but nothing wrong with it
    return ids


def test_equal_risk_puts_worst_flags_first_then_oldest(any_store: Store) -> None:
    store = any_store
    ids = _seed_queue(store)
    order = queue_ids(store, QueueFilter())
    assert [r.id for r in queue_page(store, QueueFilter())] == order
    assert order == [ids["error_old"], ids["error_new"], ids["warning"], ids["clean"]]
    assert neighbours(order, ids["error_new"]) == (ids["error_old"], ids["warning"])
    assert neighbours(order, ids["approved"]) == (None, ids["error_old"])
    assert counts(store, QueueFilter(merchant="greenfield"))["all"] == 1
    assert counts(store, QueueFilter()) == {
        "open": 4,
        "flagged": 2,
        "extracted": 2,
        "approved": 1,
        "rejected": 0,
        "all": 5,
    }


def test_queue_page_filters_by_status_merchant_and_date(
    client: TestClient, reviewer: str, store: Store
) -> None:
    _seed_queue(store)
    assert _merchants(client.get("/?view=approved").text) == ["KEDAI RUNCIT MAJU JAYA"]
    assert _merchants(client.get("/?view=all&merchant=greenfield").text) == [
        "GREENFIELD SUPERSTORE"
    ]
    page = client.get("/?view=all&date_from=2024-08-01&date_to=2024-08-31").text
    assert _merchants(page) == ["Café Morgenrot"]
    assert re.search(r'data-view="all">\s*All\s*<span class="count">1</span>', page)
    # Unreadable filter values are ignored, not an error page.
    assert client.get("/?view=bogus&date_from=yesterday").status_code == 200


def test_script_merchant_is_shown_as_text(client: TestClient, reviewer: str, store: Store) -> None:
    hostile = wrong_total().model_copy(
        update={"merchant": Merchant(name='<script>alert("x")</script>', address="<b>bold</b>")}
    )
    record = seed(store, SAMPLE_IMAGE, hostile)
    for path in ["/", f"/receipts/{record.id}"]:
        html = client.get(path).text
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        assert "<b>bold</b>" not in html


def test_page_image_is_a_jpeg_of_the_original(
    client: TestClient, reviewer: str, store: Store
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    response = client.get(f"/receipts/{record.id}/pages/1.jpg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    served = Image.open(io.BytesIO(response.content))
    original = Image.open(SAMPLE_IMAGE)
    assert served.format == "JPEG"
    assert abs(served.width / served.height - original.width / original.height) < 0.01
    assert client.get(f"/receipts/{record.id}/pages/2.jpg").status_code == 404
    assert client.get(f"/receipts/{record.id}/pages/0.jpg").status_code == 404


def test_every_page_of_a_pdf_is_shown(client: TestClient, reviewer: str, store: Store) -> None:
    path = sample_path("uk_supermarket_2pages")
    record = seed(store, path, sample_receipt("uk_supermarket_2pages"))
    html = client.get(f"/receipts/{record.id}").text
    assert re.findall(r'src="(/receipts/\d+/pages/\d+\.jpg)"', html) == [
        f"/receipts/{record.id}/pages/1.jpg",
        f"/receipts/{record.id}/pages/2.jpg",
    ]
    assert client.get(f"/receipts/{record.id}/pages/2.jpg").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/receipts/1/pages/..%2F..%2F..%2Fetc%2Fpasswd",
        "/receipts/1/pages/1.jpg/../../../../etc/passwd",
        "/receipts/..%2F..%2Fetc/pages/1.jpg",
        "/receipts/1/pages/-1.jpg",
        "/receipts/999/pages/1.jpg",
    ],
)
def test_image_route_takes_only_ids(
    client: TestClient, reviewer: str, store: Store, path: str
) -> None:
    seed(store, SAMPLE_IMAGE, wrong_total())
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert b"root:" not in response.content


def test_tampered_archive_path_cannot_leave_the_archive(
    client: TestClient, reviewer: str, store: Store, tmp_path: Path
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    outside = tmp_path / "secret.png"
    Image.new("RGB", (20, 20), "red").save(outside)
    escapes = [str(outside), "../secret.png", "../../secret.png", "../../../../../../etc/passwd"]
    for escape in escapes:
        with Session(store.engine) as session, session.begin():
            session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == record.document_id)
                .values(archive_path=escape)
            )
        response = client.get(f"/receipts/{record.id}/pages/1.jpg")
        assert response.status_code == 404, escape
        page = client.get(f"/receipts/{record.id}")
        assert page.status_code == 200
        assert "cannot be shown" in page.text


def test_symlink_out_of_the_archive_is_refused(
    client: TestClient, reviewer: str, store: Store, tmp_path: Path
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    document = store.get_document(record.document_id)
    assert document is not None
    outside = tmp_path / "outside.png"
    Image.new("RGB", (20, 20), "blue").save(outside)
    document.archive_path.unlink()
    document.archive_path.symlink_to(outside)
    assert client.get(f"/receipts/{record.id}/pages/1.jpg").status_code == 404


def test_unknown_receipt_is_404(client: TestClient, reviewer: str) -> None:
    response = client.get("/receipts/4242")
    assert response.status_code == 404
    assert "no receipt 4242" in response.text
