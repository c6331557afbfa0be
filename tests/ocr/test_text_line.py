"""A text line's per-character confidences: the least sure letter or digit of a span."""

from __future__ import annotations

from receiptflow.ingest.document import TextLine


def test_the_least_sure_letter_or_digit_of_a_span() -> None:
    line = TextLine(
        "DATE 07-27-2008",
        (0, 0, 100, 10),
        0.94,
        char_confidences=(
            0.9,
            0.9,
            0.9,
            0.9,
            0.2,
            1.0,
            0.99,
            0.1,
            1.0,
            1.0,
            0.3,
            0.98,
            1.0,
            1.0,
            0.66,
        ),
    )
    assert line.span_confidence(5, 15) == 0.66  # the space (0.2) and dashes (0.1, 0.3) do not count
    assert line.span_confidence(0, 4) == 0.9
    assert line.span_confidence(12, 99) == 0.66  # clipped to the text


def test_without_character_scores_the_line_confidence_stands_in() -> None:
    assert TextLine("12.90", (0, 0, 50, 10), 0.87).span_confidence(0, 5) == 0.87
    # scores that do not line up with the text (an engine's own tokens) are not used
    misaligned = TextLine("12.90", (0, 0, 50, 10), 0.87, char_confidences=(0.5, 0.5))
    assert misaligned.span_confidence(0, 5) == 0.87
    assert (
        TextLine("--", (0, 0, 20, 10), 0.8, char_confidences=(0.1, 0.1)).span_confidence(0, 2)
        == 0.8
    )
