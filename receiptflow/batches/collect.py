"""``refresh`` and ``collect``: a batch's status from the API, and its answers stored.

Output and error lines come back in any order: they are matched to the documents by
``custom_id``. Each answer is parsed and judged as the synchronous path does
(``LlmClient.judge_response``) and costed at the batch price from the usage it reports. An
answer that fails validation is re-asked synchronously with the validation error (Instructor's
own re-ask message), a request that failed or was never answered is asked again from the
start; both at full price and within ``BatchApiSettings.max_sync_reasks`` per collect.

Each document's run is written in one transaction with its item marked ``stored``, and the
batch becomes ``collected`` only after the last one: a collect killed at any point stores the
rest when run again, and never a document twice.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openai.types.chat import ChatCompletion

from receiptflow.batches import BatchEngine, Batches, open_engine
from receiptflow.errors import ReceiptflowError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.ingest import load_document
from receiptflow.llm.batch_api import FINISHED, OutputLine, batch_client
from receiptflow.storage.batches import COLLECTED, PREPARING, SUBMITTED, UPLOADED, BatchRecord

if TYPE_CHECKING:
    from receiptflow.llm.client import Ask, LlmClient


@dataclass
class Budget:
    """Synchronous re-asks left in this collect."""

    left: int

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


@dataclass
class Collected:
    batch: BatchRecord
    results: list[ExtractionResult] = field(default_factory=list)  # stored by this collect
    reasked: int = 0

    def line(self) -> str:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
        shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
        costs = [r.usage.cost_usd for r in self.results]
        cost = "unknown" if None in costs else sum((c for c in costs if c is not None), start=0)
        return (
            f"{self.batch.shown_id}: {self.batch.api_status}, stored {len(self.results)} "
            f"({shown}), {self.reasked} re-asked synchronously, cost ${cost}"
        )


class Engines:
    """One engine per extractor name, opened when a batch of it is first met."""

    def __init__(self, settings: Any, opener: Callable[..., BatchEngine] = open_engine) -> None:
        self._settings = settings
        self._opener = opener
        self._open: dict[str, BatchEngine] = {}

    def __call__(self, name: str) -> BatchEngine:
        if name not in self._open:
            self._open[name] = self._opener(name, self._settings)
        return self._open[name]

    def close(self) -> None:
        for engine in self._open.values():
            engine.api.close()


def refresh(batch: BatchRecord, batches: Batches, engine: BatchEngine) -> BatchRecord:
    """The API's view of a submitted batch, written to the ledger."""
    if batch.state != SUBMITTED or batch.api_id is None:
        return batch
    remote = engine.api.retrieve(batch.api_id)
    counts = remote.request_counts.model_dump() if remote.request_counts else {}
    problems = (
        [e.message or e.code or "" for e in (remote.errors.data or [])] if remote.errors else []
    )
    return batches.ledger.update(
        batch.id,
        api_status=remote.status,
        request_counts=counts or batch.request_counts,
        output_file_id=remote.output_file_id,
        error_file_id=remote.error_file_id,
        error="; ".join(problems) or None,
    )


def collect_all(
    batches: Batches,
    engines: Engines,
    *,
    wanted: str | None = None,
    wait: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Collected]:
    """Store every finished batch (or just ``wanted``); with ``wait``, until none is open.
    First finishes the submissions a killed ``submit`` left half done, so a schedule that
    only collects (no new files) still sends them."""
    from receiptflow.batches.submit import send

    for batch in batches.ledger.list(open_only=True):
        if batch.state in (PREPARING, UPLOADED) and wanted in (None, batch.shown_id):
            send(batch, batches, engines(batch.extractor), lookup=True)
    budget = Budget(batches.settings.batch_api.max_sync_reasks)
    done: list[Collected] = []
    while True:
        chosen = [batches.ledger.get(wanted)] if wanted else batches.ledger.list(open_only=True)
        still_open = False
        for batch in chosen:
            if batch.state != SUBMITTED:
                continue
            collected = collect(batch, batches, engines(batch.extractor), budget)
            if collected is None:
                still_open = True
            else:
                done.append(collected)
        if not (wait and still_open):
            return done
        sleep(batches.settings.batch_api.poll_interval_s)


