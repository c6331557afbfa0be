"""LLM batch throughput against a scripted server with a fixed latency, as a share of ideal.

    .venv/bin/python bench/llm_throughput.py [--latency 1.5] [--in-flight 1,4,16,64]
        [--waves 4] [--json]

For each in-flight limit N, ``extract_many`` runs the ``nemo`` extractor over N x waves
documents (each with a text layer, so no OCR: only the LLM path is measured) against the
scripted OpenAI-compatible server (``receiptflow.llm.scripted_server``) answering every
request after ``latency`` seconds with a valid receipt. The server runs in its own process,
so its threads do not compete with the client for the GIL.

ideal = waves x latency (N requests always in flight, zero overhead);
share = ideal / measured wall time. Goal: >= 90 % at 16 in flight.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from PIL import Image

from receiptflow.extractors import ExtractionStatus, get_extractor
from receiptflow.ingest.document import Document, Page
from receiptflow.llm import extract_many
from receiptflow.llm.scripted_server import SAMPLE_ANSWER, SAMPLE_LINES, sample_server_process
from receiptflow.settings import Settings

ANSWER = SAMPLE_ANSWER
LINES = SAMPLE_LINES


def _documents(count: int) -> list[Document]:
    image = Image.new("RGB", (400, 200), "white")
    return [
        Document(Path(f"r{i}.pdf"), f"{i:064d}", "application/pdf", 1, [Page(0, image, LINES)])
        for i in range(count)
    ]


def measure(url: str, in_flight: int, waves: int, latency: float) -> dict[str, Any]:
    settings = Settings(
        nemo={"base_url": url, "timeout_s": 60, "transport_retries": 0},
        llm={"max_in_flight": in_flight},
    )
    extractor = get_extractor("nemo", settings)
    documents = _documents(in_flight * waves)
    extract_many(extractor, documents[:1], max_in_flight=1)  # warm-up: imports, schema
    started, cpu_started = time.perf_counter(), time.process_time()
    results = extract_many(extractor, documents, max_in_flight=in_flight)
    seconds = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu_started) * 1000 / len(documents)
    ok = sum(result.status is ExtractionStatus.OK for result in results)
    ideal = waves * latency
    return {
        "in_flight": in_flight,
        "requests": len(documents),
        "ok": ok,
        "seconds": round(seconds, 2),
        "ideal_seconds": ideal,
        "requests_per_s": round(len(documents) / seconds, 2),
        "ideal_requests_per_s": round(in_flight / latency, 2),
        "share_of_ideal": round(ideal / seconds, 3),
        "client_cpu_ms_per_request": round(cpu_ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=1.5)
    parser.add_argument("--in-flight", default="1,4,16,64")
    parser.add_argument("--waves", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with sample_server_process(args.latency) as url:
        rows = [measure(url, int(n), args.waves, args.latency) for n in args.in_flight.split(",")]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    load = os.getloadavg()[0]
    print(
        f"scripted server, {args.latency} s per request, {args.waves} waves per limit; "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the end"
    )
    header = ("in flight", "requests", "ok", "seconds", "ideal", "req/s", "share", "cpu ms/req")
    print("  ".join(f"{name:>9}" for name in header))
    for row in rows:
        cells = (
            row["in_flight"], row["requests"], row["ok"], row["seconds"], row["ideal_seconds"],
            row["requests_per_s"], f"{row['share_of_ideal']:.1%}",
            row["client_cpu_ms_per_request"],
        )  # fmt: skip
        print("  ".join(f"{cell:>9}" for cell in cells))


if __name__ == "__main__":
    main()
