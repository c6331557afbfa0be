"""The request the ``openai`` extractor sends for one document, decided before sending.

- A document whose every page has a digital text layer goes as text alone (exact characters,
  a few hundred tokens instead of thousands of image tokens), unless
  ``RECEIPTFLOW_OPENAI__TEXT_ONLY_WITH_TEXT_LAYER=false``.
- Otherwise each page as ``receiptflow.llm.pages`` prepares it (upright, cropped, segments).
- At most ``max_pages`` pages; then the estimate (``receiptflow.llm.budget``) against
  ``max_input_tokens`` / ``max_cost_usd``. Over a limit: ``refuse`` (nothing is sent) or
  ``flag`` (sent, the first ``max_pages`` pages, with a flag on the result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from receiptflow.ingest.document import Document, TextLine
from receiptflow.llm import budget
from receiptflow.llm.pages import OrientationReader, PageOptions, SentImage, page_images
from receiptflow.llm.prompts import SEGMENT_INSTRUCTION, image_messages, layout_text, text_messages
from receiptflow.schemas.flags import Flag, Severity

if TYPE_CHECKING:
    from receiptflow.llm.pricing import Price
    from receiptflow.settings import ImageTokenRule, OpenAISettings


@dataclass(frozen=True)
class VisionRequest:
    messages: list[dict[str, Any]]
    image_tokens: int
    images: list[SentImage]
    estimate: budget.Estimate | None
    refused: str | None = None  # why nothing is sent (over a limit, ``over_budget=refuse``)
    flags: list[Flag] = field(default_factory=list)  # to add to the result (``flag``)

    @property
    def text_only(self) -> bool:
        return not self.images and self.refused is None


def build_request(
    document: Document,
    options: OpenAISettings,
    *,
    rule: ImageTokenRule,
    price: Price | None,
    lines: list[TextLine] | None = None,
    orient: OrientationReader | None = None,
    schema: dict[str, Any] | None = None,
) -> VisionRequest:
    pages = document.pages
    flags: list[Flag] = []
    if len(pages) > options.max_pages:
        reason = (
            f"{len(pages)} pages is over the cap of {options.max_pages} pages per request "
            "(RECEIPTFLOW_OPENAI__MAX_PAGES)"
        )
        if options.over_budget == "refuse":
            return VisionRequest([], 0, [], None, refused=f"not sent: {reason}")
        pages = pages[: options.max_pages]
        flags.append(
            Flag(
                code=budget.PAGES_CAPPED,
                field=None,
                message=f"only the first {options.max_pages} pages were read: {reason}",
                severity=Severity.ERROR,  # the receipt may be incomplete: a person checks
            )
        )
    images: list[SentImage] = []
    layer = [line for page in pages for line in page.text_lines or []]
    if options.text_only_with_text_layer and all(page.text_lines for page in pages) and pages:
        messages = text_messages(layout_text(layer))
    else:
        page_options = PageOptions(
            model=options.model,
            detail=options.detail,
            rule=rule,
            min_short_side=options.min_short_side,
            max_long_side=options.max_image_side,
            min_text_height=options.min_text_height_px,
            crop=options.crop_margins,
            overlap=options.segment_overlap,
        )
        for page in pages:
            images += page_images(page, page_options, lines=lines, orient=orient)
        text_layer = layout_text(layer) if options.send_text_layer and layer else None
        labels = [image.label or "" for image in images]
        segmented = max((image.segments for image in images), default=1)
        if segmented > 1:
            labels[0] = f"{SEGMENT_INSTRUCTION.format(count=segmented)}\n{labels[0]}"
        messages = image_messages(
            [image.prepared.data_url for image in images],
            options.detail,
            text_layer,
            labels if any(labels) else None,
        )
    image_tokens = sum(image.prepared.tokens for image in images)
    found = budget.estimate(
        messages, image_tokens, max_output_tokens=options.max_tokens, price=price, schema=schema
    )
    over = budget.over_limits(
        found, max_input_tokens=options.max_input_tokens, max_cost_usd=options.max_cost_usd
    )
    if over is not None:
        if options.over_budget == "refuse":
            return VisionRequest([], 0, [], found, refused=f"not sent: {over}")
        flags.append(budget.warning(budget.OVER_BUDGET, f"sent anyway: {over}"))
    return VisionRequest(messages, image_tokens, images, found, flags=flags)
