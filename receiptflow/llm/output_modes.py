"""How the answer's structure is asked for, and the checks on what comes back before
Instructor parses it.

Output modes (``RECEIPTFLOW_OPENAI__OUTPUT_MODE``, ``RECEIPTFLOW_NEMO__MODE``):
- ``tools_strict``: the receipt tool with ``"strict": true`` and ``parallel_tool_calls:
  false``. OpenAI then decodes only arguments that fit the schema, so a field of the wrong
  type or a missing key never costs a re-ask with the images sent again.
- ``json_schema``: ``response_format: {"type": "json_schema", "json_schema": {..., "strict":
  true}}``: OpenAI's structured outputs, and what self-hosted servers enforce with a grammar
  or guided decoding (vLLM, llama.cpp's server, Ollama).
- ``tools``: the tool without ``strict`` (servers that reject the field); ``json`` /
  ``md_json``: the schema in the prompt only, nothing enforced.

Instructor 1.17 sends neither strict flag (its TOOLS_STRICT is an alias of TOOLS and its
JSON_SCHEMA format has no ``strict``), so the request is shaped here, on the SDK's ``create``
that Instructor wraps. The same wrapper looks at each completion before Instructor parses it:
an empty ``choices``, a refusal, a content filter or an HTML page would otherwise be re-asked
or surface as a raw Python error (``receiptflow.llm.failures``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import instructor

from receiptflow.llm.failures import check_completion

INSTRUCTOR_MODES: dict[str, instructor.Mode] = {
    "tools_strict": instructor.Mode.TOOLS,  # + strict, below
    "json_schema": instructor.Mode.JSON_SCHEMA,  # + strict, below
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
OUTPUT_MODES = tuple(INSTRUCTOR_MODES)


def shape_request(kwargs: dict[str, Any], mode: str) -> dict[str, Any]:
    """The request Instructor prepared, with the strict flags of ``mode`` added."""
    if mode == "tools_strict" and kwargs.get("tools"):
        tools = [
            {**tool, "function": {**tool["function"], "strict": True}} for tool in kwargs["tools"]
        ]
        return {**kwargs, "tools": tools, "parallel_tool_calls": False}
    response_format = kwargs.get("response_format")
    if mode == "json_schema" and isinstance(response_format, dict):
        schema = response_format.get("json_schema") or {}
        strict = {**schema, "name": "receipt", "strict": True}
        return {**kwargs, "response_format": {"type": "json_schema", "json_schema": strict}}
    return kwargs


def install(raw: Any, mode: str, where: str) -> None:
    """Route ``raw.chat.completions.create`` (an ``openai.OpenAI`` or ``AsyncOpenAI``)
    through ``shape_request`` and ``check_completion``; call before ``instructor.from_openai``.
    ``where`` names the endpoint in the errors."""
    completions = raw.chat.completions
    create = completions.create
    if isinstance(raw, _async_client_type()):

        @functools.wraps(create)
        async def acreate(*args: Any, **kwargs: Any) -> Any:
            awaited: Awaitable[Any] = create(*args, **shape_request(kwargs, mode))
            return check_completion(await awaited, where)

        completions.create = acreate
        return

    sync_create: Callable[..., Any] = create

    @functools.wraps(sync_create)
    def screate(*args: Any, **kwargs: Any) -> Any:
        return check_completion(sync_create(*args, **shape_request(kwargs, mode)), where)

    completions.create = screate


def _async_client_type() -> type:
    import openai

    return openai.AsyncOpenAI
