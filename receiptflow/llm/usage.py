"""Token usage as the server reports it, summed over every attempt, and its dollar cost.

An Instructor hook sees every completion the server returns (first answer and each re-ask),
so the sum is exactly what was billed; transport failures return no completion and bill
nothing. Image tokens are estimated from tile arithmetic (they are inside prompt_tokens).
The same hook keeps each answer's text and token logprobs, for the trust model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from instructor.core.hooks import Hooks

from receiptflow.extractors.base import LlmAttempt, Usage
from receiptflow.llm.audit import attempt_record
from receiptflow.llm.logprobs import TokenLogprobs, response_logprobs
from receiptflow.llm.pricing import FREE, Price
from receiptflow.llm.response import raw_answer

__all__ = ["FREE", "Price", "UsageRecorder"]


@dataclass
class UsageRecorder:
    """Collects every completion of one extraction through Instructor's response hook."""

    image_tokens_per_request: int = 0
    max_tokens: int | None = None
    requests: int = 0  # completions received (each is billed)
    attempts: int = 0  # requests the model was asked (first answer, re-asks, the retry)
    transport_retries: int = 0  # the SDK's retries (``receiptflow.llm.transport``)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # of prompt_tokens, served from OpenAI's prompt cache
    answers: list[str | None] = field(default_factory=list)
    finish_reasons: list[str | None] = field(default_factory=list)
    logprobs: list[TokenLogprobs | None] = field(default_factory=list)  # per answer
    answer_records: list[LlmAttempt] = field(default_factory=list)  # per answer, for the audit

    def hooks(self) -> Hooks:
        hooks = Hooks()
        hooks.on("completion:kwargs", self.asked)
        hooks.on("completion:response", self.record)
        return hooks

    def asked(self, *args: Any, **kwargs: Any) -> None:
        self.attempts += 1

    def record(self, response: Any) -> None:
        self.requests += 1
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
            details = getattr(usage, "prompt_tokens_details", None)
            self.cached_tokens += int(getattr(details, "cached_tokens", 0) or 0)
        self.answers.append(raw_answer(response))
        self.answer_records.append(attempt_record(response, self.answers[-1]))
        self.logprobs.append(response_logprobs(response))
        choices = getattr(response, "choices", None) or [None]
        if self._hit_max_tokens(usage) and choices[0] is not None:
            # llama.cpp's server reports a tool call cut off at max_tokens as "tool_calls";
            # say "length" so Instructor treats it as truncated instead of re-asking.
            choices[0].finish_reason = "length"
        self.finish_reasons.append(getattr(choices[0], "finish_reason", None))

    def _hit_max_tokens(self, usage: Any) -> bool:
        completion = getattr(usage, "completion_tokens", None)
        return (
            self.max_tokens is not None
            and isinstance(completion, int)
            and (completion >= self.max_tokens)
        )

    def usage(self, price: Price | None) -> Usage:
        """``price`` None: a model with no known price, whose cost is unknown (None), not $0."""
        cost = (
            price.cost(self.prompt_tokens, self.completion_tokens, self.cached_tokens)
            if price is not None
            else None
        )
        return Usage(
            requests=self.requests,
            transport_retries=self.transport_retries,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cached_tokens=self.cached_tokens,
            image_tokens=self.image_tokens_per_request * self.requests,
            cost_usd=cost,
        )
