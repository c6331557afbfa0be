"""Compare OCR engines and RapidOCR settings on sroie-dev scans, side by side in one run.

    .venv/bin/python bench/ocr_compare.py [--n 50] [--data ../shared/datasets/sroie-dev]
        [--variants tesseract,rapid-stock,rapid-serial,rapidocr] [--threads 2]

Each variant runs in its own worker process (so its peak RSS is its own) and the images are
sent round-robin: image 1 to every variant, then image 2, ..., rotating who goes first, so a
busy moment on a shared machine hits all variants alike. The first image is read once untimed
per worker (model loading, warm-up). Seconds are wall time of ``engine.read`` (orientation
handling included) and the CPU seconds that process spent (all its threads, plus child
processes for Tesseract's CLI).

CER: each reading-order text (boxes sorted into rows top to bottom, left to right; one space
between boxes; whitespace runs collapsed; upper-cased as SROIE transcribes) against the ground-truth
box transcripts of ``box/<id>.txt`` put in reading order the same way. Corpus CER = total
Levenshtein edits / total reference characters."""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
import sys
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from PIL import Image

from receiptflow.ingest.document import TextLine
from receiptflow.ocr.reading_order import page_text
from receiptflow.ocr.scoring import character_error_rate
from receiptflow.settings import OcrSettings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "sroie-dev"


@dataclass(frozen=True)
class Variant:
    engine: str  # registry name
    note: str
    settings: dict[str, Any]  # OcrSettings overrides
    tuning: dict[str, Any]  # RapidTuning overrides (rapidocr only)


VARIANTS = {
    "tesseract": Variant("tesseract", "Tesseract 5 --psm 6, OMP_THREAD_LIMIT=1", {}, {}),
    "rapid-stock": Variant(
        "rapidocr",
        "RapidOCR's det input (min side 736) and threads; serial rec; no orientation",
        {"fix_orientation": False, "min_side": 736},
        {"parallel_rec": False},
    ),
    "rapid-serial": Variant(
        "rapidocr",
        "no cls, det max 1280, one session 2 intra-op threads, rec width 320",
        {},
        {"parallel_rec": False, "rec_width": 320},
    ),
    "rapidocr": Variant(
        "rapidocr", "DEFAULT: as rapid-serial, rec in 2 parallel streams, width 160", {}, {}
    ),
    "rapid-960": Variant("rapidocr", "default, det max side 960", {"max_side": 960}, {}),
    "rapid-w320": Variant(
        "rapidocr", "default, rec width 320 (RapidOCR's)", {}, {"rec_width": 320}
    ),
    "rapid-min736": Variant(
        "rapidocr",
        "default, det upscales to min side 736 (RapidOCR's) instead of max side cap",
        {"min_side": 736},
        {},
    ),
    "rapid-min600": Variant(
        "rapidocr",
        "default, det upscales to min side 600 instead of max side cap",
        {"min_side": 600},
        {},
    ),
    "rapid-b12": Variant("rapidocr", "default, rec batch 12", {}, {"rec_batch": 12}),
    "rapid-b1": Variant("rapidocr", "default, rec batch 1", {}, {"rec_batch": 1}),
    "rapid-minh10": Variant(
        "rapidocr", "default, skip boxes < 10 px tall", {}, {"min_box_height": 10.0}
    ),
    "rapid-box6": Variant("rapidocr", "default, det box_thresh 0.6", {}, {"box_thresh": 0.6}),
}
DEFAULT_VARIANTS = "tesseract,rapid-stock,rapid-serial,rapidocr"


def build_engine(variant: Variant, threads: int) -> Any:
    settings = OcrSettings(engine=variant.engine, threads=threads, **variant.settings)
    if variant.engine == "rapidocr":
        from receiptflow.ocr.rapid import RapidOcrEngine, RapidTuning

        return RapidOcrEngine(settings, replace(RapidTuning(), **variant.tuning))
    from receiptflow.ocr import get_ocr_engine

    return get_ocr_engine(settings)


