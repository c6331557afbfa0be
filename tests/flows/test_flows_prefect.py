"""The Prefect flows in the test harness: one document, a batch, caching by content,
retries, the shared LLM limit, Dask, and the deployments."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from flows_support import CORRUPT, FakeExtractor, LlmFakeExtractor, write_receipt

import receiptflow.ingest
from receiptflow.flows.core import Outcome, file_sha256
from receiptflow.flows.steps import forget_resources, store_for
from receiptflow.settings import Settings

pytestmark = pytest.mark.prefect
ROOT = Path(__file__).resolve().parents[2]


def _receipts(folder: Path, count: int, *, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_receipt(folder, f"r{seed:03}.png", seed, flagged=seed % 4 == 3)
        for seed in range(start, start + count)
    ]


def test_process_document_routes_one_file(
    prefect_server: None, settings: Settings, tmp_path: Path
) -> None:
    from receiptflow.flows.documents import process_document
    from receiptflow.flows.routing import Destinations

    destinations = Destinations(tmp_path / "done", tmp_path / "bad")
    path = write_receipt(tmp_path, "one.png", 1)
    outcome = process_document(str(path), settings=settings, destinations=destinations)
    assert outcome.outcome is Outcome.APPROVED
    assert outcome.destination is not None and outcome.destination.name == "one.png"
    assert not path.exists()


def test_the_inbox_flow_never_takes_back_what_it_already_routed(
    prefect_server: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from receiptflow.flows.serve import process_inbox

    # The served flow builds its settings from the environment, as a deployment run does.
    monkeypatch.setenv("RECEIPTFLOW_HOME", str(settings.home))
    monkeypatch.setenv("RECEIPTFLOW_EXTRACTOR", settings.extractor)

    inbox = tmp_path / "inbox"
    _receipts(inbox, 2, start=3100)  # seeds (bytes) no other test uses
    (inbox / "broken.jpg").write_bytes(CORRUPT)
    first = process_inbox(str(inbox))
    assert first.counts["approved"] + first.counts["flagged"] == 2
    assert first.counts["quarantined"] == 1
    routed = sorted(p.relative_to(inbox) for p in inbox.rglob("*") if p.is_file())
    second = process_inbox(str(inbox))  # the next scheduled run: nothing new is waiting
    assert sum(second.counts.values()) == 0
    assert sorted(p.relative_to(inbox) for p in inbox.rglob("*") if p.is_file()) == routed


def test_batch_counts_caches_by_content_and_writes_an_artifact(
    prefect_server: None, settings: Settings, tmp_path: Path
) -> None:
    from prefect.artifacts import Artifact

    from receiptflow.flows.batch import ARTIFACT_KEY, run_batch

    files = _receipts(tmp_path / "in", 12, start=1000)  # seeds (bytes) no other test uses
    (tmp_path / "in" / "broken.jpg").write_bytes(CORRUPT)
    summary = run_batch([str(tmp_path / "in")], settings, concurrency=3, progress=False)
    assert summary.counts == {
        "approved": 9,
        "flagged": 3,
        "duplicate": 0,
        "quarantined": 1,
        "failed": 0,
    }
    assert sum(FakeExtractor.calls.values()) == 12
    artifact = Artifact.get(ARTIFACT_KEY)
    assert artifact is not None and "quarantined" in str(artifact.data)

    # Same bytes, new names, a new database: the extractions come from Prefect's cache.
    copies = tmp_path / "copies"
    copies.mkdir()
    for path in files:
        shutil.copy(path, copies / f"renamed-{path.name}")
    fresh = settings.model_copy(update={"home": tmp_path / "other-home"})
    forget_resources()
    again = run_batch([str(copies / "*.png")], fresh, progress=False)
    assert again.counts["approved"] + again.counts["flagged"] == 12
    assert sum(FakeExtractor.calls.values()) == 12, "unchanged files are not extracted again"
    assert store_for(fresh).count_receipts() == 12


def test_transient_failures_retry_and_bad_input_does_not(
    prefect_server: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from receiptflow.flows.batch import run_batch

    (tmp_path / "in").mkdir()
    flaky = write_receipt(tmp_path / "in", "flaky.png", 2000)
    broken = tmp_path / "in" / "broken.jpg"
    broken.write_bytes(CORRUPT)
    FakeExtractor.failures_left[file_sha256(flaky)] = 2  # within the 3 retries
    loads: list[Path] = []
    real_load = receiptflow.ingest.load_document

    def counting_load(path: Path, options: Any) -> Any:
        loads.append(Path(path))
        return real_load(path, options)

    monkeypatch.setattr(receiptflow.ingest, "load_document", counting_load)
    summary = run_batch([str(tmp_path / "in")], settings, progress=False)
    outcomes = {o.path.name: o for o in summary.outcomes}
    assert outcomes["flaky.png"].outcome is Outcome.APPROVED
    assert FakeExtractor.calls[file_sha256(flaky)] == 3
    assert outcomes["broken.jpg"].outcome is Outcome.QUARANTINED
    assert loads.count(broken) == 1, "a permanent failure is not retried"


def test_llm_calls_share_one_prefect_concurrency_limit(
    prefect_server: None, settings: Settings, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client

    from receiptflow.flows.batch import run_batch

    settings.extractor = "fake-llm"
    settings.flows.llm_limit_name = "receiptflow-llm-test"
    settings.flows.llm_limit = 2
    _receipts(tmp_path / "in", 8, start=3000)
    summary = run_batch([str(tmp_path / "in")], settings, concurrency=6, progress=False)
    assert summary.counts["approved"] + summary.counts["flagged"] == 8
    assert 1 <= LlmFakeExtractor.most_in_flight <= 2
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("receiptflow-llm-test")
    assert limit.limit == 2 and limit.active_slots == 0


@pytest.mark.slow
def test_the_batch_runs_on_a_local_dask_cluster(
    prefect_server: None, settings: Settings, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    from receiptflow.flows.batch import run_batch

    _receipts(tmp_path / "in", 6, start=4000)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        settings.flows.dask_address = cluster.scheduler_address
        summary = run_batch([str(tmp_path / "in")], settings, progress=False)
    assert FakeExtractor.threads and all(
        "Dask-Default-Threads" in name for name in FakeExtractor.threads
    ), FakeExtractor.threads
    assert summary.counts["approved"] + summary.counts["flagged"] == 6
    assert sum(FakeExtractor.calls.values()) == 6
    assert store_for(settings).count_receipts() == 6


def test_serve_refuses_a_bad_cron_schedule_without_a_traceback(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from receiptflow.cli.main import app

    result = CliRunner().invoke(app, ["serve", "--inbox", str(tmp_path), "--cron", "bogus"])
    assert result.exit_code == 2, result.output
    assert "not a cron schedule" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", ["batch", "watch"])
def test_an_unknown_extractor_is_refused_before_any_file_moves(
    command: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from receiptflow.cli.main import app

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    receipt = write_receipt(inbox, "r.png", 7)
    moves = ["--processed", str(tmp_path / "done"), "--quarantine", str(tmp_path / "bad")]
    args = [command, str(inbox), "-e", "bogus", *(moves if command == "batch" else [])]
    result = CliRunner().invoke(app, args, env={"RECEIPTFLOW_HOME": str(tmp_path / "home")})
    assert result.exit_code == 2, result.output
    assert "'bogus'" in result.output and "--extractor" in result.output
    assert receipt.exists() and not (tmp_path / "bad").exists()


def test_the_inbox_deployment_has_the_cron_schedule(tmp_path: Path) -> None:
    from receiptflow.flows.serve import inbox_deployment

    deployment = inbox_deployment(tmp_path, "0 2 * * *", concurrency=2)
    assert [schedule.schedule.cron for schedule in deployment.schedules] == ["0 2 * * *"]
    assert deployment.parameters["inbox"] == str(tmp_path.resolve())
    assert deployment.entrypoint.endswith("receiptflow/flows/serve.py:process_inbox")


def test_prefect_yaml_entrypoints_are_flows() -> None:
    from prefect.flows import load_flow_from_entrypoint

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    names = set()
    for deployment in config["deployments"]:
        loaded = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
        names.add(loaded.name)
        assert deployment["work_pool"]["name"] == "receiptflow"
    assert names == {"process-inbox", "process-batch", "process-document"}