def collect(
    batch: BatchRecord, batches: Batches, engine: BatchEngine, budget: Budget
) -> Collected | None:
    """None while the batch is still running; else its pending documents, stored."""
    batch = refresh(batch, batches, engine)
    if batch.state != SUBMITTED or batch.api_status not in FINISHED:
        return None
    answers: dict[str, OutputLine] = {}
    for line in engine.api.lines(batch.error_file_id) + engine.api.lines(batch.output_file_id):
        answers[line.custom_id] = line  # an answer wins over an error for the same request
    out = Collected(batch)
    priced = batch_client(engine.client)
    for item in batch.items:
        if item.state != "pending":
            continue
        missing = batch.error or "the batch returned no answer for it"
        line = answers.get(item.custom_id) or OutputLine(item.custom_id, None, missing)
        result, pages, reasked = _answer(line, item.document_id, batches, engine, priced, budget)
        out.reasked += reasked
        if batches.ledger.store_item(batch.id, item.custom_id, result, pages):
            out.results.append(result)
    out.batch = batches.ledger.update(
        batch.id, state=COLLECTED, collected_at=dt.datetime.now(dt.UTC)
    )
    return out


def _answer(
    line: OutputLine,
    document_id: int,
    batches: Batches,
    engine: BatchEngine,
    priced: LlmClient,
    budget: Budget,
) -> tuple[ExtractionResult, int | None, int]:
    """(result, pages, synchronous re-asks made) for one document's line."""
    record = batches.store.get_document(document_id)
    if record is None:
        return _failed(engine, f"document {document_id} is no longer stored"), None, 0
    try:
        document = load_document(record.archive_path, batches.settings.ingest)
        ask = engine.ask(document)  # the same request again: the source text and messages
    except ReceiptflowError as unreadable:
        return _failed(engine, f"cannot read the stored document again: {unreadable}"), None, 0
    pages = len(document.pages)
    judged = response = error = None
    if line.response is not None:
        try:
            response = ChatCompletion.model_validate(line.response)
            judged, error = priced.judge_response(ask, response)
        except Exception as unexpected:  # one odd line must not stop every later collect
            line = OutputLine(line.custom_id, None, f"unreadable batch answer: {unexpected}")
    if judged is None or response is None:
        if not budget.take():
            return _failed(engine, f"{line.error} (not re-asked: re-ask budget spent)"), pages, 0
        return engine.client.answer(ask).result, pages, 1
    if error is None or not budget.take():
        return judged.result, pages, 0
    retried = engine.client.answer(_reask(engine, ask, response, error)).result
    combined = retried.model_copy(
        update={
            "usage": judged.result.usage + retried.usage,
            "attempts": judged.result.attempts + retried.attempts,
        }
    )
    return combined, pages, 1


def _reask(engine: BatchEngine, ask: Ask, response: ChatCompletion, error: Exception) -> Ask:
    """The request with the batch's answer and Instructor's re-ask message appended."""
    from dataclasses import replace

    from instructor.processing.response import handle_reask_kwargs

    from receiptflow.llm.client import MODES

    mode = MODES[engine.client.endpoint.mode]
    kwargs = handle_reask_kwargs({"messages": list(ask.messages)}, mode, response, error)
    return replace(ask, messages=kwargs["messages"])


def _failed(engine: BatchEngine, message: str) -> ExtractionResult:
    endpoint = engine.client.endpoint
    return ExtractionResult(
        status=ExtractionStatus.FAILED, method=endpoint.name, model=endpoint.model, errors=[message]
    )
