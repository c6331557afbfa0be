"""``receiptflow extract --extractor openai|nemo|cascade`` as a user runs it: the installed
command in a subprocess, configured only through the environment, against a scripted
OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from receiptflow.llm.scripted_server import ScriptedServer, tool

pytestmark = [pytest.mark.llm, pytest.mark.slow]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
COMMAND = str(Path(sys.executable).with_name("receiptflow"))


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    truth = json.loads((SAMPLES / "us_restaurant_digital.expected.json").read_text())
    with ScriptedServer([tool(truth)]) as running:
        yield running


def _run(sample: str, extractor: str, env: dict[str, str]) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECEIPTFLOW_"))}
    done = subprocess.run(
        [COMMAND, "extract", str(SAMPLES / sample), "--extractor", extractor],
        env={**clean, "RECEIPTFLOW_HOME": str(Path.cwd() / ".none"), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_openai_from_the_sdk_environment_variables(server: ScriptedServer) -> None:
    out = _run(
        "us_diner.png", "openai", {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.url}
    )
    assert out["extractor"] == "openai" and out["receipt"]["total"] == "98.38"
    # a lone photo: no text to find the values in, no local reading, no logprobs; the sums
    # back the total (0.94 against the LLM threshold 0.9), nothing backs the date (0.80), so
    # it goes to review
    assert out["status"] == "flagged"
    assert [(f["code"], f["field"]) for f in out["flags"]] == [("low_confidence", "date")]
    (request,) = server.requests
    assert request["model"] == "gpt-4o-mini"
    assert out["usage"]["prompt_tokens"] == server.billed[0][0]


def test_nemo_from_receiptflow_settings(server: ScriptedServer) -> None:
    env = {"RECEIPTFLOW_NEMO__BASE_URL": server.url, "RECEIPTFLOW_NEMO__MODEL": "nemo-test"}
    out = _run("us_restaurant_digital.pdf", "nemo", env)
    assert out["extractor"] == "nemo" and out["model"] == "nemo-test"
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "SUBTOTAL" in prompt and "78.55" in prompt  # the PDF's text layer, laid out


def test_cascade_records_its_path(server: ScriptedServer) -> None:
    env = {"RECEIPTFLOW_NEMO__BASE_URL": server.url, "RECEIPTFLOW_CASCADE__USE_OPENAI": "false"}
    out = _run("us_restaurant_digital.pdf", "cascade", env)
    assert out["extractor"] in {"cascade:local", "cascade:nemo"}
    assert (out["extractor"] == "cascade:nemo") == bool(server.requests)
