"""Contract tests for every registered OCR engine on receipts rendered with Pillow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PIL import Image, ImageDraw, ImageFont

from receiptflow.ingest.document import TextLine
from receiptflow.ocr import OCR_ENGINES, OcrEngine, get_ocr_engine
from receiptflow.settings import OcrSettings

pytestmark = pytest.mark.ocr

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
# (left text, right text) per printed row; the right column is an amount at the right margin.
ROWS = [
    ("CORNER GROCERY", ""),
    ("MILK", "2.50"),
    ("BREAD", "3.20"),
    ("APPLES", "4.75"),
    ("TOTAL", "10.45"),
]
WIDTH, ROW_HEIGHT, MARGIN = 640, 56, 40


def render_receipt() -> tuple[Image.Image, dict[str, tuple[float, float, float, float]]]:
    """A receipt image and where each printed word was drawn (x0, y0, x1, y1)."""
    font = ImageFont.truetype(FONT, 30)
    image = Image.new("RGB", (WIDTH, MARGIN * 2 + ROW_HEIGHT * len(ROWS)), "white")
    draw = ImageDraw.Draw(image)
    drawn: dict[str, tuple[float, float, float, float]] = {}
    for row, (left, right) in enumerate(ROWS):
        y = MARGIN + row * ROW_HEIGHT
        draw.text((MARGIN, y), left, font=font, fill="black")
        drawn[left] = draw.textbbox((MARGIN, y), left, font=font)
        if right:
            x = WIDTH - MARGIN - draw.textlength(right, font=font)
            draw.text((x, y), right, font=font, fill="black")
            drawn[right] = draw.textbbox((x, y), right, font=font)
    return image, drawn


@pytest.fixture(scope="module", params=sorted(OCR_ENGINES))
def engine(request: pytest.FixtureRequest) -> Iterator[OcrEngine]:
    yield get_ocr_engine(OcrSettings(engine=request.param))


def find(lines: list[TextLine], word: str) -> int:
    hits = [i for i, line in enumerate(lines) if word in line.text.replace(" ", "")]
    assert hits, f"{word!r} not read; got {[line.text for line in lines]}"
    return hits[0]


def test_engine_is_available_here(engine: OcrEngine) -> None:
    assert isinstance(engine, OcrEngine)
    assert engine.is_available()


def test_reads_words_with_boxes_in_reading_order(engine: OcrEngine) -> None:
    image, drawn = render_receipt()
    lines = engine.read(image, page=3)
    positions = {word: find(lines, word.replace(" ", "")) for word in drawn}
    for word, (x0, y0, x1, y1) in drawn.items():
        line = lines[positions[word]]
        # The reported box holds the word's centre (a line box may be wider than one word).
        assert line.box[0] <= (x0 + x1) / 2 <= line.box[2], (word, line)
        assert line.box[1] <= (y0 + y1) / 2 <= line.box[3], (word, line)
        assert 0.0 <= line.confidence <= 1.0
        assert line.page == 3
    order = [positions[left] for left, _ in ROWS]
    assert order == sorted(order), [line.text for line in lines]
    for left, right in ROWS:
        if right and positions[left] != positions[right]:
            assert positions[left] < positions[right]  # same row: left column first


@pytest.mark.parametrize(
    "turn", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270, Image.Transpose.ROTATE_180]
)
def test_turned_receipt_comes_back_upright(engine: OcrEngine, turn: Image.Transpose) -> None:
    image, drawn = render_receipt()
    upright_lines = engine.read(image)
    lines = engine.read(image.transpose(turn))
    order = [find(lines, left.replace(" ", "")) for left, _ in ROWS]
    assert order == sorted(order), [line.text for line in lines]
    # Boxes are in the upright frame: the same place as on the upright page, give or take.
    for left, _ in ROWS:
        turned = lines[find(lines, left.replace(" ", ""))].box
        straight = upright_lines[find(upright_lines, left.replace(" ", ""))].box
        assert abs(turned[1] - straight[1]) < ROW_HEIGHT / 2, (left, turned, straight)


def test_blank_page_gives_no_lines(engine: OcrEngine) -> None:
    assert engine.read(Image.new("RGB", (400, 600), "white")) == []


def test_page_too_thin_to_hold_text_gives_no_lines(engine: OcrEngine) -> None:
    # 4000 x 3 scales to 0 px tall at the detector's 1280 px cap
    assert engine.read(Image.new("RGB", (4000, 3), "white"), page=0) == []


def test_rapidocr_loads_wheel_models_without_any_download(monkeypatch: pytest.MonkeyPatch) -> None:
    import requests
    from rapidocr.utils.download_file import DownloadFile

    from receiptflow.ocr.rapid import RapidOcrEngine, model_dir

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("RapidOCR tried to download something")

    monkeypatch.setattr(DownloadFile, "run", refuse)
    monkeypatch.setattr(requests.Session, "request", refuse)
    engine = RapidOcrEngine(OcrSettings(engine="rapidocr", fix_orientation=False))
    image, drawn = render_receipt()
    lines = engine.read(image)
    assert find(lines, "TOTAL") >= 0
    models = model_dir()
    assert models is not None and models.parent.name == "rapidocr"  # inside the installed wheel
