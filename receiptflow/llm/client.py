"""One OpenAI-compatible endpoint: its Instructor clients and one structured call.

Two kinds of retry, kept apart on purpose:
- transport (429 honouring Retry-After, 5xx, timeouts, connection resets): the openai SDK's
  own bounded exponential backoff (``max_retries`` on the client). The model never hears
  of these, and they are not counted as attempts.
- validation (schema errors, sums that do not add up): Instructor's re-ask, bounded by
  ``validation_retries``, with the failure message sent back to the model.
A truncated answer (finish_reason=length) is an error, never a receipt with missing fields.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorError

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.llm.concurrency import loop_slots, thread_slots
from receiptflow.llm.response import ExtractedReceipt, as_receipt, best_partial
from receiptflow.llm.usage import FREE, Price, UsageRecorder
from receiptflow.schemas.flags import Flag, has_errors
from receiptflow.schemas.validation import validate_receipt

if TYPE_CHECKING:
    from receiptflow.settings import NemoSettings, OpenAISettings

MODES: dict[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
PLACEHOLDER_KEY = "not-needed"  # the SDK insists on a key; local servers ignore it


@dataclass(frozen=True)
class Endpoint:
    name: str  # "openai" or "nemo": the method recorded on results
    model: str
    base_url: str | None
    api_key: str | None
    mode: str = "tools"
    timeout_s: float = 60.0
    transport_retries: int = 3
    validation_retries: int = 2
    max_tokens: int = 4096
    price: Price = FREE
    max_in_flight: int = 16

    def client_options(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key or PLACEHOLDER_KEY,
            "base_url": self.base_url,
            "timeout": self.timeout_s,
            "max_retries": self.transport_retries,
        }


def endpoint_from(
    name: str,
    options: OpenAISettings | NemoSettings,
    *,
    mode: str,
    price: Price,
    max_in_flight: int,
) -> Endpoint:
    """An Endpoint from a settings group (both LLM groups share these fields)."""
    return Endpoint(
        name=name,
        model=options.model,
        base_url=options.base_url,
        api_key=options.api_key.get_secret_value() if options.api_key else None,
        mode=mode,
        timeout_s=options.timeout_s,
        transport_retries=options.transport_retries,
        validation_retries=options.validation_retries,
        max_tokens=options.max_tokens,
        price=price,
        max_in_flight=max_in_flight,
    )


class LlmClient:
    """Instructor over the openai SDK for one endpoint; sync and async (one per loop)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._sync: instructor.Instructor | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def _sync_client(self) -> instructor.Instructor:
        if self._sync is None:
            raw = openai.OpenAI(**self.endpoint.client_options())
            self._sync = instructor.from_openai(raw, mode=MODES[self.endpoint.mode])
        return self._sync

    def _async_client(self) -> Any:
        # An httpx pool belongs to the loop that opened it: one client per event loop.
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            raw = openai.AsyncOpenAI(**self.endpoint.client_options())
            client = self._async[loop] = instructor.from_openai(raw, mode=MODES[self.endpoint.mode])
        return client

    async def aclose(self) -> None:
        """Close this event loop's connections (before the loop itself closes)."""
        client = self._async.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.client.close()

    def _request(self, messages: list[dict[str, Any]], recorder: UsageRecorder) -> dict[str, Any]:
        return {
            "model": self.endpoint.model,
            "messages": messages,
            "response_model": ExtractedReceipt,
            "max_retries": self.endpoint.validation_retries,
            "strict": False,  # lax parsing: "12.50" and 12.5 are both an amount
            "hooks": recorder.hooks(),
            "max_tokens": self.endpoint.max_tokens,
            "temperature": 0,
        }

    def extract(self, messages: list[dict[str, Any]], image_tokens: int = 0) -> ExtractionResult:
        recorder = UsageRecorder(image_tokens, max_tokens=self.endpoint.max_tokens)
        started = time.perf_counter()
        answer: ExtractedReceipt | None = None
        error: Exception | None = None
        with thread_slots(self.endpoint.max_in_flight):
            try:
                answer = self._sync_client().chat.completions.create(
                    **self._request(messages, recorder)
                )
            except (InstructorError, openai.OpenAIError) as caught:
                error = caught
        return self._result(answer, error, recorder, time.perf_counter() - started)

    async def aextract(
        self, messages: list[dict[str, Any]], image_tokens: int = 0
    ) -> ExtractionResult:
        recorder = UsageRecorder(image_tokens, max_tokens=self.endpoint.max_tokens)
        started = time.perf_counter()
        answer: ExtractedReceipt | None = None
        error: Exception | None = None
        async with loop_slots(self.endpoint.max_in_flight):
            try:
                answer = await self._async_client().chat.completions.create(
                    **self._request(messages, recorder)
                )
            except (InstructorError, openai.OpenAIError) as caught:
                error = caught
        return self._result(answer, error, recorder, time.perf_counter() - started)

    def _result(
        self,
        answer: ExtractedReceipt | None,
        error: Exception | None,
        recorder: UsageRecorder,
        seconds: float,
    ) -> ExtractionResult:
        common: dict[str, Any] = {
            "method": self.endpoint.name,
            "model": self.endpoint.model,
            "attempts": max(1, recorder.requests),
            "timings": {"llm": seconds},
            "usage": recorder.usage(self.endpoint.price),
        }
        if answer is not None:
            receipt = as_receipt(answer)
            flags = validate_receipt(receipt)
            status = ExtractionStatus.FLAGGED if has_errors(flags) else ExtractionStatus.OK
            return ExtractionResult(
                status=status,
                receipt=receipt,
                flags=flags,
                raw_output=recorder.answers[-1] if recorder.answers else None,
                **common,
            )
        # Keep the best answer the model gave; a truncated one is never taken at face value.
        complete = [
            text
            for text, reason in zip(recorder.answers, recorder.finish_reasons, strict=True)
            if reason != "length"
        ]
        partial, raw = best_partial(complete)
        message = describe_failure(error, self.endpoint)
        partial_flags: list[Flag] = []
        if partial is not None:
            partial_flags = [
                Flag(code="llm_unvalidated", field=None, message=message),
                *validate_receipt(partial),
            ]
        return ExtractionResult(
            status=ExtractionStatus.FLAGGED if partial is not None else ExtractionStatus.FAILED,
            receipt=partial,
            flags=partial_flags,
            errors=[message],
            retryable=partial is None and is_transport_failure(error),
            raw_output=raw if raw is not None else (recorder.answers or [None])[-1],
            **common,
        )


