"""PDFs into pages: checked with pypdf, rendered by poppler, with the digital text layer kept.

A PDF that carries its own text (an e-receipt, an invoice from a till system) needs no OCR:
``pdftotext -bbox-layout`` gives each line with its box in points, which we scale into the
rendered page's pixels. A scanned PDF (no text, or only whitespace) gets ``text_lines=None``.

Pages are rendered one at a time through pdf2image (poppler's ``pdftoppm``) and the text layer
read with ``pdftotext``, all under one deadline (IngestSettings.pdf_timeout_s), so a hostile
PDF costs at most that long. pypdf has already parsed the file, checked encryption and counted
the pages before poppler sees it; pdf2image's own page-count probe (``pdfinfo``) is the one
poppler call without a timeout, and it only runs on a file pypdf could read.
"""

from __future__ import annotations

import io
import logging
import math
import re
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pdf2image import convert_from_path
from pdf2image.exceptions import (
    PDFInfoNotInstalledError,
    PDFPageCountError,
    PDFPopplerTimeoutError,
    PDFSyntaxError,
)
from PIL import Image
from pypdf import PasswordType, PdfReader

from receiptflow.errors import IngestError
from receiptflow.ingest.document import Page, TextLine
from receiptflow.ingest.raster import check_pixel_limit, normalise_page_image
from receiptflow.settings import IngestSettings

log = logging.getLogger(__name__)
# pypdf logs each repair of a non-compliant PDF ("Object ID 4,0 ref repaired", "Ignoring
# wrong pointing object") as a warning on stderr. A PDF it repairs is read; one it cannot is
# an IngestError with one line: either way its messages would only add lines.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_XHTML = "{http://www.w3.org/1999/xhtml}"
# pdftotext copies text as-is; control characters would make its XHTML unparsable.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class PdfPageInfo:
    width_pt: float  # as displayed, i.e. after /Rotate
    height_pt: float
    rotation: int


def load_pdf_pages(data: bytes, path: Path, settings: IngestSettings) -> list[Page]:
    infos = inspect_pdf(data, path, settings)
    deadline = time.monotonic() + settings.pdf_timeout_s
    with tempfile.TemporaryDirectory(prefix="receiptflow-pdf-") as tmp:
        pdf_file = Path(tmp) / "document.pdf"
        pdf_file.write_bytes(data)
        images = [
            _render_page(pdf_file, index, info, path, settings, deadline)
            for index, info in enumerate(infos)
        ]
        text_pages = _read_text_layer(pdf_file, len(infos), path, deadline)
    pages = []
    for index, (image, info) in enumerate(zip(images, infos, strict=True)):
        words = text_pages[index] if index < len(text_pages) else None
        lines = _scale_lines(words, info, image.size, index) if words else None
        pages.append(Page(index=index, image=image, text_lines=lines))
    return pages


