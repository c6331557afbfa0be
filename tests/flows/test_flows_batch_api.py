"""The inbox flow with ``batch_api=True`` (``serve --batch-api``): each run submits the new
files to the Batch API of a scripted server and collects the batches that have finished."""

from __future__ import annotations

from pathlib import Path

import pytest
from flows_support import write_receipt

from receiptflow.llm.scripted_server import SAMPLE_ANSWER, ScriptedServer, tool
from receiptflow.settings import Settings

pytestmark = [pytest.mark.prefect, pytest.mark.llm]


def test_each_run_submits_what_is_new_and_collects_what_has_finished(
    prefect_server: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from receiptflow.flows.batch_api import BatchApiRun
    from receiptflow.flows.serve import process_inbox
    from receiptflow.storage.service import Store

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in (4100, 4101):
        write_receipt(inbox, f"r{seed}.png", seed)
    (inbox / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    with ScriptedServer([tool(SAMPLE_ANSWER)]) as server:
        server.batch_api.polls = 1  # still running when the first run looks
        for name, value in {
            "RECEIPTFLOW_HOME": str(tmp_path / "home"),
            "RECEIPTFLOW_EXTRACTOR": "openai",
            "OPENAI_API_KEY": "sk-test",
            "OPENAI_BASE_URL": server.url,
        }.items():
            monkeypatch.setenv(name, value)

        first = process_inbox(str(inbox), batch_api=True)
        assert isinstance(first, BatchApiRun)
        assert (first.documents, len(first.submitted), first.quarantined) == (2, 1, 1)
        assert first.collected == []  # in progress
        assert not list(inbox.glob("*.png"))  # taken: in processed/, the broken one quarantined
        assert len(list((inbox / "processed").rglob("*.png"))) == 2
        assert (inbox / "quarantine" / "broken.jpg.error.json").exists()

        second = process_inbox(str(inbox), batch_api=True)
        assert isinstance(second, BatchApiRun)
        assert second.submitted == [] and len(second.collected) == 1
        assert "stored 2" in second.collected[0]
        assert len(server.batch_api.batches) == 1 and not server.requests

    with Store.from_settings(Settings()) as store:
        assert store.count_receipts() == 2


def test_serve_batch_api_needs_an_llm_extractor(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from receiptflow.cli.main import app

    env = {"RECEIPTFLOW_HOME": str(tmp_path / "home"), "RECEIPTFLOW_EXTRACTOR": "local"}
    args = ["serve", "--inbox", str(tmp_path / "in"), "--cron", "0 2 * * *", "--batch-api"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert "RECEIPTFLOW_EXTRACTOR" in result.output


def test_the_batch_api_deployment_passes_the_switch(tmp_path: Path) -> None:
    from receiptflow.flows.serve import inbox_deployment

    deployment = inbox_deployment(tmp_path, "0 2 * * *", batch_api=True)
    assert deployment.parameters["batch_api"] is True