def worker(conn: Connection, variant: Variant, threads: int, warmup: str) -> None:
    engine = build_engine(variant, threads)
    engine.read(Image.open(warmup).convert("RGB"))
    while (path := conn.recv()) is not None:
        image = Image.open(path).convert("RGB")
        cpu0, wall0 = _cpu(), time.perf_counter()
        lines = engine.read(image)
        conn.send((page_text(lines), time.perf_counter() - wall0, _cpu() - cpu0))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    conn.send((own + child) / 1024)  # MiB; Linux reports KiB


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def ground_truth(box_file: Path) -> str:
    lines = []
    for raw in box_file.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = raw.split(",", 8)
        if len(parts) < 9:
            continue
        xs, ys = [float(v) for v in parts[0:8:2]], [float(v) for v in parts[1:8:2]]
        lines.append(TextLine(parts[8], (min(xs), min(ys), max(xs), max(ys))))
    return page_text(lines)


def run(images: list[Path], names: list[str], threads: int) -> dict[str, dict[str, Any]]:
    ctx = mp.get_context("spawn")
    pipes: dict[str, Connection] = {}
    procs: list[Any] = []
    for name in names:
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=worker, args=(child, VARIANTS[name], threads, str(images[0])), daemon=True
        )
        proc.start()
        pipes[name], procs = parent, [*procs, proc]
    results: dict[str, dict[str, Any]] = {
        name: {"texts": [], "wall": [], "cpu": []} for name in names
    }
    for index, path in enumerate(images):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            pipes[name].send(str(path))
            text, wall, cpu = pipes[name].recv()
            results[name]["texts"].append(text)
            results[name]["wall"].append(wall)
            results[name]["cpu"].append(cpu)
        print(f"  {index + 1}/{len(images)} {path.name}", file=sys.stderr, flush=True)
    for name in names:
        pipes[name].send(None)
        results[name]["rss"] = pipes[name].recv()
    for proc in procs:
        proc.join(timeout=30)
    return results


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def report(results: dict[str, dict[str, Any]], references: list[str], threads: int) -> None:
    print(f"{len(references)} sroie-dev images, {threads} threads. CER = Levenshtein edits /")
    print("reference chars over reading-order text (rows top-down, boxes left-right, one space")
    print("between boxes, whitespace collapsed, upper-cased) vs the box/*.txt transcripts;")
    print("noCJK: the same with Chinese characters dropped (SROIE does not transcribe them).")
    print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    columns = ["CER %", "noCJK", "med s", "p90 s", "med cpu", "peak MiB"]
    print(f"{'variant':14} " + " ".join(f"{column:>6}" for column in columns) + "  setting")
    rows = {}
    for name, result in results.items():
        pairs = list(zip(result["texts"], references, strict=True))
        cer = 100 * character_error_rate(pairs, upper=True)
        cer_latin = 100 * character_error_rate(pairs, upper=True, drop_cjk=True)
        wall, cpu = statistics.median(result["wall"]), statistics.median(result["cpu"])
        rows[name] = (cer, wall, cpu)
        print(
            f"{name:14} {cer:6.2f} {cer_latin:6.2f} {wall:6.2f} {p90(result['wall']):6.2f}"
            f" {cpu:7.2f} {result['rss']:8.0f}  {VARIANTS[name].note}"
        )
    if "rapidocr" in rows:
        base = rows["rapidocr"]
        for name, (cer, wall, cpu) in rows.items():
            if name != "rapidocr":
                print(
                    f"ratio {name}/rapidocr: CER x{cer / base[0]:.2f},"
                    f" median wall x{wall / base[1]:.2f}, median cpu x{cpu / base[2]:.2f}"
                )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--variants", default=DEFAULT_VARIANTS, help=f"comma list of: {', '.join(VARIANTS)}"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dump", type=Path, help="write each variant's texts here (JSON)")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.variants.split(",") if name.strip()]
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {list(VARIANTS)}")
    images = sorted((args.data / "img").glob("*.jpg"))[: args.n]
    if not images:
        parser.error(f"no images in {args.data / 'img'}")
    references = [ground_truth(args.data / "box" / f"{path.stem}.txt") for path in images]
    results = run(images, names, args.threads)
    if args.dump:
        texts = {
            name: dict(zip([p.stem for p in images], r["texts"], strict=True))
            for name, r in results.items()
        }
        args.dump.write_text(json.dumps({"reference": references, **texts}, indent=1))
    report(results, references, args.threads)


if __name__ == "__main__":
    main()
