"""The reject option: ok only when every judged key field clears its threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.learned.files import load_model
from receiptflow.schemas.flags import Flag, Severity
from receiptflow.schemas.receipt import Receipt
from receiptflow.settings import Settings, TrustSettings
from receiptflow.trust import LOW_CONFIDENCE, apply_trust, doubtful_fields
from receiptflow.trust.decision import TRUST_FIELDS


def _result(confidence: dict[str, float], **changes: object) -> ExtractionResult:
    values: dict[str, object] = {
        "status": ExtractionStatus.OK,
        "receipt": Receipt(total=Decimal("9.00")),
        "confidence": confidence,
        "evidence": {"total": "RM 9.00"},
        "method": "local",
    }
    values.update(changes)
    return ExtractionResult.model_validate(values)


# the mechanism at fixed thresholds; the defaults are checked against the trained ones below
AT_098 = TrustSettings(total=0.98, date=0.98)


def test_every_field_clearing_its_threshold_stays_ok() -> None:
    result = apply_trust(_result({"total": 0.98, "date": 0.98}), AT_098)
    assert result.status is ExtractionStatus.OK
    assert result.flags == []


def test_a_doubtful_total_is_flagged_with_field_probability_and_evidence() -> None:
    result = apply_trust(_result({"total": 0.62, "date": 0.99}), AT_098)
    assert result.status is ExtractionStatus.FLAGGED
    [flag] = result.flags
    assert (flag.code, flag.field, flag.severity) == (LOW_CONFIDENCE, "total", Severity.ERROR)
    assert "0.62" in flag.message and "0.98" in flag.message and "RM 9.00" in flag.message


def test_default_thresholds_are_the_ones_training_chose_for_the_bundled_calibrator() -> None:
    # scripts/train_models.py stores its choice beside the model; retraining without moving
    # the defaults would leave "ok" meaning something nobody measured
    trained = load_model("trust_local.json")["trained"]["thresholds"]
    defaults = TrustSettings()
    assert trained == {
        field: getattr(defaults, attribute)
        for field, attribute in TRUST_FIELDS.items()
        if field in trained
    }


def test_llm_answers_are_judged_by_the_llm_thresholds() -> None:
    # their probabilities come from another model, fitted on another corpus
    trust = TrustSettings(total=0.97, llm={"total": 0.9, "date": None})
    answer = {"total": 0.93, "date": 0.5}
    assert doubtful_fields(_result(answer, method="local"), trust) == {"total": 0.93, "date": 0.5}
    for method in ("nemo", "openai", "cascade:nemo", "cascade:openai"):
        assert doubtful_fields(_result(answer, method=method), trust) == {}
    flagged = apply_trust(_result({"total": 0.8}, method="nemo"), trust)
    assert "below 0.90" in flagged.flags[0].message


def test_llm_thresholds_are_set_by_their_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEIPTFLOW_TRUST__LLM__DATE", "0.8")
    monkeypatch.setenv("RECEIPTFLOW_TRUST__LLM__TOTAL", "off")
    trust = Settings().trust
    assert (trust.llm.date, trust.llm.total, trust.date) == (0.8, None, TrustSettings().date)


def test_thresholds_come_from_settings_and_none_leaves_a_field_unjudged() -> None:
    trust = TrustSettings(total=0.5, date=None)
    assert doubtful_fields(_result({"total": 0.62, "date": 0.1}), trust) == {}
    strict = TrustSettings(line_items=0.8)
    assert doubtful_fields(_result({"line_items": 0.79}), strict) == {"line_items": 0.79}


def test_applying_twice_does_not_repeat_flags_and_a_recovered_field_clears_them() -> None:
    once = apply_trust(_result({"total": 0.5}), TrustSettings())
    twice = apply_trust(once, TrustSettings())
    assert [flag.code for flag in twice.flags] == [LOW_CONFIDENCE]
    recovered = apply_trust(
        twice.model_copy(update={"confidence": {"total": 0.99}}), TrustSettings()
    )
    assert recovered.status is ExtractionStatus.OK and recovered.flags == []


def test_other_error_flags_keep_the_result_flagged_and_failed_stays_failed() -> None:
    error = Flag(code="sum_mismatch", field="total", message="items do not add up")
    result = apply_trust(_result({"total": 0.99}, flags=[error]), TrustSettings())
    assert result.status is ExtractionStatus.FLAGGED
    failed = _result({}, status=ExtractionStatus.FAILED, receipt=None)
    assert apply_trust(failed, TrustSettings()).status is ExtractionStatus.FAILED


def test_disabled_trust_changes_nothing() -> None:
    result = _result({"total": 0.1})
    assert apply_trust(result, TrustSettings(enabled=False)) is result


def test_thresholds_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEIPTFLOW_TRUST__TOTAL", "0.97")
    monkeypatch.setenv("RECEIPTFLOW_TRUST__MERCHANT_NAME", "off")
    monkeypatch.setenv("RECEIPTFLOW_TRUST__DATE", "")
    trust = Settings().trust
    assert (trust.total, trust.merchant_name, trust.date) == (0.97, None, TrustSettings().date)


def test_arithmetic_findings_stay_as_warnings_and_the_probabilities_decide() -> None:
    mismatch = Flag(code="items_vs_total", field="total", message="items add up to 8.00")
    trusted = apply_trust(_result({"total": 0.99}, flags=[mismatch]), TrustSettings())
    assert trusted.status is ExtractionStatus.OK
    assert [(f.code, f.severity) for f in trusted.flags] == [("items_vs_total", Severity.WARNING)]
    doubted = apply_trust(_result({"total": 0.4}, flags=[mismatch]), TrustSettings())
    assert doubted.status is ExtractionStatus.FLAGGED
    assert {f.code for f in doubted.flags} == {"items_vs_total", LOW_CONFIDENCE}
    missing = Flag(code="missing_date", field="date", message="No date found.")
    assert apply_trust(_result({"total": 0.99}, flags=[missing]), TrustSettings()).status is (
        ExtractionStatus.FLAGGED
    )
