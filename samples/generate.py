"""Regenerate the committed samples in this folder: ``python samples/generate.py``.

The receipts come from ``receiptflow.samples`` (the same code behind
``receiptflow samples generate``); tests check that the files here still match it.
"""

from __future__ import annotations

from pathlib import Path

from receiptflow.samples import STANDARD_SAMPLES, generate_set

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for sample in generate_set(here, STANDARD_SAMPLES):
        print(sample.document.relative_to(here.parent))
