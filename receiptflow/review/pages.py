"""Page images of archived originals for the browser.

The client only ever names a receipt id and a page number; the file is the one the database
says the receipt came from, and it must resolve to a place inside the archive folder (a
tampered ``archive_path`` such as ``../../etc/passwd`` is refused, symlinks included).
Decoded pages are kept in a small in-memory cache: a PDF is rendered once, not per page view.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

from PIL import Image

from receiptflow.errors import ReceiptflowError
from receiptflow.ingest import load_document
from receiptflow.ocr.orientation import upright_image
from receiptflow.settings import IngestSettings
from receiptflow.storage import DocumentRecord

_CACHED_DOCUMENTS = 8
_JPEG_QUALITY = 88


class PageNotFound(ReceiptflowError):
    """No such page, or the original is missing or outside the archive."""


def inside_archive(path: Path, archive_root: Path) -> Path:
    """The real path of ``path`` if it lies inside the archive, else PageNotFound."""
    real = path.resolve()
    if not real.is_relative_to(archive_root.resolve()) or not real.is_file():
        raise PageNotFound(f"original of {path.name!r} is not in the archive")
    return real


class PageImages:
    def __init__(self, archive_root: Path, ingest: IngestSettings, max_side: int) -> None:
        self.archive_root = archive_root
        self.ingest = ingest
        self.max_side = max_side
        self._cache: OrderedDict[str, list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def count(self, document: DocumentRecord, rotations: Mapping[int, int] | None = None) -> int:
        return len(self._pages(document, rotations or {}))

    def jpeg(
        self, document: DocumentRecord, page: int, rotations: Mapping[int, int] | None = None
    ) -> bytes:
        """Page ``page`` as JPEG: upright per EXIF (ingest applies it) and turned by
        ``rotations[page]`` degrees counter-clockwise where OCR found the page sideways."""
        pages = self._pages(document, rotations or {})
        if not 0 <= page < len(pages):
            raise PageNotFound(f"page {page + 1} of {len(pages)}")
        return pages[page]

    def _pages(self, document: DocumentRecord, rotations: Mapping[int, int]) -> list[bytes]:
        key = f"{document.sha256}:{sorted(rotations.items())}"
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        path = inside_archive(document.archive_path, self.archive_root)
        try:
            loaded = load_document(path, self.ingest)
        except ReceiptflowError as exc:
            raise PageNotFound(str(exc)) from exc
        rendered = [
            self._encode(upright_image(page.image, rotations.get(page.index, 0)))
            for page in loaded.pages
        ]
        with self._lock:
            self._cache[key] = rendered
            while len(self._cache) > _CACHED_DOCUMENTS:
                self._cache.popitem(last=False)
        return rendered

    def _encode(self, image: Image.Image) -> bytes:
        image = image.convert("RGB")
        image.thumbnail((self.max_side, self.max_side), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=_JPEG_QUALITY, optimize=True)
        return buffer.getvalue()
