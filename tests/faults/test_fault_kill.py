"""kill -9 at random points (seeded): of ``extract --save`` and of the watcher, 20 times each.

Afterwards, and after one run left to finish: every file is in exactly one place (processed/,
quarantine/ or, for ``extract``, where it was), each content is stored once and has one
receipt, and the database opens and answers."""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest
from faults_support import child_env, kill_group, start_cli, wait_for
from flows_support import write_receipt
from prefect_cli_support import prefect_server
from sqlalchemy import create_engine, text

TRIALS = int(os.environ.get("RECEIPTFLOW_FAULT_TRIALS", "20"))

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]


def _stored(home: Path) -> tuple[int, int, int]:
    """(documents, distinct contents among them, receipts) in the home's SQLite database."""
    engine = create_engine(f"sqlite:///{home / 'receiptflow.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        documents, distinct = connection.execute(
            text("SELECT count(*), count(DISTINCT sha256) FROM documents")
        ).one()
        receipts = connection.execute(text("SELECT count(*) FROM receipts")).scalar_one()
    engine.dispose()
    return int(documents), int(distinct), int(receipts)


def test_kill_9_of_extract_save_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    chance = random.Random(20261207)
    folder = tmp_path / "receipts"
    folder.mkdir()
    files = [write_receipt(folder, f"r{seed}.png", 300 + seed) for seed in range(4)]
    shutil.copy(files[0], folder / "copy-of-r0.png")  # the same receipt under another name
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    env = child_env(tmp_path)
    log = tmp_path / "extract.log"
    args = ["extract", "--save", "--format", "jsonl", str(folder)]
    started = time.monotonic()
    full = start_cli(args, env, log)
    assert full.wait(timeout=120) == 0, log.read_text()
    seconds = time.monotonic() - started
    for _trial in range(TRIALS):
        process = start_cli(args, env, log)
        time.sleep(chance.uniform(0.0, seconds))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    last = start_cli(args, env, log)
    assert last.wait(timeout=120) == 0, log.read_text()[-3000:]
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert _stored(tmp_path / "home") == (4, 4, 4)


def _places(inbox: Path, name: str) -> list[Path]:
    return [
        path
        for path in inbox.rglob(name)
        if path.parent == inbox or path.is_relative_to(inbox / "processed")
    ] + list((inbox / "quarantine").glob(name))


def test_kill_9_of_the_watcher_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    chance = random.Random(1207)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names: list[str] = []
    with prefect_server(tmp_path) as server_env:
        env = child_env(tmp_path) | {
            "PREFECT_API_URL": server_env["PREFECT_API_URL"],
            "RECEIPTFLOW_WATCH__WORKERS": "2",
        }
        log = tmp_path / "watch.log"
        for trial in range(TRIALS):
            for extra in range(2):
                seed = 1000 + trial * 2 + extra
                names.append(write_receipt(inbox, f"t{trial}-{extra}.png", seed).name)
            if trial % 5 == 4:  # now and then the same receipt again, under a new name
                shutil.copy(inbox / names[-1], inbox / f"again{trial}.png")
                names.append(f"again{trial}.png")
            process = start_cli(["watch", str(inbox)], env, log)
            try:
                time.sleep(chance.uniform(0.5, 4.5))  # start-up, taking, moving, recording
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
            finally:
                kill_group(process)
        last = start_cli(["watch", str(inbox)], env, log)
        try:
            done = wait_for(lambda: not list(inbox.glob("*.png")), 180, 0.2)
            assert done, log.read_text(errors="replace")[-3000:]
            last.send_signal(signal.SIGTERM)
            assert last.wait(timeout=60) == 0
        finally:
            kill_group(last)
    for name in names:
        assert len(_places(inbox, name)) == 1, (name, _places(inbox, name))
    assert not (inbox / "quarantine").exists()
    distinct = len(names) - TRIALS // 5
    assert _stored(tmp_path / "home") == (distinct, distinct, distinct)
