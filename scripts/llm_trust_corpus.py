"""Labelled LLM results as JSONL rows, for fitting the LLM trust model (fit_llm_trust.py).

One row per (answer, key field): the evidence the extractor computed (``features``), and
whether the value is right (``right``). Two ways to make them:

1. ``--documents DIR``: your own labelled receipts (``<name>.<jpg|png|pdf>`` beside
   ``<name>.expected.json``, a Receipt as JSON, like ``samples/``) read by your real model
   (``--extractor nemo|openai``, endpoint from the usual RECEIPTFLOW_* / OPENAI_* settings).
   This is what the shipped model should be refitted on.

2. ``--scripted`` (what the bundled model was fitted on): no real LLM. A scripted
   OpenAI-compatible server answers with the true values of a receipt, or with controlled
   corruptions of them (``llm_trust_corruptions.py``), and the real ``nemo`` client (HTTP,
   Instructor, re-asks, validation) reads and judges those answers. Receipts: SROIE train
   scans (cached real OCR lines, labels: merchant, date, total), synthetic receipts (their
   text layer, every key field), WildReceipt photos (cached OCR; total, date, merchant).
   Each receipt gets ``--faithful`` true answers and ``--corrupted`` corrupted ones; each
   answer is judged with the source text (4 in 5) or without it (an image-only read), and
   with local's reading of the same lines to compare (1 in 2) or without. The scripted
   model repeats its answer when re-asked. ``--logprobs sroie:60,...`` attaches SmolLM2-135M's
   token logprobs of each answer given the receipt's lines (teacher-forced,
   llm_trust_scorer.py) for the first receipts of those datasets (a few seconds a receipt).

    python scripts/llm_trust_corpus.py --scripted --logprobs sroie:60,wildreceipt:30 \
        --out /tmp/llm-trust.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from llm_trust_corruptions import KINDS, corrupt

from receiptflow.eval.ocr_cache import OcrCache
from receiptflow.extractors.local import LocalExtractor
from receiptflow.ingest.document import TextLine
from receiptflow.llm.client import JudgedAnswer
from receiptflow.llm.grounding import SourceText, name_key
from receiptflow.llm.scripted_server import Reply, ScriptedServer, tool
from receiptflow.schemas.parsing import parse_date, parse_money
from receiptflow.schemas.receipt import Merchant, Receipt
from receiptflow.settings import LocalSettings, OcrSettings, Settings
from receiptflow.trust.llm import KEY_FIELDS

DATASETS = Path("/work/shared/datasets")  # --data: SROIE labels, WildReceipt labels
CACHE = Path("/work/cache")  # --ocr-cache: OcrCache folders sroie/ and wildid/
SOURCE_SHARE = 0.8  # answers judged with the source text; the rest as image-only reads
LOCAL_SHARE = 0.5  # answers judged with local's reading to compare
CORRUPT_SHARE = 0.5  # in a corrupted answer, each labelled field is wrong with this chance

Scorer = Callable[[list[str], str], list[tuple[str, float]]]


@dataclass
class Case:
    """One receipt: its text lines, the true answer, and what else counts as right."""

    dataset: str
    case_id: str
    lines: list[TextLine]
    truth: Receipt
    fields: tuple[str, ...]  # the key fields the labels say something about
    also: dict[str, set[Any]] = field(default_factory=dict)  # other right values


def is_right(name: str, got: Receipt, case: Case) -> bool:
    truth = case.truth
    if name == "merchant.name":
        keys = {name_key(truth.merchant.name), *case.also.get(name, set())}
        return name_key(got.merchant.name) in keys
    if name in ("date", "total", "subtotal"):
        return getattr(got, name) in {getattr(truth, name), *case.also.get(name, set())}
    if name == "taxes":
        return Counter(t.amount for t in got.taxes) == Counter(t.amount for t in truth.taxes)

    def amounts(receipt: Receipt) -> Counter[Decimal | None]:
        return Counter(item.amount for item in receipt.line_items)

    return amounts(got) == amounts(truth)


# -- receipts --------------------------------------------------------------------------------


def sroie_cases(data: Path, ocr: Path, limit: int | None) -> Iterator[Case]:
    cache = OcrCache(ocr / "sroie")
    for path in sorted((data / "sroie-dev" / "img").glob("*.jpg"))[:limit]:
        labels = json.loads((data / "sroie-dev" / "entities" / f"{path.stem}.json").read_text())
        found = cache.get(path.stem)
        if found is None:  # the corpus is pinned to every scan: a gap would change it
            raise SystemExit(f"no cached OCR for {path.stem} in {ocr / 'sroie'}")
        date, total = parse_date(labels.get("date", "")), parse_money(labels.get("total", ""))
        truth = Receipt(
            merchant=Merchant(name=labels.get("company")), date=date, total=total, currency="MYR"
        )
        fields = tuple(f for f, v in (("merchant.name", 1), ("date", date), ("total", total)) if v)
        yield Case("sroie", path.stem, found[0], truth, fields)


def synthetic_cases(count: int, seed: int) -> Iterator[Case]:
    """Receipts of every locale the generator prints (``samples.mix``), as their text layer."""
    from receiptflow.samples.layouts import PAPER_COLUMNS
    from receiptflow.samples.mix import random_specs
    from receiptflow.samples.registry import printed

    for spec in random_specs(count, seed):
        cols = PAPER_COLUMNS[spec.paper]
        printout = printed(
            spec.scenario, spec.locale, spec.seed, spec.layout, cols, ascii_only=False
        )
        lines = []
        for row, line in enumerate(printout.lines):
            for cell in line.cells:
                width = len(cell.text) * 10.0
                left = {"l": cell.col * 10, "r": cell.col * 10 - width}.get(
                    cell.align, cell.col * 10 - width / 2
                )
                box = (left, row * 20.0, left + width, row * 20.0 + 16)
                if cell.text.strip():
                    lines.append(TextLine(cell.text, box))
        yield Case("synthetic", spec.name, lines, printout.receipt, KEY_FIELDS)


def wildreceipt_cases(data: Path, ocr: Path, limit: int | None) -> Iterator[Case]:
    from receiptflow.eval.wildreceipt import list_samples

    cache = OcrCache(ocr / "wildid")
    for sample in list_samples(data / "wildreceipt-dev", limit):
        found = cache.get(sample.receipt_id)
        if found is None:
            raise SystemExit(f"no cached OCR for {sample.receipt_id} in {ocr / 'wildid'}")
        totals, dates, names = sample.totals(), sample.dates(), sample.merchant_names()
        if not (totals or dates or names):
            continue
        truth = Receipt(
            merchant=Merchant(name=names[-1] if names else None),
            date=min(dates) if dates else None,
            total=max(totals) if totals else None,
            currency="USD",
        )
        fields = tuple(
            f for f, v in (("merchant.name", names), ("date", dates), ("total", totals)) if v
        )
        also = {"merchant.name": set(names), "date": dates, "total": totals}
        yield Case("wildreceipt", sample.receipt_id, found[0], truth, fields, also)


# -- scripted answers ------------------------------------------------------------------------


def answers(
    case: Case, local: Receipt | None, source: SourceText, rng: random.Random, args: Any
) -> Iterator[tuple[dict[str, str], Receipt]]:
    """(kinds of corruption per field, the answer) for each variant of one receipt. A date or
    total the labels lack is local's reading (not judged): a model would give one, and a
    missing one is an error flag that would otherwise mark every such answer."""
    true = case.truth
    for name in ("date", "total"):
        if getattr(true, name) is None and local is not None:
            true = true.model_copy(update={name: getattr(local, name)})
    for _ in range(args.faithful):
        yield {}, true
    for _ in range(args.corrupted):
        wrong: dict[str, str] = {}
        while not wrong:
            wrong = {f: rng.choice(KINDS) for f in case.fields if rng.random() < CORRUPT_SHARE}
        yield wrong, corrupt(true, wrong, source, rng)


def scripted_rows(
    cases: Iterator[Case], args: argparse.Namespace, scorer: Scorer | None, scored: int
) -> Iterator[dict[str, Any]]:
    """Rows for each receipt's answers; the first ``scored`` receipts' carry logprobs."""
    from receiptflow.extractors.nemo import NemoExtractor

    local = LocalExtractor(OcrSettings(), LocalSettings())
    with ScriptedServer([Reply()]) as server:
        settings = Settings(nemo={"base_url": server.url, "model": "scripted", "timeout_s": 30})
        client = NemoExtractor(settings.nemo, settings.llm, local, settings.trust).client
        for number, case in enumerate(cases):
            rng = random.Random(f"{args.seed}:{case.dataset}:{case.case_id}")
            local_receipt = local.extract_lines(case.lines).receipt
            ask = NemoExtractor.ask(case.lines)
            assert ask.source is not None
            variants = answers(case, local_receipt, ask.source, rng, args)
            for variant, (wrong, answer) in enumerate(variants):
                text = json.dumps(answer.model_dump(mode="json", exclude_defaults=True))
                lines = [line.text for line in case.lines]
                logprobs = scorer(lines, text) if scorer and number < scored else None
                server.script = [tool(text, logprobs=logprobs)]  # repeated when re-asked
                judged = client.answer(
                    replace(
                        ask,
                        source=ask.source if rng.random() < SOURCE_SHARE else None,
                        local=local_receipt if rng.random() < LOCAL_SHARE else None,
                    )
                )
                yield from _rows(case, judged, variant, wrong)


def _rows(
    case: Case, judged: JudgedAnswer, variant: int, wrong: dict[str, str]
) -> Iterator[dict[str, Any]]:
    receipt = judged.result.receipt
    if receipt is None:
        return
    for name, features in judged.features.items():
        if name not in case.fields:
            continue
        yield {
            "dataset": case.dataset,
            "id": case.case_id,
            "variant": variant,
            "field": name,
            "right": is_right(name, receipt, case),
            "corruption": wrong.get(name),
            "features": features,
        }


# -- your own labelled documents -------------------------------------------------------------


def document_rows(directory: Path, extractor_name: str) -> Iterator[dict[str, Any]]:
    """Rows from a real model reading labelled documents (``<name>.expected.json`` beside)."""
    from receiptflow.extractors import get_extractor
    from receiptflow.ingest import load_document

    settings = Settings()
    local = LocalExtractor(settings.ocr, settings.local, settings.trust)
    extractor: Any = get_extractor(extractor_name, settings)
    for expected in sorted(directory.glob("*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        path = next(p for p in directory.glob(f"{stem}.*") if not p.name.endswith(".json"))
        truth = Receipt.model_validate_json(expected.read_text(encoding="utf-8"))
        document = load_document(path, settings.ingest)
        lines = local.read_lines(document)
        local_receipt = local.extract_lines(lines).receipt
        if extractor_name == "nemo":
            judged = extractor.judge_lines(lines, local_receipt)
        else:
            judged = extractor.judge(document, lines, local_receipt)
        case = Case("documents", stem, lines, truth, KEY_FIELDS)
        yield from _rows(case, judged, 0, {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--documents", type=Path, help="your labelled receipts")
    parser.add_argument("--extractor", choices=("nemo", "openai"), default="nemo")
    parser.add_argument("--scripted", action="store_true", help="the bundled model's corpus")
    parser.add_argument("--datasets", default="sroie,synthetic,wildreceipt")
    parser.add_argument("--data", type=Path, default=DATASETS)
    parser.add_argument("--ocr-cache", type=Path, default=CACHE)
    parser.add_argument("--limit", type=int, default=None, help="receipts per dataset")
    parser.add_argument("--synthetic", type=int, default=150, help="synthetic receipts")
    parser.add_argument("--faithful", type=int, default=2)
    parser.add_argument("--corrupted", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--logprobs", default="", help="DATASET:N,... receipts to score")
    args = parser.parse_args()
    logging.getLogger("instructor").setLevel(logging.CRITICAL)  # a re-ask is not news here
    if args.documents:
        rows = document_rows(args.documents, args.extractor)
    elif args.scripted:
        scored = {name: int(n) for name, n in (p.split(":") for p in args.logprobs.split(",") if p)}
        scorer = None
        if scored:
            from llm_trust_scorer import SmolScorer

            scorer = SmolScorer()
        chosen = args.datasets.split(",")
        sources = {
            "sroie": lambda: sroie_cases(args.data, args.ocr_cache, args.limit),
            "synthetic": lambda: synthetic_cases(args.limit or args.synthetic, args.seed),
            "wildreceipt": lambda: wildreceipt_cases(args.data, args.ocr_cache, args.limit),
        }
        rows = (
            row
            for name in chosen
            for row in scripted_rows(sources[name](), args, scorer, scored.get(name, 0))
        )
    else:
        parser.error("say --documents DIR or --scripted")
    tally: Counter[tuple[str, str, bool]] = Counter()
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
            tally[row["dataset"], row["field"], row["right"]] += 1
    for dataset, name in sorted({(d, f) for d, f, _ in tally}):
        right, wrong = tally[dataset, name, True], tally[dataset, name, False]
        print(f"{dataset:12} {name:14} {right:5} right {wrong:5} wrong", file=sys.stderr)


if __name__ == "__main__":
    main()
