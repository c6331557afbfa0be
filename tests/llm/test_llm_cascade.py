"""The cascade's path decisions, with a stand-in local stage and real HTTP for the LLM stages.

A stage is accepted exactly when the trust decision leaves it ``ok``; every stage passed
over is recorded in ``escalated_because``; and when no later stage is accepted the result
is never ``ok``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from receiptflow.cli.output import result_object
from receiptflow.errors import ConfigError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.extractors.cascade import CascadeExtractor
from receiptflow.extractors.nemo import NemoExtractor
from receiptflow.extractors.openai_vision import OpenAIVisionExtractor
from receiptflow.ingest.document import Document, Page, TextLine
from receiptflow.llm.response import best_partial, salvage
from receiptflow.llm.scripted_server import ScriptedServer, error, tool
from receiptflow.schemas.flags import Flag
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
LINES = [
    TextLine("KEDAI", (0, 0, 50, 10)),
    TextLine("01/03/2024", (0, 10, 100, 20)),
    TextLine("TEH 2.00", (0, 20, 100, 30)),
    TextLine("TOTAL 2.00", (0, 30, 100, 40)),
]
# an error the reject option keeps (arithmetic findings become warnings: probabilities weigh them)
BAD_CURRENCY = Flag(code="invalid_currency", field="currency", message="not ISO 4217")


class StubLocal:
    """The local stage's interface with a scripted answer; counts the OCR it was asked for."""

    name = "local"

    def __init__(self, confidence: float, *, valid: bool = True) -> None:
        self.confidence_value, self.valid, self.reads = confidence, valid, 0

    def is_available(self) -> bool:
        return True

    def read_lines(self, document: Document) -> list[TextLine]:
        self.reads += 1
        return LINES

    def extract_lines(self, lines: list[TextLine]) -> ExtractionResult:
        keys = ("merchant.name", "date", "total")
        return ExtractionResult(
            status=ExtractionStatus.OK if self.valid else ExtractionStatus.FLAGGED,
            receipt=Receipt.model_validate(VALID),
            flags=[] if self.valid else [BAD_CURRENCY],
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
        nemo={
            "base_url": servers["nemo"].url,
            "validation_retries": 0,
            "timeout_s": 5,
            "transport_retries": 0,
        },
        openai={
            "api_key": "sk-test",
            "base_url": servers["openai"].url,
            "timeout_s": 5,
            "transport_retries": 0,
        },
        cascade=cascade,
    )
    nemo = NemoExtractor(settings.nemo, settings.llm, local, settings.trust)  # type: ignore[arg-type]
    vision = OpenAIVisionExtractor(settings.openai, settings.llm, settings.trust)
    return CascadeExtractor(local, nemo, vision, settings.cascade, settings.trust)  # type: ignore[arg-type]


def test_trusted_local_stops_there(servers: dict[str, ScriptedServer]) -> None:
    result = _cascade(StubLocal(0.99), servers).extract(_document())
    assert result.method == "cascade:local" and result.status is ExtractionStatus.OK
    assert result.escalated_because is None
    assert result.usage.cost_usd == 0 and not servers["nemo"].requests


def test_doubtful_local_goes_to_nemo_on_the_same_lines(
    servers: dict[str, ScriptedServer],
) -> None:
    servers["nemo"].script = [tool(VALID)]
    local = StubLocal(0.6)  # date and total miss their 0.97 (the merchant is unjudged)
    result = _cascade(local, servers).extract(_document())
    assert result.method == "cascade:nemo" and result.status is ExtractionStatus.OK
    assert local.reads == 1  # OCR once, reused for nemo
    assert "KEDAI" in json.dumps(servers["nemo"].requests[0]["messages"])
    assert not servers["openai"].requests
    assert result.escalated_because == {
        "stage": "local",
        "status": "flagged",
        "fields": {"date": 0.6, "total": 0.6},
        "flags": [],
    }


