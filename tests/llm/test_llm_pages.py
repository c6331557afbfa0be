"""What the ``openai`` extractor sends, decoded from the request the real openai SDK put on
the wire (scripted OpenAI-compatible server): pages upright, cropped, long receipts in
overlapping segments, page cap and budget checked before sending, digital PDFs as text."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from receiptflow.extractors import ExtractionStatus, get_extractor
from receiptflow.ingest.document import Document, Page, TextLine
from receiptflow.llm.pages import margin_box, segment_spans
from receiptflow.llm.scripted_server import SAMPLE_ANSWER, SAMPLE_LINES, ScriptedServer, tool
from receiptflow.settings import Settings

pytestmark = pytest.mark.llm

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer([tool(SAMPLE_ANSWER)]) as running:
        yield running


def _settings(server: ScriptedServer, **openai: Any) -> Settings:
    return Settings(
        openai={"api_key": "sk-test", "base_url": server.url, "timeout_s": 5, **openai},
        trust={"enabled": False},
    )


def _document(*images: Image.Image, lines: list[list[TextLine]] | None = None) -> Document:
    pages = [
        Page(index=i, image=image.convert("RGB"), text_lines=lines[i] if lines else None)
        for i, image in enumerate(images)
    ]
    return Document(Path("receipt.png"), "0" * 64, "image/png", 1, pages)


def _sent_images(request: dict[str, Any]) -> list[Image.Image]:
    parts = request["messages"][-1]["content"]
    out = []
    for part in parts:
        if part["type"] == "image_url":
            data = part["image_url"]["url"].split(",", 1)[1]
            out.append(Image.open(io.BytesIO(base64.b64decode(data))).convert("L"))
    return out


def _texts(request: dict[str, Any]) -> list[str]:
    content = request["messages"][-1]["content"]
    if isinstance(content, str):
        return [content]
    return [part["text"] for part in content if part["type"] == "text"]


def _difference(a: Image.Image, b: Image.Image) -> float:
    size = (64, 96)
    left = np.asarray(a.convert("L").resize(size), dtype=float)
    right = np.asarray(b.convert("L").resize(size), dtype=float)
    return float(np.abs(left - right).mean())


def test_a_sideways_photo_is_sent_upright(server: ScriptedServer) -> None:
    upright = Image.open(SAMPLES / "us_diner.png").convert("RGB")
    sideways = upright.rotate(-90, expand=True)  # turned a quarter clockwise: landscape
    settings = _settings(server, crop_margins=False)
    result = get_extractor("openai", settings).extract(_document(sideways))
    assert result.status is ExtractionStatus.OK, result.errors
    (sent,) = _sent_images(server.requests[0])
    assert sent.height > sent.width  # portrait again
    assert _difference(sent, upright) < _difference(sent, upright.rotate(180)) / 2
    # the same page with the step off goes as ingested: landscape
    off = _settings(server, crop_margins=False, upright="off")
    get_extractor("openai", off).extract(_document(sideways))
    (as_ingested,) = _sent_images(server.requests[1])
    assert as_ingested.width > as_ingested.height


def test_the_rotation_the_cascade_ocr_found_is_reused_without_another_ocr(
    server: ScriptedServer,
) -> None:
    tall = Image.new("RGB", (600, 1500), "white")
    ImageDraw.Draw(tall).rectangle((100, 100, 500, 200), fill="black")  # a dark header
    document = _document(tall.rotate(90, expand=True))
    document.pages[0].rotation = 270  # what local's OCR found (Page.rotation)
    calls: list[int] = []
    extractor = get_extractor("openai", _settings(server, crop_margins=False))
    extractor._orient = lambda image, page: calls.append(page)  # type: ignore[method-assign]
    extractor.extract(document)
    (sent,) = _sent_images(server.requests[0])
    assert sent.height > sent.width and not calls
    top = np.asarray(sent)[: sent.height // 5].mean()
    bottom = np.asarray(sent)[-sent.height // 5 :].mean()
    assert top < bottom  # the header is at the top: upright, not upside down


def test_uniform_margins_are_cropped_away(server: ScriptedServer) -> None:
    # a 500 x 1200 white receipt with print, on a 1400 x 1800 grey scanner bed
    bed = Image.new("RGB", (1400, 1800), (90, 90, 90))
    receipt = Image.new("RGB", (500, 1200), "white")
    draw = ImageDraw.Draw(receipt)
    for row in range(40, 1160, 40):
        draw.rectangle((30, row, 30 + (row * 7) % 400, row + 12), fill="black")
    bed.paste(receipt, (450, 300))
    assert margin_box(bed) is not None
    get_extractor("openai", _settings(server, upright="off")).extract(_document(bed))
    (sent,) = _sent_images(server.requests[0])
    # the receipt's shape (5 : 12), not the bed's (14 : 18), and mostly white (not grey)
    assert abs(sent.width / sent.height - 500 / 1200) < 0.06
    assert np.asarray(sent).mean() > 180


def test_a_blank_page_is_not_cropped_to_nothing() -> None:
    assert margin_box(Image.new("RGB", (600, 900), "white")) is None


def _till_roll(width: int = 800, height: int = 8000) -> Image.Image:
    roll = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(roll)
    for row in range(20, height - 40, 60):
        draw.rectangle((20, row, 20 + (row * 13) % (width - 60) + 20, row + 18), fill="black")
    return roll


def test_a_long_receipt_goes_as_overlapping_legible_segments_in_one_request(
    server: ScriptedServer,
) -> None:
    result = get_extractor("openai", _settings(server, upright="off")).extract(
        _document(_till_roll())
    )
    assert result.status is ExtractionStatus.OK
    (request,) = server.requests
    sent = _sent_images(request)
    # not one 204 x 2048 image: 512 px across (the legibility floor), each at most 2048 long
    assert len(sent) == 3
    assert all(image.width == 512 and image.height <= 2048 for image in sent)
    covered = sum(image.height for image in sent)
    assert covered > 8000 * 512 / 800  # the segments overlap
    texts = " ".join(_texts(request))
    assert "3 overlapping segments" in texts and "segment 3 of 3" in texts
    # 3 images of 1 x 4 tiles on mini
    assert result.usage.image_tokens == 3 * (2833 + 4 * 5667)


def test_segment_spans_cover_the_page_with_overlap() -> None:
    spans = segment_spans(5120, 2048, 0.08)
    assert spans[0][0] == 0 and spans[-1][1] == 5120
    assert all(end - start <= 2048 for start, end in spans)
    assert all(spans[i][1] - spans[i + 1][0] >= 0.08 * 2048 - 1 for i in range(len(spans) - 1))
    assert segment_spans(1500, 2048, 0.08) == [(0, 1500)]


def test_page_cap_refuses_before_sending(server: ScriptedServer) -> None:
    pages = [Image.new("RGB", (600, 900), "white") for _ in range(4)]
    settings = _settings(server, max_pages=3)
    result = get_extractor("openai", settings).extract(_document(*pages))
    assert result.status is ExtractionStatus.FAILED and not server.requests
    assert "4 pages is over the cap of 3" in result.errors[0]
    assert result.usage.cost_usd == 0 and result.prompt_version


def test_page_cap_flag_sends_the_first_pages_and_flags_the_receipt(
    server: ScriptedServer,
) -> None:
    pages = [Image.new("RGB", (600, 900), "white") for _ in range(4)]
    settings = _settings(server, max_pages=3, over_budget="flag")
    result = get_extractor("openai", settings).extract(_document(*pages))
    assert len(_sent_images(server.requests[0])) == 3
    assert result.status is ExtractionStatus.FLAGGED
    assert "pages_capped" in {flag.code for flag in result.flags}


def test_token_budget_is_estimated_before_sending(server: ScriptedServer) -> None:
    roll = _document(_till_roll())
    refuse = _settings(server, upright="off", max_input_tokens=50_000)
    result = get_extractor("openai", refuse).extract(roll)
    assert result.status is ExtractionStatus.FAILED and not server.requests
    assert "input tokens is over the limit of 50,000" in result.errors[0]
    flag = _settings(server, upright="off", max_input_tokens=50_000, over_budget="flag")
    flagged = get_extractor("openai", flag).extract(roll)
    assert len(server.requests) == 1
    assert "over_budget" in {f.code for f in flagged.flags}


def test_cost_budget_uses_the_price_table(server: ScriptedServer) -> None:
    one_page = _document(Image.new("RGB", (600, 1500), "white"))
    extractor = get_extractor("openai", _settings(server, max_cost_usd="0.001"))
    estimate = extractor.request(one_page).estimate
    # 2,833 + 3 x 5,667 image tokens + text, and 4,096 output tokens at $0.15 / $0.60 per 1M
    assert estimate is not None and estimate.image_tokens == 2833 + 3 * 5667
    assert estimate.cost_usd is not None and estimate.cost_usd > Decimal("0.004")
    result = extractor.extract(one_page)
    assert result.status is ExtractionStatus.FAILED and not server.requests
    assert "over the limit of $0.001" in result.errors[0]


def test_a_digital_pdf_goes_as_text_alone(server: ScriptedServer) -> None:
    document = _document(Image.new("RGB", (600, 1500), "white"), lines=[SAMPLE_LINES])
    result = get_extractor("openai", _settings(server)).extract(document)
    assert result.status is ExtractionStatus.OK
    (request,) = server.requests
    assert isinstance(request["messages"][-1]["content"], str)  # no image parts at all
    assert "ROTI CANAI" in request["messages"][-1]["content"]
    assert result.usage.image_tokens == 0
    assert result.usage.prompt_tokens < 2833  # not even one image's base charge


def test_the_cascade_ocr_records_the_rotation_it_found() -> None:
    from receiptflow.extractors.local import LocalExtractor
    from receiptflow.ocr.orientation import UprightRead

    class TurningEngine:
        name = "fake"

        def is_available(self) -> bool:
            return True

        def read(self, image: Image.Image, page: int = 0) -> list[TextLine]:
            return self.read_upright(image, page).lines

        def read_upright(self, image: Image.Image, page: int = 0) -> UprightRead:
            return UprightRead([TextLine("TOTAL 4.20", (0, 0, 100, 20), page=page)], 90, 2)

    settings = Settings()
    local = LocalExtractor(settings.ocr, settings.local, settings.trust)
    local._engine = TurningEngine()
    document = _document(Image.new("RGB", (900, 600), "white"))
    lines = local.read_lines(document)
    assert [line.text for line in lines] == ["TOTAL 4.20"]
    assert document.pages[0].rotation == 90  # what the openai stage then reuses
