"""The inbox through the Batch API (``serve --batch-api``): each run submits what is new and
collects what has finished.

A submitted file is archived and recorded, so it moves to ``processed/`` at once; its
receipt arrives with a later run's collect. An unreadable file goes to ``quarantine/`` with
its reason, as in the synchronous flow. The work is ``receiptflow.batches``; these tasks only
wrap it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import task

from receiptflow.batches import BATCH_EXTRACTORS, Batches, open_engine
from receiptflow.errors import ConfigError
from receiptflow.flows.core import FileOutcome, Outcome
from receiptflow.flows.routing import Destinations, route

if TYPE_CHECKING:
    from receiptflow.settings import Settings


@dataclass
class BatchApiRun:
    submitted: list[str] = field(default_factory=list)  # batch ids created by this run
    documents: int = 0  # files sent in them
    quarantined: int = 0
    collected: list[str] = field(default_factory=list)  # one line per batch stored

    def line(self) -> str:
        return (
            f"Batch API: {self.documents} file(s) submitted in {len(self.submitted)} batch(es) "
            f"{', '.join(self.submitted)}; {self.quarantined} quarantined; "
            f"collected {len(self.collected)} batch(es)"
            + "".join(f"\n  {line}" for line in self.collected)
        )


def batch_extractor(settings: Settings) -> str:
    if settings.extractor not in BATCH_EXTRACTORS:
        raise ConfigError(
            f"--batch-api sends each receipt to an LLM: set RECEIPTFLOW_EXTRACTOR to one of "
            f"{', '.join(BATCH_EXTRACTORS)} (it is {settings.extractor!r})"
        )
    return settings.extractor


@task(name="batch-api-submit")
def submit_new(files: list[Path], settings: Settings, destinations: Destinations) -> BatchApiRun:
    from receiptflow.batches.submit import submit

    engine = open_engine(batch_extractor(settings), settings)
    try:
        out = submit(files, Batches.open(settings), engine, source="batch")
    finally:
        engine.api.close()
    run = BatchApiRun([b.shown_id for b in out.batches], len(out.documents))
    for path in [*out.documents, *out.waiting]:
        # archived and recorded: route() moves every outcome but failed/quarantined to processed/
        route(
            FileOutcome(path, Outcome.APPROVED, document_id=out.documents.get(path)), destinations
        )
    for path, error in out.failed.items():
        quarantined = FileOutcome(path, Outcome.QUARANTINED, stage="ingest", error=error)
        route(quarantined, destinations)
        run.quarantined += 1
    return run


@task(name="batch-api-collect")
def collect_finished(settings: Settings) -> list[str]:
    from receiptflow.batches.collect import Engines, collect_all

    engines = Engines(settings)
    try:
        return [c.line() for c in collect_all(Batches.open(settings), engines)]
    finally:
        engines.close()


def run_inbox_batch_api(inbox: Path, settings: Settings) -> BatchApiRun:
    """One scheduled run: the inbox's new files submitted, finished batches collected."""
    from receiptflow.flows.batch import expand_inputs

    destinations = Destinations.for_inbox(inbox, settings)
    files = [path for path in expand_inputs([inbox]) if not destinations.contains(path)]
    run = submit_new(files, settings, destinations) if files else BatchApiRun()
    run.collected = collect_finished(settings)
    return run
