"""``receiptflow extract`` starts light: it never imports the server, database, flow or
plotting stacks, nor the PDF stack for an image (each costs start-up time on every run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

# Top-level packages the one-off extraction of a photo has no use for.
NOT_FOR_EXTRACT = {
    "prefect",
    "dask",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "uvicorn",
    "matplotlib",
    "sklearn",
    "openai",
    "instructor",
    "pypdf",
    "pdf2image",
}
# Runs the real command in a fresh interpreter, then lists what it imported on stderr.
_PROBE = """
import runpy, sys
sys.argv = ["receiptflow", "extract", sys.argv[1]]
try:
    runpy.run_module("receiptflow", run_name="__main__", alter_sys=True)
except SystemExit as done:
    assert not done.code, done.code
print("IMPORTED", *sorted({name.split(".")[0] for name in sys.modules}), file=sys.stderr)
"""


@pytest.mark.slow
@pytest.mark.ocr
def test_extracting_a_photo_imports_only_what_it_needs(tmp_path: Path) -> None:
    photo = tmp_path / "blank.png"
    Image.new("RGB", (160, 120), "white").save(photo)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(photo)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imported = set(done.stderr.rsplit("IMPORTED", 1)[1].split())
    assert "onnxruntime" in imported and "receiptflow" in imported  # the probe saw the run
    assert imported & NOT_FOR_EXTRACT == set()
