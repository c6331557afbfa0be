"""A submit or collect killed at each point where the remote and the local record can
disagree, then run again: nothing is submitted twice and nothing is lost or stored twice.
The killed run is a real process (``crashing.py``) that dies without any cleanup."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from batches_support import NAMES, Answers, collect_finished, receipt_files, submit_files

from receiptflow.batches import Batches
from receiptflow.llm.scripted_server import ScriptedServer

pytestmark = [pytest.mark.llm, pytest.mark.slow]

CRASHING = Path(__file__).with_name("crashing.py")


def _killed_run(point: str, batches: Batches, server: ScriptedServer, paths: list[Path]) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECEIPTFLOW_"))}
    env = {
        **clean,
        "RECEIPTFLOW_HOME": str(batches.settings.home),
        "RECEIPTFLOW_TRUST__ENABLED": "false",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": server.url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    done = subprocess.run(
        [sys.executable, str(CRASHING), point, *map(str, paths)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 9, done.stderr[-3000:]


@pytest.mark.parametrize(
    ("point", "next_run"),
    [("after-upload", "submit"), ("after-create", "submit"), ("after-create", "collect")],
)
def test_a_submit_killed_before_recording_is_finished_not_repeated(
    point: str,
    next_run: str,
    batches_factory: Callable[..., Batches],
    server: ScriptedServer,
    answers: Answers,
    tmp_path: Path,
) -> None:
    batches = batches_factory()
    paths = receipt_files(tmp_path / "in", 3)
    answers.learn(batches.settings, paths)
    _killed_run(point, batches, server, paths)
    (left,) = batches.ledger.list(open_only=True)
    assert left.state == ("preparing" if point == "after-upload" else "uploaded")

    if next_run == "submit":
        again = submit_files(batches, paths)  # the next run: same files given again
        assert set(again.waiting) == set(paths)  # already in the resumed batch, not sent twice
        (resumed,) = again.batches
    else:  # a scheduled run with no new file only collects: it finishes the submission too
        collect_finished(batches)
        (resumed,) = batches.ledger.list()
    assert resumed.state == ("submitted" if next_run == "submit" else "collected")
    assert resumed.id == left.id
    uploads = [f for f in server.batch_api.files.values() if f.purpose == "batch"]
    assert len(uploads) == 1 and len(server.batch_api.batches) == 1
    assert resumed.api_id in server.batch_api.batches

    collect_finished(batches)
    for n, item in enumerate(resumed.items):  # items in the order the files were given
        document = batches.store.get_document_by_sha256(item.custom_id)
        assert document is not None and len(batches.store.runs(document.id)) == 1
        receipt = batches.store.get_receipt_for_document(document.id)
        assert receipt is not None and receipt.receipt.merchant.name == NAMES[n]


@pytest.mark.parametrize("point", ["in-store", "after-store"])
def test_a_collect_killed_while_storing_stores_the_rest_once(
    point: str,
    batches_factory: Callable[..., Batches],
    server: ScriptedServer,
    answers: Answers,
    tmp_path: Path,
) -> None:
    batches = batches_factory()
    paths = receipt_files(tmp_path / "in", 3)
    answers.learn(batches.settings, paths)
    (batch,) = submit_files(batches, paths).batches
    _killed_run(point, batches, server, [])
    stored: dict[str, Any] = {
        i.custom_id: i.state for i in batches.ledger.get(batch.api_id or "").items
    }
    assert list(stored.values()).count("stored") == (1 if point == "in-store" else 2)

    (collected,) = collect_finished(batches)
    assert len(collected.results) == (2 if point == "in-store" else 1)
    assert collected.batch.state == "collected"
    for item in collected.batch.items:
        assert item.state == "stored"
        assert len(batches.store.runs(item.document_id)) == 1  # never twice
    assert collect_finished(batches) == []
    assert not server.requests  # the answers came from the batch, downloaded again
