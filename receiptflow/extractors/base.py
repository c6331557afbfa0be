"""The extractor contract and what every extraction returns.

An extractor never lets a bad receipt vanish into an exception: it returns an
``ExtractionResult`` whose ``status`` says how it went, with the (possibly partial) receipt,
the validation flags, errors, per-field confidence, usage and cost, and which method made it.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from receiptflow.ingest.document import Document
from receiptflow.schemas.flags import Flag
from receiptflow.schemas.receipt import Receipt


class ExtractionStatus(StrEnum):
    OK = "ok"  # receipt found and it validates
    FLAGGED = "flagged"  # receipt (maybe partial) with error flags: needs a person
    FAILED = "failed"  # nothing usable came out (see errors)


class Usage(BaseModel):
    """Summed over every attempt of one extraction, as the server reported it."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    image_tokens: int = 0  # estimated from tile arithmetic; part of prompt_tokens
    cost_usd: Decimal = Decimal("0")

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            requests=self.requests + other.requests,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            image_tokens=self.image_tokens + other.image_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
        )


class ExtractionResult(BaseModel):
    status: ExtractionStatus
    receipt: Receipt | None = None
    flags: list[Flag] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    confidence: dict[str, float] = Field(default_factory=dict)  # "total", "merchant.name", ...
    # The text each field was read from, as printed ("date": "30 DEC 17", "total": "RM 9.00").
    evidence: dict[str, str] = Field(default_factory=dict)
    method: str  # extractor name, or the path taken: "cascade:local", "cascade:nemo"
    model: str | None = None
    attempts: int = 1
    timings: dict[str, float] = Field(default_factory=dict)  # seconds: "ocr", "parse", "llm"
    usage: Usage = Field(default_factory=Usage)
    raw_output: str | None = None  # the model's last raw answer, for the audit trail
    # The backend was unreachable or overloaded (timeouts, resets, 429, 5xx after the
    # transport retries): the same input may well succeed later. Flows retry these.
    retryable: bool = False
    # cascade: why an earlier stage's answer was not accepted, e.g. {"stage": "local",
    # "fields": {"total": 0.62}, "flags": ["sum_mismatch"]}; None when nothing escalated
    escalated_because: dict[str, Any] | None = None
    # page index -> degrees counter-clockwise that make the page upright, where OCR found it
    # sideways or upside down (the review app shows the original turned so)
    page_rotations: dict[int, int] = Field(default_factory=dict)


@runtime_checkable
class Extractor(Protocol):
    name: str

    def is_available(self) -> bool:
        """True when it can run here: its packages are installed and its endpoint configured."""
        ...

    def extract(self, document: Document) -> ExtractionResult: ...
