"""The plain steps (Store + extractor, no Prefect) and the per-process resources they share.

A store (engine + connection pool) and an extractor (OCR models) are expensive to build, so
each process keeps one per configuration; Prefect tasks on Dask workers find theirs here too.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from receiptflow.flows.core import Archived, Extraction, Recorded, extract_file

if TYPE_CHECKING:
    from receiptflow.extractors.base import Extractor
    from receiptflow.settings import Settings
    from receiptflow.storage import Store

_build_lock = threading.Lock()
_stores: dict[tuple[str, Path, int], Store] = {}
_extractors: dict[str, Extractor] = {}


def _store_key(settings: Settings) -> tuple[str, Path, int]:
    return (settings.resolved_database_url, settings.archive_dir, settings.ingest.max_bytes)


def store_for(settings: Settings) -> Store:
    from receiptflow.storage import Store

    key = _store_key(settings)
    with _build_lock:  # two threads migrating one fresh database at once would collide
        store = _stores.get(key)
        if store is None:
            store = Store(key[0], key[1], max_file_bytes=key[2])
            store.migrate()
            _stores[key] = store
        return store


def extractor_for(settings: Settings) -> Extractor:
    from receiptflow.extractors import get_extractor

    # Where results are stored and how flows run do not change an extractor; secrets are
    # masked in this key, and the factory gets the originals.
    key = settings.model_dump_json(exclude={"home", "database_url", "flows", "watch"})
    with _build_lock:
        extractor = _extractors.get(key)
        if extractor is None:
            extractor = _extractors[key] = get_extractor(settings.extractor, settings)
        return extractor


def forget_store(settings: Settings) -> None:
    """Drop this configuration's store: the next use connects and migrates again (after the
    database was recreated empty or its tables dropped)."""
    with _build_lock:
        store = _stores.pop(_store_key(settings), None)
    if store is not None:
        store.close()  # connections still in use by another file are closed when returned


def check_extractor(settings: Settings) -> Extractor:
    """The configured extractor, once it is known to be usable: a ConfigError otherwise.

    Called before a long-running command takes any file: an ``openai`` extractor without a
    key would fail every file the same way, and the watcher would quarantine them all."""
    from receiptflow.errors import ConfigError

    extractor = extractor_for(settings)
    if extractor.is_available():
        return extractor
    # The LLM extractors name the missing setting when their client is asked for.
    getattr(extractor, "client", None)
    raise ConfigError(
        f"the {settings.extractor} extractor cannot run with this configuration "
        "(is_available() is false: a missing OCR engine, server or key?)"
    )


def forget_resources() -> None:
    """Close cached stores and drop cached extractors (tests; a long-lived watcher's exit)."""
    with _build_lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
        _extractors.clear()


class PlainSteps:
    """Each step a direct call: the plain loop, and the body of every Prefect task."""

    def __init__(self, settings: Settings, *, source: str) -> None:
        self.settings = settings
        self.source = source

    @property
    def store(self) -> Store:
        return store_for(self.settings)

    def archive(self, path: Path) -> Archived:
        document = self.store.save_input(path, source=self.source)
        receipt = None if document.created else self.store.get_receipt_for_document(document.id)
        return Archived(
            document_id=document.id,
            sha256=document.sha256,
            receipt_id=None if receipt is None else receipt.id,
            receipt_status=None if receipt is None else receipt.status,
        )

    def extract(self, path: Path, sha256: str) -> Extraction:
        del sha256  # the key of Prefect's cache; the plain step always extracts
        return extract_file(path, extractor_for(self.settings), self.settings.ingest)

    def record(self, document_id: int, extraction: Extraction) -> Recorded:
        receipt = self.store.record_extraction(
            document_id, extraction.result, pages=extraction.pages
        )
        return Recorded(
            receipt_id=None if receipt is None else receipt.id,
            status=None if receipt is None else receipt.status,
        )

    def record_failure(self, document_id: int, error: str, stage: str) -> None:
        self.store.record_failure(document_id, error, stage=stage)
