"""Files and uploads into Documents, or an IngestError that names the file and the reason."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from receiptflow.errors import IngestError
from receiptflow.ingest import detect
from receiptflow.ingest.document import Document, Page
from receiptflow.ingest.raster import load_raster_pages
from receiptflow.settings import IngestSettings


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: Path, settings: IngestSettings) -> Document:
    """Read a receipt file (image or PDF) from disk into normalised pages."""
    path = Path(path)
    data = _read_bounded(path, settings)
    return _load(data, path, settings)


def load_document_bytes(data: bytes, name: str, settings: IngestSettings) -> Document:
    """Same as load_document for bytes already in memory (an upload); ``name`` labels errors."""
    return _load(data, Path(name), settings)


def _read_bounded(path: Path, settings: IngestSettings) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise IngestError(path, "file does not exist", code="not_found") from exc
    except OSError as exc:
        raise IngestError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(path, "is a folder, not a file", code="not_a_file")
    if not stat.S_ISREG(info.st_mode):
        # Opening a FIFO or a device would block or never end.
        raise IngestError(path, "is not a regular file (a pipe or a device?)", code="not_a_file")
    _check_size(path, info.st_size, settings)
    try:
        with path.open("rb") as handle:
            # One byte over the limit tells us the file grew after stat().
            return handle.read(settings.max_bytes + 1)
    except OSError as exc:
        raise IngestError(path, f"cannot be read: {exc.strerror or exc}") from exc


def _check_size(path: Path, size: int, settings: IngestSettings) -> None:
    if size == 0:
        raise IngestError(path, "file is empty (0 bytes)", code="empty")
    if size > settings.max_bytes:
        raise IngestError(
            path,
            f"file is {size:,} bytes, over the limit of {settings.max_bytes:,} "
            "(IngestSettings.max_bytes, RECEIPTFLOW_INGEST__MAX_BYTES)",
            code="too_large",
        )


def _load(data: bytes, path: Path, settings: IngestSettings) -> Document:
    _check_size(path, len(data), settings)
    media_type = detect.sniff_media_type(data)
    if media_type is None:
        raise _unknown_content(data, path)
    pages: list[Page]
    if media_type == detect.PDF:
        # pypdf and pdf2image cost a noticeable part of the start of `receiptflow extract`;
        # a run over photos and scans never needs them.
        from receiptflow.ingest.pdf import load_pdf_pages

        pages = load_pdf_pages(data, path, settings)
    else:
        images = load_raster_pages(data, path, media_type, settings)
        pages = [Page(index=index, image=image) for index, image in enumerate(images)]
    return Document(
        path=path,
        sha256=sha256_bytes(data),
        media_type=media_type,
        size_bytes=len(data),
        pages=pages,
    )


def _unknown_content(data: bytes, path: Path) -> IngestError:
    supported = ", ".join(detect.SUPPORTED_MEDIA_TYPES.values())
    known = detect.describe_unsupported(data)
    if known is not None:
        return IngestError(
            path,
            f"content is {known}, which is not supported (supported: {supported})",
            code="unsupported_type",
        )
    what = "text" if detect.looks_like_text(data) else "unrecognised binary data"
    if path.suffix.lower() in detect.SUPPORTED_SUFFIXES:
        return IngestError(
            path,
            f"named like a {path.suffix.lower().lstrip('.').upper()} file but the content is "
            f"{what}, not a supported image or PDF",
            code="not_an_image",
        )
    return IngestError(
        path, f"content is {what}; supported formats are {supported}", code="unsupported_type"
    )
