"""``receiptflow`` as a child process with the fake extractor of tests/flows registered
(``RECEIPTFLOW_EXTRACTOR=fake``): no OCR model to load, so each run starts in about a second.

    python tests/faults/fake_cli.py watch INBOX
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))

from receiptflow.cli.main import app  # noqa: E402
from receiptflow.extractors import EXTRACTORS  # noqa: E402

EXTRACTORS["fake"] = "flows_support:build_fake"

if __name__ == "__main__":
    # As in a terminal: a child of a non-interactive shell or of CI may inherit SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    app(prog_name="receiptflow")
