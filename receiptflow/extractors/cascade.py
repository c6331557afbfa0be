"""Cheapest path first: local rules, then NeMo on the same OCR text, then GPT-4o mini vision.

Each stage's answer is accepted exactly when the trust decision leaves it ``ok``
(``receiptflow.trust.apply_trust`` with ``TrustSettings``): no error flag, and every key
field's probability at or above its threshold. Otherwise the next stage runs: ``nemo`` reads
the OCR lines already made (no second OCR), when a server is configured; then ``openai``
looks at the images. Both LLM stages compare their answer with local's reading, which is
evidence for their probabilities. ``escalated_because`` records why each stage was passed
over: ``{"stage": "local", "status": ..., "fields": {field: probability}, "flags": [codes],
"then": {the same for nemo, when it too was passed over}}``.

The result says which stage produced it (``cascade:local`` / ``cascade:nemo`` /
``cascade:openai``) and carries the usage and cost of every stage tried. When no stage is
accepted, the best one is returned, ``flagged`` (or ``failed``): never ``ok``; when every LLM
stage tried failed outright (unreachable, refused...), a ``cascade_llm_failed`` flag says
that the answer is local's, which was not trusted, and the stages' errors are kept.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Any

from receiptflow.errors import ReceiptflowError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus, Usage
from receiptflow.ingest.document import Document, TextLine, page_rotations
from receiptflow.schemas.flags import Flag, Severity
from receiptflow.trust import LOW_CONFIDENCE, apply_trust, doubtful_fields

if TYPE_CHECKING:
    from receiptflow.extractors.local import LocalExtractor
    from receiptflow.extractors.nemo import NemoExtractor
    from receiptflow.extractors.openai_vision import OpenAIVisionExtractor
    from receiptflow.settings import CascadeSettings, Settings, TrustSettings

_STATUS_RANK = {ExtractionStatus.OK: 0, ExtractionStatus.FLAGGED: 1, ExtractionStatus.FAILED: 2}


class CascadeExtractor:
    name = "cascade"

    def __init__(
        self,
        local: LocalExtractor,
        nemo: NemoExtractor,
        openai: OpenAIVisionExtractor,
        options: CascadeSettings,
        trust: TrustSettings,
    ) -> None:
        self.local = local
        self.nemo = nemo
        self.openai = openai
        self._options = options
        self._trust = trust
        # aextract runs OCR in worker threads; one at a time (the engine is not shared-safe,
        # and OCR is CPU-bound anyway), while the LLM requests overlap on the event loop
        self._ocr_lock = threading.Lock()

    def is_available(self) -> bool:
        return self.local.is_available()

    def _use_nemo(self, lines: list[TextLine] | None) -> bool:
        return bool(lines) and self._options.use_nemo and self.nemo.is_available()

    def _use_openai(self) -> bool:
        return self._options.use_openai and self.openai.is_available()

    def _read(self, document: Document) -> tuple[list[TextLine] | None, list[ExtractionResult]]:
        started = time.perf_counter()
        try:
            with self._ocr_lock:
                lines = self.local.read_lines(document)
        except ReceiptflowError as error:
            failed = ExtractionResult(
                status=ExtractionStatus.FAILED, method="local", errors=[str(error)]
            )
            return None, [failed]
        result = self.local.extract_lines(lines)
        result.page_rotations = page_rotations(lines)
        result.timings["ocr"] = time.perf_counter() - started - result.timings.get("parse", 0.0)
        # judged here too, so local is accepted on exactly the decision its result shows
        return lines, [apply_trust(result, self._trust)]

    def extract(self, document: Document) -> ExtractionResult:
        lines, tried = self._read(document)
        local = tried[0].receipt
        if tried[-1].status is not ExtractionStatus.OK and self._use_nemo(lines):
            assert lines is not None
            tried.append(self.nemo.extract_lines(lines, local))
        if tried[-1].status is not ExtractionStatus.OK and self._use_openai():
            tried.append(self.openai.extract(document, lines, local))
        return self._finish(tried)

    async def aextract(self, document: Document) -> ExtractionResult:
        lines, tried = await asyncio.to_thread(self._read, document)  # OCR is CPU work
        local = tried[0].receipt
        if tried[-1].status is not ExtractionStatus.OK and self._use_nemo(lines):
            assert lines is not None
            tried.append(await self.nemo.aextract_lines(lines, local))
        if tried[-1].status is not ExtractionStatus.OK and self._use_openai():
            tried.append(await self.openai.aextract(document, lines, local))
        return self._finish(tried)

    def _finish(self, tried: list[ExtractionResult]) -> ExtractionResult:
        result = combine(tried)
        result.page_rotations = tried[0].page_rotations  # OCR's finding, whoever read the values
        passed_over = tried if result.status is not ExtractionStatus.OK else tried[:-1]
        result.escalated_because = escalation(passed_over, self._trust)
        return _note_failed_llm_stages(_note_if_unescalated(result, len(tried)), tried)

    async def aclose(self) -> None:
        await self.nemo.aclose()
        await self.openai.aclose()


def _reason(result: ExtractionResult, trust: TrustSettings) -> dict[str, Any]:
    """Why one stage's answer was not accepted: its doubtful fields and error flags."""
    return {
        "stage": result.method,
        "status": result.status.value,
        "fields": doubtful_fields(result, trust) if result.receipt is not None else {},
        "flags": [
            flag.code
            for flag in result.flags
            if flag.severity is Severity.ERROR and flag.code != LOW_CONFIDENCE
        ],
    }