def test_nemo_flagged_falls_through_to_vision_and_costs_add_up(
    servers: dict[str, ScriptedServer],
) -> None:
    local = StubLocal(0.99, valid=False)
    result = _cascade(local, servers).extract(_document())
    assert result.method == "cascade:openai" and result.status is ExtractionStatus.OK
    assert len(servers["nemo"].requests) == 1 and len(servers["openai"].requests) == 1
    billed = servers["nemo"].billed + servers["openai"].billed
    assert result.usage.prompt_tokens == sum(prompt for prompt, _ in billed)
    prompt, completion = servers["openai"].billed[0]
    mini = (prompt * Decimal("0.15") + completion * Decimal("0.60")) / Decimal(1_000_000)
    assert result.usage.cost_usd == mini  # nemo is self-hosted: free
    assert result.usage.requests == 2
    # the audit keeps nemo's answer too, not only the chosen stage's
    served = [a.served_model for a in result.llm_attempts]
    assert served == ["mistralai/Mistral-Nemo-Instruct-2407", "gpt-4o-mini"]
    because = result.escalated_because
    assert because["stage"] == "local" and because["flags"] == ["invalid_currency"]
    assert because["then"]["stage"] == "nemo" and because["then"]["status"] == "flagged"
    assert because["then"]["flags"] == ["llm_unvalidated"]  # 7.00 does not add up ...
    assert "total" in because["then"]["fields"]  # ... and is printed nowhere: doubtful
    assert "cascade_llm_failed" not in {flag.code for flag in result.flags}


def test_nothing_accepted_returns_the_best_flagged(servers: dict[str, ScriptedServer]) -> None:
    local = StubLocal(0.99, valid=False)
    result = asyncio.run(_cascade(local, servers, use_openai=False).aextract(_document()))
    assert result.status is ExtractionStatus.FLAGGED
    assert result.method in {"cascade:local", "cascade:nemo"}
    assert result.usage.requests == 1
    assert [result.escalated_because["stage"], result.escalated_because["then"]["stage"]] == [
        "local",
        "nemo",
    ]


@pytest.mark.parametrize("run", ["extract", "aextract"])
def test_every_later_stage_failing_never_returns_local_as_ok(
    servers: dict[str, ScriptedServer], run: str
) -> None:
    """local validates but is not trusted; nemo and openai both fail: flagged, not ok."""
    servers["nemo"].script = [error(500)]
    servers["openai"].script = [error(503)]
    cascade = _cascade(StubLocal(0.6), servers)
    document = _document()
    extract = getattr(cascade, run)
    result = asyncio.run(extract(document)) if run == "aextract" else extract(document)
    assert result.status is ExtractionStatus.FLAGGED
    assert result.method == "cascade:local"
    assert {flag.field for flag in result.flags if flag.code == "low_confidence"} == {
        "date",
        "total",
    }
    assert any("nemo" in e for e in result.errors) and any("openai" in e for e in result.errors)
    because = result.escalated_because
    assert because["fields"] == {"date": 0.6, "total": 0.6}
    assert because["then"]["status"] == "failed" and because["then"]["then"]["stage"] == "openai"
    (note,) = [flag for flag in result.flags if flag.code == "cascade_llm_failed"]
    assert "nemo, openai" in note.message and "not trusted" in note.message
    shown = result_object(document, result)  # what `receiptflow extract` prints
    assert shown["status"] == "flagged" and shown["escalated_because"] == because
    assert "cascade_llm_failed" in {flag["code"] for flag in shown["flags"]}


def test_untrusted_local_with_no_llm_stage_is_flagged_and_says_so(
    servers: dict[str, ScriptedServer],
) -> None:
    cascade = _cascade(StubLocal(0.6), servers, use_nemo=False, use_openai=False)
    result = cascade.extract(_document())
    assert result.method == "cascade:local" and result.status is ExtractionStatus.FLAGGED
    assert "cascade_not_escalated" in {flag.code for flag in result.flags}
    assert result.escalated_because["stage"] == "local"
    trusted = _cascade(StubLocal(0.99), servers, use_nemo=False)
    assert "cascade_not_escalated" not in {f.code for f in trusted.extract(_document()).flags}


def test_the_old_cascade_bar_is_refused_with_its_replacement_named() -> None:
    with pytest.raises(ConfigError, match="RECEIPTFLOW_TRUST__"):
        Settings(cascade={"min_confidence": 0.8})


def test_salvage_drops_only_what_does_not_fit() -> None:
    answer = json.dumps({**VALID, "date": "yesterday", "line_items": [{"amount": "x"}]})
    receipt = salvage(answer)
    assert receipt is not None and receipt.total == Decimal("2.00") and receipt.date is None
    assert salvage("no json here") is None
    best, raw = best_partial([json.dumps({**VALID, "total": "9"}), json.dumps(VALID)])
    assert best is not None and best.total == Decimal("2.00") and raw == json.dumps(VALID)
