"""End-to-end speed of ``receiptflow extract``: one process over N scans, as a user runs it.

    .venv/bin/python bench/extract_speed.py [--dataset sroie|wildreceipt] [--n 20]
        [--repeat 3] [--against REV | --setting NAME=VALUE ...] [--data ../shared/datasets]
        [--json]

Each run is two processes under ``/usr/bin/time -v`` (the exact commands are printed):
1. ``receiptflow extract --format jsonl FILE...`` over the first N images (SROIE: sorted by
   id; WildReceipt: in ``labels.txt`` order) -> wall seconds per image, user+sys CPU seconds
   per image and peak RSS of the whole process: imports, model loading, every image;
2. ``receiptflow eval --limit N --format json`` over the same images -> the in-process median
   seconds per receipt (image load + OCR + parse), as ``receiptflow eval`` reports it.
``--repeat`` runs everything again and prints the min and median over the runs; the load
average (1 min) is printed beside every run, since a shared machine makes wall time noisy and
CPU seconds are the steadier figure. ``--against REV`` extracts that git revision of this
repository into a temporary folder and measures it in the same way, alternating with the
working tree run by run (A, B, B, A, A, B, ...), then prints the ratios. ``--setting``
(e.g. ``RECEIPTFLOW_OCR__SPIN_WAIT=false``, repeatable) does the same with the working tree
run under those environment variables as the second variant."""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "datasets"
TIME = "/usr/bin/time"
_TIME_FIELDS = {
    "user": r"User time \(seconds\): ([\d.]+)",
    "sys": r"System time \(seconds\): ([\d.]+)",
    "wall": r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)",
    "rss_kb": r"Maximum resident set size \(kbytes\): (\d+)",
}


@dataclass
class Run:
    tree: str  # "working tree" or the --against revision
    images: int
    wall_s: float  # per image, whole extract process
    cpu_s: float  # user + sys per image, whole extract process
    peak_rss_mib: float
    eval_median_s: float  # in-process per receipt: load + OCR + parse
    load_before: float
    load_after: float


def images(data: Path, dataset: str, n: int) -> list[Path]:
    if dataset == "sroie":
        return sorted((data / "sroie-dev" / "img").glob("*.jpg"))[:n]
    from receiptflow.eval.wildreceipt import list_samples

    return [sample.image_path for sample in list_samples(data / "wildreceipt-dev", n)]


def timed(command: list[str], tree: Path, setting: dict[str, str]) -> tuple[dict[str, float], str]:
    """Run ``command`` under /usr/bin/time -v in ``tree``, with it first on PYTHONPATH.

    In ``tree`` because ``python -m`` puts the current folder before PYTHONPATH: run from the
    repository, an ``--against`` revision would import the working tree."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")]),
        **setting,
    )
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        done = subprocess.run(
            [TIME, "-v", "-o", report.name, *command],
            env=env,
            cwd=tree,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            check=False,
        )
        text = report.read()
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}")
    found = {name: re.search(pattern, text) for name, pattern in _TIME_FIELDS.items()}
    missing = [name for name, match in found.items() if match is None]
    if missing:
        raise SystemExit(f"/usr/bin/time -v printed no {missing}: {text[:500]}")
    values = {name: match.group(1) for name, match in found.items() if match is not None}
    figures = {name: float(value) for name, value in values.items() if name != "wall"}
    figures["wall"] = _seconds(values["wall"])
    return figures, done.stdout


def _seconds(clock: str) -> float:
    """``1:12.58`` or ``1:02:03`` -> seconds."""
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return total


Variant = tuple[Path, dict[str, str]]  # a source tree and the environment it runs under


def measure(variant: Variant, label: str, files: list[Path], args: argparse.Namespace) -> Run:
    tree, setting = variant
    python = [sys.executable, "-m", "receiptflow"]
    load_before = os.getloadavg()[0]
    extract, _ = timed([*python, "extract", "--format", "jsonl", *map(str, files)], *variant)
    folder = args.data / ("sroie-dev" if args.dataset == "sroie" else "wildreceipt-dev")
    evaluate = [*python, "eval", str(folder), "--dataset", args.dataset]
    _, report = timed([*evaluate, "--limit", str(len(files)), "--format", "json"], *variant)
    count = len(files)
    return Run(
        tree=label,
        images=count,
        wall_s=extract["wall"] / count,
        cpu_s=(extract["user"] + extract["sys"]) / count,
        peak_rss_mib=extract["rss_kb"] / 1024,
        eval_median_s=float(json.loads(report)["timings"]["median_s"]),
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )


def checkout(revision: str, into: Path) -> Path:
    """The repository at ``revision`` (committed files only) under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def summary(runs: list[Run]) -> dict[str, Any]:
    figures = ("wall_s", "cpu_s", "peak_rss_mib", "eval_median_s")
    return {
        name: {
            "min": min(getattr(run, name) for run in runs),
            "median": statistics.median(getattr(run, name) for run in runs),
        }
        for name in figures
    }