def is_transport_failure(error: Exception | None) -> bool:
    """Unreachable, slow or overloaded provider (not: the model's answer was wrong)."""
    cause = error.__cause__ if error is not None and error.__cause__ is not None else error
    if isinstance(cause, openai.APIStatusError):
        return cause.status_code in (408, 409, 429) or cause.status_code >= 500
    return isinstance(cause, openai.APIConnectionError)  # includes APITimeoutError


def describe_failure(error: Exception | None, endpoint: Endpoint) -> str:
    """Why no validated receipt came back, in one line a person can act on."""
    cause = error.__cause__ if error is not None and error.__cause__ is not None else error
    where = f"{endpoint.name} ({endpoint.model} at {endpoint.base_url or 'api.openai.com'})"
    if isinstance(error, IncompleteOutputException):
        return (
            f"{where}: answer truncated at max_tokens={endpoint.max_tokens} "
            "(finish_reason=length); not using a cut-off answer"
        )
    if isinstance(cause, openai.APITimeoutError):
        return (
            f"{where}: timed out after {endpoint.timeout_s:g} s, "
            f"{endpoint.transport_retries} transport retries"
        )
    if isinstance(cause, openai.APIStatusError):
        retried = cause.status_code in (408, 409, 429) or cause.status_code >= 500
        after = f" after {endpoint.transport_retries} transport retries" if retried else ""
        return f"{where}: HTTP {cause.status_code}{after}: {cause.message}"
    if isinstance(cause, openai.APIConnectionError):
        return f"{where}: connection failed after {endpoint.transport_retries} retries: {cause}"
    attempts = endpoint.validation_retries + 1
    return f"{where}: no valid receipt after {attempts} attempts: {cause}"
