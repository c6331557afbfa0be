"""Synthetic receipts with known truth, for tests, demos and benchmarks (Pillow only)."""

from receiptflow.samples.generator import (
    STANDARD_SAMPLES,
    GeneratedSample,
    SampleSpec,
    generate_sample,
    generate_set,
)
from receiptflow.samples.mix import generate_many, random_specs

__all__ = [
    "STANDARD_SAMPLES",
    "GeneratedSample",
    "SampleSpec",
    "generate_many",
    "generate_sample",
    "generate_set",
    "random_specs",
]
