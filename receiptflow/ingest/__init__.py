"""Ingestion: receipt files (photos, scans, PDFs) into normalised pages plus a text layer."""

from receiptflow.ingest.detect import SUPPORTED_MEDIA_TYPES, SUPPORTED_SUFFIXES, sniff_media_type
from receiptflow.ingest.document import Document, Page, TextLine
from receiptflow.ingest.files import is_candidate_name, iter_input_files
from receiptflow.ingest.loader import load_document, load_document_bytes, sha256_bytes
from receiptflow.ingest.raster import heic_available

__all__ = [
    "SUPPORTED_MEDIA_TYPES",
    "SUPPORTED_SUFFIXES",
    "Document",
    "Page",
    "TextLine",
    "heic_available",
    "is_candidate_name",
    "iter_input_files",
    "load_document",
    "load_document_bytes",
    "sha256_bytes",
    "sniff_media_type",
]
