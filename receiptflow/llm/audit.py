"""What an LLM extraction keeps for the audit trail: which prompt asked, and every answer.

``prompt_version`` is a hash of everything that shapes the answer besides the receipt: the
system prompt, the instructions, and the response schema the model fills. Two runs with the
same version were asked the same question; a changed prompt or schema shows up as a new
version in ``extraction_runs.prompt_version``.

Each answer (the first and every re-ask) is kept with the provider's request id (the
``x-request-id`` header, what OpenAI support asks for) and the model that actually served it
(``response.model``: "gpt-4o-mini-2024-07-18" where "gpt-4o-mini" was asked).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from receiptflow.extractors.base import LlmAttempt

PROMPT_VERSION_LENGTH = 16  # hex digits of sha256: enough to tell prompts apart


@functools.cache
def prompt_version(kind: str = "tools") -> str:
    """sha256 (first 16 hex digits) of the prompts and the tool schema; ``kind`` names how
    the schema is sent (Instructor mode), part of what the model sees."""
    from receiptflow.llm import prompts
    from receiptflow.llm.response import _tool_schema

    material = {
        "system": prompts.SYSTEM_PROMPT,
        "text": prompts.TEXT_INSTRUCTION,
        "image": prompts.IMAGE_INSTRUCTION,
        "text_layer": prompts.TEXT_LAYER_INSTRUCTION,
        "segments": prompts.SEGMENT_INSTRUCTION,
        "schema": _tool_schema(),
        "kind": kind,
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:PROMPT_VERSION_LENGTH]


def attempt_record(response: Any, raw: str | None) -> LlmAttempt:
    """One completion as the audit keeps it (fields the server left out stay None / 0)."""
    usage = getattr(response, "usage", None)
    details = getattr(usage, "prompt_tokens_details", None)
    choices = getattr(response, "choices", None) or [None]
    request_id = getattr(response, "_request_id", None)
    served = getattr(response, "model", None)
    return LlmAttempt(
        raw_output=raw,
        request_id=request_id if isinstance(request_id, str) else None,
        served_model=served if isinstance(served, str) else None,
        finish_reason=getattr(choices[0], "finish_reason", None),
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        cached_tokens=int(getattr(details, "cached_tokens", 0) or 0),
    )
