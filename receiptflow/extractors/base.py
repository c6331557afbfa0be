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
    # the SDK's own retries of 429 / 5xx / timeouts / resets (not billed, not attempts)
    transport_retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # of prompt_tokens, billed at the cached-input price
    image_tokens: int = 0  # estimated from tile arithmetic; part of prompt_tokens
    # exact dollars; None when a model without a known price was paid (unknown, never $0)
    cost_usd: Decimal | None = Decimal("0")

    def __add__(self, other: Usage) -> Usage:
        unknown = self.cost_usd is None or other.cost_usd is None
        return Usage(
            requests=self.requests + other.requests,
            transport_retries=self.transport_retries + other.transport_retries,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            image_tokens=self.image_tokens + other.image_tokens,
            cost_usd=None
            if unknown
            else (self.cost_usd or Decimal(0)) + (other.cost_usd or Decimal(0)),
        )


class LlmAttempt(BaseModel):
    """One answer an LLM gave during an extraction (first and each re-ask), for the audit."""

    raw_output: str | None = None  # the tool-call arguments or message content, as sent
    request_id: str | None = None  # the provider's x-request-id
    served_model: str | None = None  # response.model: the snapshot that actually answered
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0


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
    # LLM extractors: a hash of the prompt and the response schema (``llm.audit``), and
    # every answer with its request id and served model
    prompt_version: str | None = None
    llm_attempts: list[LlmAttempt] = Field(default_factory=list)
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
