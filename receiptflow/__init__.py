"""receiptflow: receipt photos, scans and PDFs in; validated line-item JSON out."""

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
