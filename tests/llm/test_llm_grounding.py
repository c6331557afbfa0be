"""The evidence behind an LLM value's probability, without a server: is it printed in the
source text, which tokens spell it, which sums involve it, does local read it the same."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from receiptflow.errors import ConfigError
from receiptflow.llm.grounding import SourceText
from receiptflow.llm.logprobs import value_probabilities
from receiptflow.llm.scripted_server import SAMPLE_ANSWER, token_logprobs
from receiptflow.schemas.receipt import Receipt
from receiptflow.schemas.validation import validate_receipt
from receiptflow.trust.decision import TRUST_FIELDS
from receiptflow.trust.llm import FEATURES, arithmetic, assess, load_llm_model


def test_amounts_are_grounded_in_any_printed_form() -> None:
    source = SourceText.from_lines(
        ["TOTAL RM 1,234.50", "Summe 1.234,50 EUR", "CASH:9.00", "QTY 12", "TOTAL 23.000"]
    )
    assert source.amount(Decimal("1234.5")) == "RM 1,234.50"
    assert source.amount(Decimal("9")) == "9.00"  # glued to its label
    assert source.amount(Decimal("12.00"), "USD") is None  # a quantity is not a price ...
    assert source.amount(Decimal("12"), "JPY") == "12"  # ... but yen have no minor units
    assert source.amount(Decimal("23000"), "IDR") == "23.000"  # rupiah thousands
    assert source.amount(Decimal("1243.50")) is None


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2),
    st.sampled_from(["{:,.2f}", "RM {:,.2f}", "EU", "${:.2f}", "TOTAL:{:.2f}"]),
)
def test_any_amount_printed_in_a_usual_form_is_grounded(value: Decimal, form: str) -> None:
    if form == "EU":
        printed = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    else:
        printed = form.format(value)
    assert SourceText.from_lines([f"BAYAR {printed}"]).amount(value) is not None


def test_dates_are_grounded_whatever_their_printed_shape() -> None:
    for printed in ("30 DEC 17", "12/30/2017", "2017-12-30", "Date:30.12.2017", "DEC 30, 2017"):
        assert SourceText.from_lines([printed]).date(dt.date(2017, 12, 30)) is not None
    ambiguous = SourceText.from_lines(["01/03/2024 12:30"])
    assert ambiguous.date(dt.date(2024, 3, 1)) and ambiguous.date(dt.date(2024, 1, 3))
    assert ambiguous.date(dt.date(2024, 3, 2)) is None


def test_merchant_names_are_matched_fuzzily_across_lines() -> None:
    source = SourceText.from_lines(
        ["tan woon yann", "BOOK TA _K (TAMAN DAYA)", "SDN BHD", "789417-W", "TOTAL 9.00"]
    )
    similarity, printed = source.name("BOOK TA .K (TAMAN DAYA) SDN BHD")
    assert similarity > 0.95 and printed is not None and "BOOK" in printed
    assert source.name("GUARDIAN HEALTH AND BEAUTY")[0] < 0.5
    assert source.name("SDN BHD")[0] == 1.0  # printed, if not necessarily the name


def test_the_lowest_token_probability_of_each_value_is_found() -> None:
    text = json.dumps(SAMPLE_ANSWER)
    found = value_probabilities(token_logprobs(text, {'"4.20"': 0.1, "MAKAN": 0.6}))
    assert found["total"] == pytest.approx(0.1) and found["subtotal"] == pytest.approx(0.1)
    assert found["merchant.name"] == pytest.approx(0.6)
    assert found["date"] == pytest.approx(1.0)
    assert found["line_items"] == pytest.approx(1.0)  # 3.00 and 1.20 are sure
    assert "taxes" not in found  # none given


def test_values_inside_a_tool_call_wrapper_and_odd_strings_are_found() -> None:
    answer = {**SAMPLE_ANSWER, "merchant": {"name": 'KEDAI "total": 1'}, "total": None}
    wrapped = '[TOOL_CALLS] [{"name": "Receipt", "arguments": ' + json.dumps(answer) + "}]"
    found = value_probabilities(token_logprobs(wrapped, {"KEDAI": 0.3}))
    assert found["merchant.name"] == pytest.approx(0.3)
    assert "total" not in found  # null: no value to be sure of
    assert value_probabilities(token_logprobs(json.dumps(SAMPLE_ANSWER)[:70])) == {}
    assert value_probabilities(token_logprobs("I cannot read this receipt.")) == {}


def test_a_failed_sum_counts_against_every_field_it_involves() -> None:
    dropped = {**SAMPLE_ANSWER, "line_items": SAMPLE_ANSWER["line_items"][:1]}
    receipt = Receipt.model_validate(dropped)
    checks = arithmetic(receipt, validate_receipt(receipt))
    assert checks["line_items"] == -1 and checks["subtotal"] == -1
    assert checks["total"] == 1  # subtotal and total still agree
    assert checks["date"] == 0 and checks["merchant.name"] == 0
    whole = Receipt.model_validate(SAMPLE_ANSWER)
    assert set(arithmetic(whole, validate_receipt(whole)).values()) == {0, 1}


def test_evidence_per_field() -> None:
    receipt = Receipt.model_validate({**SAMPLE_ANSWER, "total": "4.80", "subtotal": "4.80"})
    local = Receipt.model_validate(SAMPLE_ANSWER)
    source = SourceText.from_lines(["KEDAI MAKAN", "01/03/2024", "TOTAL 4.20"])
    features, printed = assess(
        receipt,
        validate_receipt(receipt),
        source=source,
        value_probabilities={"total": 0.5},
        local=local,
    )
    assert set(features["total"]) == set(FEATURES)
    assert features["total"]["ungrounded"] == 1 and features["date"]["grounded"] == 1
    assert features["total"]["disagrees"] == 1 and features["date"]["agrees"] == 1
    assert features["total"]["has_logprob"] == 1
    assert features["total"]["logprob"] == pytest.approx(math.log(0.5))
    # the items add up to 4.20, not 4.80: that sum speaks against subtotal and items only
    assert features["subtotal"]["arith_bad"] == 1 and features["total"]["arith_ok"] == 1
    assert features["total"]["receipt_bad"] == 1
    assert printed == {"date": "01/03/2024", "merchant.name": "KEDAI MAKAN"}
    unknown, _ = assess(receipt, [], source=None)
    assert unknown["total"]["grounded"] == unknown["total"]["ungrounded"] == 0
    assert unknown["total"]["has_logprob"] == 0 and unknown["total"]["agrees"] == 0


def test_the_bundled_model_judges_every_trust_field_and_a_bad_one_is_a_config_error(
    tmp_path: Path,
) -> None:
    model = load_llm_model()
    assert set(model.fields) == set(TRUST_FIELDS) and model.version.startswith("llm-")
    with pytest.raises(ConfigError, match="TRUST_MODEL"):
        load_llm_model(str(tmp_path / "missing.json"))
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"fields": {"total": {"intercept": 0, "weights": {"x": 1}}}}))
    with pytest.raises(ConfigError, match="unknown features"):
        load_llm_model(str(odd))