def escalation(passed_over: list[ExtractionResult], trust: TrustSettings) -> dict[str, Any] | None:
    """The stages passed over, first one outermost (``then`` holds the next); None if none."""
    because: dict[str, Any] | None = None
    for result in reversed(passed_over):
        reason = _reason(result, trust)
        if because is not None:
            reason["then"] = because
        because = reason
    return because


def _note_if_unescalated(result: ExtractionResult, stages: int) -> ExtractionResult:
    """local was not trusted, yet nothing better was tried: say so instead of passing quietly."""
    if stages > 1 or result.status is ExtractionStatus.OK:
        return result
    note = Flag(
        code="cascade_not_escalated",
        field=None,
        message="local's answer was not trusted and no LLM stage is configured "
        "(set RECEIPTFLOW_NEMO__BASE_URL or OPENAI_API_KEY)",
        severity=Severity.WARNING,
    )
    return result.model_copy(update={"flags": [*result.flags, note]})


def _note_failed_llm_stages(
    result: ExtractionResult, tried: list[ExtractionResult]
) -> ExtractionResult:
    """Every LLM stage failed: the answer is an untrusted earlier one, say so in a flag."""
    llm = tried[1:]
    if not llm or result.status is ExtractionStatus.OK:
        return result
    if any(stage.status is not ExtractionStatus.FAILED for stage in llm):
        return result
    note = Flag(
        code="cascade_llm_failed",
        field=None,
        message=f"every LLM stage failed ({', '.join(stage.method for stage in llm)}; see "
        "errors): this is the local answer, which was not trusted",
        severity=Severity.WARNING,
    )
    return result.model_copy(update={"flags": [*result.flags, note]})


def combine(tried: list[ExtractionResult]) -> ExtractionResult:
    """The last accepted stage, else the best one; usage and time summed over all stages."""
    last = tried[-1]
    chosen = (
        last
        if last.status is ExtractionStatus.OK
        else min(
            reversed(tried), key=lambda result: (_STATUS_RANK[result.status], _error_count(result))
        )
    )
    usage = sum((result.usage for result in tried), Usage())
    timings: dict[str, float] = {}
    for result in tried:
        for key, seconds in result.timings.items():
            timings[key] = timings.get(key, 0.0) + seconds
    errors = [
        f"{result.method}: {error}"
        for result in tried
        if result is not chosen
        for error in result.errors
    ]
    return chosen.model_copy(
        update={
            "method": f"cascade:{chosen.method}",
            "usage": usage,
            "timings": timings,
            "errors": [*chosen.errors, *errors],
            # the audit keeps every LLM answer the cascade paid for, not only the chosen stage's
            "llm_attempts": [attempt for result in tried for attempt in result.llm_attempts],
        }
    )


def _error_count(result: ExtractionResult) -> int:
    return sum(flag.severity is Severity.ERROR for flag in result.flags)


def build(settings: Settings) -> CascadeExtractor:
    from receiptflow.extractors.local import LocalExtractor
    from receiptflow.extractors.nemo import NemoExtractor
    from receiptflow.extractors.openai_vision import OpenAIVisionExtractor

    local = LocalExtractor(settings.ocr, settings.local, settings.trust)
    nemo = NemoExtractor(settings.nemo, settings.llm, local, settings.trust)
    openai = OpenAIVisionExtractor(settings.openai, settings.llm, settings.trust)
    return CascadeExtractor(local, nemo, openai, settings.cascade, settings.trust)
