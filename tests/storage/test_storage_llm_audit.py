"""An LLM run's cost is stored to the last digit (or as unknown), with its audit columns, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from receiptflow.extractors.base import ExtractionResult, LlmAttempt, Usage
from receiptflow.storage import Store

ResultFactory = Callable[..., ExtractionResult]


def test_cost_is_exact_and_unknown_stays_unknown(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"receipt", "r.png", source="cli")
    # 1,234 tokens at $0.15 / 1M, at the Batch API's half price: 9 decimals
    exact = Decimal(1234) * Decimal("0.15") / Decimal(1_000_000) / 2
    assert exact == Decimal("0.00009255")
    tiny = Decimal("0.000000001") / 3  # a price override with many digits
    for cost in (exact, tiny, None):
        usage = Usage(requests=1, prompt_tokens=1234, cached_tokens=1000, cost_usd=cost)
        store.record_extraction(document.id, result_factory(usage=usage, method="openai"))
    runs = store.runs(document.id)
    assert [run.cost_usd for run in runs] == [exact, tiny, None]
    assert runs[0].cached_tokens == 1000


def test_answers_request_ids_served_model_and_prompt_version_are_stored(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"receipt", "r.png", source="cli")
    attempts = [
        LlmAttempt(raw_output='{"total": "1"}', request_id="req_a", served_model="m-1"),
        LlmAttempt(raw_output='{"total": "2"}', request_id="req_b", served_model="m-2"),
    ]
    result = result_factory(method="openai", llm_attempts=attempts, prompt_version="abc123")
    store.record_extraction(document.id, result)
    (run,) = store.runs(document.id)
    assert run.prompt_version == "abc123"
    assert run.served_model == "m-2" and run.request_ids == ["req_a", "req_b"]
    assert run.answers is not None
    assert [answer["raw_output"] for answer in run.answers] == ['{"total": "1"}', '{"total": "2"}']
