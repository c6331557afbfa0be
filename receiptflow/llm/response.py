"""The response model the LLMs fill, and recovery of partial answers.

``ExtractedReceipt`` is the Receipt plus one validator: when ``validate_receipt`` finds
error-severity flags (sums that do not add up, a bad currency...), it raises, and Instructor
sends that message back to the model as its re-ask. With the source text in view of the
validator (``grounded``), a total that is printed nowhere in it is re-asked too, once: the
total is on every receipt, so an unprinted one is usually a misread. If the model keeps it,
the answer stands and the trust model judges the total (it is then ``ungrounded``). When the
last attempt still fails, ``salvage`` recovers the best Receipt the answers contained, so
nothing is lost.

The source text reaches the validator through a context variable, not Instructor's
``context=``: Instructor also renders every message as a Jinja template when given one
(instructor issue #1132), and receipt text is untrusted: a "{{" printed on a receipt would be
evaluated, or fail to parse and sink the request.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from instructor import OpenAISchema
from pydantic import ValidationError, model_validator

from receiptflow.llm.grounding import SourceText
from receiptflow.schemas.flags import Flag, Severity
from receiptflow.schemas.json_schema import strict_json_schema
from receiptflow.schemas.receipt import Receipt
from receiptflow.schemas.validation import error_messages, validate_receipt

MAX_REPAIRS = 25
# Re-asks spent on a total printed nowhere in the source text (within validation_retries).
# One: a model that misread the amount corrects it when told; one that keeps it after
# being told is kept, and the trust model flags the total instead of burning the budget.
UNPRINTED_TOTAL_REASKS = 1


@dataclass
class Grounding:
    """What the validator checks one extraction's answers against: the text the values
    should be printed in, and the unprinted-total re-asks spent so far."""

    source: SourceText
    total_reasks: int = 0

    def unprinted_total(self, receipt: Receipt) -> str | None:
        """The re-ask sentence when the total is printed nowhere and a re-ask is left."""
        if receipt.total is None or self.total_reasks >= UNPRINTED_TOTAL_REASKS:
            return None
        if self.source.amount(receipt.total, receipt.currency) is not None:
            return None
        self.total_reasks += 1
        return (
            f"total: {receipt.total:f} is not printed anywhere in the receipt's text. "
            "Find the amount due (the TOTAL line) and copy it as printed."
        )


_GROUNDING: ContextVar[Grounding | None] = ContextVar("receiptflow_grounding", default=None)


@contextmanager
def grounded(source: SourceText | None) -> Iterator[None]:
    """Validate the answers of the extraction made inside against ``source`` (None: no
    text to check against). A context variable: each thread and asyncio task has its own."""
    token = _GROUNDING.set(Grounding(source) if source is not None else None)
    try:
        yield
    finally:
        _GROUNDING.reset(token)


class ExtractedReceipt(Receipt, OpenAISchema):
    """A receipt as read from the document: the merchant, items, taxes and totals."""

    # OpenAISchema as a base spares Instructor from deriving a wrapper class per request, and
    # the schema is built once: both cost tens of ms of CPU, which at 64 requests in flight
    # is what limits throughput.

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return copy.deepcopy(_tool_schema())

    @model_validator(mode="after")
    def _must_add_up(self) -> ExtractedReceipt:
        errors = [flag for flag in validate_receipt(self) if flag.severity is Severity.ERROR]
        grounding = _GROUNDING.get()
        unprinted = grounding.unprinted_total(self) if grounding is not None else None
        if errors or unprinted:
            raise ValueError(reask_message(errors, unprinted))
        return self


@functools.cache
def _tool_schema() -> dict[str, Any]:
    """The tool's parameters: every field listed (nullable when optional), money as decimal
    strings. Accepted by OpenAI strict tools and convertible to a llama.cpp grammar."""
    schema = _portable_patterns(strict_json_schema(Receipt))
    return {"title": "Receipt", "description": ExtractedReceipt.__doc__, **schema}


def _portable_patterns(node: Any) -> Any:
    """Regex patterns without backslash classes (``\\d`` -> ``[0-9]``, ``\\.`` -> ``[.]``):
    the same language for JSON Schema, but llama.cpp's schema-to-grammar converter copies
    those escapes into a grammar its parser then rejects."""
    if isinstance(node, list):
        return [_portable_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _portable_patterns(value) for key, value in node.items()}
    if isinstance(out.get("pattern"), str):
        out["pattern"] = out["pattern"].replace("\\d", "[0-9]").replace("\\.", "[.]")
    return out


def reask_message(errors: list[Flag], unprinted: str | None = None) -> str:
    parts = []
    if errors:
        listed = "\n".join(f"- {sentence}" for sentence in error_messages(errors))
        parts.append(f"The extracted receipt does not add up:\n{listed}")
    if unprinted:
        parts.append(f"The extracted receipt does not match the receipt's text:\n- {unprinted}")
    return "\n".join([*parts, "Re-read those values on the receipt and correct them."])


def as_receipt(model: Receipt) -> Receipt:
    """The plain Receipt (drop the re-ask validator's subclass) for storage and comparison."""
    return Receipt.model_validate(model.model_dump())


def raw_answer(response: Any) -> str | None:
    """The model's answer as text: the tool call's arguments, else the message content."""
    try:
        message = response.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    for call in getattr(message, "tool_calls", None) or []:
        return str(call.function.arguments)
    content = getattr(message, "content", None)
    return str(content) if content else None


_CODEBLOCK = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def _json_object(text: str) -> dict[str, Any] | None:
    match = _CODEBLOCK.search(text)
    candidate = match.group(1) if match else text
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(candidate[start : end + 1])
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def salvage(text: str | None) -> Receipt | None:
    """The Receipt inside an answer, dropping only the fields that do not fit the schema."""
    data = _json_object(text) if text else None
    if data is None:
        return None
    for _ in range(MAX_REPAIRS):
        try:
            return Receipt.model_validate(data)
        except ValidationError as error:
            if not any(_drop(data, issue["loc"]) for issue in error.errors()):
                return None
    return None


def _drop(data: Any, loc: tuple[int | str, ...]) -> bool:
    """Remove the value at ``loc`` (or the nearest container that holds it)."""
    if not loc:
        return False
    parent = data
    for key in loc[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return _drop(data, loc[:-1])
    last = loc[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    if isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        parent.pop(last)
        return True
    return _drop(data, loc[:-1]) if len(loc) > 1 else False


def best_partial(answers: list[str | None]) -> tuple[Receipt | None, str | None]:
    """Among the answers, the salvaged receipt with the fewest error flags (latest on ties)."""
    best: tuple[int, Receipt, str | None] | None = None
    for answer in answers:
        receipt = salvage(answer)
        if receipt is None:
            continue
        errors = sum(flag.severity is Severity.ERROR for flag in validate_receipt(receipt))
        if best is None or errors <= best[0]:
            best = (errors, receipt, answer)
    return (best[1], best[2]) if best else (None, answers[-1] if answers else None)
