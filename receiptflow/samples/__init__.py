"""Synthetic receipts with known truth, for tests, demos and benchmarks (Pillow only)."""

from receiptflow.samples.generator import (
    STANDARD_SAMPLES,
    GeneratedSample,
    SampleSpec,
    generate_sample,
    generate_set,
    random_specs,
)

__all__ = [
    "STANDARD_SAMPLES",
    "GeneratedSample",
    "SampleSpec",
    "generate_sample",
    "generate_set",
    "random_specs",
]
