"""Books: the chart of accounts (expense categories with their codes and tax types), the
category suggestions (rules learned from approvals, keywords of line items), and what an
export needs to code each line (``Chart``)."""

from receiptflow.books.chart import (
    Chart,
    ChartError,
    default_accounts,
    parse_accounts_csv,
)
from receiptflow.books.suggest import keyword_suggestion, merchant_key

__all__ = [
    "Chart",
    "ChartError",
    "default_accounts",
    "keyword_suggestion",
    "merchant_key",
    "parse_accounts_csv",
]
