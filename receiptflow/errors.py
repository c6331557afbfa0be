"""The one exception root. Stage boundaries return results; what does raise derives from here."""

from __future__ import annotations

from pathlib import Path


class ReceiptflowError(Exception):
    """Root of every exception receiptflow raises on purpose."""


class ConfigError(ReceiptflowError):
    """Settings are missing or contradictory (for example an LLM extractor with no endpoint)."""


class IngestError(ReceiptflowError):
    """A file could not be turned into pages. Always names the file and the reason."""

    def __init__(self, path: Path | str, reason: str, *, code: str = "unreadable") -> None:
        self.path = Path(path)
        self.reason = reason
        self.code = code
        super().__init__(f"{self.path}: {reason}")


class OcrError(ReceiptflowError):
    """An OCR engine failed or is not installed."""


class ExtractionError(ReceiptflowError):
    """An extractor could not run at all (not: the receipt did not validate; that is a Flag)."""


class UnknownComponentError(ReceiptflowError):
    """A registry was asked for a name it does not hold."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = known
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(known)}")
