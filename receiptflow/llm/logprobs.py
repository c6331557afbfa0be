"""Token log-probabilities of an answer, and how sure the model was of each field's value.

Servers that return logprobs (llama.cpp, vLLM; OpenAI for message content, not for tool-call
arguments) give one entry per generated token. Joined, the tokens spell the answer's JSON
(or a tool-call wrapper around it); a small position-keeping JSON walker finds each key
field's value in that text, and the field's probability is the lowest probability among the
tokens that spell the value: the digit the model was least sure of decides. A value whose
tokens cannot be found is left out, as if the server had returned no logprobs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

TokenLogprobs = list[tuple[str, float]]
Span = tuple[int, int]

# where each key field's value sits in the Receipt JSON; "*" is every element of an array
FIELD_PATHS: dict[str, tuple[str, ...]] = {
    "merchant.name": ("merchant", "name"),
    "date": ("date",),
    "total": ("total",),
    "subtotal": ("subtotal",),
    "taxes": ("taxes", "*", "amount"),
    "line_items": ("line_items", "*", "amount"),
}
# wrappers some servers put around the arguments (Mistral's [TOOL_CALLS] list, for one)
_WRAPPER_KEYS = ("arguments", "parameters")


def response_logprobs(response: Any) -> TokenLogprobs | None:
    """The (token, logprob) pairs of a chat completion's first choice, or None."""
    try:
        content = response.choices[0].logprobs.content
    except (AttributeError, IndexError, TypeError):
        return None
    if not content:
        return None
    pairs = [
        (str(entry.token), float(entry.logprob))
        for entry in content
        if getattr(entry, "token", None) is not None and getattr(entry, "logprob", None) is not None
    ]
    return pairs or None


def value_probabilities(tokens: TokenLogprobs) -> dict[str, float]:
    """Key field -> the lowest token probability among the tokens of its value."""
    text = "".join(token for token, _ in tokens)
    try:
        spans = _value_spans(text)
    except (IndexError, ValueError):  # not the JSON we expected (cut off, or free text)
        return {}
    starts = []
    position = 0
    for token, _ in tokens:
        starts.append(position)
        position += len(token)
    found: dict[str, float] = {}
    for field, field_spans in spans.items():
        logprobs = [
            logprob
            for start, end in field_spans
            for (token, logprob), token_start in zip(tokens, starts, strict=True)
            if token_start < end and token_start + len(token) > start
        ]
        if logprobs:
            found[field] = math.exp(min(logprobs))
    return found


def _value_spans(text: str) -> dict[str, list[Span]]:
    """Key field -> the character spans of its values (string quotes and nulls left out)."""
    root = _receipt_object(text)
    if root is None:
        return {}
    return {
        field: [_inner(text, span) for span in _find(text, root, path) if text[span[0]] != "n"]
        for field, path in FIELD_PATHS.items()
    }


def _inner(text: str, span: Span) -> Span:
    """A string value without its quotes (the quote tokens say nothing about the value)."""
    start, end = span
    if text[start] == '"' and end - start >= 2:
        return start + 1, end - 1
    return span


def _receipt_object(text: str) -> Span | None:
    start = text.find("{")
    if start < 0:
        return None
    root = (start, _value_end(text, start))
    for key, span in _members(text, root):
        if key in _WRAPPER_KEYS and text[span[0]] == "{":
            return span
    return root


def _find(text: str, span: Span, path: tuple[str, ...]) -> Iterator[Span]:
    if not path:
        yield span
        return
    step, rest = path[0], path[1:]
    if step == "*":
        if text[span[0]] == "[":
            for element in _elements(text, span):
                yield from _find(text, element, rest)
        return
    if text[span[0]] != "{":
        return
    for key, value in _members(text, span):
        if key == step:
            yield from _find(text, value, rest)


def _skip_space(text: str, index: int) -> int:
    while text[index] in " \t\r\n":
        index += 1
    return index


def _string_end(text: str, index: int) -> int:
    """``index`` at an opening quote -> the index just after its closing quote."""
    index += 1
    while text[index] != '"':
        index += 2 if text[index] == "\\" else 1
    return index + 1


def _value_end(text: str, index: int) -> int:
    """``index`` at the first character of a JSON value -> the index just after it."""
    opener = text[index]
    if opener == '"':
        return _string_end(text, index)
    if opener in "{[":
        depth = 0
        while True:
            char = text[index]
            if char == '"':
                index = _string_end(text, index)
                continue
            if char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
    while text[index] not in ",}] \t\r\n":
        index += 1
    return index


def _members(text: str, span: Span) -> Iterator[tuple[str, Span]]:
    """(key, value span) of each member of the object at ``span``."""
    index = _skip_space(text, span[0] + 1)
    while text[index] != "}":
        if text[index] != '"':
            raise ValueError("not a JSON object key")
        key_end = _string_end(text, index)
        key = text[index + 1 : key_end - 1]
        index = _skip_space(text, key_end)
        if text[index] != ":":
            raise ValueError("no colon after a key")
        start = _skip_space(text, index + 1)
        end = _value_end(text, start)
        yield key, (start, end)
        index = _skip_space(text, end)
        if text[index] == ",":
            index = _skip_space(text, index + 1)


def _elements(text: str, span: Span) -> Iterator[Span]:
    index = _skip_space(text, span[0] + 1)
    while text[index] != "]":
        end = _value_end(text, index)
        yield index, end
        index = _skip_space(text, end)
        if text[index] == ",":
            index = _skip_space(text, index + 1)
