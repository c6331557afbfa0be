"""The audit trail of an LLM extraction, as a user gets it: ``receiptflow extract --extractor
openai --save`` (the installed command, configured by the environment, against the scripted
OpenAI-compatible server), then ``receiptflow receipts show``: the prompt version, every
answer (not only the last) with its request id and served model, and the exact cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from receiptflow.llm.audit import prompt_version
from receiptflow.llm.scripted_server import ScriptedServer, tool
from receiptflow.settings import OpenAISettings

pytestmark = [pytest.mark.llm, pytest.mark.slow]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
COMMAND = str(Path(sys.executable).with_name("receiptflow"))
TRUTH: dict[str, Any] = json.loads((SAMPLES / "us_restaurant_digital.expected.json").read_text())
SERVED = "gpt-4o-mini-2024-07-18"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    # the first answer does not add up (re-asked), the second does; the second's prompt was
    # partly served from OpenAI's prompt cache
    script = [
        tool({**TRUTH, "total": "1.00"}, model=SERVED, prompt_tokens=1234, completion_tokens=321),
        tool(TRUTH, model=SERVED, prompt_tokens=1777, cached_tokens=1024, completion_tokens=333),
    ]
    with ScriptedServer(script) as running:
        yield running


def _run(args: list[str], env: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECEIPTFLOW_"))}
    return subprocess.run(
        [COMMAND, *args],
        env={**clean, "RECEIPTFLOW_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_extract_save_keeps_the_whole_llm_audit_and_shows_it(
    server: ScriptedServer, tmp_path: Path
) -> None:
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.url}
    sample = str(SAMPLES / "us_restaurant_digital.pdf")
    done = _run(["extract", sample, "--extractor", "openai", "--save"], env, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(server.requests) == 2  # a re-ask

    shown = _run(["receipts", "show", "1"], env, tmp_path)
    assert shown.returncode == 0, shown.stderr[-3000:]
    (run,) = json.loads(shown.stdout)["runs"]
    assert run["prompt_version"] == prompt_version(OpenAISettings().output_mode)
    assert len(run["prompt_version"]) == 16
    assert run["served_model"] == SERVED
    assert run["request_ids"] == ["req_scripted_1", "req_scripted_2"]
    answers = run["answers"]
    assert [json.loads(a["raw_output"])["total"] for a in answers] == ["1.00", TRUTH["total"]]
    assert [a["request_id"] for a in answers] == run["request_ids"]
    assert [a["cached_tokens"] for a in answers] == [0, 1024]
    # exact: 1,987 fresh input + 1,024 cached + 654 output tokens, to the last digit
    expected = (1987 * Decimal("0.15") + 1024 * Decimal("0.075") + 654 * Decimal("0.60")) / Decimal(
        1_000_000
    )
    assert expected == Decimal("0.00076725")  # 8 decimals: NUMERIC(20, 6) rounded this
    assert Decimal(run["cost_usd"]) == expected
    assert run["cached_tokens"] == 1024
