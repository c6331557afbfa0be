"""Receipt images whose answers the scripted server knows (so a test can tell which answer
was stored for which document, whatever order the output file comes back in), and submit /
collect as the commands run them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from receiptflow.batches import Batches, open_engine
from receiptflow.batches.collect import Engines, collect_all
from receiptflow.batches.submit import submit
from receiptflow.llm.scripted_server import SAMPLE_ANSWER, Reply, tool
from receiptflow.settings import Settings

NAMES = ["KEDAI SATU", "KEDAI DUA", "KEDAI TIGA", "KEDAI EMPAT", "KEDAI LIMA"]


def receipt_files(folder: Path, count: int) -> list[Path]:
    """PNG receipts of different heights: each one's request is its own."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"receipt{index}.png"
        Image.new("RGB", (600, 1500 + 40 * index), "white").save(path)
        paths.append(path)
    return paths


def image_urls(body: dict[str, Any]) -> str:
    """The images a request sends (a re-ask sends them again, with the answer after)."""
    parts = [
        part
        for message in body["messages"]
        if isinstance(message.get("content"), list)
        for part in message["content"]
    ]
    return " ".join(p["image_url"]["url"] for p in parts if p.get("type") == "image_url")


class Answers:
    """Replies by receipt: receipt n (as ``learn`` was given them) gets NAMES[n] unless a
    test says otherwise (``replies[n]``: a Reply, or a list used one per request)."""

    def __init__(self) -> None:
        self.receipts: dict[str, int] = {}  # the images of a request -> receipt number
        self.replies: dict[int, Reply | list[Reply]] = {}

    def learn(self, settings: Settings, paths: list[Path]) -> None:
        from receiptflow.extractors import get_extractor
        from receiptflow.ingest import load_document

        extractor = get_extractor("openai", settings)
        for n, path in enumerate(paths):
            messages, _ = extractor.messages(load_document(path, settings.ingest))  # type: ignore[attr-defined]
            self.receipts[image_urls({"messages": messages})] = n

    def __call__(self, body: dict[str, Any], index: int) -> Reply:
        n = self.receipts[image_urls(body)]
        given = self.replies.get(n)
        if isinstance(given, list):
            return given.pop(0) if len(given) > 1 else given[0]
        if given is not None:
            return given
        return tool({**SAMPLE_ANSWER, "merchant": {"name": NAMES[n]}})


def submit_files(batches: Batches, paths: list[Path]) -> Any:
    engine = open_engine("openai", batches.settings)
    try:
        return submit(paths, batches, engine)
    finally:
        engine.api.close()


def collect_finished(batches: Batches, **options: Any) -> Any:
    engines = Engines(batches.settings)
    try:
        return collect_all(batches, engines, sleep=lambda _: None, **options)
    finally:
        engines.close()
