"""Per-field probabilities of LLM answers, through the real openai SDK and Instructor against
a scripted OpenAI-compatible server: printed values beat unprinted ones, an unprinted total
is re-asked once and then flagged, logprobs count when the server sends them, and local
reading the same value raises its probability."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from receiptflow.extractors import ExtractionStatus, get_extractor
from receiptflow.ingest.document import Document, Page, TextLine
from receiptflow.llm.scripted_server import (
    SAMPLE_ANSWER,
    SAMPLE_LINES,
    Reply,
    ScriptedServer,
    token_logprobs,
    tool,
)
from receiptflow.schemas.receipt import Receipt
from receiptflow.settings import Settings, TrustSettings
from receiptflow.trust import LOW_CONFIDENCE

pytestmark = pytest.mark.llm

UNPRINTED_DATE = {**SAMPLE_ANSWER, "date": "2024-03-07"}
# adds up, but 4.80 (and 1.80, 3.60) are printed nowhere on the receipt: TEH TARIK misread
UNPRINTED_TOTAL = {
    **SAMPLE_ANSWER,
    "line_items": [
        {"description": "TEH TARIK", "quantity": 2, "unit_price": "1.80", "amount": "3.60"},
        {"description": "ROTI CANAI", "quantity": 1, "unit_price": "1.20", "amount": "1.20"},
    ],
    "subtotal": "4.80",
    "total": "4.80",
}


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ScriptedServer] = []

    def start(script: Any) -> ScriptedServer:
        servers.append(ScriptedServer(script).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _extractor(name: str, server: ScriptedServer, **options: Any) -> Any:
    group = {"base_url": server.url, "timeout_s": 5.0, "transport_retries": 0, **options}
    return get_extractor(name, Settings(nemo=group, openai={**group, "api_key": "sk-test"}))


def _low_confidence(result: Any) -> set[str]:
    return {flag.field for flag in result.flags if flag.code == LOW_CONFIDENCE}


def test_a_printed_value_is_more_probable_than_an_unprinted_one(serve: Any) -> None:
    server = serve([tool(SAMPLE_ANSWER), tool(UNPRINTED_DATE)])
    nemo = _extractor("nemo", server)
    printed, unprinted = nemo.extract_lines(SAMPLE_LINES), nemo.extract_lines(SAMPLE_LINES)

    assert printed.status is ExtractionStatus.OK, printed.flags
    assert printed.evidence["date"] == "01/03/2024" and printed.evidence["total"] == "4.20"
    assert 0 < printed.confidence["receipt"] <= min(printed.confidence["total"], 1)
    assert unprinted.confidence["date"] < printed.confidence["date"]
    assert unprinted.status is ExtractionStatus.FLAGGED
    assert _low_confidence(unprinted) == {"date"}
    assert unprinted.confidence["date"] < TrustSettings().date  # type: ignore[operator]


def test_an_unprinted_total_is_reasked_once_then_flagged(serve: Any) -> None:
    stubborn = serve([tool(UNPRINTED_TOTAL)])  # the model keeps its misread
    result = _extractor("nemo", stubborn, validation_retries=2).extract_lines(SAMPLE_LINES)

    assert len(stubborn.requests) == 2  # one re-ask, not the whole budget of two
    reask = json.dumps(stubborn.requests[1]["messages"][-1])
    assert "4.80 is not printed anywhere" in reask
    assert result.status is ExtractionStatus.FLAGGED and result.attempts == 2
    assert "total" in _low_confidence(result)
    assert "llm_unvalidated" not in {flag.code for flag in result.flags}  # the sums add up

    corrected = serve([tool(UNPRINTED_TOTAL), tool(SAMPLE_ANSWER)])
    fixed = _extractor("nemo", corrected).extract_lines(SAMPLE_LINES)
    assert fixed.status is ExtractionStatus.OK and fixed.attempts == 2
    assert str(fixed.receipt.total) == "4.20"
    assert fixed.confidence["total"] > result.confidence["total"]

    no_budget = serve([tool(UNPRINTED_TOTAL)])
    once = _extractor("nemo", no_budget, validation_retries=0).extract_lines(SAMPLE_LINES)
    assert len(no_budget.requests) == 1 and "total" in _low_confidence(once)


def test_logprobs_are_requested_and_read_when_present_ignored_when_absent(serve: Any) -> None:
    text = json.dumps(SAMPLE_ANSWER)
    sure = Reply(arguments=text, logprobs=token_logprobs(text))
    unsure = Reply(arguments=text, logprobs=token_logprobs(text, {'"4.20"': 0.01}))
    server = serve([sure, unsure, tool(text)])
    nemo = _extractor("nemo", server)
    answers = [nemo.judge_lines(SAMPLE_LINES) for _ in range(3)]

    assert server.requests[0]["logprobs"] is True and server.requests[0]["top_logprobs"] == 1
    (sure_total, unsure_total, plain_total) = (a.features["total"] for a in answers)
    assert sure_total["has_logprob"] == 1 and sure_total["logprob"] == 0
    assert unsure_total["has_logprob"] == 1 and unsure_total["logprob"] < -4
    assert plain_total["has_logprob"] == 0 and plain_total["logprob"] == 0
    confidence = [a.result.confidence["total"] for a in answers]
    assert confidence[1] < confidence[0]
    assert answers[2].result.status is ExtractionStatus.OK  # none sent: judged without them

    quiet = serve([tool(text)])
    _extractor("nemo", quiet, logprobs=False).extract_lines(SAMPLE_LINES)
    assert "logprobs" not in quiet.requests[0] and "top_logprobs" not in quiet.requests[0]


def test_local_reading_the_same_value_raises_its_probability(serve: Any) -> None:
    server = serve([tool(UNPRINTED_DATE)])
    nemo = _extractor("nemo", server)
    same = Receipt.model_validate(UNPRINTED_DATE)
    other = Receipt.model_validate(SAMPLE_ANSWER)  # local read 2024-03-01
    agreed = nemo.extract_lines(SAMPLE_LINES, same)
    alone = nemo.extract_lines(SAMPLE_LINES)
    disputed = nemo.extract_lines(SAMPLE_LINES, other)
    dates = [result.confidence["date"] for result in (agreed, alone, disputed)]
    assert dates[0] > dates[1] > dates[2]


def _document(text_layer: list[TextLine] | None) -> Document:
    page = Page(index=0, image=Image.new("RGB", (600, 1500), "white"), text_lines=text_layer)
    return Document(Path("r.pdf"), "0" * 64, "application/pdf", 1, [page])


def test_openai_grounds_in_the_text_layer_and_otherwise_says_nothing(serve: Any) -> None:
    server = serve([tool(SAMPLE_ANSWER)])
    vision = _extractor("openai", server)
    image_only = vision.judge(_document(None))
    with_layer = vision.judge(_document(SAMPLE_LINES))
    assert image_only.features["total"]["grounded"] == image_only.features["total"]["ungrounded"]
    assert image_only.features["total"]["grounded"] == 0
    assert with_layer.features["total"]["grounded"] == 1
    assert with_layer.result.confidence["date"] > image_only.result.confidence["date"]
    assert "grounding" not in json.dumps(server.requests[0])  # the context stays client-side


def test_receipt_text_that_looks_like_a_template_is_sent_as_it_is(serve: Any) -> None:
    """Instructor renders messages as Jinja when given ``context=``: the source text must
    reach the validator some other way, or "{{" on a receipt is evaluated (or fails)."""
    server = serve([tool(SAMPLE_ANSWER)])
    printed = ["{{ 7 * 7 }} {% if true %}SALE{% endif %}", "{# note #} {{"]
    lines = [
        *SAMPLE_LINES,
        *(TextLine(text, (10, 130 + 20 * i, 400, 150)) for i, text in enumerate(printed)),
    ]
    result = _extractor("nemo", server).extract_lines(lines)
    assert result.status is ExtractionStatus.OK, result.errors
    sent = server.requests[0]["messages"][-1]["content"]
    assert all(text in sent for text in printed)  # as printed: not rendered (to 49, ...)


def test_concurrent_extractions_are_each_checked_against_their_own_text(serve: Any) -> None:
    from receiptflow.llm import extract_many

    server = serve([tool(SAMPLE_ANSWER)])
    without_total = [line for line in SAMPLE_LINES if "4.20" not in line.text]
    documents = [_document(SAMPLE_LINES if i % 2 else without_total) for i in range(8)]
    results = extract_many(_extractor("nemo", server), documents, max_in_flight=8)
    # the four whose text lacks 4.20 were re-asked once; the others were not
    assert [r.attempts for r in results] == [2, 1] * 4
    assert [("total" in _low_confidence(r)) for r in results] == [True, False] * 4
