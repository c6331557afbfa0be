"""Mistral NeMo (or any text model behind an OpenAI-compatible server) reading OCR text.

The lines come from the document's text layer or OCR (the ``local`` extractor's reader),
laid out in rows with their columns kept, and go to the model fenced as untrusted data.
vLLM, Ollama, NVIDIA NIM and llama.cpp's server all speak this API; ``mode`` picks tool
calling (default) or JSON / MD_JSON for servers without it. The same lines are the source
text the answer's values are looked for in (``receiptflow.trust.llm``).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from receiptflow.errors import ConfigError, ReceiptflowError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.ingest.document import Document, TextLine
from receiptflow.trust.llm import load_llm_model

if TYPE_CHECKING:
    from receiptflow.extractors.local import LocalExtractor
    from receiptflow.llm.client import Ask, JudgedAnswer, LlmClient
    from receiptflow.schemas.receipt import Receipt
    from receiptflow.settings import LlmSettings, NemoSettings, Settings, TrustSettings


class NemoExtractor:
    name = "nemo"

    def __init__(
        self,
        options: NemoSettings,
        llm: LlmSettings,
        reader: LocalExtractor,
        trust: TrustSettings,
    ) -> None:
        self._options = options
        self._llm = llm
        self._reader = reader  # reads the text layer or runs OCR
        self._trust = trust
        self._trust_model = load_llm_model(llm.trust_model)  # unreadable: a ConfigError now
        self._client: LlmClient | None = None
        self._ocr_lock = threading.Lock()  # aextract OCRs in worker threads: one at a time

    def is_available(self) -> bool:
        return self._options.base_url is not None

    @property
    def client(self) -> LlmClient:
        if not self.is_available():
            raise ConfigError(
                "the nemo extractor needs a server: set RECEIPTFLOW_NEMO__BASE_URL "
                "(e.g. http://127.0.0.1:8000/v1 for vLLM, http://127.0.0.1:11434/v1 for Ollama)"
            )
        if self._client is None:
            from receiptflow.llm.client import LlmClient
            from receiptflow.llm.endpoint import endpoint_from
            from receiptflow.llm.usage import Price

            options = self._options
            price = Price(options.input_per_million, options.output_per_million)
            endpoint = endpoint_from(
                self.name,
                options,
                mode=options.mode,
                price=price,
                max_in_flight=self._llm.max_in_flight,
                circuit_failures=self._llm.circuit_failures,
                circuit_cooldown_s=self._llm.circuit_cooldown_s,
            )
            self._client = LlmClient(endpoint, self._trust, self._trust_model)
        return self._client

    @staticmethod
    def ask(lines: list[TextLine], local: Receipt | None = None) -> Ask:
        """The request for these lines; the same lines are the text values are looked for in,
        ``local`` the local extractor's reading to compare with."""
        from receiptflow.llm.client import Ask
        from receiptflow.llm.grounding import SourceText
        from receiptflow.llm.prompts import layout_text, text_messages

        source = SourceText.from_lines(line.text for line in lines)
        return Ask(text_messages(layout_text(lines)), source=source, local=local)

    def ask_document(self, document: Document) -> Ask:
        """The request for a document's text layer or OCR lines (a Batch API line)."""
        return self.ask(self._read_lines(document))

    def judge_lines(self, lines: list[TextLine], local: Receipt | None = None) -> JudgedAnswer:
        """OCR lines -> the result and the evidence its probabilities came from."""
        client = self.client
        return client.answer(self.ask(lines, local))

    def extract_lines(
        self, lines: list[TextLine], local: Receipt | None = None
    ) -> ExtractionResult:
        """OCR lines -> result; the cascade calls this with the lines it already has."""
        return self.judge_lines(lines, local).result

    async def aextract_lines(
        self, lines: list[TextLine], local: Receipt | None = None
    ) -> ExtractionResult:
        client = self.client
        return (await client.aanswer(self.ask(lines, local))).result

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _read_lines(self, document: Document) -> list[TextLine]:
        with self._ocr_lock:
            return self._reader.read_lines(document)

    def extract(self, document: Document) -> ExtractionResult:
        self.client  # noqa: B018 - fail on missing settings before spending time on OCR
        started = time.perf_counter()
        try:
            lines = self._read_lines(document)
        except ReceiptflowError as error:
            return _no_text(self.name, error)
        ocr_seconds = time.perf_counter() - started
        result = self.extract_lines(lines)
        result.timings["ocr"] = ocr_seconds
        return result

    async def aextract(self, document: Document) -> ExtractionResult:
        import asyncio

        self.client  # noqa: B018
        started = time.perf_counter()
        try:
            lines = await asyncio.to_thread(self._read_lines, document)
        except ReceiptflowError as error:
            return _no_text(self.name, error)
        ocr_seconds = time.perf_counter() - started
        result = await self.aextract_lines(lines)
        result.timings["ocr"] = ocr_seconds
        return result


def _no_text(method: str, error: ReceiptflowError) -> ExtractionResult:
    return ExtractionResult(status=ExtractionStatus.FAILED, method=method, errors=[str(error)])


def build(settings: Settings) -> NemoExtractor:
    from receiptflow.extractors.local import LocalExtractor

    reader = LocalExtractor(settings.ocr, settings.local, settings.trust)
    return NemoExtractor(settings.nemo, settings.llm, reader, settings.trust)
