"""One settings root, built once at the edge (CLI, flow entry points) and passed in.

Environment: ``RECEIPTFLOW_*`` with ``__`` between a group and its field
(``RECEIPTFLOW_OCR__ENGINE=tesseract``, ``RECEIPTFLOW_NEMO__BASE_URL=...``), plus the openai
SDK's own ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` for the ``openai`` extractor.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticUseDefault
from pydantic_settings import BaseSettings, SettingsConfigDict

from receiptflow.errors import ConfigError


def _blank_is_unset(value: object) -> object:
    """``FOO=`` in a shell or .env file means "not set", not "an empty URL"."""
    return None if isinstance(value, str) and not value.strip() else value


class IngestSettings(BaseModel):
    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 80_000_000  # per page; larger is treated as a decompression bomb
    max_pages: int = 50
    pdf_dpi: int = 200
    pdf_timeout_s: float = 120.0
    max_side: int = 2500  # px; larger pages are downscaled (keeps aspect) to bound OCR cost


class OcrSettings(BaseModel):
    engine: str = "rapidocr"
    threads: int = 2
    max_side: int = 1280  # detector input cap (RapidOCR Det.limit_side_len)
    # Instead of the cap: upscale the detector input to this short side (RapidOCR's own 736).
    # On sroie-dev ~0.9 pt lower CER for ~45 % more CPU (bench/ocr_compare.py rapid-min736).
    min_side: int | None = None
    fix_orientation: bool = True
    # onnxruntime's idle worker threads spin (wait at 100 % CPU) for the next operator: 8 %
    # less time per scan on an otherwise idle 2-core machine; on a host shared with other
    # busy processes, False (threads sleep) was 15 % faster (README, "End-to-end speed")
    spin_wait: bool = True


class LocalSettings(BaseModel):
    default_currency: str | None = None  # used when the receipt shows no currency hint
    # Word list that mends OCR slips in the merchant name and address: "bundled" (Malaysian
    # shop and street words from the SROIE labels), a path to "WORD [count]" lines, or "" (off)
    lexicon: str = "bundled"
    # The line-role classifier and the calibrator: "bundled", or the path of a model file
    # written by scripts/train_models.py (e.g. refitted on your own labelled receipts)
    role_model: str = "bundled"
    calibrator: str = "bundled"


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


class FlowSettings(BaseModel):
    """Prefect batch runs: fan-out, retries of transient failures, the shared LLM limit."""

    batch_concurrency: int = 4  # files in flight at once within one batch
    retries: int = 4  # transient failures only (LLM transport, database disconnect)
    retry_backoff_s: float = 2.0  # first delay; doubles each retry
    retry_jitter: float = 0.5  # +- fraction of each delay, so retries do not stampede
    llm_limit_name: str = "receiptflow-llm"  # Prefect global concurrency limit
    llm_limit: int | None = None  # slots; default LlmSettings.max_in_flight
    dask_address: str | None = None  # tcp://scheduler:8786 runs batches on a Dask cluster
    cache: bool = True  # reuse extractions by content hash + extractor + schema version


class WatchSettings(BaseModel):
    """The drag-and-drop folder watcher."""

    inbox: Path | None = None  # default: <home>/inbox
    processed: Path | None = None  # default: <inbox>/processed (dated subfolders)
    quarantine: Path | None = None  # default: <inbox>/quarantine
    stable_seconds: float = 3.0  # size and mtime unchanged this long before a file is taken
    poll_interval_s: float = 1.0
    polling: bool = False  # poll instead of OS events (network shares, some containers)
    # files processed at once; default 2, or LlmSettings.max_in_flight for the extractors
    # that mostly wait on an LLM (openai, nemo, cascade): each request takes a global slot
    workers: int | None = None
    retry_after_s: float = 30.0  # a file that hit a transient failure is tried again this late


class ReviewSettings(BaseModel):
    """The review web app (``receiptflow review``)."""

    host: str = "127.0.0.1"  # loopback only unless asked: the app shows financial data
    port: int = 8000
    secret_key: SecretStr | None = None  # signs session cookies; default: <home>/review-secret
    session_max_age_s: int = 8 * 3600  # one working day, then log in again
    secure_cookies: bool = False  # True when served over HTTPS (behind a proxy)
    # What reviewers type into the browser when a reverse proxy serves the app under another
    # name than the one it sees (https://receipts.example.com): forms from there are accepted.
    public_origin: str | None = None
    page_image_max_side: int = 2000  # px of page images sent to the browser
    max_login_failures: int = 5  # per user name from one client address, within login_lockout_s
    max_login_failures_per_address: int = 20  # per client address over all names (spraying)
    login_lockout_s: float = 300.0
    # Four-eyes rule: who edited a receipt (its review trail says so) cannot approve it.
    four_eyes: bool = False
    # Uploads in the browser: files per request; extraction threads and the files that may
    # wait for them (beyond that an upload is refused until the queue drains).
    max_upload_files: int = 20
    upload_workers: int = 1
    upload_queue: int = 100

    @field_validator("public_origin", mode="before")
    @classmethod
    def _an_origin(cls, value: object) -> object:
        """``scheme://host[:port]``, nothing else: a bare name would silently match no form."""
        if isinstance(value, str) and value.strip():
            parts = urlsplit(value.strip())
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ValueError("give the scheme and host, e.g. https://receipts.example.com")
            return f"{parts.scheme}://{parts.netloc}"
        return None if isinstance(value, str) else value


