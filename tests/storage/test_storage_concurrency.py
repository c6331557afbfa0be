"""Eight processes hand in the same 50 files at once: 50 documents, no errors, nothing lost."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from storage_support import create_pg_database, drop_pg_database, save_all_worker

from receiptflow.storage import Store
from receiptflow.storage.models import DocumentRow, ExtractionRunRow, ReceiptRow

WORKERS = 8
FILES = 50


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    # A database nobody migrated yet, so the workers also race to create the tables.
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.db'}"
        return
    url = create_pg_database("receiptflow_race")
    yield url
    drop_pg_database(url)


@pytest.mark.slow
def test_eight_processes_save_the_same_files(fresh_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    paths = []
    for index in range(FILES):
        path = inbox / f"{index:02d}.jpg"
        path.write_bytes(b"\xff\xd8\xff" + f"receipt number {index}".encode() * 50)
        paths.append(str(path))
    archive = tmp_path / "archive"

    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    workers = [
        context.Process(
            target=save_all_worker,
            args=(fresh_url, str(archive), paths, seed, ready, go, results),
        )
        for seed in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=120)
    go.set()  # all at once
    outcomes = dict(results.get(timeout=300) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)

    assert {seed: errors for seed, errors in outcomes.items() if errors} == {}
    assert all(worker.exitcode == 0 for worker in workers)
    engine = create_engine(fresh_url)
    with engine.connect() as connection:
        counts = [
            connection.execute(select(func.count()).select_from(model)).scalar()
            for model in (DocumentRow, ReceiptRow, ExtractionRunRow)
        ]
    engine.dispose()
    assert counts == [FILES, FILES, FILES * WORKERS]
    with Store(fresh_url, archive) as store:
        assert {d.original_name for d in store.list_documents()} == {Path(p).name for p in paths}
    archived = sorted(p for p in archive.rglob("*") if p.is_file())
    assert len(archived) == FILES
    assert not [p for p in archived if p.name.startswith(".incoming-")]
