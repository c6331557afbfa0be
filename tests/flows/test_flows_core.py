"""The plain per-file logic, without Prefect: outcomes, transient vs permanent, routing,
cache keys and the batch summary."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import openai
import pytest
from flows_support import CORRUPT, FakeExtractor, receipt_png, write_receipt
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from receiptflow.errors import IngestError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.flows.core import (
    FileOutcome,
    Outcome,
    TransientError,
    cache_key,
    extractor_fingerprint,
    file_sha256,
    is_transient,
    process_file,
    receipt_schema_version,
    transient_failure,
)
from receiptflow.flows.routing import ERROR_SUFFIX, Destinations, process_and_route, route
from receiptflow.flows.steps import PlainSteps, store_for
from receiptflow.flows.summary import BatchSummary
from receiptflow.settings import Settings


def _destinations(tmp_path: Path) -> Destinations:
    return Destinations(processed=tmp_path / "done", quarantine=tmp_path / "bad")


def test_a_receipt_is_stored_and_a_second_copy_is_a_duplicate(
    settings: Settings, tmp_path: Path
) -> None:
    steps = PlainSteps(settings, source="batch")
    first = process_file(write_receipt(tmp_path, "a.png", 1), steps)
    copy = process_file(write_receipt(tmp_path, "copy-of-a.png", 1), steps)
    assert first.outcome is Outcome.APPROVED and first.receipt_id is not None
    assert copy.outcome is Outcome.DUPLICATE
    assert (copy.document_id, copy.receipt_id) == (first.document_id, first.receipt_id)
    assert sum(FakeExtractor.calls.values()) == 1
    assert store_for(settings).count_receipts() == 1


def test_a_receipt_with_error_flags_is_flagged(settings: Settings, tmp_path: Path) -> None:
    outcome = process_file(
        write_receipt(tmp_path, "r.png", 2, flagged=True), PlainSteps(settings, source="cli")
    )
    assert outcome.outcome is Outcome.FLAGGED
    assert outcome.flags == ["sum_mismatch"]


def test_bad_input_is_quarantined_with_the_reason_beside_it(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "torn.jpg"
    path.write_bytes(CORRUPT)
    outcome = process_and_route(
        path, PlainSteps(settings, source="watcher"), _destinations(tmp_path)
    )
    assert outcome.outcome is Outcome.QUARANTINED and outcome.stage == "ingest"
    assert not path.exists()
    assert outcome.destination == tmp_path / "bad" / "torn.jpg"
    report = json.loads((tmp_path / "bad" / f"torn.jpg{ERROR_SUFFIX}").read_text())
    assert report["stage"] == "ingest" and "torn.jpg" in report["error"]
    document = store_for(settings).get_document(outcome.document_id or -1)
    assert document is not None and document.status == "failed"
    assert FakeExtractor.calls == {}


@pytest.mark.timeout(60)  # opening the FIFO for reading would hang: fail instead
def test_a_fifo_or_an_oversized_file_is_quarantined_unread(
    settings: Settings, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    settings.ingest.max_bytes = 10
    big = tmp_path / "big.jpg"
    big.write_bytes(b"x" * 11)
    steps = PlainSteps(settings, source="watcher")
    for path, code in ((fifo, "not_a_file"), (big, "too_large")):
        outcome = process_and_route(path, steps, _destinations(tmp_path))
        assert outcome.outcome is Outcome.QUARANTINED, outcome.error
        assert (outcome.stage, outcome.code) == ("archive", code)
        assert outcome.destination == tmp_path / "bad" / path.name
    assert store_for(settings).list_documents() == []
    assert FakeExtractor.calls == {}


def test_a_transient_failure_propagates_and_leaves_the_file(
    settings: Settings, tmp_path: Path
) -> None:
    path = write_receipt(tmp_path, "r.png", 3)
    FakeExtractor.failures_left[file_sha256(path)] = 1
    outcome = process_and_route(path, PlainSteps(settings, source="cli"), _destinations(tmp_path))
    assert outcome.outcome is Outcome.FAILED and outcome.code == "transient"
    assert path.exists() and not (tmp_path / "bad").exists()
    again = process_and_route(path, PlainSteps(settings, source="cli"), _destinations(tmp_path))
    assert again.outcome is Outcome.APPROVED  # the document from the first try is reused
    assert again.destination is not None and again.destination.parent.parent == tmp_path / "done"
    assert len(store_for(settings).list_documents()) == 1


def test_routing_never_overwrites(tmp_path: Path) -> None:
    destinations = _destinations(tmp_path)
    names = []
    for _ in range(3):
        path = tmp_path / "receipt.png"
        path.write_bytes(receipt_png(len(names)))
        outcome = FileOutcome(path=path, outcome=Outcome.APPROVED)
        target = route(outcome, destinations)
        assert target is not None
        names.append(target.name)
    assert names == ["receipt.png", "receipt-1.png", "receipt-2.png"]


def test_a_failure_stays_in_place(tmp_path: Path) -> None:
    path = write_receipt(tmp_path, "r.png", 4)
    assert route(FileOutcome(path=path, outcome=Outcome.FAILED), _destinations(tmp_path)) is None
    assert path.exists()


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (TransientError("x"), True),
        (OperationalError("SELECT 1", {}, Exception("server closed the connection")), True),
        (openai.APIConnectionError(request=None), True),  # type: ignore[arg-type]
        (ConnectionRefusedError(), True),
        (IngestError("x.jpg", "not an image"), False),
        (ValueError("bug"), False),
    ],
)
def test_transient_errors_are_told_apart(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient
    wrapped = RuntimeError("while recording")
    wrapped.__cause__ = error
    assert is_transient(wrapped) is transient


@pytest.mark.parametrize(
    ("status", "retryable", "transient"),
    [
        (ExtractionStatus.FAILED, True, True),  # provider unreachable: try again later
        (ExtractionStatus.FAILED, False, False),  # the answer was unusable: permanent
        (ExtractionStatus.FLAGGED, False, False),
    ],
)
def test_failed_extractions_marked_retryable_are_transient(
    status: ExtractionStatus, retryable: bool, transient: bool
) -> None:
    result = ExtractionResult(
        status=status, method="openai", errors=["openai: HTTP 503"], retryable=retryable
    )
    assert (transient_failure(result) is not None) is transient


@given(st.binary(min_size=1, max_size=64), st.binary(min_size=1, max_size=64))
def test_cache_keys_follow_content_and_extractor(first: bytes, second: bytes) -> None:
    import hashlib

    version = receipt_schema_version()
    a, b = hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()
    assert (cache_key(a, "local", version) == cache_key(b, "local", version)) is (first == second)
    assert cache_key(a, "local", version) != cache_key(a, "openai", version)
    assert cache_key(a, "local", version) != cache_key(a, "local", "other-schema")


def test_another_model_or_ocr_option_misses_the_cache(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, extractor="openai")
    key = extractor_fingerprint(settings)
    assert key.startswith("openai-")
    assert extractor_fingerprint(settings.model_copy(update={"home": tmp_path / "b"})) == key
    other_model = settings.model_copy(deep=True)
    other_model.openai.model = "gpt-4o"
    other_ocr = settings.model_copy(deep=True)
    other_ocr.ocr.min_side = 736
    keys = {key, extractor_fingerprint(other_model), extractor_fingerprint(other_ocr)}
    assert len(keys) == 3


def test_other_trust_thresholds_or_model_files_miss_the_cache(tmp_path: Path) -> None:
    from receiptflow.learned.files import load_model

    settings = Settings(home=tmp_path)
    key = extractor_fingerprint(settings)
    stricter = settings.model_copy(deep=True)
    stricter.trust.total = 0.999  # stricter than the default
    retrained = settings.model_copy(deep=True)
    model = tmp_path / "row_roles.json"
    data = load_model("row_roles.json")
    model.write_text(json.dumps({**data, "note": "retrained"}), encoding="utf-8")
    retrained.local.role_model = str(model)
    keys = {key, extractor_fingerprint(stricter), extractor_fingerprint(retrained)}
    assert len(keys) == 3


def test_batch_summary_counts_flags_and_cost(tmp_path: Path) -> None:
    outcomes = [
        FileOutcome(path=tmp_path / "a.png", outcome=Outcome.APPROVED, cost_usd=Decimal("0.01")),
        FileOutcome(
            path=tmp_path / "b.png",
            outcome=Outcome.FLAGGED,
            flags=["sum_mismatch"],
            cost_usd=Decimal("0.02"),
        ),
        FileOutcome(path=tmp_path / "c.jpg", outcome=Outcome.QUARANTINED, error="not an image"),
    ]
    summary = BatchSummary(outcomes=outcomes, seconds=1.5)
    assert summary.counts["approved"] == 1 and summary.counts["failed"] == 0
    assert summary.cost_usd == Decimal("0.03")
    rows = {row["outcome"]: row for row in summary.table()}
    assert rows["flagged"]["files_needing_attention"] == "b.png (sum_mismatch)"
    assert rows["quarantined"]["files_needing_attention"] == "c.jpg (not an image)"
    assert rows["total"]["files"] == 3 and rows["total"]["cost_usd"] == "0.03"


def test_receiptflow_turns_prefect_analytics_off_before_prefect_loads() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    probe = (
        "import receiptflow.cli.main, sys; assert 'prefect' not in sys.modules; "
        "from prefect.settings import get_current_settings; "
        "print(get_current_settings().server.analytics_enabled)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "False"
