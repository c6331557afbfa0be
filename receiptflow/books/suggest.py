"""Category suggestions that need no database: keywords of a receipt's line items.

The keyword table is data (``data/keywords.csv``, ``keyword,category``) a contributor can
extend without reading code. Rules learned from approvals (merchant -> category) live in the
database; ``storage.books`` asks them first and falls back on these.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from importlib import resources

from receiptflow.books.chart import Chart
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage.records import Suggestion

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def merchant_key(name: str | None) -> str | None:
    """The merchant as rules know it: case and spacing do not make a different shop."""
    key = " ".join((name or "").casefold().split())
    return key[:255] or None


@functools.cache
def keywords() -> dict[str, str]:
    text = resources.files("receiptflow.books").joinpath("data/keywords.csv")
    table: dict[str, str] = {}
    for row in csv.reader(text.read_text(encoding="utf-8").splitlines()):
        word = row[0].strip().casefold() if len(row) >= 2 else ""
        if word and not word.startswith("#") and word != "keyword":
            table[word] = row[1].strip()
    return table


def keyword_suggestion(receipt: Receipt, chart: Chart) -> Suggestion | None:
    """The category most of the line items' keywords point at (ties: the first seen), among
    the chart's accounts, named as the chart names it."""
    table = {
        word: account.name
        for word, name in keywords().items()
        if (account := chart.account(name)) is not None
    }
    votes: Counter[str] = Counter()
    matched: dict[str, list[str]] = {}
    for item in receipt.line_items:
        for word in _WORD.findall(item.description.casefold()):
            category = table.get(word)
            if category is not None:
                votes[category] += 1
                if word not in matched.setdefault(category, []):
                    matched[category].append(word)
    if not votes:
        return None
    category, _ = votes.most_common(1)[0]
    words = ", ".join(f"'{word}'" for word in matched[category][:3])
    return Suggestion(category=category, source=f"keywords in the line items: {words}")