class FieldThresholds(BaseModel):
    """A probability threshold per key field; None leaves the field unjudged."""

    merchant_name: float | None = None
    date: float | None = None
    total: float | None = None
    subtotal: float | None = None
    taxes: float | None = None
    line_items: float | None = None

    @field_validator(
        "merchant_name", "date", "total", "subtotal", "taxes", "line_items", mode="before"
    )
    @classmethod
    def _off_or_blank(cls, value: object) -> object:
        """``off`` / ``none`` leaves the field unjudged; a blank variable keeps the default."""
        if isinstance(value, str):
            if not value.strip():
                raise PydanticUseDefault()
            if value.strip().lower() in {"off", "none"}:
                return None
        return value


def _llm_thresholds() -> FieldThresholds:
    return FieldThresholds(merchant_name=0.5, date=0.9, total=0.9)


# result methods whose probabilities come from the LLM trust model
_LLM_METHODS = ("openai", "nemo")


class TrustSettings(FieldThresholds):
    """The reject option (``receiptflow.trust``): a result is ``ok`` only when every key
    field's calibrated probability clears its threshold.
    The defaults are the thresholds ``scripts/train_models.py`` chose on the development
    datasets for the goal (at most 1 % wrong among ``ok`` receipts, as many passed as that
    allows), stored with the bundled calibrator under ``trained.thresholds`` (README, "Flags
    you can trust"). The calibrated probabilities take few distinct values, so a threshold
    stands for a range of values that pass the same receipts.
    ``llm``: the thresholds for ``openai`` and ``nemo`` answers, whose probabilities come from
    another model (``receiptflow/trust/llm_model.json``, fitted on a constructed corpus, not
    on the data these defaults were chosen on): ``RECEIPTFLOW_TRUST__LLM__DATE`` etc."""

    enabled: bool = True
    date: float | None = 0.97
    total: float | None = 0.97
    llm: FieldThresholds = Field(default_factory=_llm_thresholds)

    def for_method(self, method: str) -> TrustSettings:
        """The thresholds that judge a result made by ``method`` (``cascade:nemo`` is nemo)."""
        if method.rpartition(":")[2] in _LLM_METHODS:
            return self.model_copy(update=self.llm.model_dump())
        return self


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RECEIPTFLOW_", env_nested_delimiter="__", extra="ignore"
    )

    home: Path = Field(default_factory=lambda: platformdirs.user_data_path("receiptflow"))
    database_url: str | None = None  # default: sqlite file under home
    extractor: str = "local"
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    local: LocalSettings = Field(default_factory=LocalSettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    nemo: NemoSettings = Field(default_factory=NemoSettings)
    cascade: CascadeSettings = Field(default_factory=CascadeSettings)
    trust: TrustSettings = Field(default_factory=TrustSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    batch_api: BatchApiSettings = Field(default_factory=BatchApiSettings)
    flows: FlowSettings = Field(default_factory=FlowSettings)
    watch: WatchSettings = Field(default_factory=WatchSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as error:  # a mistyped variable: say which, on one line
            raise ConfigError(_describe_invalid(error)) from None

    @model_validator(mode="after")
    def _openai_sdk_environment(self) -> Settings:
        # The openai SDK's own variables are the standard; RECEIPTFLOW_OPENAI__* wins if both set.
        if self.openai.api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.openai.api_key = SecretStr(os.environ["OPENAI_API_KEY"])
        if self.openai.base_url is None and os.environ.get("OPENAI_BASE_URL"):
            self.openai.base_url = os.environ["OPENAI_BASE_URL"]
        # and Azure's, read by openai.AzureOpenAI
        if self.openai.azure_endpoint is None and os.environ.get("AZURE_OPENAI_ENDPOINT"):
            self.openai.azure_endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]
        if self.openai.api_version is None and os.environ.get("OPENAI_API_VERSION"):
            self.openai.api_version = os.environ["OPENAI_API_VERSION"]
        if (
            self.openai.azure_endpoint
            and self.openai.api_key is None
            and os.environ.get("AZURE_OPENAI_API_KEY")
        ):
            self.openai.api_key = SecretStr(os.environ["AZURE_OPENAI_API_KEY"])
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'receiptflow.db'}"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"


def _describe_invalid(error: ValidationError) -> str:
    """``RECEIPTFLOW_OCR__THREADS='abc': Input should be a valid integer, ...`` per problem."""
    problems = []
    for detail in error.errors(include_url=False):
        name = "RECEIPTFLOW_" + "__".join(str(part) for part in detail["loc"]).upper()
        value = detail.get("input")
        shown = f"={value!r}" if isinstance(value, str | int | float) else ""
        problems.append(f"{name}{shown}: {detail['msg']}")
    return "invalid setting " + "; ".join(problems)
