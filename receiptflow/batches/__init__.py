"""Receipts through the OpenAI Batch API: half price, answers within 24 hours.

``submit`` stores the documents as ``extract --save`` does, writes one request line per
document (the synchronous extractor's own request), uploads the file and creates the batch;
``collect`` refreshes open batches and stores the answers of the finished ones, re-asking the
failures synchronously. Both write every step to the ledger (``receiptflow.storage.batches``)
before and after the remote call, so either can be killed and run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from receiptflow.errors import ConfigError

if TYPE_CHECKING:
    from receiptflow.ingest.document import Document
    from receiptflow.llm.batch_api import BatchApi
    from receiptflow.llm.client import Ask, LlmClient
    from receiptflow.settings import Settings
    from receiptflow.storage.batches import BatchLedger
    from receiptflow.storage.service import Store

BATCH_EXTRACTORS = ("openai", "nemo")  # the extractors that send one request per document


@dataclass
class BatchEngine:
    """An extractor and the Batch API of its endpoint."""

    name: str
    extractor: Any  # OpenAIVisionExtractor or NemoExtractor: ask_document + client
    api: BatchApi

    @property
    def client(self) -> LlmClient:
        client: LlmClient = self.extractor.client
        return client

    def ask(self, document: Document) -> Ask:
        ask: Ask = self.extractor.ask_document(document)
        return ask


def open_engine(name: str, settings: Settings) -> BatchEngine:
    """ConfigError for an extractor without one request per document, or not configured."""
    from receiptflow.extractors import get_extractor
    from receiptflow.llm.batch_api import BatchApi

    if name not in BATCH_EXTRACTORS:
        raise ConfigError(
            f"the Batch API takes the extractors {', '.join(BATCH_EXTRACTORS)}, not {name!r}"
        )
    extractor = get_extractor(name, settings)
    return BatchEngine(name, extractor, BatchApi(extractor.client))  # type: ignore[attr-defined]


@dataclass
class Batches:
    """The storage side every batch command uses."""

    settings: Settings
    store: Store
    ledger: BatchLedger

    @classmethod
    def open(cls, settings: Settings) -> Batches:
        from receiptflow.storage.batches import BatchLedger
        from receiptflow.storage.service import Store

        store = Store.from_settings(settings)
        return cls(settings, store, BatchLedger(store))
