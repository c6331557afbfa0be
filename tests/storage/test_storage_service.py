"""Store: documents, runs, receipts, review trail; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.schemas.flags import Flag
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage import NotFoundError, StorageError, Store

ResultFactory = Callable[..., ExtractionResult]
ReceiptFactory = Callable[..., Receipt]


def test_same_bytes_under_two_names_make_one_document(store: Store, tmp_path: Path) -> None:
    first, second = tmp_path / "a.jpg", tmp_path / "copy of a.jpg"
    first.write_bytes(b"\xff\xd8\xff\xe0 receipt bytes")
    second.write_bytes(first.read_bytes())

    one = store.save_input(first, source="cli")
    two = store.save_input(second, source="batch")
    three = store.save_input_bytes(first.read_bytes(), "upload.jpg", source="web")

    assert one.created and not two.created and not three.created
    assert one.id == two.id == three.id
    assert one.original_name == "a.jpg" and one.source == "cli"
    assert one.media_type == "image/jpeg" and one.size_bytes == first.stat().st_size
    assert one.archive_path.read_bytes() == first.read_bytes()
    assert one.archive_path.name == f"{one.sha256}.jpg"
    assert len(store.list_documents()) == 1
    other = store.save_input_bytes(b"%PDF-1.4 other", "b.pdf", source="cli")
    assert other.id != one.id and other.media_type == "application/pdf"


def test_extraction_creates_one_receipt_with_exact_money(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"receipt one", "one.png", source="cli")
    record = store.record_extraction(document.id, result_factory(), pages=1)

    assert record is not None and record.status == "extracted"
    assert record.document_sha256 == document.sha256 and record.document_name == "one.png"
    assert record.receipt.total == Decimal("12.30") and str(record.receipt.total) == "12.30"
    assert record.receipt.date == dt.date(2024, 3, 14)
    assert [item.description for item in record.receipt.line_items] == ["COFFEE", "NOODLES"]
    assert str(record.receipt.line_items[0].amount) == "4.30"
    assert record.receipt.line_items[0].quantity == 1
    assert record.confidence == {"total": 0.9, "merchant.name": 0.8}
    assert store.get_receipt(record.id) == record
    stored_document = store.get_document(document.id)
    assert stored_document is not None
    assert stored_document.status == "extracted" and stored_document.pages == 1

    (run,) = store.runs(document.id)
    assert (run.extractor, run.prompt_tokens, run.completion_tokens) == ("local", 1200, 300)
    assert run.cost_usd == Decimal("0.00036") and run.latency_s == pytest.approx(0.51)
    assert run.raw_output == '{"total": "12.30"}' and run.schema_version.startswith("receipt-")


def test_reextraction_adds_a_run_not_a_receipt(
    store: Store, result_factory: ResultFactory, receipt_factory: ReceiptFactory
) -> None:
    document = store.save_input_bytes(b"receipt two", "two.jpg", source="cli")
    first = store.record_extraction(document.id, result_factory())
    better = receipt_factory(merchant="KEDAI RUNCIT ABC SDN BHD")
    second = store.record_extraction(document.id, result_factory(better, method="cascade:nemo"))

    assert first is not None and second is not None and first.id == second.id
    assert second.receipt.merchant.name == "KEDAI RUNCIT ABC SDN BHD"
    assert [run.extractor for run in store.runs(document.id)] == ["local", "cascade:nemo"]
    assert len(store.list_receipts()) == 1
    (event,) = store.history(first.id)
    assert event.action == "re-extract" and event.reason == "cascade:nemo"
    assert [(c.field, c.before, c.after) for c in event.changes] == [
        ("merchant.name", "KEDAI RUNCIT ABC", "KEDAI RUNCIT ABC SDN BHD")
    ]


def test_reextraction_keeps_values_a_person_approved(
    store: Store, result_factory: ResultFactory, receipt_factory: ReceiptFactory
) -> None:
    document = store.save_input_bytes(b"receipt three", "three.jpg", source="cli")
    record = store.record_extraction(document.id, result_factory())
    assert record is not None
    store.set_status(record.id, "approved", user="ana")
    again = store.record_extraction(document.id, result_factory(receipt_factory(total="99.00")))
    assert again is not None and again.status == "approved"
    assert again.receipt.total == Decimal("12.30")
    assert len(store.runs(document.id)) == 2


def test_flagged_result_is_stored_flagged_with_its_flags(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"receipt four", "four.jpg", source="watcher")
    flag = Flag(code="missing_date", field="date", message="no date found")
    result = result_factory(status=ExtractionStatus.FLAGGED, flags=[flag])
    record = store.record_extraction(document.id, result)
    assert record is not None and record.status == "flagged" and record.flags == [flag]
    assert store.list_receipts(status="flagged")[0].id == record.id


def test_failed_extraction_keeps_document_original_and_error(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"not a receipt at all", "junk.bin", source="batch")
    result = result_factory(status=ExtractionStatus.FAILED, receipt=None, errors=["no text"])
    assert store.record_extraction(document.id, result) is None

    stored = store.get_document(document.id)
    assert stored is not None and stored.status == "failed"
    assert (stored.error, stored.error_stage) == ("no text", "extract")
    assert stored.archive_path.read_bytes() == b"not a receipt at all"
    (run,) = store.runs(document.id)
    assert run.status == "failed" and run.error == "no text"
    assert store.list_receipts() == []


def test_ingest_failure_is_recorded_on_the_document(store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 truncated")
    document = store.save_input(broken, source="cli")
    store.record_failure(document.id, "broken.pdf: not a valid PDF", stage="ingest")

    stored = store.get_document_by_sha256(document.sha256)
    assert stored is not None and stored.status == "failed" and stored.error_stage == "ingest"
    assert stored.error == "broken.pdf: not a valid PDF"
    assert stored.archive_path.read_bytes() == broken.read_bytes()
    with pytest.raises(NotFoundError):
        store.record_failure(document.id + 1000, "x", stage="ingest")


def test_probable_duplicate_is_flagged_not_merged(
    store: Store, result_factory: ResultFactory, receipt_factory: ReceiptFactory
) -> None:
    photo = store.save_input_bytes(b"photo of the receipt", "photo.jpg", source="cli")
    scan = store.save_input_bytes(b"scan of the receipt", "scan.pdf", source="cli")
    first = store.record_extraction(photo.id, result_factory())
    # same purchase, the merchant read with other case and spacing
    second = store.record_extraction(
        scan.id, result_factory(receipt_factory(merchant=" kedai runcit abc"))
    )
    assert first is not None and second is not None and first.id != second.id
    assert first.status == "extracted"
    assert second.status == "flagged"
    assert [flag.code for flag in second.flags] == ["possible_duplicate"]
    assert str(first.id) in second.flags[0].message
    other_day = store.save_input_bytes(b"next day", "next.jpg", source="cli")
    third = store.record_extraction(
        other_day.id, result_factory(receipt_factory(date=dt.date(2024, 3, 15)))
    )
    assert third is not None and third.flags == [] and len(store.list_receipts()) == 3


def test_edit_revalidates_and_keeps_field_level_before_and_after(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"receipt five", "five.jpg", source="cli")
    record = store.record_extraction(document.id, result_factory())
    assert record is not None
    wrong = record.receipt.model_copy(update={"total": Decimal("99.00")})
    edited = store.update_receipt(record.id, wrong, user="ana")
    assert edited.status == "flagged" and edited.receipt.total == Decimal("99.00")
    assert "items_vs_total" in [flag.code for flag in edited.flags]

    fixed = store.update_receipt(record.id, record.receipt, user="ben", action="correct")
    assert fixed.status == "extracted" and fixed.flags == []
    approved = store.set_status(record.id, "approved", user="ben", reason="checked")
    assert approved.status == "approved"

    events = store.history(record.id)
    assert [(e.user, e.action) for e in events] == [
        ("ana", "edit"),
        ("ben", "correct"),
        ("ben", "approve"),
    ]
    assert [(c.field, c.before, c.after) for c in events[0].changes] == [
        ("total", "12.30", "99.00"),
        ("status", "extracted", "flagged"),
    ]
    assert events[2].reason == "checked"
    assert [(c.field, c.before, c.after) for c in events[2].changes] == [
        ("status", "extracted", "approved")
    ]
    assert all(e.created_at.tzinfo is not None for e in events)


def test_review_rejects_unknown_ids_and_statuses(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"receipt six", "six.jpg", source="cli")
    record = store.record_extraction(document.id, result_factory())
    assert record is not None
    with pytest.raises(StorageError):
        store.set_status(record.id, "paid", user="ana")
    with pytest.raises(NotFoundError):
        store.set_status(record.id + 1, "approved", user="ana")
    with pytest.raises(NotFoundError):
        store.update_receipt(record.id + 1, record.receipt, user="ana")
    assert store.get_receipt(record.id + 1) is None


def test_money_precision_per_currency_survives_the_round_trip(
    store: Store, result_factory: ResultFactory, receipt_factory: ReceiptFactory
) -> None:
    cases = [
        ("JPY", [("RAMEN", "1200", None)], "1200"),
        ("KWD", [("TEA", "0.250", None), ("CAKE", "1.125", None)], "1.375"),
        ("USD", [("BIG TICKET", "123456789012.50", None)], "123456789012.50"),
    ]
    for index, (currency, items, total) in enumerate(cases):
        document = store.save_input_bytes(
            f"receipt {currency}".encode(), f"{index}.jpg", source="cli"
        )
        receipt = receipt_factory(
            currency=currency, items=items, total=total, merchant=f"SHOP {index}"
        )
        stored = store.record_extraction(document.id, result_factory(receipt))
        assert stored is not None
        loaded = store.get_receipt(stored.id)
        assert loaded is not None
        assert str(loaded.receipt.total) == total
        assert [str(i.amount) for i in loaded.receipt.line_items] == [a for _, a, _ in items]


def test_users_for_the_review_app(store: Store) -> None:
    added = store.add_user("ana", "$argon2id$v=19$hash")
    assert store.get_user("ana") == added and added.password_hash == "$argon2id$v=19$hash"
    assert store.get_user("nobody") is None
    with pytest.raises(StorageError):
        store.add_user("ana", "other")


def test_users_are_disabled_changed_and_removed(store: Store) -> None:
    added = store.add_user("ana", "$argon2id$old")
    assert not added.disabled
    assert store.set_user_disabled("ana", True).disabled
    assert store.get_user("ana") == added.model_copy(update={"disabled": True})
    assert not store.set_user_disabled("ana", False).disabled
    assert store.set_user_password("ana", "$argon2id$new").password_hash == "$argon2id$new"
    store.remove_user("ana")
    assert store.get_user("ana") is None
    for change in [
        lambda: store.remove_user("ana"),
        lambda: store.set_user_disabled("ana", True),
        lambda: store.set_user_password("ana", "$argon2id$x"),
    ]:
        with pytest.raises(NotFoundError, match="no user 'ana'"):
            change()


def test_store_from_settings_uses_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from receiptflow.settings import Settings

    monkeypatch.setenv("RECEIPTFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RECEIPTFLOW_DATABASE_URL", raising=False)
    with Store.from_settings(Settings()) as store:
        document = store.save_input_bytes(b"bytes", "x.jpg", source="cli")
    assert (tmp_path / "home" / "receiptflow.db").is_file()
    assert document.archive_path.is_relative_to(tmp_path / "home" / "archive")


def test_in_memory_sqlite_and_plain_postgresql_urls(tmp_path: Path) -> None:
    with Store("sqlite://", tmp_path / "archive") as store:
        saved = store.save_input_bytes(b"bytes", "x.jpg", source="cli")
        assert [d.id for d in store.list_documents()] == [saved.id]
    with Store("postgresql://postgres@127.0.0.1:5432/x", tmp_path / "archive") as store:
        assert store.engine.url.drivername == "postgresql+psycopg"  # no connection made
