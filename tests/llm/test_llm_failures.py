"""What a failing LLM endpoint looks like, through the real openai SDK and Instructor
against the scripted OpenAI-compatible server: configuration errors stop the run, answers
without a receipt are named and not re-asked, transport retries are counted and stored,
and a circuit breaker stops calling an endpoint that keeps failing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from receiptflow.errors import ConfigError
from receiptflow.extractors import ExtractionStatus, get_extractor
from receiptflow.ingest.document import Document, Page
from receiptflow.llm import extract_many
from receiptflow.llm.scripted_server import (
    SAMPLE_ANSWER,
    SAMPLE_LINES,
    Reply,
    ScriptedServer,
    error,
    tool,
)
from receiptflow.settings import Settings

pytestmark = pytest.mark.llm

HTML = "<!doctype html><html><head><title>Welcome</title></head><body>Hi</body></html>"


def _document(name: str = "r.pdf") -> Document:
    page = Page(index=0, image=Image.new("RGB", (600, 900), "white"), text_lines=SAMPLE_LINES)
    return Document(Path(name), "0" * 64, "application/pdf", 1, [page])


def _settings(
    server: ScriptedServer, llm: dict[str, Any] | None = None, **options: Any
) -> Settings:
    fast = {"timeout_s": 5.0, "transport_retries": 0, "validation_retries": 2, **options}
    return Settings(
        openai={"api_key": "sk-test", "base_url": server.url, **fast},
        nemo={"base_url": server.url, "model": "nemo-test", **fast},
        trust={"enabled": False},
        llm=llm or {},
    )


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (error(401), "HTTP 401, the API key was refused"),
        (error(403), "HTTP 403, not permitted"),
        (error(404), "HTTP 404"),
        (Reply(body=HTML, content_type="text/html"), "HTML page, not the OpenAI API"),
    ],
)
def test_configuration_errors_stop_the_run_without_retries(
    serve: Any, reply: Reply, words: str
) -> None:
    server = serve([reply])
    extractor = get_extractor("openai", _settings(server, transport_retries=3))
    with pytest.raises(ConfigError, match=words) as raised:
        extractor.extract(_document())
    assert len(server.requests) == 1  # neither a transport retry nor a re-ask
    assert "\n" not in str(raised.value) and "<html" not in str(raised.value)
    with pytest.raises(ConfigError):  # a batch stops too, instead of failing file by file
        extract_many(extractor, [_document()] * 4, max_in_flight=1)


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(no_choices=True), "no answer (empty choices)"),
        (Reply(refusal="I can't help with that."), "the model refused: I can't help with that."),
        (Reply(finish_reason="content_filter"), "content filter"),
    ],
)
@pytest.mark.parametrize("mode", ["tools_strict", "json_schema"])
def test_answers_without_a_receipt_are_named_and_not_reasked(
    serve: Any, reply: Reply, words: str, mode: str
) -> None:
    server = serve([reply, tool(SAMPLE_ANSWER)])
    result = get_extractor("openai", _settings(server, output_mode=mode)).extract(_document())
    assert result.status is ExtractionStatus.FAILED and result.receipt is None
    assert len(server.requests) == 1
    (message,) = result.errors
    assert words in message and message.startswith("openai (gpt-4o-mini at http://127.0.0.1")
    assert result.attempts == 1 and result.usage.requests == 1  # billed, so counted
    assert result.usage.prompt_tokens == server.billed[0][0]
    assert not result.retryable


def test_the_attempt_count_is_the_real_one(serve: Any) -> None:
    server = serve([tool("{not json")])
    result = get_extractor("nemo", _settings(server, validation_retries=1)).extract(_document())
    assert len(server.requests) == 2 and result.attempts == 2
    assert "after 2 attempt(s)" in result.errors[0]


def test_transport_retries_are_counted_and_stored(serve: Any, tmp_path: Path) -> None:
    from receiptflow.storage.service import Store

    server = serve([error(500), error(429, headers={"Retry-After": "0"}), tool(SAMPLE_ANSWER)])
    result = get_extractor("nemo", _settings(server, transport_retries=3)).extract(_document())
    assert result.status is ExtractionStatus.OK and len(server.requests) == 3
    retried = [h.get("x-stainless-retry-count") for h in server.headers]
    assert retried == ["0", "1", "2"]  # what the SDK says it did ...
    assert result.usage.transport_retries == 2  # ... is what the usage says
    assert result.attempts == 1 and result.usage.requests == 1

    with Store(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "archive") as store:
        source = tmp_path / "r.pdf"
        source.write_bytes(b"%PDF-1.4 stand-in")
        record = store.save_input(source, source="test")
        store.record_extraction(record.id, result)
        (run,) = store.runs(record.id)
    assert run.details == {"transport_retries": 2}


def test_circuit_breaker_fails_the_rest_fast_then_probes_again(serve: Any) -> None:
    server = serve([error(503)])
    llm = {"circuit_failures": 3, "circuit_cooldown_s": 0.5}
    extractor = get_extractor("nemo", _settings(server, llm))
    started = time.perf_counter()
    results = extract_many(extractor, [_document()] * 10, max_in_flight=1)
    assert time.perf_counter() - started < 5
    assert len(server.requests) == 3  # then the endpoint is left alone
    assert all(r.status is ExtractionStatus.FAILED and r.retryable for r in results)
    assert all("HTTP 503" in r.errors[0] for r in results[:3])
    for late in results[3:]:
        assert "not called: the endpoint failed 3 times in a row" in late.errors[0]
        assert "HTTP 503" in late.errors[0] and late.attempts == 0

    time.sleep(0.6)  # the cooldown: one probe goes through, and an answer closes the circuit
    server.script = [tool(SAMPLE_ANSWER)]
    results = extract_many(extractor, [_document()] * 3, max_in_flight=1)
    assert [r.status for r in results] == [ExtractionStatus.OK] * 3
    assert len(server.requests) == 6
