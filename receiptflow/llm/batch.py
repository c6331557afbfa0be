"""Run one extractor over many documents with N requests in flight.

Extractors with an async ``aextract`` (openai, nemo, cascade) run on one event loop, so
network waits overlap; the others run in worker threads. Results come back in input order,
and a document that raises still gets a FAILED result in its place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from receiptflow.errors import ConfigError, ReceiptflowError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus, Extractor
from receiptflow.ingest.document import Document


async def _one(extractor: Extractor, document: Document) -> ExtractionResult:
    aextract = getattr(extractor, "aextract", None)
    try:
        if aextract is not None:
            result: ExtractionResult = await aextract(document)
            return result
        return await asyncio.to_thread(extractor.extract, document)
    except ConfigError:
        raise  # the same for every document: stop the batch
    except ReceiptflowError as error:
        return ExtractionResult(
            status=ExtractionStatus.FAILED, method=extractor.name, errors=[str(error)]
        )


async def aextract_many(
    extractor: Extractor, documents: Sequence[Document], max_in_flight: int = 16
) -> list[ExtractionResult]:
    """At most ``max_in_flight`` documents in progress; each LLM request also takes a slot
    of the process-wide limit (``LlmSettings.max_in_flight``)."""
    gate = asyncio.Semaphore(max(1, max_in_flight))

    async def gated(document: Document) -> ExtractionResult:
        async with gate:
            return await _one(extractor, document)

    try:
        return list(await asyncio.gather(*(gated(document) for document in documents)))
    finally:
        aclose = getattr(extractor, "aclose", None)
        if aclose is not None:  # connections must close before their event loop does
            await aclose()


def extract_many(
    extractor: Extractor, documents: Sequence[Document], max_in_flight: int = 16
) -> list[ExtractionResult]:
    """Blocking wrapper for callers without an event loop (CLI, plain scripts)."""
    return asyncio.run(aextract_many(extractor, documents, max_in_flight))
