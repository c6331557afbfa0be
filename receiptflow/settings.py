"""One settings root, built once at the edge (CLI, flow entry points) and passed in.

Environment: ``RECEIPTFLOW_*`` with ``__`` between a group and its field
(``RECEIPTFLOW_OCR__ENGINE=tesseract``, ``RECEIPTFLOW_NEMO__BASE_URL=...``), plus the openai
SDK's own ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` for the ``openai`` extractor.
"""

from __future__ import annotations

import os
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
from receiptflow.settings_llm import BatchApiSettings as BatchApiSettings
from receiptflow.settings_llm import CascadeSettings as CascadeSettings
from receiptflow.settings_llm import ImageTokenRule as ImageTokenRule
from receiptflow.settings_llm import LlmSettings as LlmSettings
from receiptflow.settings_llm import ModelPrice as ModelPrice
from receiptflow.settings_llm import NemoSettings as NemoSettings
from receiptflow.settings_llm import OpenAISettings as OpenAISettings


class IngestSettings(BaseModel):
    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 80_000_000  # per page; larger is treated as a decompression bomb
    max_pages: int = 50
    pdf_dpi: int = 200
    pdf_timeout_s: float = 120.0
    max_side: int = 2500  # px; larger pages are downscaled (keeps aspect) to bound OCR cost


# Raised when the same settings read other lines than before, so cached readings are redone:
# 2, a column of stacked amounts the detector took for vertical text is read row by row
OCR_READING = 2


class OcrSettings(BaseModel):
    engine: str = "rapidocr"
    threads: int = 2
    max_side: int = 1280  # detector input cap (RapidOCR Det.limit_side_len)
    # Instead of the cap: upscale the detector input to this short side (RapidOCR's own 736).
    # On sroie-dev ~0.9 pt lower CER for ~45 % more CPU (bench/ocr_compare.py rapid-min736).
    min_side: int | None = None
    fix_orientation: bool = True
    # Another PP-OCR recognition model in ONNX for RapidOCR (its character list in the model's
    # metadata, as the wheel's): a path, or None for the wheel's own. bench/ocr_int8.py --out
    # writes an int8 copy to try (README "End-to-end speed": quicker, reads worse).
    rec_model: Path | None = None
    # True: onnxruntime's idle worker threads spin (wait at 100 % CPU) for the next operator.
    # Sleeping was as quick on the idle 2-core machine (side by side, bench/extract_speed.py
    # --setting) and 15 % quicker on a host shared with other busy processes (README,
    # "End-to-end speed"), and leaves the cores to the other recognition stream
    spin_wait: bool = False
    # "bf16": the recogniser (most of the OCR time) runs on OpenVINO in bfloat16 on CPUs with
    # AVX-512 BF16 or AMX (pip install 'receiptflow[openvino]'): about a quarter less OCR CPU,
    # now and then another character read (README "End-to-end speed"). "f32": onnxruntime.
    rec_precision: Literal["f32", "bf16"] = "f32"

    def signature(self) -> str:
        """What decides the lines read (cached OCR is only reused under the same one)."""
        engine = self.engine if self.rec_precision == "f32" else f"{self.engine}+rec-bf16"
        parts = (engine, self.rec_model, self.max_side, self.min_side, self.fix_orientation)
        return "/".join(str(part) for part in (*parts, f"reading-{OCR_READING}"))

    @field_validator("rec_model")
    @classmethod
    def _rec_model_exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"no model file at {path}")
        return path


class LocalSettings(BaseModel):
    default_currency: str | None = None  # used when the receipt shows no currency hint
    # Word list that mends OCR slips in the merchant name and address: "bundled" (Malaysian
    # shop and street words from the SROIE labels), a path to "WORD [count]" lines, or "" (off)
    lexicon: str = "bundled"
    # The line-role classifier and the calibrator: "bundled", or the path of a model file
    # written by scripts/train_models.py (e.g. refitted on your own labelled receipts)
    role_model: str = "bundled"
    calibrator: str = "bundled"


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
    date: float | None = 0.7
    total: float | None = 0.98
    llm: FieldThresholds = Field(default_factory=_llm_thresholds)

    def for_method(self, method: str) -> TrustSettings:
        """The thresholds that judge a result made by ``method`` (``cascade:nemo`` is nemo)."""
        if method.rpartition(":")[2] in _LLM_METHODS:
            return self.model_copy(update=self.llm.model_dump())
        return self


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
