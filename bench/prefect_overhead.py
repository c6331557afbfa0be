"""Prefect's overhead: the batch flow against a plain loop over the same receipts.

Both sides run the same per-file pipeline (archive -> ingest -> extract -> record) with the
same extractor object, one file at a time, each into a fresh database and archive. The only
difference is Prefect: a ``process-batch`` flow run with one task per file and nested task
runs for the steps (retries, result persistence, the cache lookup switched to refresh).

The machine is shared, so the files are split into chunks and the two sides alternate
(plain, flow, flow, plain, ...) to spread load changes over both. The Prefect server is
started (and the OCR models loaded) by a warm-up run that is not timed; its start-up is
printed separately.

    .venv/bin/python bench/prefect_overhead.py                  # 200 SROIE scans, local
    .venv/bin/python bench/prefect_overhead.py --limit 40 --chunks 2
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import receiptflow.flows  # noqa: F401  (offline Prefect defaults first)
from receiptflow.flows.core import process_file
from receiptflow.flows.steps import PlainSteps, extractor_for, forget_resources
from receiptflow.settings import Settings

DEFAULT_INPUTS = Path(__file__).resolve().parents[2] / "shared/datasets/sroie-dev/img"


def _settings(extractor: str, home: Path) -> Settings:
    settings = Settings(home=home, extractor=extractor)
    settings.flows.cache = False  # measure extraction every time, on both sides
    return settings


def plain_loop(files: list[Path], settings: Settings) -> float:
    started = time.perf_counter()
    steps = PlainSteps(settings, source="batch")
    for path in files:
        process_file(path, steps)
    return time.perf_counter() - started


def batch_flow(files: list[Path], settings: Settings) -> float:
    from receiptflow.flows.batch import run_batch

    started = time.perf_counter()
    summary = run_batch([str(path) for path in files], settings, concurrency=1, progress=False)
    elapsed = time.perf_counter() - started
    if len(summary.outcomes) != len(files):
        raise SystemExit(f"the flow saw {len(summary.outcomes)} of {len(files)} files")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=Path, default=DEFAULT_INPUTS)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=4)
    parser.add_argument("--extractor", default="local")
    args = parser.parse_args()
    from receiptflow.ingest import iter_input_files

    files = iter_input_files([args.inputs])[: args.limit]
    if not files:
        raise SystemExit(f"no receipts under {args.inputs}")
    size = -(-len(files) // args.chunks)
    chunks = [files[start : start + size] for start in range(0, len(files), size)]
    work = Path(tempfile.mkdtemp(prefix="receiptflow-bench-"))
    print(
        f"{len(files)} receipts from {args.inputs}, extractor {args.extractor!r}, "
        f"{len(chunks)} chunks, work dir {work}",
        flush=True,
    )

    warm = _settings(args.extractor, work / "warm")
    extractor_for(warm)  # one extractor object serves both sides (same settings key)
    started = time.perf_counter()
    batch_flow(files[:1], warm)  # starts the Prefect server, loads the OCR models
    print(
        f"warm-up (Prefect server start + model load, not counted): "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )

    totals = {"plain": 0.0, "flow": 0.0}
    for index, chunk in enumerate(chunks):
        order = ["plain", "flow"] if index % 2 == 0 else ["flow", "plain"]
        for side in order:
            settings = _settings(args.extractor, work / f"{side}-{index}")
            run = plain_loop if side == "plain" else batch_flow
            seconds = run(chunk, settings)
            totals[side] += seconds
            print(
                f"chunk {index + 1}/{len(chunks)} {side:5} {len(chunk)} files "
                f"{seconds:7.1f} s ({seconds / len(chunk):.2f} s/file)",
                flush=True,
            )
        ratio = totals["flow"] / totals["plain"]
        print(f"  so far: flow/plain = {ratio:.3f}", flush=True)
    forget_resources()
    overhead = totals["flow"] / totals["plain"] - 1
    print(
        f"\nplain loop {totals['plain']:.1f} s, batch flow {totals['flow']:.1f} s over "
        f"{len(files)} receipts: ratio {totals['flow'] / totals['plain']:.3f} "
        f"(Prefect overhead {overhead * 100:+.1f} %; goal <= +10 %)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