def inspect_pdf(data: bytes, path: Path, settings: IngestSettings) -> list[PdfPageInfo]:
    """Refuse encrypted or oversized PDFs before anything is rendered."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _decrypt_with_empty_password(reader, path)
        page_count = len(reader.pages)
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise _unreadable(data, path, exc) from exc
    if page_count == 0:
        raise IngestError(path, "PDF has no pages", code="empty")
    if page_count > settings.max_pages:
        raise IngestError(
            path,
            f"PDF has {page_count} pages; the limit is {settings.max_pages} "
            "(IngestSettings.max_pages, RECEIPTFLOW_INGEST__MAX_PAGES)",
            code="too_many_pages",
        )
    try:
        return [_page_info(reader, index) for index in range(page_count)]
    except Exception as exc:
        raise _unreadable(data, path, exc) from exc


def _decrypt_with_empty_password(reader: PdfReader, path: Path) -> None:
    # Many PDFs are "encrypted" only to restrict printing: the empty user password opens them.
    try:
        opened = reader.decrypt("")
    except Exception as exc:  # unsupported algorithm, missing crypto backend
        raise IngestError(
            path, f"PDF is encrypted and cannot be opened ({exc})", code="encrypted_pdf"
        ) from exc
    if opened == PasswordType.NOT_DECRYPTED:
        raise IngestError(
            path,
            "PDF is password-protected; save an unprotected copy (e.g. qpdf --decrypt) and retry",
            code="encrypted_pdf",
        )


def _page_info(reader: PdfReader, index: int) -> PdfPageInfo:
    page = reader.pages[index]
    box = page.mediabox
    width, height = abs(float(box.width)), abs(float(box.height))
    rotation = int(page.rotation or 0) % 360
    if rotation in (90, 270):
        width, height = height, width
    return PdfPageInfo(width_pt=max(width, 1.0), height_pt=max(height, 1.0), rotation=rotation)


def render_dpi(info: PdfPageInfo, settings: IngestSettings) -> int:
    """settings.pdf_dpi, lowered for a page so large it would pass max_side or max_pixels.

    Rendering smaller instead of refusing: a big page is vector data, not a bomb, once capped."""
    by_side = settings.max_side * 72 / max(info.width_pt, info.height_pt)
    by_pixels = 72 * math.sqrt(settings.max_pixels / (info.width_pt * info.height_pt))
    return max(1, min(settings.pdf_dpi, math.floor(by_side), math.floor(by_pixels)))


def _render_page(
    pdf_file: Path,
    index: int,
    info: PdfPageInfo,
    path: Path,
    settings: IngestSettings,
    deadline: float,
) -> Image.Image:
    dpi = render_dpi(info, settings)
    number = index + 1
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timed_out(path, settings, f"rendering page {number}")
    try:
        images = convert_from_path(
            pdf_file,
            dpi=dpi,
            first_page=number,
            last_page=number,
            timeout=max(1, math.ceil(remaining)),
        )
    except PDFPopplerTimeoutError as exc:
        raise _timed_out(path, settings, f"rendering page {number}") from exc
    except (PDFInfoNotInstalledError, OSError) as exc:  # poppler-utils missing
        raise IngestError(
            path,
            f"cannot run poppler (is poppler-utils installed?): {exc}",
            code="pdf_render_failed",
        ) from exc
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise IngestError(
            path, f"poppler cannot read page {number}: {exc}", code="pdf_render_failed"
        ) from exc
    if not images:
        raise IngestError(
            path, f"poppler produced no image for page {number}", code="pdf_render_failed"
        )
    rendered = images[0]
    check_pixel_limit(rendered.size, path, settings, page=index)
    page_image = normalise_page_image(rendered, settings.max_side)
    if page_image is not rendered:
        rendered.close()
    return page_image


def _read_text_layer(
    pdf_file: Path, page_count: int, path: Path, deadline: float
) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Per page, the text lines with boxes in points; empty lists where a page has no text.

    The text layer is a bonus: if poppler fails here, OCR reads the rendered pages instead."""
    remaining = deadline - time.monotonic()
    command = ["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(pdf_file), "-"]
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=max(remaining, 0.1), check=False
        )
        if done.returncode != 0:
            raise OSError(done.stderr.decode("utf-8", "replace").strip())
        root = ET.fromstring(_XML_INVALID.sub("", done.stdout.decode("utf-8", "replace")))
    except (OSError, subprocess.TimeoutExpired, ET.ParseError) as exc:
        log.warning("%s: no text layer read, OCR will be used (%s)", path, exc)
        return [[] for _ in range(page_count)]
    return [_page_lines(page) for page in root.iter(f"{_XHTML}page")]


def _page_lines(page: ET.Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    lines = []
    for line in page.iter(f"{_XHTML}line"):
        text = " ".join((word.text or "").strip() for word in line.iter(f"{_XHTML}word")).strip()
        if text:
            box = tuple(float(line.get(key, "0")) for key in ("xMin", "yMin", "xMax", "yMax"))
            lines.append((" ".join(text.split()), (box[0], box[1], box[2], box[3])))
    return lines


def _scale_lines(
    words: list[tuple[str, tuple[float, float, float, float]]],
    info: PdfPageInfo,
    image_size: tuple[int, int],
    index: int,
) -> list[TextLine]:
    # pdftotext reports boxes in the displayed (rotated) page in points; scale per axis so
    # rounding in the rendered size cannot drift boxes off their text.
    sx = image_size[0] / info.width_pt
    sy = image_size[1] / info.height_pt
    return [
        TextLine(text=text, box=(x0 * sx, y0 * sy, x1 * sx, y1 * sy), confidence=1.0, page=index)
        for text, (x0, y0, x1, y1) in words
    ]


def _timed_out(path: Path, settings: IngestSettings, what: str) -> IngestError:
    return IngestError(
        path,
        f"{what} timed out: the PDF took longer than {settings.pdf_timeout_s:g} s "
        "(IngestSettings.pdf_timeout_s, RECEIPTFLOW_INGEST__PDF_TIMEOUT_S)",
        code="pdf_render_failed",
    )


def _unreadable(data: bytes, path: Path, exc: Exception) -> IngestError:
    if b"%%EOF" not in data[-2048:]:
        # Every complete PDF ends with %%EOF; without it the upload or copy was cut short.
        return IngestError(
            path,
            f"PDF ends without its %%EOF marker; the file is truncated "
            f"({type(exc).__name__}: {exc})",
            code="truncated",
        )
    return IngestError(
        path, f"PDF structure cannot be read ({type(exc).__name__}: {exc})", code="corrupt"
    )
