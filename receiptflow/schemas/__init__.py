"""Receipt schema, flags and validation."""

from receiptflow.schemas.flags import Flag, Severity, has_errors
from receiptflow.schemas.receipt import (
    Discount,
    LineItem,
    Merchant,
    Payment,
    PaymentMethod,
    Receipt,
    TaxLine,
)

__all__ = [
    "Discount",
    "Flag",
    "LineItem",
    "Merchant",
    "Payment",
    "PaymentMethod",
    "Receipt",
    "Severity",
    "TaxLine",
    "has_errors",
]
