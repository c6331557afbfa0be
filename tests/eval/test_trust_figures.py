"""Trust figures on hand-made outcomes: exact counts and shares, ECE on known cases."""

from __future__ import annotations

import json

import pytest
from trust_support import hand_made_outcomes

from receiptflow.eval.calibration import bin_index, calibration, merge_reliability
from receiptflow.eval.trust import trust_figures


def test_decision_figures_count_only_labelled_fields() -> None:
    figures = trust_figures(hand_made_outcomes())
    assert figures.receipts == 6
    assert figures.statuses == {"ok": 3, "flagged": 2, "failed": 1}
    assert (figures.passed, figures.passed_share) == (3, 0.5)
    # A and B label a date or total; C does not and is not judged
    assert (figures.wrong_unflagged, figures.judged_unflagged) == (1, 2)
    assert figures.unflagged_wrong_share == 0.5
    assert figures.wrong_unflagged_ids == ("B",)  # the one to look at
    # B, D and E are wrong; D and E were flagged or failed
    assert (figures.caught, figures.wrong) == (2, 3)
    assert figures.caught_share == pytest.approx(2 / 3)


def test_per_field_counts_and_missing_probabilities() -> None:
    fields = trust_figures(hand_made_outcomes()).fields
    assert list(fields) == ["date", "merchant.name", "total", "receipt"]
    date = fields["date"]
    assert (date.labelled, date.right, date.unflagged_wrong) == (4, 2, 1)
    assert (date.calibration.pairs, date.without_probability) == (3, 1)  # E has none
    total = fields["total"]
    assert (total.labelled, total.right, total.accuracy) == (5, 3, 0.6)
    assert (total.calibration.pairs, total.without_probability) == (3, 2)  # D and E
    merchant = fields["merchant.name"]  # the outcome's "merchant" is judged by merchant.name
    assert (merchant.labelled, merchant.right, merchant.calibration.pairs) == (2, 2, 2)
    receipt = fields["receipt"]  # every labelled field right: A, C and F
    assert (receipt.labelled, receipt.right, receipt.calibration.pairs) == (6, 3, 1)
    assert receipt.calibration.ece == pytest.approx(0.1)  # A: 0.9 claimed, right


def test_only_the_total_is_checked_where_no_date_is_labelled() -> None:
    figures = trust_figures(hand_made_outcomes(), checked=("total",))
    assert (figures.wrong, figures.caught) == (2, 2)  # B's wrong date does not count here
    assert (figures.wrong_unflagged, figures.judged_unflagged) == (0, 2)
    assert figures.unflagged_wrong_share == 0.0


def test_empty_run_has_no_shares_and_is_json() -> None:
    figures = trust_figures([])
    assert figures.passed_share is None and figures.caught_share is None
    data = json.loads(json.dumps(figures.to_dict()))
    assert data["passed_unflagged"] == {"receipts": 0, "share": None}
    assert data["fields"] == {}


def test_json_block_carries_the_definitions_and_reliability() -> None:
    data = trust_figures(hand_made_outcomes()).to_dict()
    assert data["wrong_among_unflagged"]["share"] == 0.5
    assert data["wrong_among_unflagged"]["receipt_ids"] == ["B"]
    assert "only labelled fields count" in data["wrong_among_unflagged"]["note"]
    assert data["calibration"]["binning"] == "equal-width over [0, 1]"
    total = data["fields"]["total"]
    assert len(total["reliability"]) == 10
    filled = [b for b in total["reliability"] if b["count"]]
    # F claimed 0.55 and was right; A and B claimed 0.90 and 0.92 and were right
    assert [(b["low"], b["count"], b["accuracy"]) for b in filled] == [(0.5, 1, 1.0), (0.9, 2, 1.0)]
    assert filled[1]["mean_probability"] == 0.91


def test_ece_of_a_known_case() -> None:
    # 10 values claimed at 0.85, 8 right (gap 0.05); 10 claimed at 0.25, 5 right (gap 0.25)
    pairs = [(0.85, index < 8) for index in range(10)] + [(0.25, index < 5) for index in range(10)]
    result = calibration(pairs)
    assert result.pairs == 20
    assert result.ece == pytest.approx((10 * 0.05 + 10 * 0.25) / 20)
    assert result.bins[8].count == 10 and result.bins[8].accuracy == 0.8
    assert result.bins[2].mean_probability == pytest.approx(0.25)
    assert result.mean_probability == pytest.approx(0.55)


def test_a_calibrated_field_has_zero_ece_and_no_pairs_none() -> None:
    pairs = [(0.75, index < 3) for index in range(4)] + [(1.0, True)] * 3
    assert calibration(pairs).ece == pytest.approx(0.0)
    assert calibration([]).ece is None


def test_bins_are_equal_width_with_the_upper_edge_in_the_last_bin() -> None:
    assert [bin_index(p) for p in (0.0, 0.099, 0.1, 0.7, 0.3 + 0.4, 0.999, 1.0)] == [
        0,
        0,
        1,
        7,
        7,
        9,
        9,
    ]
    assert bin_index(1.2) == 9 and bin_index(-0.1) == 0
    assert bin_index(0.5, bins=4) == 2


def test_merged_folds_equal_one_run_over_all_their_pairs() -> None:
    # cross-validation folds score disjoint receipts: merging their blocks must give what one
    # run over every pair gives, ECE included
    first = [(0.95, True), (0.92, False), (0.35, False), (0.6, True)]
    second = [(0.97, True), (0.31, True), (0.05, False)]
    merged = merge_reliability([calibration(first).to_dict(), calibration(second).to_dict()])
    assert merged == calibration(first + second).to_dict()
    with pytest.raises(ValueError):
        merge_reliability([calibration(first, 10).to_dict(), calibration(second, 5).to_dict()])


def test_text_report_names_the_receipts_passed_wrong() -> None:
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(*trust_figures(hand_made_outcomes()).render())
    assert "Passed but wrong: B." in " ".join(console.export_text().split())  # caption wraps
