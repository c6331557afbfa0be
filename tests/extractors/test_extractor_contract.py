"""Every registered extractor meets the same contract (invoice2data-style contract test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from receiptflow.extractors import (
    EXTRACTORS,
    ExtractionResult,
    ExtractionStatus,
    Extractor,
    get_extractor,
)
from receiptflow.ingest import load_document
from receiptflow.settings import Settings

DIGITAL = Path(__file__).resolve().parents[2] / "samples" / "us_restaurant_digital.pdf"
CLOSED_PORT = "http://127.0.0.1:9/v1"  # discard port: nothing listens, the connection is refused


def unreachable_settings() -> Settings:
    settings = Settings()
    for group in (settings.openai, settings.nemo):
        group.base_url = CLOSED_PORT
        group.transport_retries = 0
        group.timeout_s = 2.0
    return settings


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_registered_extractor_has_the_protocol(name: str) -> None:
    extractor = get_extractor(name, unreachable_settings())
    assert isinstance(extractor, Extractor)
    assert extractor.name == name
    assert isinstance(extractor.is_available(), bool)


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_extract_returns_a_result_even_when_the_backend_is_unreachable(name: str) -> None:
    settings = unreachable_settings()
    settings.trust.total = 1.01  # no probability clears it: cascade goes on to the dead LLMs
    document = load_document(DIGITAL, settings.ingest)
    result = get_extractor(name, settings).extract(document)
    assert isinstance(result, ExtractionResult)
    assert result.method.split(":")[0] == name
    if result.status is ExtractionStatus.FAILED:
        assert result.errors, "a failed result says why"
    else:
        assert result.receipt is not None
