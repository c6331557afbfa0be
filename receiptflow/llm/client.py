"""One OpenAI-compatible endpoint: its Instructor clients and one structured call.

Two kinds of retry, kept apart on purpose:
- transport (429 honouring Retry-After, 5xx, timeouts, connection resets): the openai SDK's
  own bounded exponential backoff (``max_retries`` on the client). The model never hears
  of these, and they are not counted as attempts.
- validation (schema errors, sums that do not add up): Instructor's re-ask, bounded by
  ``validation_retries``, with the failure message sent back to the model.
A truncated answer (finish_reason=length) is asked again once with a larger ``max_tokens``
(``retry_max_tokens``); truncated again, it is an error, never a receipt with missing fields.
What the server answers instead of a receipt, and what stops the run, is in ``failures``;
``circuit`` stops calling an endpoint that keeps failing.

Every answer is then judged (``receiptflow.trust.llm``): the evidence per key field (printed in
the source text, arithmetic, token logprobs when the server returns them, agreement with the
``local`` reading) becomes its probability, and the reject option decides ok or flagged.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorError
from instructor.processing.response import process_response
from pydantic import ValidationError

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.llm import instructor_speed
from receiptflow.llm.audit import prompt_version
from receiptflow.llm.circuit import CircuitBreaker
from receiptflow.llm.concurrency import loop_slots, thread_slots
from receiptflow.llm.endpoint import Endpoint
from receiptflow.llm.failures import (
    ModelDeclined,
    cause_of,
    configuration_problem,
    describe_failure,
    is_transport_failure,
)
from receiptflow.llm.logprobs import value_probabilities
from receiptflow.llm.output_modes import INSTRUCTOR_MODES, install
from receiptflow.llm.response import ExtractedReceipt, as_receipt, best_partial, grounded
from receiptflow.llm.transport import async_http_client, counting, http_client
from receiptflow.llm.usage import UsageRecorder
from receiptflow.schemas.flags import Flag, has_errors
from receiptflow.schemas.validation import validate_receipt
from receiptflow.trust.llm import Features, LlmTrustModel, assess, judge

if TYPE_CHECKING:
    from receiptflow.llm.grounding import SourceText
    from receiptflow.schemas.receipt import Receipt
    from receiptflow.settings import TrustSettings

MODES = INSTRUCTOR_MODES
instructor_speed.apply()
CALL_ERRORS = (InstructorError, openai.OpenAIError)


@dataclass(frozen=True)
class Ask:
    """What one extraction asks the model, and what its answer is judged against."""

    messages: list[dict[str, Any]]
    image_tokens: int = 0  # estimated from tile arithmetic, for the usage record
    source: SourceText | None = None  # the text the values should be printed in
    local: Receipt | None = None  # the local extractor's reading of the same receipt


@dataclass(frozen=True)
class JudgedAnswer:
    """An extraction result and the evidence its per-field probabilities came from."""

    result: ExtractionResult
    features: dict[str, Features]


class LlmClient:
    """Instructor over the openai SDK for one endpoint; sync and async (one per loop)."""

    def __init__(self, endpoint: Endpoint, trust: TrustSettings, model: LlmTrustModel) -> None:
        self.endpoint = endpoint
        self.trust = trust
        self.model = model
        self._sync: instructor.Instructor | None = None
        self.circuit = CircuitBreaker(endpoint.circuit_failures, endpoint.circuit_cooldown_s)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def _sync_client(self) -> instructor.Instructor:
        if self._sync is None:
            raw = self.endpoint.sdk_client(http_client=http_client())
            install(raw, self.endpoint.mode, self.endpoint.where)
            self._sync = instructor.from_openai(raw, mode=MODES[self.endpoint.mode])
        return self._sync

    def _async_client(self) -> Any:
        # An httpx pool belongs to the loop that opened it: one client per event loop.
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            raw = self.endpoint.sdk_client(asynchronous=True, http_client=async_http_client())
            install(raw, self.endpoint.mode, self.endpoint.where)
            client = self._async[loop] = instructor.from_openai(raw, mode=MODES[self.endpoint.mode])
        return client

    async def aclose(self) -> None:
        """Close this event loop's connections (before the loop itself closes)."""
        client = self._async.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.client.close()

    def _request(
        self, ask: Ask, recorder: UsageRecorder, max_tokens: int | None = None
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": ask.messages,
            "response_model": ExtractedReceipt,
            "max_retries": self.endpoint.validation_retries,
            "strict": False,  # lax parsing: "12.50" and 12.5 are both an amount
            "hooks": recorder.hooks(),
        }
        if self.endpoint.reasoning:
            # reasoning models reject max_tokens and any temperature but the default; their
            # budget covers the hidden reasoning tokens too
            request["max_completion_tokens"] = max_tokens or self.endpoint.max_tokens
            return request
        request.update(max_tokens=max_tokens or self.endpoint.max_tokens, temperature=0)
        if self.endpoint.logprobs:
            # top_logprobs too: llama.cpp's server returns none without it
            request.update(logprobs=True, top_logprobs=1)
        return request

    def answer(self, ask: Ask) -> JudgedAnswer:
        """One structured extraction, judged."""
        recorder = UsageRecorder(ask.image_tokens, max_tokens=self.endpoint.max_tokens)
        refused = self.circuit.refusal()
        if refused is not None:
            return JudgedAnswer(self._not_called(refused), {})
        started, client = time.perf_counter(), self._sync_client()
        answer: ExtractedReceipt | None = None
        error: Exception | None = None
        with thread_slots(self.endpoint.max_in_flight), grounded(ask.source), counting(recorder):
            for budget in self._budgets(recorder):
                error = None
                try:
                    answer = client.chat.completions.create(**self._request(ask, recorder, budget))
                except CALL_ERRORS as caught:
                    error = caught
                if not isinstance(error, IncompleteOutputException):
                    break
        return self._finish(ask, recorder, answer, error, started)

    async def aanswer(self, ask: Ask) -> JudgedAnswer:
        recorder = UsageRecorder(ask.image_tokens, max_tokens=self.endpoint.max_tokens)
        refused = self.circuit.refusal()
        if refused is not None:
            return JudgedAnswer(self._not_called(refused), {})
        started, client = time.perf_counter(), self._async_client()
        answer: ExtractedReceipt | None = None
        error: Exception | None = None
        with grounded(ask.source), counting(recorder):  # the validator reads the source text
            async with loop_slots(self.endpoint.max_in_flight):
                for budget in self._budgets(recorder):
                    request, error = self._request(ask, recorder, budget), None
                    try:
                        answer = await client.chat.completions.create(**request)
                    except CALL_ERRORS as caught:
                        error = caught
                    if not isinstance(error, IncompleteOutputException):
                        break
        return self._finish(ask, recorder, answer, error, started)

    def _budgets(self, recorder: UsageRecorder) -> Iterator[int]:
        """max_tokens of the first request, then of the one retry of a truncated answer."""
        first, retry = self.endpoint.max_tokens, self.endpoint.retry_max_tokens
        for budget in [first, retry] if retry > first else [first]:
            recorder.max_tokens = budget
            yield budget

    def _finish(
        self,
        ask: Ask,
        recorder: UsageRecorder,
        answer: ExtractedReceipt | None,
        error: Exception | None,
        started: float,
    ) -> JudgedAnswer:
        self._settle(error, recorder)
        result, used = self._result(answer, error, recorder, time.perf_counter() - started)
        return self._judge(result, recorder, used, ask)

    def _settle(self, error: Exception | None, recorder: UsageRecorder) -> None:
        """Stop the run on a configuration error; count the endpoint's health; bill a
        declined answer (it never reached the usage hook)."""
        problem = configuration_problem(error, self.endpoint)
        if problem is not None:
            raise problem from error
        cause = cause_of(error)
        if isinstance(cause, ModelDeclined) and cause.response is not None:
            recorder.record(cause.response)
        if is_transport_failure(error):
            self.circuit.failed(describe_failure(error, self.endpoint, recorder.attempts))
        else:
            self.circuit.answered()

    def _not_called(self, reason: str) -> ExtractionResult:
        return ExtractionResult(
            status=ExtractionStatus.FAILED,
            method=self.endpoint.name,
            model=self.endpoint.model,
            attempts=0,
            errors=[f"{self.endpoint.where}: {reason}"],
            retryable=True,
        )

    def judge_response(self, ask: Ask, response: Any) -> tuple[JudgedAnswer, Exception | None]:
        """An answer this client did not wait for (a Batch API output line), parsed by
        Instructor as ``answer`` parses its first reply and judged the same way; the parse
        error, if any, is returned too, for a re-ask (``receiptflow.batches``)."""
        recorder = UsageRecorder(ask.image_tokens, max_tokens=self.endpoint.max_tokens)
        recorder.record(response)
        answer: ExtractedReceipt | None = None
        error: Exception | None = None
        with grounded(ask.source):
            try:
                answer = process_response(
                    response,
                    response_model=ExtractedReceipt,
                    stream=False,
                    mode=MODES[self.endpoint.mode],
                )
            except (InstructorError, ValidationError, ValueError) as caught:
                error = caught
        result, used = self._result(answer, error, recorder, 0.0)
        return self._judge(result, recorder, used, ask), error

    def _judge(
        self, result: ExtractionResult, recorder: UsageRecorder, used: int | None, ask: Ask
    ) -> JudgedAnswer:
        if result.receipt is None:
            return JudgedAnswer(result, {})
        tokens = recorder.logprobs[used] if used is not None else None
        features, printed = assess(
            result.receipt,
            result.flags,
            source=ask.source,
            value_probabilities=value_probabilities(tokens) if tokens else None,
            local=ask.local,
        )
        return JudgedAnswer(judge(result, features, self.model, self.trust, printed), features)

    def _result(
        self,
        answer: ExtractedReceipt | None,
        error: Exception | None,
        recorder: UsageRecorder,
        seconds: float,
    ) -> tuple[ExtractionResult, int | None]:
        """The result, and which of the recorded answers it was read from."""
        common: dict[str, Any] = {
            "method": self.endpoint.name,
            "model": self.endpoint.model,
            "attempts": max(1, recorder.attempts),
            "timings": {"llm": seconds},
            "usage": recorder.usage(self.endpoint.price),
            "prompt_version": prompt_version(self.endpoint.mode),
            "llm_attempts": recorder.answer_records,
        }
        if answer is not None:
            receipt = as_receipt(answer)
            flags = validate_receipt(receipt)
            status = ExtractionStatus.FLAGGED if has_errors(flags) else ExtractionStatus.OK
            last = len(recorder.answers) - 1
            result = ExtractionResult(
                status=status,
                receipt=receipt,
                flags=flags,
                raw_output=recorder.answers[last] if recorder.answers else None,
                **common,
            )
            return result, last if last >= 0 else None
        # Keep the best answer the model gave; a truncated one is never taken at face value.
        complete = [
            text
            for text, reason in zip(recorder.answers, recorder.finish_reasons, strict=True)
            if reason != "length"
        ]
        partial, raw = best_partial(complete)
        message = describe_failure(
            error, self.endpoint, max(1, recorder.attempts), recorder.max_tokens
        )
        partial_flags: list[Flag] = []
        if partial is not None:
            partial_flags = [
                Flag(code="llm_unvalidated", field=None, message=message),
                *validate_receipt(partial),
            ]
        result = ExtractionResult(
            status=ExtractionStatus.FLAGGED if partial is not None else ExtractionStatus.FAILED,
            receipt=partial,
            flags=partial_flags,
            errors=[message],
            retryable=partial is None and is_transport_failure(error),
            raw_output=raw if raw is not None else (recorder.answers or [None])[-1],
            **common,
        )
        used = max((i for i, text in enumerate(recorder.answers) if text == raw), default=None)
        return result, used if partial is not None else None
