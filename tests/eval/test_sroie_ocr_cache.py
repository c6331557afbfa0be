"""SROIE scans with cached OCR lines: the second run parses without running OCR."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from receiptflow.eval.ocr_cache import LinesExtractor, OcrCache
from receiptflow.eval.sroie import evaluate_sroie
from receiptflow.extractors.base import ExtractionResult
from receiptflow.extractors.local import LocalExtractor
from receiptflow.ingest.document import Document, Page, TextLine
from receiptflow.settings import LocalSettings, OcrSettings

LINES = [
    TextLine("KEDAI MAJU ENTERPRISE", (10, 10, 200, 26)),
    TextLine("NO 5, JALAN BESAR, 43000 KAJANG", (10, 40, 260, 56)),
    TextLine("DATE: 30/12/2017", (10, 70, 160, 86)),
    TextLine("TOTAL", (10, 100, 60, 116)),
    TextLine("12.50", (200, 100, 250, 116)),
]


class ScriptedOcr:
    """The local parser behind an OCR step that returns fixed lines and counts its calls."""

    def __init__(self) -> None:
        self.reads = 0
        self.local = LocalExtractor(OcrSettings(), LocalSettings())

    def read_lines(self, document: Document) -> list[TextLine]:
        self.reads += 1
        return list(LINES)

    def extract_lines(self, lines: list[TextLine]) -> ExtractionResult:
        return self.local.extract_lines(lines)

    def extract(self, document: Document) -> ExtractionResult:
        return self.extract_lines(self.read_lines(document))


def _dataset(root: Path) -> Path:
    (root / "img").mkdir(parents=True)
    (root / "entities").mkdir()
    Image.new("RGB", (40, 60), "white").save(root / "img" / "R1.jpg")
    (root / "entities" / "R1.json").write_text(
        json.dumps(
            {
                "company": "KEDAI MAJU ENTERPRISE",
                "date": "30/12/2017",
                "address": "NO 5, JALAN BESAR, 43000 KAJANG",
                "total": "12.50",
            }
        )
    )
    return root


def _load(path: Path) -> Document:
    image = Image.open(path).convert("RGB")
    return Document(
        path=path,
        sha256="x",
        media_type="image/jpeg",
        size_bytes=1,
        pages=[Page(index=0, image=image)],
    )


def test_second_run_reuses_the_cached_lines(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "sroie")
    scripted = ScriptedOcr()
    assert isinstance(scripted, LinesExtractor)
    cache = (OcrCache(tmp_path / "cache"), scripted)
    first = evaluate_sroie(
        data, scripted.extract, ocr_boxes=False, load_document=_load, ocr_cache=cache
    )
    second = evaluate_sroie(
        data, scripted.extract, ocr_boxes=False, load_document=_load, ocr_cache=cache
    )
    assert scripted.reads == 1
    assert first.normalised.overall.f1 == second.normalised.overall.f1 == 1.0
    assert (tmp_path / "cache" / "R1.json").exists()


def test_cache_round_trip(tmp_path: Path) -> None:
    cache = OcrCache(tmp_path)
    assert cache.get("nope") is None
    cache.put("A", LINES, 1.5)
    lines, seconds = cache.get("A") or ([], 0.0)
    assert lines == LINES
    assert seconds == 1.5


def test_lines_read_under_other_ocr_settings_are_read_again(tmp_path: Path) -> None:
    """A cache filled with the detector capped at 1280 px is stale once it is upscaled."""
    capped = OcrSettings().signature()
    upscaled = OcrSettings(min_side=736).signature()
    assert capped != upscaled
    OcrCache(tmp_path, capped).put("A", LINES, 1.5)
    assert OcrCache(tmp_path, capped).get("A") == (LINES, 1.5)
    assert OcrCache(tmp_path, upscaled).get("A") is None
    assert OcrCache(tmp_path).get("A") == (LINES, 1.5)  # no signature: whatever is there
    (tmp_path / "old.json").write_text('{"seconds": 1.0, "lines": []}', encoding="utf-8")
    assert OcrCache(tmp_path, upscaled).get("old") is None  # written before signatures


def test_character_confidences_are_kept_and_older_files_read_again(tmp_path: Path) -> None:
    """Each character's confidence survives the cache; a file written before they were kept
    (format 1) counts as missing under a signature, so the scan is read again with them."""
    line = TextLine("12.50", (200, 100, 250, 116), 0.9, char_confidences=(1.0, 0.6, 1.0, 1.0, 1.0))
    cache = OcrCache(tmp_path, "sig")
    cache.put("R1", [line], 1.5)
    assert cache.get("R1") == ([line], 1.5)
    old = json.loads((tmp_path / "R1.json").read_text(encoding="utf-8"))
    old.pop("format")
    old["lines"] = [entry[:4] for entry in old["lines"]]
    (tmp_path / "R1.json").write_text(json.dumps(old), encoding="utf-8")
    assert cache.get("R1") is None
    lines, _ = OcrCache(tmp_path).get("R1") or ([], 0.0)  # no signature: read what is there
    assert lines == [TextLine("12.50", (200, 100, 250, 116), 0.9)]
