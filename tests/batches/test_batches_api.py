"""``receiptflow.batches`` against a scripted server that speaks the Batch API, through the
real openai SDK and Instructor: the request lines, the split, the answers mapped back by
custom_id from shuffled files, re-asks, and the cost at the batch price."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from batches_support import NAMES, Answers, collect_finished, receipt_files, submit_files

from receiptflow.batches import Batches, open_engine
from receiptflow.batches.submit import submit
from receiptflow.errors import ConfigError
from receiptflow.extractors import get_extractor
from receiptflow.ingest import load_document
from receiptflow.llm.scripted_server import SAMPLE_ANSWER, ScriptedServer, error, tool
from receiptflow.settings import Settings

pytestmark = pytest.mark.llm

BatchesFactory = Callable[..., Batches]


def _mini(prompt: int, completion: int) -> Decimal:
    return (prompt * Decimal("0.15") + completion * Decimal("0.60")) / Decimal(1_000_000)


def _input_lines(server: ScriptedServer, file_id: str) -> list[dict[str, Any]]:
    content = server.batch_api.files[file_id].content
    return [json.loads(line) for line in content.splitlines()]


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_submit_then_collect_stores_each_answer_with_its_document_at_half_price(
    database: str,
    request: pytest.FixtureRequest,
    batches_factory: BatchesFactory,
    server: ScriptedServer,
    answers: Answers,
    tmp_path: Path,
) -> None:
    url = request.getfixturevalue("postgres_url") if database == "postgresql" else None
    batches = batches_factory(url)
    paths = receipt_files(tmp_path / "in", 4)
    answers.learn(batches.settings, paths)
    out = submit_files(batches, paths)

    (batch,) = out.batches
    assert batch.state == "submitted" and batch.api_id in server.batch_api.batches
    remote = server.batch_api.batches[batch.api_id]
    assert (remote.endpoint, remote.completion_window) == ("/v1/chat/completions", "24h")
    assert server.batch_api.files[batch.input_file_id].purpose == "batch"
    lines = _input_lines(server, batch.input_file_id)
    stored = {d.id: d for d in batches.store.list_documents()}
    assert [line["custom_id"] for line in lines] == [stored[out.documents[p]].sha256 for p in paths]
    assert not server.requests  # nothing was asked synchronously

    # the line is exactly the synchronous extractor's request for the same document
    sync = get_extractor("openai", batches.settings)
    sync.extract(load_document(paths[2], batches.settings.ingest))
    assert lines[2]["body"] == server.requests[-1]
    assert lines[2]["body"]["tools"][0]["function"]["name"] == "Receipt"
    server.requests.clear()

    (collected,) = collect_finished(batches)
    assert collected.batch.state == "collected" and collected.batch.api_status == "completed"
    billed = iter(server.batch_api.billed)  # answered in input order; the file is shuffled
    for n, path in enumerate(paths):
        receipt = batches.store.get_receipt_for_document(out.documents[path])
        assert receipt is not None and receipt.receipt.merchant.name == NAMES[n]
        (run,) = batches.store.runs(out.documents[path])
        prompt, completion = next(billed)
        assert (run.prompt_tokens, run.completion_tokens) == (prompt, completion)
        assert run.cost_usd == (_mini(prompt, completion) / 2)
    assert not server.requests
    assert collect_finished(batches) == []  # collected once: nothing left to store


def test_output_comes_back_shuffled_and_is_mapped_by_custom_id(
    batches_factory: BatchesFactory, server: ScriptedServer, answers: Answers, tmp_path: Path
) -> None:
    batches = batches_factory()
    paths = receipt_files(tmp_path / "in", 5)
    answers.learn(batches.settings, paths)
    (batch,) = submit_files(batches, paths).batches
    collect_finished(batches)
    remote = server.batch_api.batches[batch.api_id or ""]
    output = _input_lines(server, remote.output_file_id or "")
    sent = [line["custom_id"] for line in _input_lines(server, batch.input_file_id or "")]
    assert [line["custom_id"] for line in output] != sent  # really out of order
    names = [r.receipt.merchant.name for r in batches.store.list_receipts()]
    assert sorted(names) == sorted(NAMES)


def test_failures_are_reasked_synchronously_and_priced_in_full(
    batches_factory: BatchesFactory, server: ScriptedServer, answers: Answers, tmp_path: Path
) -> None:
    batches = batches_factory()
    paths = receipt_files(tmp_path / "in", 3)
    answers.learn(batches.settings, paths)
    does_not_add_up = tool({**SAMPLE_ANSWER, "total": "9.20", "merchant": {"name": NAMES[1]}})
    answers.replies[1] = [does_not_add_up, tool({**SAMPLE_ANSWER, "merchant": {"name": NAMES[1]}})]
    answers.replies[2] = [error(500), tool({**SAMPLE_ANSWER, "merchant": {"name": NAMES[2]}})]
    out = submit_files(batches, paths)
    (collected,) = collect_finished(batches)

    assert collected.reasked == 2
    remote = server.batch_api.batches[collected.batch.api_id]
    errors = _input_lines(server, remote.error_file_id or "")
    assert [e["response"]["status_code"] for e in errors] == [500]
    # the re-ask carries the batch's answer and the validation error, as Instructor's does
    reask = next(r for r in server.requests if any(m["role"] == "tool" for m in r["messages"]))
    assert "does not add up" in json.dumps(reask["messages"][-1])
    runs = [batches.store.runs(out.documents[p])[0] for p in paths]
    assert [run.status for run in runs] == ["ok", "ok", "ok"]
    assert [run.attempts for run in runs] == [1, 2, 1]
    batch_bill = dict(zip(["first", "invalid"], server.batch_api.billed, strict=False))
    sync_bill = server.billed  # the re-ask of 1, then 2 asked again from the start
    expected_1 = _mini(*batch_bill["invalid"]) / 2 + _mini(*sync_bill[0])
    assert runs[1].cost_usd == expected_1
    assert runs[2].cost_usd == _mini(*sync_bill[1])
    assert runs[1].prompt_tokens == batch_bill["invalid"][0] + sync_bill[0][0]


def test_reasks_are_bounded_and_the_rest_is_stored_as_answered(
    batches_factory: BatchesFactory, server: ScriptedServer, answers: Answers, tmp_path: Path
) -> None:
    batches = batches_factory(max_sync_reasks=0)
    paths = receipt_files(tmp_path / "in", 2)
    answers.learn(batches.settings, paths)
    answers.replies[0] = tool({**SAMPLE_ANSWER, "total": "9.20"})
    answers.replies[1] = error(500)
    out = submit_files(batches, paths)
    (collected,) = collect_finished(batches)
    assert collected.reasked == 0 and not server.requests
    first, second = (batches.store.runs(out.documents[p])[0] for p in paths)
    assert first.status == "flagged"  # the batch's answer, kept with its validation flags
    assert second.status == "failed" and "HTTP 500" in (second.error or "")
    assert "re-ask budget" in (second.error or "")


def test_an_expired_batch_asks_the_unanswered_documents_synchronously(
    batches_factory: BatchesFactory, server: ScriptedServer, answers: Answers, tmp_path: Path
) -> None:
    server.batch_api.expire = 1
    batches = batches_factory()
    paths = receipt_files(tmp_path / "in", 3)
    answers.learn(batches.settings, paths)
    out = submit_files(batches, paths)
    (collected,) = collect_finished(batches)
    assert collected.batch.api_status == "expired" and collected.reasked == 1
    assert len(server.requests) == 1  # only the expired line, asked synchronously
    receipt = batches.store.get_receipt_for_document(out.documents[paths[2]])
    assert receipt is not None and receipt.receipt.merchant.name == NAMES[2]


def test_past_the_limits_the_documents_are_split_into_several_batches(
    batches_factory: BatchesFactory, server: ScriptedServer, answers: Answers, tmp_path: Path
) -> None:
    paths = receipt_files(tmp_path / "in", 6)
    by_count = submit_files(batches_factory(max_requests=2), paths[:3])
    assert [len(b.items) for b in by_count.batches] == [2, 1]
    line_size = len(server.batch_api.files[by_count.batches[1].input_file_id or ""].content)
    by_size = batches_factory(max_file_bytes=int(line_size * 2.5))
    split = submit_files(by_size, paths[3:])
    assert [len(b.items) for b in split.batches] == [2, 1]
    for batch in split.batches:
        size = len(server.batch_api.files[batch.input_file_id or ""].content)
        assert size <= line_size * 2.5
    assert len(server.batch_api.batches) == 2 + len(split.batches)


def test_a_document_waiting_in_an_open_batch_is_not_submitted_again(
    batches_factory: BatchesFactory, server: ScriptedServer, tmp_path: Path
) -> None:
    batches = batches_factory()
    paths = receipt_files(tmp_path / "in", 2)
    first = submit_files(batches, paths)
    again = submit_files(batches, paths)
    assert again.batches == [] and set(again.waiting) == set(paths)
    assert set(again.waiting.values()) == {first.batches[0].api_id}
    assert len(server.batch_api.batches) == 1


def test_an_unreadable_file_is_recorded_failed_and_the_rest_submitted(
    batches_factory: BatchesFactory, server: ScriptedServer, tmp_path: Path
) -> None:
    batches = batches_factory()
    paths = receipt_files(tmp_path / "in", 1)
    broken = tmp_path / "in" / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    out = submit_files(batches, [*paths, broken])
    assert list(out.failed) == [broken] and list(out.documents) == paths
    assert len(out.batches[0].items) == 1
    failed = [d for d in batches.store.list_documents() if d.status == "failed"]
    assert [d.original_name for d in failed] == ["broken.jpg"]


def test_local_has_no_batch_api(batches_factory: BatchesFactory) -> None:
    with pytest.raises(ConfigError, match="openai, nemo"):
        open_engine("local", batches_factory().settings)


def test_nemo_sends_the_text_layer_and_is_collected_the_same_way(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parents[2] / "samples"
    pdf = samples / "us_restaurant_digital.pdf"  # a text layer: no OCR needed
    truth = json.loads(pdf.with_suffix(".expected.json").read_text())
    with ScriptedServer([tool(truth)]) as server:
        server.batch_api.polls = 0
        settings = Settings(
            home=tmp_path / "home",
            nemo={"base_url": server.url, "model": "nemo-test"},
            trust={"enabled": False},
        )
        batches = Batches.open(settings)
        engine = open_engine("nemo", settings)
        (batch,) = submit([pdf], batches, engine).batches
        (line,) = _input_lines(server, batch.input_file_id or "")
        assert line["body"]["model"] == "nemo-test"
        assert "TOTAL" in json.dumps(line["body"]["messages"]).upper()
        (collected,) = collect_finished(batches)
        (result,) = collected.results
        assert result.method == "nemo" and result.receipt is not None
        assert str(result.receipt.total) == truth["total"]
        assert result.usage.cost_usd == 0  # self-hosted: free, at any rate
        batches.store.close()
        engine.api.close()
