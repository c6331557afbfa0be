"""Export from the UI: approved receipts only, through the CLI's exporters, as a download."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient
from review_support import SAMPLE_IMAGE, sample_path, sample_receipt, seed, wrong_total

from receiptflow.export import get_exporter
from receiptflow.storage import Store


def _seed(store: Store) -> tuple[int, int]:
    approved = seed(store, sample_path("eu_cafe"), sample_receipt("eu_cafe"))
    store.set_status(approved.id, "approved", user="alice")
    waiting = seed(store, SAMPLE_IMAGE, wrong_total())
    return approved.id, waiting.id


def test_csv_download_is_the_cli_exporter_on_approved_receipts(
    client: TestClient, reviewer: str, store: Store
) -> None:
    approved_id, _ = _seed(store)
    response = client.get("/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="receipts-approved-'
    )
    expected = io.StringIO(newline="")
    get_exporter("csv").export(
        store.list_receipts(status="approved", limit=None, newest_first=False), expected
    )
    assert response.content.decode("utf-8") == expected.getvalue()
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["receipt_id"] for row in rows} == {str(approved_id)}


def test_json_download_respects_filters(client: TestClient, reviewer: str, store: Store) -> None:
    approved_id, waiting_id = _seed(store)
    store.set_status(waiting_id, "approved", user="alice")
    everything = json.loads(client.get("/export?format=json").content)
    assert len(everything) == 2
    diner_only = json.loads(client.get("/export?format=json&merchant=sunrise").content)
    assert len(diner_only) == 1
    assert "SUNRISE DINER" in json.dumps(diner_only)


def test_download_follows_every_filter_of_the_queue(
    client: TestClient, reviewer: str, store: Store
) -> None:
    """Search, category and total range narrow the download as they narrow the queue, and the
    queue page's links carry them."""
    cafe, diner = _seed(store)
    store.set_status(diner, "approved", user="alice")
    store.set_category(cafe, "Entertainment", user="alice")

    def merchants(query: str) -> list[str]:
        response = client.get(f"/export?format=json&{query}")
        assert response.status_code == 200
        return sorted(item["receipt"]["merchant"]["name"] for item in json.loads(response.content))

    assert merchants("") == ["Café Morgenrot", "SUNRISE DINER"]
    assert merchants("q=sunrise") == ["SUNRISE DINER"]
    assert merchants("category=entertainment") == ["Café Morgenrot"]
    assert merchants("amount_min=50") == ["SUNRISE DINER"]
    assert merchants("amount_max=50&q=caf") == ["Café Morgenrot"]
    queue = client.get("/?view=all&q=sunrise&amount_min=50&category=Meals&sort=total").text
    link = re.search(r'<a href="(/export[^"]*)"[^>]*id="download-csv"', queue)
    assert link is not None and "matching these filters" in queue
    assert link.group(1) == (
        "/export?view=all&amp;q=sunrise&amp;amount_min=50&amp;category=Meals&amp;format=csv"
    )
    filtered = client.get(link.group(1).replace("&amp;", "&")).content.decode("utf-8-sig")
    assert len(filtered.splitlines()) == 1  # the header only: the diner is in no Meals


def test_unknown_format_is_refused(client: TestClient, reviewer: str) -> None:
    response = client.get("/export?format=xlsx")
    assert response.status_code == 400
    assert "csv" in response.text
