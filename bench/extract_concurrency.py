"""``receiptflow extract --extractor openai --concurrency N`` against a slow server.

    .venv/bin/python bench/extract_concurrency.py [--files 40] [--latency 1.0]
        [--concurrency 4,8,16] [--json]

Runs the ``extract`` command itself (in this process, after one warm-up run, so the
interpreter's start-up and imports are not counted) over ``files`` small receipt photos,
against the scripted OpenAI-compatible server (``receiptflow.llm.scripted_server``, in its
own process) answering every request after ``latency`` seconds.

ideal = files / N x latency (N requests always in flight, nothing else costing time);
ratio = measured / ideal. Goal: <= 1.5 (issue 13: 40 files at 1 s took 47 s one by one).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.llm.scripted_server import sample_server_process

GOAL = 1.5


def _photos(folder: Path, count: int) -> list[Path]:
    paths = []
    for number in range(count):
        image = Image.new("RGB", (480, 900), "white")
        ImageDraw.Draw(image).text((20, 20 + number), f"RECEIPT {number}  TOTAL 4.20", fill="black")
        path = folder / f"r{number:03d}.png"
        image.save(path)
        paths.append(path)
    return paths


def measure(url: str, paths: list[Path], concurrency: int, latency: float) -> dict[str, Any]:
    env = {
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": url,
        "RECEIPTFLOW_OPENAI__TRANSPORT_RETRIES": "0",
        "RECEIPTFLOW_LLM__MAX_IN_FLIGHT": str(concurrency),
    }
    command = ["extract", *map(str, paths), "-e", "openai", "--concurrency", str(concurrency)]
    started, cpu_started = time.perf_counter(), time.process_time()
    done = CliRunner().invoke(app, command, env=env)
    seconds = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu_started) * 1000 / len(paths)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    in_order = [Path(line["source"]["path"]).name for line in lines] == [p.name for p in paths]
    ideal = len(paths) / concurrency * latency
    return {
        "concurrency": concurrency,
        "files": len(paths),
        "exit_code": done.exit_code,
        "in_order": in_order,
        "seconds": round(seconds, 2),
        "ideal_seconds": round(ideal, 2),
        "ratio": round(seconds / ideal, 2),
        "within_goal": seconds / ideal <= GOAL,
        "client_cpu_ms_per_file": round(cpu_ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", default="4,8,16")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with sample_server_process(args.latency) as url, tempfile.TemporaryDirectory() as folder:
        os.environ["RECEIPTFLOW_HOME"] = str(Path(folder) / "home")
        paths = _photos(Path(folder), args.files)
        measure(url, paths[:2], 2, args.latency)  # warm-up: imports, schema, clients
        rows = [measure(url, paths, int(n), args.latency) for n in args.concurrency.split(",")]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    load = os.getloadavg()[0]
    print(
        f"extract -e openai, {args.files} photos, {args.latency} s per request; "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the end"
    )
    header = ("N", "exit", "in order", "seconds", "ideal", "ratio", f"<= {GOAL}", "cpu ms/f")
    print("  ".join(f"{name:>9}" for name in header))
    for row in rows:
        cells = (
            row["concurrency"], row["exit_code"], row["in_order"], row["seconds"],
            row["ideal_seconds"], row["ratio"], row["within_goal"],
            row["client_cpu_ms_per_file"],
        )  # fmt: skip
        print("  ".join(f"{cell!s:>9}" for cell in cells))


if __name__ == "__main__":
    main()
