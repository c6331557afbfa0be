"""GPT-4o mini (or any OpenAI vision model) reading the page images, through Instructor.

All pages of a receipt go in one request as base64 JPEG data URLs, upright, cropped and
sized (``receiptflow.llm.pages``: fewest 512-px tiles that keep small print legible, a long
receipt in overlapping segments); a digital PDF goes as its text layer alone. The request is
estimated and checked against the page cap and budget before it is sent
(``receiptflow.llm.vision_request``). The text layer, else
the OCR lines the cascade already has, is the source text the answer's values are looked for
in (``receiptflow.trust.llm``); a lone image has none, and grounding says nothing then.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from PIL import Image

from receiptflow.errors import ConfigError, ReceiptflowError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.ingest.document import Document, TextLine
from receiptflow.trust.llm import load_llm_model

if TYPE_CHECKING:
    from typing import Any

    from receiptflow.llm.client import Ask, JudgedAnswer, LlmClient
    from receiptflow.llm.usage import Price
    from receiptflow.llm.vision_request import VisionRequest
    from receiptflow.ocr.base import OcrEngine
    from receiptflow.schemas.receipt import Receipt
    from receiptflow.settings import (
        LlmSettings,
        OcrSettings,
        OpenAISettings,
        Settings,
        TrustSettings,
    )


class OpenAIVisionExtractor:
    name = "openai"

    def __init__(
        self,
        options: OpenAISettings,
        llm: LlmSettings,
        trust: TrustSettings,
        ocr: OcrSettings | None = None,
    ) -> None:
        """``ocr``: the engine that turns pages upright when no OCR reading came with them
        (``RECEIPTFLOW_OPENAI__UPRIGHT=ocr``); None: only rotations already found are used."""
        self._options = options
        self._llm = llm
        self._trust = trust
        self._ocr = ocr if options.upright == "ocr" else None
        self._engine: OcrEngine | None = None
        self._engine_lock = threading.Lock()
        self._trust_model = load_llm_model(llm.trust_model)  # unreadable: a ConfigError now
        self._client: LlmClient | None = None

    def is_available(self) -> bool:
        options = self._options
        return any(
            value is not None
            for value in (options.api_key, options.base_url, options.azure_endpoint)
        )

    @property
    def client(self) -> LlmClient:
        if not self.is_available():
            raise ConfigError(
                "the openai extractor needs an API key: set OPENAI_API_KEY (or "
                "RECEIPTFLOW_OPENAI__API_KEY), or OPENAI_BASE_URL for an OpenAI-compatible server"
            )
        if self._options.azure_endpoint and not self._options.api_version:
            raise ConfigError(
                "Azure OpenAI needs an api-version: set RECEIPTFLOW_OPENAI__API_VERSION (or "
                "OPENAI_API_VERSION), e.g. 2024-10-21"
            )
        if self._client is None:
            from receiptflow.llm.client import LlmClient
            from receiptflow.llm.endpoint import endpoint_from
            from receiptflow.llm.pricing import is_reasoning, lookup

            model = self._options.priced_model
            endpoint = endpoint_from(
                self.name,
                self._options,
                mode=self._options.output_mode,
                price=self.price(),
                max_in_flight=self._llm.max_in_flight,
                circuit_failures=self._llm.circuit_failures,
                circuit_cooldown_s=self._llm.circuit_cooldown_s,
                reasoning=is_reasoning(model, lookup(model, self._llm.prices)),
                azure_endpoint=self._options.azure_endpoint,
                api_version=self._options.api_version,
            )
            self._client = LlmClient(endpoint, self._trust, self._trust_model)
        return self._client

    def price(self) -> Price | None:
        """The model's price (an Azure deployment priced as the model it runs); None when
        unknown: the cost is then reported as null, with a warning, never as $0."""
        from receiptflow.llm.pricing import price_for

        return price_for(self._options.priced_model, self._llm.prices)

    def _orient(self, image: Image.Image, page: int) -> tuple[int, list[TextLine]] | None:
        """The rotation that makes ``image`` upright, by the OCR engine's orientation step."""
        from receiptflow.ocr import get_ocr_engine
        from receiptflow.ocr.orientation import read_page_upright

        if self._ocr is None:
            return None
        try:
            with self._engine_lock:  # aextract prepares pages in worker threads
                if self._engine is None:
                    self._engine = get_ocr_engine(self._ocr)
            if not self._engine.is_available():
                return None
            reading = read_page_upright(self._engine, image, page)
        except ReceiptflowError:
            return None  # no OCR here: send the page as ingested
        return reading.rotation, reading.lines

    def request(self, document: Document, lines: list[TextLine] | None = None) -> VisionRequest:
        """What would be sent for ``document`` (messages, images, estimate), before sending."""
        from receiptflow.llm.pricing import image_rule
        from receiptflow.llm.response import ExtractedReceipt
        from receiptflow.llm.vision_request import build_request

        return build_request(
            document,
            self._options,
            rule=image_rule(self._options.priced_model, self._llm.prices),
            price=self.price(),
            lines=lines,
            orient=self._orient,
            schema=ExtractedReceipt.model_json_schema(),
        )

    def messages(
        self, document: Document, lines: list[TextLine] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """The request's messages and the image tokens they cost."""
        request = self.request(document, lines)
        return request.messages, request.image_tokens

    def ask(
        self, document: Document, lines: list[TextLine] | None = None, local: Receipt | None = None
    ) -> Ask:
        """The request, and what its answer is judged against: the source text is the PDF's
        text layer, else the OCR lines the caller has (``lines``, which also size the
        images), else none; ``local`` is the local extractor's reading to compare with."""

        return self._ask(self.request(document, lines), document, lines, local)

    def _ask(
        self,
        request: VisionRequest,
        document: Document,
        lines: list[TextLine] | None,
        local: Receipt | None,
    ) -> Ask:
        from receiptflow.llm.client import Ask
        from receiptflow.llm.grounding import SourceText

        layer = [line for page in document.pages for line in page.text_lines or []]
        printed = layer or lines
        source = SourceText.from_lines(line.text for line in printed) if printed else None
        return Ask(request.messages, request.image_tokens, source, local)

    def ask_document(self, document: Document) -> Ask:
        """The request for a document on its own (a Batch API line)."""
        return self.ask(document)

    def judge(
        self, document: Document, lines: list[TextLine] | None = None, local: Receipt | None = None
    ) -> JudgedAnswer:
        """The result and the evidence its probabilities came from."""
        from receiptflow.llm.client import JudgedAnswer

        client = self.client
        request = self.request(document, lines)
        if request.refused is not None:
            return JudgedAnswer(self._refused(request), {})
        judged = client.answer(self._ask(request, document, lines, local))
        return JudgedAnswer(_with_flags(judged.result, request), judged.features)

    def extract(
        self, document: Document, lines: list[TextLine] | None = None, local: Receipt | None = None
    ) -> ExtractionResult:
        return self.judge(document, lines, local).result

    async def aextract(
        self, document: Document, lines: list[TextLine] | None = None, local: Receipt | None = None
    ) -> ExtractionResult:
        client = self.client
        # turning, resizing and JPEG-encoding pages is CPU work: keep it off the event loop
        request = await asyncio.to_thread(self.request, document, lines)
        if request.refused is not None:
            return self._refused(request)
        result = (await client.aanswer(self._ask(request, document, lines, local))).result
        return _with_flags(result, request)

    def _refused(self, request: VisionRequest) -> ExtractionResult:
        """Nothing sent: over the page cap or the budget (``over_budget=refuse``)."""
        from receiptflow.llm.audit import prompt_version

        return ExtractionResult(
            status=ExtractionStatus.FAILED,
            method=self.name,
            model=self._options.model,
            errors=[f"{self.name} ({self._options.model}): {request.refused}"],
            prompt_version=prompt_version("tools"),
            attempts=0,
        )

    async def aclose(self) -> None:
        """Close the connections this event loop opened (``extract_many`` calls it)."""
        if self._client is not None:
            await self._client.aclose()


def _with_flags(result: ExtractionResult, request: VisionRequest) -> ExtractionResult:
    """The request's own findings (pages capped, over budget) added to the result."""
    if not request.flags or result.receipt is None:
        return result
    from receiptflow.schemas.flags import has_errors

    flags = [*result.flags, *request.flags]
    status = result.status
    if has_errors(request.flags) and status is ExtractionStatus.OK:
        status = ExtractionStatus.FLAGGED
    return result.model_copy(update={"flags": flags, "status": status})


def build(settings: Settings) -> OpenAIVisionExtractor:
    return OpenAIVisionExtractor(settings.openai, settings.llm, settings.trust, settings.ocr)
