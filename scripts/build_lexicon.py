#!/usr/bin/env python3
"""Build the word list the local extractor mends merchant names and addresses against.

    python scripts/build_lexicon.py ../shared/datasets/sroie-dev \
        > receiptflow/extractors/local/data/header_words.txt

Counts, over the distinct company and address labels of a SROIE-layout folder (entities/*.json),
each word of letters (3 or more), and writes "WORD count" lines, most common first.
``--exclude-images`` leaves out the receipts that have a scan in img/, so the word list can be
tried on those scans without having seen their labels (the held-out figure in the README).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

FIELDS = ("company", "address")


def count_words(directory: Path, *, exclude_images: bool) -> Counter[str]:
    scanned = {path.stem for path in (directory / "img").glob("*.jpg")} if exclude_images else set()
    labels: set[str] = set()
    for path in sorted((directory / "entities").glob("*.json")):
        if path.stem in scanned:
            continue
        entity = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        labels.update(str(entity[name]).upper() for name in FIELDS if entity.get(name))
    counts: Counter[str] = Counter()
    for label in labels:
        counts.update(set(re.findall(r"[A-Z]{3,}", label)))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--exclude-images", action="store_true")
    parser.add_argument(
        "--currencies", nargs="*", default=["MYR"], help="receipts the list is for (MYR)"
    )
    args = parser.parse_args()
    counts = count_words(args.directory, exclude_images=args.exclude_images)
    sys.stdout.write(f"# built by scripts/build_lexicon.py from {args.directory.name} labels\n")
    sys.stdout.write(f"# currencies: {' '.join(args.currencies)}\n")
    for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        sys.stdout.write(f"{word} {count}\n")


if __name__ == "__main__":
    main()
