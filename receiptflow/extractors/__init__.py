"""Extractors: Document -> ExtractionResult. Adding one is one module plus one line here.

Each entry points at a factory ``build(settings) -> Extractor`` so optional packages (openai,
instructor) are imported only when that extractor is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus, Extractor, Usage
from receiptflow.registry import load_entry

if TYPE_CHECKING:
    from receiptflow.settings import Settings

EXTRACTORS: dict[str, str] = {
    "local": "receiptflow.extractors.local:build",
    "openai": "receiptflow.extractors.openai_vision:build",
    "nemo": "receiptflow.extractors.nemo:build",
    "cascade": "receiptflow.extractors.cascade:build",
}


def get_extractor(name: str, settings: Settings) -> Extractor:
    factory: Callable[[Settings], Extractor] = load_entry("extractor", EXTRACTORS, name)
    return factory(settings)


__all__ = [
    "EXTRACTORS",
    "ExtractionResult",
    "ExtractionStatus",
    "Extractor",
    "Usage",
    "get_extractor",
]
