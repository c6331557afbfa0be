"""Prices and models: the table per model family, unknown models, cached tokens, reasoning
models' request shape and Azure OpenAI, through the real openai SDK and Instructor against
the scripted OpenAI-compatible server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from receiptflow.extractors import ExtractionStatus, get_extractor
from receiptflow.extractors.base import Usage
from receiptflow.ingest.document import Document, Page
from receiptflow.llm import pricing
from receiptflow.llm.images import image_tokens
from receiptflow.llm.scripted_server import SAMPLE_ANSWER, ScriptedServer, tool
from receiptflow.settings import ImageTokenRule, Settings

pytestmark = pytest.mark.llm


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer([tool(SAMPLE_ANSWER)]) as running:
        yield running


def _document() -> Document:
    page = Page(index=0, image=Image.new("RGB", (600, 1500), "white"))
    return Document(Path("receipt.png"), "0" * 64, "image/png", 1, [page])


def _settings(
    server: ScriptedServer, *, llm: dict[str, Any] | None = None, **openai: Any
) -> Settings:
    return Settings(
        openai={"api_key": "sk-test", "base_url": server.url, "timeout_s": 5, **openai},
        llm=llm or {},
        trust={"enabled": False},
    )


def test_the_table_prices_each_model_and_its_snapshots() -> None:
    expected = {
        "gpt-4o-mini": ("0.15", "0.075", "0.60"),
        "gpt-4o": ("2.50", "1.25", "10.00"),
        "gpt-4.1-mini": ("0.40", "0.10", "1.60"),
        "gpt-4.1-nano": ("0.10", "0.025", "0.40"),
        "gpt-5-mini": ("0.25", "0.025", "2.00"),
    }
    for model, (inp, cached, out) in expected.items():
        row = pricing.lookup(f"{model}-2025-08-07")
        assert row is not None, model
        assert (row.input_per_million, row.cached_input_per_million, row.output_per_million) == (
            Decimal(inp),
            Decimal(cached),
            Decimal(out),
        )
    assert pricing.lookup("gpt-5-nano") is None  # not priced as gpt-5-mini or anything else
    assert pricing.lookup("my-vision") is None


def test_image_tokens_follow_each_family_rule() -> None:
    # tiles: GPT-4o 85 + 170 per tile, mini 2,833 + 5,667 (the guide's 1024 x 1024: 4 tiles)
    assert image_tokens(1024, 1024, "high", "gpt-4o") == 85 + 4 * 170
    assert image_tokens(1024, 1024, "high", "gpt-4o-mini") == 2833 + 4 * 5667
    # patches: 32-px patches times the model's multiplier; the guide's 1024 x 1024 = 1,024
    # patches and 1800 x 2400 scaled down to 1,452 (cap 1,536)
    assert image_tokens(1024, 1024, "high", "gpt-4.1-mini") == 1659  # ceil(1024 x 1.62)
    assert image_tokens(1024, 1024, "high", "gpt-4.1-nano") == 2520  # ceil(1024 x 2.46)
    assert image_tokens(1800, 2400, "high", "gpt-5-mini") == 2353  # ceil(1452 x 1.62)
    assert image_tokens(1800, 2400, "low", "gpt-5-mini") == 2353  # detail does not apply


def test_prices_are_overridable_and_merged_over_the_table(server: ScriptedServer) -> None:
    prices = {
        "my-vision": {
            "input_per_million": "1",
            "output_per_million": "3",
            "image": {"rule": "patches", "multiplier": "2"},
        },
        "gpt-4o-mini": {"input_per_million": "0.10", "output_per_million": "0.50"},
    }
    settings = _settings(server, llm={"prices": prices}, model="my-vision")
    result = get_extractor("openai", settings).extract(_document())
    (prompt, completion) = server.billed[0]
    assert result.usage.cost_usd == (prompt * 1 + completion * 3) / Decimal(1_000_000)
    # 600 x 1500 -> 512 x 1280 sent: 16 x 40 patches x 2
    assert result.usage.image_tokens == 16 * 40 * 2
    assert pricing.lookup("gpt-4.1-mini", settings.llm.prices) is not None  # table kept
    mini = pricing.lookup("gpt-4o-mini", settings.llm.prices)
    assert mini is not None and mini.input_per_million == Decimal("0.10")


def test_an_unknown_model_costs_null_with_a_warning_never_zero(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(server, model="acme-vision-9")
    with caplog.at_level(logging.WARNING, logger="receiptflow.llm"):
        result = get_extractor("openai", settings).extract(_document())
    assert result.status is ExtractionStatus.OK
    assert result.usage.cost_usd is None and result.usage.prompt_tokens > 0
    assert "no price for model 'acme-vision-9'" in caplog.text
    # and a sum with it stays unknown
    assert (result.usage + Usage(cost_usd=Decimal("0.01"))).cost_usd is None


def test_cached_prompt_tokens_are_priced_as_cached(server: ScriptedServer) -> None:
    with ScriptedServer([tool(SAMPLE_ANSWER, prompt_tokens=30_000, cached_tokens=20_000)]) as s:
        result = get_extractor("openai", _settings(s)).extract(_document())
        (_, completion) = s.billed[0]
    expected = (
        10_000 * Decimal("0.15") + 20_000 * Decimal("0.075") + completion * Decimal("0.60")
    ) / Decimal(1_000_000)
    assert result.usage.cached_tokens == 20_000
    assert result.usage.cost_usd == expected


def test_reasoning_models_get_max_completion_tokens_and_no_temperature(
    server: ScriptedServer,
) -> None:
    get_extractor("openai", _settings(server, model="gpt-5-mini")).extract(_document())
    get_extractor("openai", _settings(server)).extract(_document())
    reasoning, classic = server.requests
    assert reasoning["max_completion_tokens"] == 4096
    assert "max_tokens" not in reasoning and "temperature" not in reasoning
    assert "logprobs" not in reasoning
    assert classic["max_tokens"] == 4096 and classic["temperature"] == 0
    assert "max_completion_tokens" not in classic


def test_azure_openai_deployment_api_version_and_model_mapping(server: ScriptedServer) -> None:
    endpoint = server.url.removesuffix("/v1")
    settings = Settings(
        openai={
            "api_key": "azure-key",
            "azure_endpoint": endpoint,
            "api_version": "2024-10-21",
            "model": "receipts-prod",
            "azure_deployments": {"receipts-prod": "gpt-4o-mini"},
            "timeout_s": 5,
        },
        trust={"enabled": False},
    )
    result = get_extractor("openai", settings).extract(_document())
    assert result.status is ExtractionStatus.OK, result.errors
    assert server.paths == [
        "/openai/deployments/receipts-prod/chat/completions?api-version=2024-10-21"
    ]
    assert server.headers[0].get("api-key") == "azure-key"
    # priced as the model the deployment runs, not unknown
    (prompt, completion) = server.billed[0]
    assert result.usage.cost_usd == (
        prompt * Decimal("0.15") + completion * Decimal("0.60")
    ) / Decimal(1_000_000)
    assert result.usage.image_tokens == 2833 + 3 * 5667  # mini's tile rule


def test_azure_from_the_sdk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://acme.openai.azure.com")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "k")
    options = Settings().openai
    assert options.azure_endpoint == "https://acme.openai.azure.com"
    assert options.api_version == "2024-10-21"
    assert options.api_key is not None and options.api_key.get_secret_value() == "k"


def test_image_rule_setting_shape() -> None:
    rule = ImageTokenRule(rule="patches", multiplier=Decimal("1.2"))
    assert pricing.image_tokens(512, 512, "high", rule) == 308  # 256 patches x 1.2


def test_a_batch_with_an_unpriced_run_reports_its_cost_as_unknown() -> None:
    from receiptflow.flows.core import FileOutcome, Outcome
    from receiptflow.flows.summary import BatchSummary

    known = FileOutcome(Path("a.jpg"), Outcome.APPROVED, cost_usd=Decimal("0.0012345"))
    unknown = FileOutcome(Path("b.jpg"), Outcome.APPROVED, cost_usd=None)
    assert BatchSummary([known, known]).cost_usd == Decimal("0.0024690")
    summary = BatchSummary([known, unknown])
    assert summary.cost_usd is None
    assert "cost unknown" in summary.line()
    assert summary.table()[-1]["cost_usd"].startswith("unknown")


def test_azure_without_an_api_version_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from receiptflow.errors import ConfigError

    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    settings = Settings(openai={"api_key": "k", "azure_endpoint": "https://acme.openai.azure.com"})
    with pytest.raises(ConfigError, match="RECEIPTFLOW_OPENAI__API_VERSION"):
        get_extractor("openai", settings).extract(_document())
