"""The settings groups of the LLM extractors (``openai``, ``nemo``, ``cascade``) and what
they share (prices, concurrency, the circuit breaker); ``receiptflow.settings`` holds the
root that reads them from ``RECEIPTFLOW_*`` / ``OPENAI_*``."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator


def _blank_is_unset(value: object) -> object:
    """``FOO=`` in a shell or .env file means "not set", not "an empty URL"."""
    return None if isinstance(value, str) and not value.strip() else value


class ImageTokenRule(BaseModel):
    """How a model family bills an image (``receiptflow.llm.pricing``): ``tiles`` (a base
    charge plus one per 512-px tile) or ``patches`` (32-px patches times a multiplier)."""

    rule: Literal["tiles", "patches"] = "tiles"
    base_tokens: int = 85
    tile_tokens: int = 170
    multiplier: Decimal | None = None
    max_patches: int = 1536


class ModelPrice(BaseModel):
    """USD per million tokens of one model (a row of ``RECEIPTFLOW_LLM__PRICES``)."""

    input_per_million: Decimal
    output_per_million: Decimal
    cached_input_per_million: Decimal | None = None  # None: cached tokens at the input price
    image: ImageTokenRule | None = None  # None: GPT-4o's tile arithmetic
    reasoning: bool | None = None  # None: by name (gpt-5*, o1/o3/o4...)


class OpenAISettings(BaseModel):
    api_key: SecretStr | None = None  # falls back to OPENAI_API_KEY
    base_url: str | None = None  # falls back to OPENAI_BASE_URL
    model: str = "gpt-4o-mini"
    detail: Literal["low", "high", "auto"] = "high"
    # how the receipt's structure is enforced (receiptflow.llm.output_modes): the tool with
    # "strict": true, a strict json_schema response format, or the tool without strict
    output_mode: Literal["tools_strict", "json_schema", "tools"] = "tools_strict"
    max_image_side: int = 2048  # px of the long side sent (OpenAI fits images in 2048 anyway)
    min_short_side: int = 512  # legibility floor without OCR: ~48 receipt columns at ~10 px
    min_text_height_px: float = 16.0  # legibility floor when OCR line heights are known
    max_tokens: int = 4096  # an answer cut off here is an error, not a receipt
    retry_max_tokens: int | None = None  # a cut-off answer is asked again once with this
    # many (default twice max_tokens; 0: never)
    timeout_s: float = 60.0
    validation_retries: int = 2  # re-asks after the first answer fails validation
    transport_retries: int = 3  # 429 / 5xx / timeouts, with backoff; never shown to the model
    send_text_layer: bool = True
    # A document whose every page has a digital text layer goes as text alone, no images:
    # the characters are exact and a page of text costs a few hundred tokens, not thousands.
    text_only_with_text_layer: bool = True
    # Ask for token logprobs. GPT-4o mini returns none for tool-call arguments; an
    # OpenAI-compatible vision server may (vLLM, llama.cpp). Off for a server that refuses them.
    logprobs: bool = True
    # Pages as a person would send them (receiptflow.llm.pages): turned upright ("ocr": the
    # OCR engine's orientation step, reused from the cascade's OCR when it ran; "off": as
    # ingested, EXIF applied), cropped to the receipt (uniform margins trimmed), and a page
    # too long to stay legible in one image split into overlapping segments.
    upright: Literal["ocr", "off"] = "ocr"
    crop_margins: bool = True
    segment_overlap: float = 0.08  # share of a segment repeated from the one before
    # Guards, checked before anything is sent (estimated from the images and text):
    max_pages: int = 10  # pages per request
    max_input_tokens: int | None = None  # estimated prompt tokens per request
    max_cost_usd: Decimal | None = None  # estimated cost of one attempt (input + max_tokens)
    # "refuse": not sent, the result fails with the reason; "flag": sent (the first
    # max_pages pages), the result carries an over_budget / pages_capped warning
    over_budget: Literal["refuse", "flag"] = "refuse"
    # Azure OpenAI: the resource endpoint (https://NAME.openai.azure.com), the api-version,
    # and which model each deployment runs (for prices and request rules); MODEL is then the
    # deployment name. Falls back to AZURE_OPENAI_ENDPOINT / OPENAI_API_VERSION /
    # AZURE_OPENAI_API_KEY.
    azure_endpoint: str | None = None
    api_version: str | None = None
    azure_deployments: dict[str, str] = Field(default_factory=dict)

    @property
    def priced_model(self) -> str:
        """The model behind ``model`` (an Azure deployment maps to one)."""
        return self.azure_deployments.get(self.model, self.model)

    _blank = field_validator("api_key", "base_url", "azure_endpoint", mode="before")(
        _blank_is_unset
    )

    @model_validator(mode="before")
    @classmethod
    def _removed_batch_api(cls, data: object) -> object:
        # It halved the reported cost of synchronous, full-price requests: refuse it loudly
        # rather than ignore it, so nobody keeps believing their bill is half.
        if isinstance(data, dict) and "batch_api" in data:
            raise ValueError(
                "RECEIPTFLOW_OPENAI__BATCH_API was removed: it priced synchronous requests at "
                "the Batch API's half rate. Use `receiptflow batches submit` / `collect` "
                "(or `serve --batch-api`) for the real Batch API (README, Nightly batch)"
            )
        return data


class BatchApiSettings(BaseModel):
    """The OpenAI Batch API (``receiptflow batches``): the API's limits per batch, so a
    larger submission is split, and how ``collect --wait`` polls."""

    max_requests: int = Field(50_000, ge=1)  # requests per batch (the API's limit)
    max_file_bytes: int = Field(200 * 1024 * 1024, ge=1)  # size of one input file (API limit)
    completion_window: str = "24h"  # the only window the API offers today
    poll_interval_s: float = Field(60.0, gt=0)  # collect --wait: between status refreshes
    # Answers that fail validation (or come back as errors) are asked again synchronously,
    # at full price, with the validation error: at most this many per collect; the rest are
    # stored as the batch answered them (flagged or failed), so one bad batch cannot turn
    # into thousands of full-price requests.
    max_sync_reasks: int = Field(100, ge=0)


class NemoSettings(BaseModel):
    base_url: str | None = None  # e.g. http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:11434/v1
    api_key: SecretStr | None = None
    model: str = "mistralai/Mistral-Nemo-Instruct-2407"
    # json_schema: the server enforces the schema (vLLM guided decoding, llama.cpp grammar,
    # Ollama format); tools_strict / tools: tool calling; json / md_json: prompt only
    mode: Literal["tools", "tools_strict", "json_schema", "json", "md_json"] = "tools"
    timeout_s: float = 120.0
    max_tokens: int = 4096
    retry_max_tokens: int | None = None  # as OpenAISettings.retry_max_tokens
    validation_retries: int = 2
    transport_retries: int = 3
    input_per_million: Decimal = Decimal("0")  # 0 when self-hosted
    output_per_million: Decimal = Decimal("0")
    logprobs: bool = True  # ask for token logprobs; off for a server that refuses them

    _blank = field_validator("api_key", "base_url", mode="before")(_blank_is_unset)


class CascadeSettings(BaseModel):
    """Which LLM stages the cascade may try. A stage's answer is accepted when the trust
    decision leaves it ``ok`` (``TrustSettings``, ``RECEIPTFLOW_TRUST__*``)."""

    use_nemo: bool = True
    use_openai: bool = True

    @model_validator(mode="before")
    @classmethod
    def _replaced_settings(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        # A silently ignored bar would be worse than an error: it no longer decides anything.
        replaced = sorted({"min_confidence", "confidence_fields"} & set(data))
        if replaced:
            raise ValueError(
                f"RECEIPTFLOW_CASCADE__{replaced[0].upper()} was replaced by the "
                "per-field trust thresholds RECEIPTFLOW_TRUST__MERCHANT_NAME, __DATE, __TOTAL, "
                "... (probabilities; see README, Cascade)"
            )
        return data


class LlmSettings(BaseModel):
    max_in_flight: int = 16  # one global limit for concurrent LLM requests
    # After this many transport failures in a row (past the SDK's retries) an endpoint is
    # not called for circuit_cooldown_s: the remaining files fail at once (0: never)
    circuit_failures: int = 5
    circuit_cooldown_s: float = 60.0
    # merged over the built-in table (receiptflow.llm.pricing.PRICE_TABLE): a model added or
    # a row replaced, e.g. '{"my-model": {"input_per_million": "1", "output_per_million": "4"}}'
    prices: dict[str, ModelPrice] = Field(default_factory=dict)
    # Logistic coefficients that turn the evidence about an LLM's value into its probability:
    # "bundled" (receiptflow/trust/llm_model.json) or the path of a refit
    # (scripts/fit_llm_trust.py; README, "How sure is an LLM answer")
    trust_model: str = "bundled"
