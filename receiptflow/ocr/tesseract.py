"""Tesseract 5 through its command line (Debian ``tesseract-ocr``), one text line per TextLine.

``--psm 6`` (one uniform block of text) suits a receipt's single column best. Words from the
TSV output are grouped into Tesseract's own lines, each with the union box and the mean word
confidence. ``OMP_THREAD_LIMIT=1``: Tesseract's OpenMP threads cost more than they save on a
small page, and the pipeline runs pages side by side instead."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import threading
from typing import TYPE_CHECKING

from PIL import Image

from receiptflow.errors import OcrError
from receiptflow.ingest.document import TextLine
from receiptflow.ocr.orientation import UprightRead, read_upright
from receiptflow.ocr.reading_order import sort_reading_order

if TYPE_CHECKING:
    from receiptflow.settings import OcrSettings

# Upright sroie scans read at about 0.7-0.8 mean word confidence; upside down or sideways ~0.35.
_MIN_CONFIDENCE = 0.55
_TIMEOUT_S = 120.0
_LineKey = tuple[int, int, int]


class TesseractEngine:
    name = "tesseract"

    def __init__(self, settings: OcrSettings, *, language: str = "eng", psm: int = 6) -> None:
        self._settings = settings
        self._language = language
        self._psm = psm
        self._available: bool | None = None
        self._lock = threading.Lock()

    def is_available(self) -> bool:
        if self._available is None:
            self._available = shutil.which("tesseract") is not None and self._has_language()
        return self._available

    def read(self, image: Image.Image, page: int = 0) -> list[TextLine]:
        """Lines in reading order; boxes in the upright image's pixels (see ``orientation``)."""
        return self.read_upright(image, page).lines

    def read_upright(self, image: Image.Image, page: int = 0) -> UprightRead:
        """The lines and the rotation that made the page upright (0 when not fixed)."""
        if not self.is_available():
            raise OcrError(f"tesseract with language {self._language!r} is not installed")
        with self._lock:
            if not self._settings.fix_orientation:
                return UprightRead(self.read_pass(image, page), 0, 1)
            reader = lambda img: self.read_pass(img, page)  # noqa: E731
            return read_upright(reader, image, min_confidence=_MIN_CONFIDENCE, quarter_turns=True)

    def read_pass(self, image: Image.Image, page: int = 0) -> list[TextLine]:
        """One pass exactly as the image lies, no orientation handling."""
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
        command = [
            "tesseract",
            "stdin",
            "stdout",
            "--psm",
            str(self._psm),
            "-l",
            self._language,
            "tsv",
        ]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(
                command,
                input=buffer.getvalue(),
                capture_output=True,
                env=env,
                timeout=_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OcrError(f"tesseract failed: {exc}") from exc
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace")[-500:]
            raise OcrError(f"tesseract exited {done.returncode}: {detail}")
        return sort_reading_order(parse_tsv(done.stdout.decode("utf-8", errors="replace"), page))

    def _has_language(self) -> bool:
        try:
            done = subprocess.run(
                ["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        return self._language in done.stdout.decode(errors="replace").split()


def parse_tsv(tsv: str, page: int = 0) -> list[TextLine]:
    """Group Tesseract's TSV words (level 5) into its lines: union box, mean confidence."""
    words: dict[_LineKey, list[tuple[str, float, tuple[int, int, int, int]]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        left, top = int(row["left"]), int(row["top"])
        box = (left, top, left + int(row["width"]), top + int(row["height"]))
        words.setdefault(key, []).append((text, max(float(row["conf"]), 0.0) / 100.0, box))
    lines = []
    for line_words in words.values():
        boxes = [box for _, _, box in line_words]
        lines.append(
            TextLine(
                text=" ".join(text for text, _, _ in line_words),
                box=(
                    float(min(b[0] for b in boxes)),
                    float(min(b[1] for b in boxes)),
                    float(max(b[2] for b in boxes)),
                    float(max(b[3] for b in boxes)),
                ),
                confidence=sum(conf for _, conf, _ in line_words) / len(line_words),
                page=page,
            )
        )
    return lines


def build(settings: OcrSettings) -> TesseractEngine:
    return TesseractEngine(settings)
