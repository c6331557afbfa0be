"""Cost per 1,000 receipts: ``openai`` by tile arithmetic, and ``cascade`` run on the samples.

    .venv/bin/python bench/llm_cost.py [--samples samples] [--nemo-price 0] [--skip-cascade]
        [--json]

1. ``openai`` (GPT-4o mini, detail=high): for every page of every sample, the size
   receiptflow sends (``plan_size``: fewest 512-px tiles keeping small print legible) against
   sending the page as it is, the tiles and image tokens of each (2,833 + 5,667 per tile),
   plus the text of the request (system prompt, tool schema, PDF text layer; estimated at 4
   characters per token) and an answer as long as the sample's true receipt JSON. Priced from
   the settings' table ($0.15 / $0.60 per million; the Batch API halves it).
2. ``cascade``: the real cascade on each sample (local OCR + rules first), with ``nemo`` and
   ``openai`` pointed at scripted OpenAI-compatible servers that answer with the sample's true
   receipt and bill tokens as above (image tokens from the images actually received). Run
   twice: local -> nemo -> openai (NeMo self-hosted at ``--nemo-price`` $/M tokens), and
   local -> openai (no NeMo server). Reports the path each sample took and the cost per
   1,000 receipts from receiptflow's own usage accounting.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import SecretStr

from receiptflow.extractors import get_extractor
from receiptflow.extractors.openai_vision import OpenAIVisionExtractor
from receiptflow.ingest.document import Document
from receiptflow.ingest.loader import load_document
from receiptflow.llm.images import image_tokens, plan_size, tiles_for
from receiptflow.llm.response import ExtractedReceipt
from receiptflow.llm.scripted_server import Reply, ScriptedServer
from receiptflow.settings import Settings

CHARS_PER_TOKEN = 4
MODEL = "gpt-4o-mini"
THOUSAND = Decimal(1000)


def _samples(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted(folder.iterdir()):
        truth = path.with_name(f"{path.stem}.expected.json")
        if path.suffix.lower() in {".png", ".jpg", ".jpeg", ".pdf"} and truth.is_file():
            found.append((path, json.loads(truth.read_text())))
    return found


def _text_tokens(body: dict[str, Any]) -> int:
    """Request text (messages without image payloads, plus tools), ~4 characters a token."""
    text = json.dumps(body.get("tools", []))
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            text += content
        for part in content if isinstance(content, list) else []:
            text += part.get("text", "")
    return len(text) // CHARS_PER_TOKEN


def _image_tokens(body: dict[str, Any]) -> int:
    total = 0
    for message in body.get("messages", []):
        content = message.get("content")
        for part in content if isinstance(content, list) else []:
            if part.get("type") == "image_url":
                url = part["image_url"]["url"]
                size = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).size
                total += image_tokens(*size, part["image_url"].get("detail", "high"), MODEL)
    return total


def billing_server(truth: dict[str, Any]) -> ScriptedServer:
    """Answers with the true receipt; bills text + tile-arithmetic image tokens."""
    answer = json.dumps(truth)

    def script(body: dict[str, Any], index: int) -> Reply:
        prompt = _text_tokens(body) + _image_tokens(body)
        return Reply(
            arguments=answer,
            prompt_tokens=prompt,
            completion_tokens=len(answer) // CHARS_PER_TOKEN,
        )

    return ScriptedServer(script).start()


def openai_rows(
    samples: list[tuple[Path, dict[str, Any]]], settings: Settings
) -> list[dict[str, Any]]:
    extractor = OpenAIVisionExtractor(settings.openai, settings.llm, settings.trust)
    price = extractor.price()
    tools = {"type": "function", "function": ExtractedReceipt.model_json_schema()}
    rows = []
    for path, truth in samples:
        document = load_document(path, settings.ingest)
        messages, sent_tokens = extractor.messages(document)
        body = {"messages": messages, "tools": [tools]}
        text = _text_tokens(body)
        completion = len(json.dumps(truth)) // CHARS_PER_TOKEN
        as_is = sum(image_tokens(*page.size, "high", MODEL) for page in document.pages)
        rows.append(
            {
                "sample": path.name,
                "pages": [list(page.size) for page in document.pages],
                "sent": [list(plan_size(*page.size)) for page in document.pages],
                "tiles_as_is": sum(tiles_for(*page.size) for page in document.pages),
                "tiles_sent": sum(tiles_for(*plan_size(*page.size)) for page in document.pages),
                "image_tokens": sent_tokens,
                "text_tokens": text,
                "completion_tokens": completion,
                "usd": price.cost(text + sent_tokens, completion),
                "usd_as_is": price.cost(text + as_is, completion),
            }
        )
    return rows


def cascade_rows(
    samples: list[tuple[Path, dict[str, Any]]], base: Settings, use_nemo: bool, nemo_price: Decimal
) -> list[dict[str, Any]]:
    rows = []
    for path, truth in samples:
        document: Document = load_document(path, base.ingest)
        nemo, vision = billing_server(truth), billing_server(truth)
        try:
            settings = base.model_copy(deep=True)
            settings.nemo.base_url = nemo.url if use_nemo else None
            settings.nemo.input_per_million = settings.nemo.output_per_million = nemo_price
            settings.openai.base_url = vision.url
            settings.openai.api_key = SecretStr("sk-bench")
            result = get_extractor("cascade", settings).extract(document)
        finally:
            nemo.stop()
            vision.stop()
        rows.append(
            {
                "sample": path.name,
                "path": result.method,
                "status": result.status.value,
                "requests": result.usage.requests,
                "prompt_tokens": result.usage.prompt_tokens,
                "usd": result.usage.cost_usd,
            }
        )
    return rows


def _per_thousand(rows: list[dict[str, Any]], key: str = "usd") -> Decimal:
    return sum((row[key] for row in rows), Decimal(0)) / len(rows) * THOUSAND


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, default=Path(__file__).parents[1] / "samples")
    parser.add_argument("--nemo-price", type=Decimal, default=Decimal(0))
    parser.add_argument("--skip-cascade", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    settings = Settings(openai={"model": MODEL, "api_key": None, "base_url": None})
    samples = _samples(args.samples)
    report: dict[str, Any] = {"openai": openai_rows(samples, settings)}
    if not args.skip_cascade:
        report["cascade_with_nemo"] = cascade_rows(samples, settings, True, args.nemo_price)
        report["cascade_without_nemo"] = cascade_rows(samples, settings, False, args.nemo_price)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    _print(report, args.nemo_price)


def _print(report: dict[str, Any], nemo_price: Decimal) -> None:
    rows = report["openai"]
    print(f"openai ({MODEL}, detail=high): {len(rows)} samples")
    header = ("page px", "sent px", "tiles", "img tok", "txt tok", "$")
    widths = (22, 22, 9, 9, 9, 10)
    print(f"{'sample':<28}" + "".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for row in rows:
        pages = " ".join("x".join(map(str, size)) for size in row["pages"])
        sent = " ".join("x".join(map(str, size)) for size in row["sent"])
        tiles = f"{row['tiles_as_is']}->{row['tiles_sent']}"
        print(
            f"{row['sample']:<28}{pages:>22}{sent:>22}{tiles:>9}{row['image_tokens']:>9}"
            f"{row['text_tokens']:>9}{row['usd']:>10.5f}"
        )
    standard, as_is = _per_thousand(rows), _per_thousand(rows, "usd_as_is")
    print(
        f"per 1,000 receipts: ${standard:.2f} (Batch API ${standard / 2:.2f}); "
        f"pages sent as they are: ${as_is:.2f}"
    )
    for key, label in (
        ("cascade_with_nemo", f"cascade local -> nemo (${nemo_price}/M) -> openai"),
        ("cascade_without_nemo", "cascade local -> openai"),
    ):
        if key not in report:
            continue
        rows = report[key]
        paths: dict[str, int] = {}
        for row in rows:
            paths[row["path"]] = paths.get(row["path"], 0) + 1
        print(
            f"\n{label}: " + ", ".join(f"{path} {count}" for path, count in sorted(paths.items()))
        )
        for row in rows:
            print(f"  {row['sample']:<28}{row['path']:<17}{row['status']:<9}{row['usd']:>10.5f}")
        print(f"per 1,000 receipts: ${_per_thousand(rows):.2f}")


if __name__ == "__main__":
    main()
