"""Uploads from the queue page: a multipart form post to /upload (works without JavaScript),
the CLI's ingest checks with the CLI's messages, the size limit while streaming, the archive
(source ``web``) and extraction in the background with progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review_support import csrf_of, log_in

from receiptflow.errors import IngestError
from receiptflow.extractors import EXTRACTORS
from receiptflow.flows.steps import forget_resources
from receiptflow.ingest import load_document_bytes
from receiptflow.review import create_app
from receiptflow.settings import IngestSettings, ReviewSettings, Settings
from receiptflow.storage import DocumentRecord, Store

sys.path.insert(0, str(Path(__file__).parents[1] / "flows"))
from flows_support import CORRUPT, FakeExtractor, receipt_png  # noqa: E402

MAX_BYTES = 20_000


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The review fixtures' settings (``store``, ``client`` use them) with the fake extractor."""
    monkeypatch.setitem(EXTRACTORS, "fake", "flows_support:build_fake")
    FakeExtractor.calls.clear()
    FakeExtractor.threads.clear()
    yield Settings(
        home=tmp_path / "home",
        database_url=None,
        extractor="fake",
        ingest=IngestSettings(max_bytes=MAX_BYTES),
        review=ReviewSettings(max_upload_files=6),
    )
    forget_resources()


@pytest.fixture
def web(client: TestClient) -> TestClient:
    log_in(client)
    return client


def _post(client: TestClient, files: list[tuple[str, bytes]], token: str | None) -> str:
    data = {} if token is None else {"csrf_token": token}
    response = client.post(
        "/upload", data=data, files=[("files", (name, body)) for name, body in files]
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    return client.get("/").text


def _token(client: TestClient) -> str:
    return csrf_of(client.get("/").text)


def _cli_message(name: str, data: bytes) -> str:
    """What ``receiptflow extract`` says about the same bytes under the same name."""
    with pytest.raises(IngestError) as raised:
        load_document_bytes(data, name, IngestSettings(max_bytes=MAX_BYTES))
    return str(raised.value)


def _settled(store: Store, timeout_s: float = 30) -> list[DocumentRecord]:
    """The web documents once none is still being extracted by the background thread."""
    deadline = time.monotonic() + timeout_s
    while True:
        documents = [d for d in store.list_documents() if d.source == "web"]
        if all(d.status != "received" for d in documents) or time.monotonic() > deadline:
            return documents
        time.sleep(0.1)


def test_upload_checks_stores_and_extracts_in_the_background(
    web: TestClient, store: Store, settings: Settings
) -> None:
    good, flagged = receipt_png(1), receipt_png(2, flagged=True)
    text = b"Total 12.30\nThank you\n" * 4
    too_big = receipt_png(3) + b"\0" * MAX_BYTES
    html = _post(
        web,
        [
            ("lunch.png", good),
            ("taxi.png", flagged),
            ("notes.png", text),
            ("empty.jpg", b""),
            ("huge.png", too_big),
            ("broken.jpg", CORRUPT),
        ],
        _token(web),
    )
    assert "Received 3 files: extracting in the background" in html
    # The CLI's own words for each refused file, and nothing of them stored.
    for name, data in [("notes.png", text), ("empty.jpg", b""), ("huge.png", too_big)]:
        message = _cli_message(name, data)
        assert message.replace("'", "&#39;") in html, message
    assert "huge.png: file is 20," in html and "over the limit of 20,000" in html

    documents = {d.original_name: d for d in _settled(store)}
    assert set(documents) == {"lunch.png", "taxi.png", "broken.jpg"}
    assert {d.source for d in documents.values()} == {"web"}
    assert documents["lunch.png"].status == "extracted"
    assert documents["taxi.png"].status == "flagged"
    broken = documents["broken.jpg"]
    assert broken.status == "failed"
    assert broken.error is not None and broken.error.startswith("broken.jpg: ")
    assert FakeExtractor.threads == {"upload-extract-0"}  # in the background thread
    assert not list((settings.home / "uploads").iterdir())  # temporary files removed

    queue = web.get("/?view=all").text
    for document in (documents["lunch.png"], documents["taxi.png"]):
        receipt = store.get_receipt_for_document(document.id)
        assert receipt is not None
        assert f'href="/receipts/{receipt.id}"' in queue  # in the queue and in the upload list
    progress = web.get("/uploads.json").json()["uploads"]
    assert {item["name"]: item["status"] for item in progress} == {
        "lunch.png": "extracted",
        "taxi.png": "flagged",
        "broken.jpg": "failed",
    }

    again = _post(web, [("lunch-copy.png", good)], _token(web))
    receipt = store.get_receipt_for_document(documents["lunch.png"].id)
    assert receipt is not None
    assert f"lunch-copy.png: the same file was received before (receipt {receipt.id})" in again


def test_the_form_works_without_javascript(web: TestClient) -> None:
    html = web.get("/").text
    assert '<form method="post" action="/upload" enctype="multipart/form-data"' in html
    assert 'name="files" multiple' in html and 'name="csrf_token"' in html
    assert 'id="upload-submit"' in html


def test_upload_without_csrf_token_stores_nothing(
    web: TestClient, store: Store, settings: Settings
) -> None:
    response = web.post("/upload", files=[("files", ("lunch.png", receipt_png(1)))])
    assert response.status_code == 403
    forged = web.post(
        "/upload", data={"csrf_token": "x"}, files=[("files", ("a.png", receipt_png(1)))]
    )
    assert forged.status_code == 403
    assert store.list_documents() == []
    assert not list((settings.home / "uploads").iterdir())


def test_too_many_files_or_not_a_form(web: TestClient, store: Store) -> None:
    files = [(f"r{i}.png", receipt_png(i)) for i in range(7)]
    html = _post(web, files, _token(web))
    assert "more than 6 files in one upload" in html
    token = _token(web)
    not_multipart = web.post("/upload", data={"csrf_token": token})  # urlencoded
    assert not_multipart.status_code == 403  # the token cannot be read from it: refused
    broken = web.post(
        "/upload",
        content=f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}'
        '\r\n--b\r\nContent-Disposition: form-data; name="files"; filename="x.png"\r\n\r\n'
        + "x"
        * (MAX_BYTES * 7 + 500_000),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert broken.status_code == 303  # the token came first: the user is told why
    assert "the upload is larger than 6 files of 20,000 bytes" in web.get("/").text
    assert store.list_documents() == []


def test_no_file_chosen(web: TestClient) -> None:
    html = _post(web, [("", b"")], _token(web))
    assert "Choose one or more receipt files" in html


def _left_received(
    settings: Settings, store: Store, folder: Path, *, original_lost: bool
) -> DocumentRecord:
    """An upload a stopped server received but did not extract; then the server starts."""
    waiting = folder / "waiting.png"
    waiting.write_bytes(receipt_png(7))
    document = store.save_input(waiting, source="web", name="from-before.png")
    if original_lost:
        document.archive_path.unlink()
    with TestClient(create_app(settings, store=store)):
        (settled,) = _settled(store)
    assert settled.id == document.id
    return settled


def test_uploads_left_received_are_extracted_on_start(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    settled = _left_received(settings, store, tmp_path, original_lost=False)
    assert settled.status == "extracted"


def test_an_upload_whose_original_is_gone_is_marked_failed(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    settled = _left_received(settings, store, tmp_path, original_lost=True)
    assert settled.status == "failed" and settled.error is not None
    assert "does not exist" in settled.error  # never left "received" for ever