HEADER = (
    f"{'tree':<16} {'images':>6} {'wall s/img':>10} {'cpu s/img':>9} {'peak RSS MiB':>12} "
    f"{'eval median s':>13} {'load avg':>11}"
)


def row(run: Run) -> str:
    return (
        f"{run.tree:<16} {run.images:>6} {run.wall_s:>10.3f} {run.cpu_s:>9.3f} "
        f"{run.peak_rss_mib:>12.0f} {run.eval_median_s:>13.3f} "
        f"{run.load_before:>5.1f}-{run.load_after:<5.1f}"
    )


def print_summary(runs: list[Run], trees: list[str]) -> None:
    totals = {tree: summary([run for run in runs if run.tree == tree]) for tree in trees}
    for tree, figures in totals.items():
        shown = ", ".join(
            f"{name} min {values['min']:.3f} / median {values['median']:.3f}"
            for name, values in figures.items()
        )
        print(f"{tree}: {shown}")
    if len(trees) == 2:
        new, old = totals[trees[0]], totals[trees[1]]
        ratios = ", ".join(
            f"{name} x{new[name]['median'] / old[name]['median']:.2f}" for name in new
        )
        print(f"{trees[0]} / {trees[1]} (medians): {ratios}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--dataset", choices=["sroie", "wildreceipt"], default="sroie")
    parser.add_argument("--n", type=int, default=20, help="images per run (default 20)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tree")
    versus = parser.add_mutually_exclusive_group()
    versus.add_argument("--against", metavar="REV", help="also measure this git revision")
    versus.add_argument(
        "--setting",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="also measure the working tree with this environment variable set",
    )
    parser.add_argument("--json", action="store_true", help="print the runs as JSON")
    args = parser.parse_args()
    files = images(args.data, args.dataset, args.n)
    if not files:
        raise SystemExit(f"no {args.dataset} images under {args.data}")
    print(f"{TIME} -v {sys.executable} -m receiptflow extract --format jsonl <{len(files)} files>")
    print(f"{sys.executable} -m receiptflow eval ... --dataset {args.dataset} --limit {len(files)}")
    with tempfile.TemporaryDirectory(prefix="extract-speed-") as scratch:
        trees: dict[str, Variant] = {"working tree": (REPO, {})}
        if args.against:
            trees[args.against] = (checkout(args.against, Path(scratch)), {})
        if args.setting:
            setting = dict(item.split("=", 1) for item in args.setting)
            trees[" ".join(args.setting)] = (REPO, setting)
        runs: list[Run] = []
        print(HEADER, flush=True)
        for repeat in range(args.repeat):
            order = list(trees.items())
            for label, tree in order if repeat % 2 == 0 else order[::-1]:
                runs.append(measure(tree, label, files, args))
                print(row(runs[-1]), flush=True)  # as it comes: a long run can be cut short
    if args.json:
        print(json.dumps([asdict(run) for run in runs], indent=2))
    print_summary(runs, list(trees))


if __name__ == "__main__":
    main()
