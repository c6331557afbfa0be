"""Reading order, Tesseract TSV grouping and the CER scorer, without running an engine."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from receiptflow.ingest.document import TextLine
from receiptflow.ocr.reading_order import page_text, sort_reading_order
from receiptflow.ocr.scoring import character_error_rate, edit_distance
from receiptflow.ocr.tesseract import parse_tsv


def line(text: str, x0: float, y0: float, x1: float, y1: float) -> TextLine:
    return TextLine(text, (x0, y0, x1, y1))


def test_rows_top_down_and_boxes_left_right_without_merging() -> None:
    total_amount = line("10.45", 400, 203, 470, 231)  # a hair lower than its label
    total = line("TOTAL", 20, 200, 120, 228)
    shop = line("SHOP", 20, 10, 120, 40)
    milk_amount = line("2.50", 400, 98, 460, 126)
    milk = line("MILK", 20, 100, 90, 128)
    ordered = sort_reading_order([total_amount, total, shop, milk_amount, milk])
    assert ordered == [shop, milk, milk_amount, total, total_amount]
    assert page_text(ordered) == "SHOP MILK 2.50 TOTAL 10.45"


def test_sloping_row_stays_one_row() -> None:
    pieces = [line(f"w{i}", 100 * i, 100 + 6 * i, 100 * i + 80, 130 + 6 * i) for i in range(5)]
    below = line("next", 0, 180, 80, 210)
    assert sort_reading_order([below, *reversed(pieces)]) == [*pieces, below]


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


@given(st.text(alphabet="ab c1", max_size=40), st.text(alphabet="abd 1", max_size=90))
def test_bit_parallel_edit_distance_matches_the_textbook(a: str, b: str) -> None:
    assert edit_distance(a, b) == levenshtein(a, b)


def test_cer_collapses_whitespace_and_can_ignore_case() -> None:
    assert character_error_rate([("total  5.00\n", "TOTAL 5.00")], upper=True) == 0.0
    assert character_error_rate([("TOTAL 5.0", "TOTAL 5.00")]) == 0.1


def test_tsv_words_grouped_into_lines_with_union_box_and_mean_confidence() -> None:
    columns = "level page_num block_num par_num line_num word_num left top width height conf text"
    header = columns.replace(" ", "\t")
    rows = [
        "4\t1\t1\t1\t1\t0\t10\t10\t300\t30\t-1\t",
        "5\t1\t1\t1\t1\t1\t10\t10\t100\t30\t90\tTOTAL",
        "5\t1\t1\t1\t1\t2\t250\t12\t60\t28\t70\t9.00",
        "5\t1\t1\t1\t2\t1\t10\t50\t80\t30\t-1\t ",
        "5\t1\t1\t1\t3\t1\t10\t90\t80\t30\t50\tCASH",
    ]
    lines = parse_tsv("\n".join([header, *rows]), page=2)
    assert [(item.text, item.box, item.page) for item in lines] == [
        ("TOTAL 9.00", (10.0, 10.0, 310.0, 40.0), 2),
        ("CASH", (10.0, 90.0, 90.0, 120.0), 2),
    ]
    assert abs(lines[0].confidence - 0.8) < 1e-9
