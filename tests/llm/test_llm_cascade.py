"""The cascade's path decisions, with a stand-in local stage and real HTTP for the LLM stages."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.extractors.cascade import CascadeExtractor
from receiptflow.extractors.nemo import NemoExtractor
from receiptflow.extractors.openai_vision import OpenAIVisionExtractor
from receiptflow.ingest.document import Document, Page, TextLine
from receiptflow.llm.response import best_partial, salvage
from receiptflow.llm.scripted_server import ScriptedServer, tool
from receiptflow.schemas.receipt import Receipt
from receiptflow.settings import Settings

pytestmark = pytest.mark.llm

VALID = {
    "merchant": {"name": "KEDAI"},
    "date": "2024-03-01",
    "currency": "MYR",
    "line_items": [{"description": "TEH", "quantity": 1, "unit_price": "2.00", "amount": "2.00"}],
    "subtotal": "2.00",
    "total": "2.00",
}
LINES = [TextLine("KEDAI", (0, 0, 50, 10)), TextLine("TOTAL 2.00", (0, 20, 100, 30))]


class StubLocal:
    """The local stage's interface with a scripted answer; counts the OCR it was asked for."""

    name = "local"

    def __init__(self, status: ExtractionStatus, confidence: float) -> None:
        self.status, self.confidence_value, self.reads = status, confidence, 0

    def is_available(self) -> bool:
        return True

    def read_lines(self, document: Document) -> list[TextLine]:
        self.reads += 1
        return LINES

    def extract_lines(self, lines: list[TextLine]) -> ExtractionResult:
        keys = ("merchant.name", "date", "total")
        return ExtractionResult(
            status=self.status,
            receipt=Receipt.model_validate(VALID),
            confidence=dict.fromkeys(keys, self.confidence_value),
            method="local",
        )

    def extract(self, document: Document) -> ExtractionResult:
        return self.extract_lines(self.read_lines(document))


def _document() -> Document:
    page = Page(index=0, image=Image.new("RGB", (400, 1000), "white"))
    return Document(Path("r.jpg"), "0" * 64, "image/jpeg", 1, [page])


@pytest.fixture
def servers() -> Iterator[dict[str, ScriptedServer]]:
    nemo = ScriptedServer([tool({**VALID, "total": "7.00"}), tool(VALID)]).start()
    vision = ScriptedServer([tool(VALID)]).start()
    yield {"nemo": nemo, "openai": vision}
    nemo.stop()
    vision.stop()


def _cascade(local: StubLocal, servers: dict[str, ScriptedServer], **cascade: Any) -> Any:
    settings = Settings(
        nemo={"base_url": servers["nemo"].url, "validation_retries": 0, "timeout_s": 5},
        openai={"api_key": "sk-test", "base_url": servers["openai"].url, "timeout_s": 5},
        cascade=cascade,
    )
    nemo = NemoExtractor(settings.nemo, settings.llm, local)  # type: ignore[arg-type]
    vision = OpenAIVisionExtractor(settings.openai, settings.llm)
    return CascadeExtractor(local, nemo, vision, settings.cascade)  # type: ignore[arg-type]


def test_confident_valid_local_stops_there(servers: dict[str, ScriptedServer]) -> None:
    result = _cascade(StubLocal(ExtractionStatus.OK, 0.95), servers).extract(_document())
    assert result.method == "cascade:local"
    assert result.usage.cost_usd == 0 and not servers["nemo"].requests


def test_unsure_local_goes_to_nemo_on_the_same_lines(servers: dict[str, ScriptedServer]) -> None:
    servers["nemo"].script = [tool(VALID)]
    local = StubLocal(ExtractionStatus.OK, 0.5)
    result = _cascade(local, servers, min_confidence=0.8).extract(_document())
    assert result.method == "cascade:nemo" and result.status is ExtractionStatus.OK
    assert local.reads == 1  # OCR once, reused for nemo
    assert "KEDAI" in json.dumps(servers["nemo"].requests[0]["messages"])
    assert not servers["openai"].requests


def test_nemo_flagged_falls_through_to_vision_and_costs_add_up(
    servers: dict[str, ScriptedServer],
) -> None:
    local = StubLocal(ExtractionStatus.FLAGGED, 0.99)
    result = _cascade(local, servers).extract(_document())
    assert result.method == "cascade:openai" and result.status is ExtractionStatus.OK
    assert len(servers["nemo"].requests) == 1 and len(servers["openai"].requests) == 1
    billed = servers["nemo"].billed + servers["openai"].billed
    assert result.usage.prompt_tokens == sum(prompt for prompt, _ in billed)
    prompt, completion = servers["openai"].billed[0]
    mini = (prompt * Decimal("0.15") + completion * Decimal("0.60")) / Decimal(1_000_000)
    assert result.usage.cost_usd == mini  # nemo is self-hosted: free
    assert result.usage.requests == 2


def test_nothing_accepted_returns_the_best_flagged(servers: dict[str, ScriptedServer]) -> None:
    local = StubLocal(ExtractionStatus.FLAGGED, 0.99)
    result = asyncio.run(_cascade(local, servers, use_openai=False).aextract(_document()))
    assert result.status is ExtractionStatus.FLAGGED
    assert result.method in {"cascade:local", "cascade:nemo"}
    assert result.usage.requests == 1


def test_unsure_local_with_no_llm_stage_says_so(servers: dict[str, ScriptedServer]) -> None:
    local = StubLocal(ExtractionStatus.OK, 0.5)
    cascade = _cascade(local, servers, min_confidence=0.8, use_nemo=False, use_openai=False)
    result = cascade.extract(_document())
    assert result.method == "cascade:local"
    assert "cascade_not_escalated" in {flag.code for flag in result.flags}
    confident = _cascade(StubLocal(ExtractionStatus.OK, 0.95), servers, use_nemo=False)
    assert "cascade_not_escalated" not in {f.code for f in confident.extract(_document()).flags}


def test_salvage_drops_only_what_does_not_fit() -> None:
    answer = json.dumps({**VALID, "date": "yesterday", "line_items": [{"amount": "x"}]})
    receipt = salvage(answer)
    assert receipt is not None and receipt.total == Decimal("2.00") and receipt.date is None
    assert salvage("no json here") is None
    best, raw = best_partial([json.dumps({**VALID, "total": "9"}), json.dumps(VALID)])
    assert best is not None and best.total == Decimal("2.00") and raw == json.dumps(VALID)
