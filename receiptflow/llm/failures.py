"""Why an LLM call gave no validated receipt, in words, and what to do about it.

Three kinds, each handled once:
- the configuration is wrong (401/403: key or permission; 404 or an HTML page: base URL or
  model): the same for every document, so ``EndpointConfigError`` (a ``ConfigError``) stops
  the run: ``receiptflow extract`` exits 2 with one line, nothing is retried per file;
- the model answered but gave no receipt (empty ``choices``, a refusal, a content filter):
  ``ModelDeclined``, a failed result with that reason, never re-asked (the same request
  would get the same answer, and each re-ask sends the images again);
- the endpoint is unreachable or overloaded (``is_transport_failure``): retried by the SDK,
  then the result is ``retryable``, and the circuit breaker counts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import openai
from instructor.core.exceptions import IncompleteOutputException

from receiptflow.errors import ConfigError, ExtractionError

if TYPE_CHECKING:
    from receiptflow.llm.endpoint import Endpoint


class EndpointConfigError(ConfigError):
    """The endpoint refused the credentials, or is not an OpenAI-compatible API."""


class ModelDeclined(ExtractionError):
    """The server answered, without a receipt to parse. ``response`` is the completion
    (it is billed: its usage still counts)."""

    def __init__(self, message: str, response: Any = None) -> None:
        super().__init__(message)
        self.response = response


def check_completion(response: Any, where: str) -> Any:
    """``response`` when it holds an answer to parse; else the reason, raised."""
    if isinstance(response, str):  # the SDK returns the body as text when it is not JSON
        kind = "an HTML page" if "<html" in response[:1000].lower() else "non-JSON text"
        raise EndpointConfigError(
            f"{where}: the server answered with {kind}, not the OpenAI API: the base URL is "
            "probably wrong (it usually ends in /v1)"
        )
    choices = getattr(response, "choices", None)
    if not choices:
        raise ModelDeclined(f"{where}: the server returned no answer (empty choices)", response)
    choice = choices[0]
    refusal = getattr(choice.message, "refusal", None)
    if refusal:
        raise ModelDeclined(f"{where}: the model refused: {refusal}", response)
    if choice.finish_reason == "content_filter":
        raise ModelDeclined(
            f"{where}: the answer was withheld by the provider's content filter "
            "(finish_reason=content_filter); not asked again",
            response,
        )
    return response


def cause_of(error: BaseException | None) -> BaseException | None:
    """What really went wrong: Instructor wraps the SDK's and our own errors."""
    return error.__cause__ if error is not None and error.__cause__ is not None else error


def is_transport_failure(error: BaseException | None) -> bool:
    """Unreachable, slow or overloaded provider (not: the model's answer was wrong)."""
    cause = cause_of(error)
    if isinstance(cause, openai.APIStatusError):
        return cause.status_code in (408, 409, 429) or cause.status_code >= 500
    return isinstance(cause, openai.APIConnectionError)  # includes APITimeoutError


def configuration_problem(error: BaseException | None, endpoint: Endpoint) -> ConfigError | None:
    """The error to stop the run with, when the failure is the configuration's."""
    cause = cause_of(error)
    if isinstance(cause, EndpointConfigError):
        return cause
    if not isinstance(cause, openai.APIStatusError):
        return None
    where = endpoint.where
    key = "OPENAI_API_KEY" if endpoint.name == "openai" else "RECEIPTFLOW_NEMO__API_KEY"
    if cause.status_code == 401:
        return EndpointConfigError(
            f"{where}: HTTP 401, the API key was refused ({_short(cause)}): check {key}"
        )
    if cause.status_code == 403:
        return EndpointConfigError(
            f"{where}: HTTP 403, not permitted ({_short(cause)}): check the key's project, "
            "the model's access or the region"
        )
    if cause.status_code == 404:
        return EndpointConfigError(
            f"{where}: HTTP 404 ({_short(cause)}): check the base URL (usually ending in /v1) "
            "and the model name"
        )
    return None


def describe_failure(
    error: BaseException | None, endpoint: Endpoint, attempts: int, max_tokens: int | None = None
) -> str:
    """Why no validated receipt came back, in one line a person can act on. ``max_tokens``:
    the budget of the last request (larger than the setting after a truncation retry)."""
    cause = cause_of(error)
    where = endpoint.where
    if isinstance(error, IncompleteOutputException):
        budget = max_tokens or endpoint.max_tokens
        again = ", also when asked again with it" if budget > endpoint.max_tokens else ""
        return (
            f"{where}: answer truncated at max_tokens={budget} (finish_reason=length){again}; "
            "not using a cut-off answer"
        )
    if isinstance(cause, ModelDeclined):
        return str(cause)
    if isinstance(cause, openai.APITimeoutError):
        return (
            f"{where}: timed out after {endpoint.timeout_s:g} s, "
            f"{endpoint.transport_retries} transport retries"
        )
    if isinstance(cause, openai.APIStatusError):
        retried = is_transport_failure(cause)
        after = f" after {endpoint.transport_retries} transport retries" if retried else ""
        return f"{where}: HTTP {cause.status_code}{after}: {_short(cause)}"
    if isinstance(cause, openai.APIConnectionError):
        return f"{where}: connection failed after {endpoint.transport_retries} retries: {cause}"
    return f"{where}: no valid receipt after {attempts} attempt(s): {cause}"


def _short(error: openai.APIStatusError) -> str:
    """The server's message on one line, without a whole HTML error page."""
    text = " ".join(str(error.message).split())
    if "<html" in text.lower():
        return "an HTML error page"
    return text[:300]
