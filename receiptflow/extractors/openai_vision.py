"""GPT-4o mini (or any OpenAI vision model) reading the page images, through Instructor.

All pages of a receipt go in one request as base64 JPEG data URLs, each sized by
``receiptflow.llm.images.plan_size`` (fewest 512-px tiles that keep small print legible).
A PDF's digital text layer, when present, goes along as fenced text. The text layer, else
the OCR lines the cascade already has, is the source text the answer's values are looked for
in (``receiptflow.trust.llm``); a lone image has none, and grounding says nothing then.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import TYPE_CHECKING

from receiptflow.errors import ConfigError
from receiptflow.extractors.base import ExtractionResult
from receiptflow.ingest.document import Document, TextLine
from receiptflow.trust.llm import load_llm_model

if TYPE_CHECKING:
    from typing import Any

    from receiptflow.llm.client import Ask, JudgedAnswer, LlmClient
    from receiptflow.llm.usage import Price
    from receiptflow.schemas.receipt import Receipt
    from receiptflow.settings import LlmSettings, OpenAISettings, Settings, TrustSettings


class OpenAIVisionExtractor:
    name = "openai"

    def __init__(self, options: OpenAISettings, llm: LlmSettings, trust: TrustSettings) -> None:
        self._options = options
        self._llm = llm
        self._trust = trust
        self._trust_model = load_llm_model(llm.trust_model)  # unreadable: a ConfigError now
        self._client: LlmClient | None = None

    def is_available(self) -> bool:
        return self._options.api_key is not None or self._options.base_url is not None

    @property
    def client(self) -> LlmClient:
        if not self.is_available():
            raise ConfigError(
                "the openai extractor needs an API key: set OPENAI_API_KEY (or "
                "RECEIPTFLOW_OPENAI__API_KEY), or OPENAI_BASE_URL for an OpenAI-compatible server"
            )
        if self._client is None:
            from receiptflow.llm.client import LlmClient, endpoint_from

            endpoint = endpoint_from(
                self.name,
                self._options,
                mode="tools",
                price=self.price(),
                max_in_flight=self._llm.max_in_flight,
            )
            self._client = LlmClient(endpoint, self._trust, self._trust_model)
        return self._client

    def price(self) -> Price:
        from receiptflow.llm.usage import FREE, Price

        # Longest matching name, so "gpt-4o-mini-2024-07-18" is priced as mini, not 4o.
        for name in sorted(self._llm.prices, key=len, reverse=True):
            if self._options.model.startswith(name):
                entry = self._llm.prices[name]
                return Price(entry.input_per_million, entry.output_per_million)
        return FREE

    def messages(
        self, document: Document, lines: list[TextLine] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """The request's messages and the image tokens they cost (tile arithmetic)."""
        from receiptflow.llm.images import prepare_image
        from receiptflow.llm.prompts import image_messages, layout_text

        options = self._options
        urls: list[str] = []
        tokens = 0
        for page in document.pages:
            image = prepare_image(
                page.image,
                model=options.model,
                detail=options.detail,
                min_short_side=options.min_short_side,
                max_long_side=options.max_image_side,
                text_height=_median_height(lines, page.index),
                min_text_height=options.min_text_height_px,
            )
            urls.append(image.data_url)
            tokens += image.tokens
        text_layer = None
        if options.send_text_layer and document.has_text_layer:
            text_layer = layout_text(
                [line for page in document.pages for line in page.text_lines or []]
            )
        return image_messages(urls, options.detail, text_layer), tokens

    def ask(
        self, document: Document, lines: list[TextLine] | None = None, local: Receipt | None = None
    ) -> Ask:
        """The request, and what its answer is judged against: the source text is the PDF's
        text layer, else the OCR lines the caller has (``lines``, which also size the
        images), else none; ``local`` is the local extractor's reading to compare with."""
        from receiptflow.llm.client import Ask
        from receiptflow.llm.grounding import SourceText

        messages, image_tokens = self.messages(document, lines)
        layer = [line for page in document.pages for line in page.text_lines or []]
        printed = layer or lines
        source = SourceText.from_lines(line.text for line in printed) if printed else None
        return Ask(messages, image_tokens, source, local)

    def ask_document(self, document: Document) -> Ask:
        """The request for a document on its own (a Batch API line)."""
        return self.ask(document)

    def judge(
        self, document: Document, lines: list[TextLine] | None = None, local: Receipt | None = None
    ) -> JudgedAnswer:
        """The result and the evidence its probabilities came from."""
        client = self.client
        return client.answer(self.ask(document, lines, local))

    def extract(
        self, document: Document, lines: list[TextLine] | None = None, local: Receipt | None = None
    ) -> ExtractionResult:
        return self.judge(document, lines, local).result

    async def aextract(
        self, document: Document, lines: list[TextLine] | None = None, local: Receipt | None = None
    ) -> ExtractionResult:
        client = self.client
        # resizing and JPEG-encoding pages is CPU work: keep it off the event loop
        ask = await asyncio.to_thread(self.ask, document, lines, local)
        return (await client.aanswer(ask)).result

    async def aclose(self) -> None:
        """Close the connections this event loop opened (``extract_many`` calls it)."""
        if self._client is not None:
            await self._client.aclose()


def _median_height(lines: list[TextLine] | None, page: int) -> float | None:
    heights = [line.height for line in lines or [] if line.page == page and line.height > 0]
    return statistics.median(heights) if heights else None


def build(settings: Settings) -> OpenAIVisionExtractor:
    return OpenAIVisionExtractor(settings.openai, settings.llm, settings.trust)
