"""Why an LLM call gave no validated receipt, in words, and whether trying later may help."""

from __future__ import annotations

from typing import TYPE_CHECKING

import openai
from instructor.core.exceptions import IncompleteOutputException

if TYPE_CHECKING:
    from receiptflow.llm.client import Endpoint


def is_transport_failure(error: Exception | None) -> bool:
    """Unreachable, slow or overloaded provider (not: the model's answer was wrong)."""
    cause = error.__cause__ if error is not None and error.__cause__ is not None else error
    if isinstance(cause, openai.APIStatusError):
        return cause.status_code in (408, 409, 429) or cause.status_code >= 500
    return isinstance(cause, openai.APIConnectionError)  # includes APITimeoutError


def describe_failure(error: Exception | None, endpoint: Endpoint) -> str:
    """Why no validated receipt came back, in one line a person can act on."""
    cause = error.__cause__ if error is not None and error.__cause__ is not None else error
    host = endpoint.azure_endpoint or endpoint.base_url or "api.openai.com"
    where = f"{endpoint.name} ({endpoint.model} at {host})"
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
