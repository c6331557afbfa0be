"""Prompt building and answer recovery, property-tested: OCR layout, the untrusted-data
fence, and salvaging a receipt from whatever the model sent back."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from receiptflow.ingest.document import TextLine
from receiptflow.llm.prompts import fence, layout_text, text_messages
from receiptflow.llm.response import salvage
from receiptflow.schemas.receipt import Receipt

words = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12
)


@st.composite
def ocr_lines(draw: st.DrawFn) -> list[TextLine]:
    lines = []
    for _ in range(draw(st.integers(1, 25))):
        text = draw(words)
        x0 = draw(st.floats(0, 800, allow_nan=False))
        y0 = draw(st.floats(0, 3000, allow_nan=False))
        width = max(4.0, 9.0 * len(text) * draw(st.floats(0.5, 2.0)))
        page = draw(st.integers(0, 1))
        lines.append(TextLine(text, (x0, y0, x0 + width, y0 + 20), page=page))
    return lines


@given(ocr_lines())
def test_layout_keeps_every_word_in_reading_order_rows(lines: list[TextLine]) -> None:
    text = layout_text(lines)
    for line in lines:
        assert line.text in text
    assert all(len(row) <= 200 for row in text.splitlines())


def test_layout_puts_amounts_in_their_column() -> None:
    lines = [
        TextLine("TEA", (10, 10, 40, 30)),
        TextLine("3.00", (300, 10, 340, 30)),
        TextLine("TOTAL", (10, 40, 60, 60)),
        TextLine("3.00", (300, 40, 340, 60)),
    ]
    first, second = layout_text(lines).splitlines()
    assert first.index("3.00") == second.index("3.00") > len("TOTAL") + 1


@given(st.text(max_size=300))
def test_nothing_inside_the_fence_can_close_it(receipt_text: str) -> None:
    fenced = fence(receipt_text)
    end_marker = fenced.rsplit("\n", 1)[1]
    assert end_marker.startswith("END RECEIPT DATA ")
    assert fenced.count(end_marker) == 1  # a random nonce: the receipt cannot contain it
    user = text_messages(receipt_text)[1]["content"]
    assert receipt_text in user


money = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)


@st.composite
def receipts(draw: st.DrawFn) -> dict[str, Any]:
    items = [
        {"description": draw(words), "amount": str(draw(money))}
        for _ in range(draw(st.integers(0, 4)))
    ]
    return {
        "merchant": {"name": draw(st.none() | words)},
        "currency": draw(st.sampled_from(["USD", "EUR", "MYR", None])),
        "line_items": items,
        "total": str(draw(money)),
    }


junk = st.one_of(st.text(max_size=8), st.integers(), st.lists(st.integers(), max_size=2), st.none())


@settings(max_examples=60)
@given(receipts(), st.dictionaries(st.sampled_from(["date", "time", "tip", "payment"]), junk))
def test_salvage_keeps_every_valid_field_and_drops_only_broken_ones(
    truth: dict[str, Any], noise: dict[str, Any]
) -> None:
    answer = json.dumps({**truth, **noise})
    receipt = salvage(f"Here you go:\n```json\n{answer}\n```")
    assert isinstance(receipt, Receipt)
    assert receipt.total == Decimal(truth["total"])
    assert len(receipt.line_items) == len(truth["line_items"])
