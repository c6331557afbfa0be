"""The OpenAI Batch API: request lines, input files within the API's limits, and the calls.

Not ``receiptflow.llm.batch`` (many synchronous requests in flight from this process): here
the requests go to the provider as one JSONL file and come back within 24 hours at half
price. Each line's body is what the synchronous path sends as its first request (Instructor
builds the tools and tool_choice from the same response model), so a batch answer is parsed
and judged exactly like a synchronous one (``LlmClient.judge_response``).

Every call that creates something remote can be found again after a crash: the input file
is named after the batch's key and the batch carries the key in its metadata
(``find_file``, ``find_batch``), so a restarted submit adopts what the dead one created
instead of creating it twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

import openai
from instructor.processing.response import handle_response_model

from receiptflow.llm.client import MODES, LlmClient
from receiptflow.llm.output_modes import shape_request
from receiptflow.llm.response import ExtractedReceipt
from receiptflow.llm.usage import UsageRecorder

if TYPE_CHECKING:
    from openai.types import Batch

    from receiptflow.llm.client import Ask

ENDPOINT: Final = "/v1/chat/completions"
METADATA_KEY = "receiptflow_batch"
# Terminal states: nothing more will be answered (expired, cancelled: the rest is in the
# error file or missing, and is re-asked synchronously).
FINISHED = frozenset({"completed", "expired", "cancelled", "failed"})
# Instructor's own arguments, which never reach the server
_INSTRUCTOR_ONLY = ("response_model", "max_retries", "strict", "hooks", "validation_context")


def request_body(client: LlmClient, ask: Ask) -> dict[str, Any]:
    """The /chat/completions body the synchronous path would send first for ``ask``."""
    kwargs = client._request(ask, UsageRecorder())
    response_model = kwargs.pop("response_model", ExtractedReceipt)
    for key in _INSTRUCTOR_ONLY:
        kwargs.pop(key, None)
    _, body = handle_response_model(response_model, mode=MODES[client.endpoint.mode], **kwargs)
    return shape_request(body, client.endpoint.mode)  # the strict flags, as sync requests get


def request_line(custom_id: str, body: dict[str, Any]) -> bytes:
    line = {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}
    return (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def split_lines(
    lines: Iterable[tuple[str, bytes]], *, max_requests: int, max_bytes: int
) -> Iterator[list[tuple[str, bytes]]]:
    """(custom_id, line) in groups that each fit one batch: at most ``max_requests`` lines
    and ``max_bytes`` of file. A single line larger than ``max_bytes`` cannot be sent at all
    (``LineTooLargeError``)."""
    group: list[tuple[str, bytes]] = []
    size = 0
    for custom_id, line in lines:
        if len(line) > max_bytes:
            raise LineTooLargeError(custom_id, len(line), max_bytes)
        if group and (len(group) >= max_requests or size + len(line) > max_bytes):
            yield group
            group, size = [], 0
        group.append((custom_id, line))
        size += len(line)
    if group:
        yield group


class LineTooLargeError(ValueError):
    def __init__(self, custom_id: str, size: int, limit: int) -> None:
        self.custom_id = custom_id
        super().__init__(f"its request is {size} bytes, over the batch file limit of {limit}")


def batch_client(client: LlmClient) -> LlmClient:
    """The same endpoint priced at the Batch API's rate, for answers that came by batch."""
    price = client.endpoint.price
    batch_price = None if price is None else price.batch()  # unknown stays unknown, not $0
    return LlmClient(replace(client.endpoint, price=batch_price), client.trust, client.model)


@dataclass(frozen=True)
class OutputLine:
    """One line of an output or error file: the completion, or why there is none."""

    custom_id: str
    response: dict[str, Any] | None  # the chat completion body (status 200 only)
    error: str | None

    @classmethod
    def parse(cls, text: str) -> OutputLine:
        data = json.loads(text)
        response = data.get("response") or {}
        body = response.get("body")
        if response.get("status_code") == 200 and isinstance(body, dict):
            return cls(data["custom_id"], body, None)
        problem = data.get("error") or (body or {}).get("error") or {}
        status = response.get("status_code")
        message = problem.get("message") or "no answer"
        code = problem.get("code") or (f"HTTP {status}" if status else "error")
        return cls(data["custom_id"], None, f"batch request failed ({code}): {message}")


class BatchApi:
    """The files and batches calls, on the openai SDK's client for one endpoint."""

    def __init__(self, client: LlmClient) -> None:
        self._client = openai.OpenAI(**client.endpoint.client_options())

    def upload(self, filename: str, content: bytes) -> str:
        return self._client.files.create(file=(filename, content), purpose="batch").id

    def find_file(self, filename: str) -> str | None:
        for stored in self._client.files.list(purpose="batch"):
            if stored.filename == filename:
                return stored.id
        return None

    def create(self, input_file_id: str, key: str, completion_window: str) -> Batch:
        return self._client.batches.create(
            input_file_id=input_file_id,
            endpoint=ENDPOINT,
            completion_window=completion_window,  # type: ignore[arg-type]  # "24h" today
            metadata={METADATA_KEY: key},
        )

    def find_batch(self, key: str, created_after: int) -> Batch | None:
        """The batch created with ``key``; the listing is newest first, so stop at older."""
        for batch in self._client.batches.list(limit=100):
            if (batch.metadata or {}).get(METADATA_KEY) == key:
                return batch
            if batch.created_at < created_after:
                return None
        return None

    def retrieve(self, batch_id: str) -> Batch:
        return self._client.batches.retrieve(batch_id)

    def lines(self, file_id: str | None) -> list[OutputLine]:
        if file_id is None:
            return []
        text = self._client.files.content(file_id).text
        return [OutputLine.parse(line) for line in text.splitlines() if line.strip()]

    def close(self) -> None:
        self._client.close()
