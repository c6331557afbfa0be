"""The content-addressed archive of originals: ``<archive>/<sha[:2]>/<sha>.<ext>``.

Every file a user hands in is copied here before anything else looks at it, so a file that
later fails to decode, OCR or extract is never lost. Writes go to a temporary file in the same
folder and are renamed into place, so concurrent writers of the same bytes cannot leave a
half-written original behind.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from receiptflow.errors import ConfigError
from receiptflow.ingest.files import open_regular_file
from receiptflow.storage.records import StorageError

_CHUNK = 1024 * 1024
_PARTIAL_PREFIX = ".incoming-"
PARTIAL_MAX_AGE_S = 3600.0  # a copy still unfinished after an hour was abandoned

# Leading bytes -> (media type, extension); what the bytes are, whatever the name says.
_SIGNATURES: list[tuple[bytes, int, str, str]] = [
    (b"%PDF", 0, "application/pdf", "pdf"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF8", 0, "image/gif", "gif"),
    (b"II*\x00", 0, "image/tiff", "tif"),
    (b"MM\x00*", 0, "image/tiff", "tif"),
    (b"BM", 0, "image/bmp", "bmp"),
    (b"WEBP", 8, "image/webp", "webp"),
    (b"ftypheic", 4, "image/heic", "heic"),
    (b"ftypheix", 4, "image/heic", "heic"),
    (b"ftypmif1", 4, "image/heif", "heif"),
]


@dataclass(frozen=True)
class ArchivedFile:
    sha256: str
    size_bytes: int
    media_type: str
    relative_path: str  # inside the archive dir, with forward slashes


def sniff_media_type(head: bytes, name: str) -> tuple[str, str]:
    """(media type, extension) from the first bytes, falling back to the file name."""
    for signature, offset, media_type, extension in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return media_type, extension
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream", "bin"


class Archive:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes  # IngestSettings.max_bytes: larger originals are refused

    def sweep_partial(self, older_than_s: float = PARTIAL_MAX_AGE_S) -> int:
        """Remove temporary files a writer killed mid-copy (kill -9, a power cut) left behind;
        one this old is no longer being written. Returns how many went."""
        cutoff = time.time() - older_than_s
        removed = 0
        try:
            partials = list(self.root.glob(f"{_PARTIAL_PREFIX}*"))
        except OSError:
            return 0
        for partial in partials:
            try:
                if partial.lstat().st_mtime < cutoff:
                    partial.unlink()
                    removed += 1
            except OSError:  # gone already, or not ours to remove: the next open tries again
                continue
        return removed

    def path_of(self, relative_path: str) -> Path:
        return self.root / relative_path

    def store_file(self, path: Path) -> ArchivedFile:
        """Copy a file in. The ingest checks come first (IngestError): a FIFO, a device or a
        file over the size limit is refused before anything is read or written."""
        with open_regular_file(path, self.max_bytes) as source:
            return self.store_stream(source, path.name)

    def store_stream(self, source: BinaryIO, name: str) -> ArchivedFile:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(dir=self.root, prefix=_PARTIAL_PREFIX)
        except OSError as error:  # the same for every file: the configuration, not the file
            raise ConfigError(
                f"cannot write to the archive folder {self.root}: {error.strerror or error} "
                "(RECEIPTFLOW_HOME)"
            ) from None
        digest = hashlib.sha256()
        size = 0
        head = b""
        temp_path = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as target:
                while chunk := source.read(_CHUNK):
                    if size + len(chunk) > self.max_bytes:  # grew after the check, or a stream
                        raise StorageError(
                            f"{name}: more than {self.max_bytes:,} bytes "
                            "(IngestSettings.max_bytes, RECEIPTFLOW_INGEST__MAX_BYTES)"
                        )
                    if len(head) < 16:
                        head += chunk[:16]
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            sha256 = digest.hexdigest()
            media_type, extension = sniff_media_type(head, name)
            relative = f"{sha256[:2]}/{sha256}.{extension}"
            final = self.root / relative
            if final.exists() and final.stat().st_size == size:
                temp_path.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                temp_path.replace(final)  # atomic; same bytes from a racing writer are harmless
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        return ArchivedFile(sha256, size, media_type, relative)
