"""A request's size and price, estimated before it is sent, against the configured limits.

The estimate is of one attempt: the images by their model family's token rule
(``receiptflow.llm.pricing``), the text (prompts, the receipt's text, the tool schema) at
about four characters a token, and the answer at its ceiling (``max_tokens``). Re-asks resend
the request, so the bill of an answer that needs them is a multiple of this.

Over a limit, ``refuse`` sends nothing and fails the document with the reason (nothing is
spent, a person decides); ``flag`` sends it and marks the result for review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from receiptflow.llm.pricing import MILLION, Price
from receiptflow.schemas.flags import Flag, Severity

CHARS_PER_TOKEN = 4  # English-ish text in OpenAI's tokenizers; an estimate, errs high on digits

OVER_BUDGET = "over_budget"
PAGES_CAPPED = "pages_capped"


@dataclass(frozen=True)
class Estimate:
    input_tokens: int
    image_tokens: int
    max_output_tokens: int
    cost_usd: Decimal | None  # None when the model has no known price

    def describe(self) -> str:
        cost = f"${self.cost_usd:.4f}" if self.cost_usd is not None else "unknown cost"
        return (
            f"~{self.input_tokens:,} input tokens ({self.image_tokens:,} for images), "
            f"up to {self.max_output_tokens:,} output, {cost}"
        )


def text_tokens(messages: list[dict[str, Any]], schema: dict[str, Any] | None = None) -> int:
    """Tokens of the text parts of ``messages`` and the schema (images are counted apart)."""
    chars = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            chars += len(content)
            continue
        for part in content or []:
            if part.get("type") == "text":
                chars += len(part.get("text", ""))
    if schema is not None:
        chars += len(json.dumps(schema))
    return -(-chars // CHARS_PER_TOKEN)


def estimate(
    messages: list[dict[str, Any]],
    image_tokens: int,
    *,
    max_output_tokens: int,
    price: Price | None,
    schema: dict[str, Any] | None = None,
) -> Estimate:
    prompt = image_tokens + text_tokens(messages, schema)
    cost = None
    if price is not None:
        cost = (
            (prompt * price.input_per_million + max_output_tokens * price.output_per_million)
            / MILLION
            * price.factor
        )
    return Estimate(prompt, image_tokens, max_output_tokens, cost)


def over_limits(
    found: Estimate, *, max_input_tokens: int | None, max_cost_usd: Decimal | None
) -> str | None:
    """Why ``found`` is over a limit, or None."""
    if max_input_tokens is not None and found.input_tokens > max_input_tokens:
        return (
            f"estimated {found.input_tokens:,} input tokens is over the limit of "
            f"{max_input_tokens:,} (RECEIPTFLOW_OPENAI__MAX_INPUT_TOKENS)"
        )
    if max_cost_usd is not None and found.cost_usd is None:
        return (
            "the model has no known price, so RECEIPTFLOW_OPENAI__MAX_COST_USD cannot be "
            "checked (add its price to RECEIPTFLOW_LLM__PRICES)"
        )
    if max_cost_usd is not None and found.cost_usd is not None and found.cost_usd > max_cost_usd:
        return (
            f"estimated ${found.cost_usd:.4f} per attempt is over the limit of ${max_cost_usd} "
            "(RECEIPTFLOW_OPENAI__MAX_COST_USD)"
        )
    return None


def warning(code: str, message: str) -> Flag:
    return Flag(code=code, field=None, message=message, severity=Severity.WARNING)
