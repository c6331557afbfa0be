"""The database dropped under a running watcher: files wait in the inbox (none is quarantined
for it) and the tables are made again once a database is there; on SQLite and PostgreSQL."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from faults_support import child_env, kill_group, start_cli, wait_for
from flows_support import plain_watcher, watching, write_receipt
from sqlalchemy import create_engine, inspect, text
from storage_support import PG_SERVER, create_pg_database, drop_pg_database

from receiptflow.flows.core import Outcome
from receiptflow.settings import Settings
from receiptflow.storage import Store
from receiptflow.storage.models import Base

pytestmark = pytest.mark.timeout(120)


def _drop_every_table(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def _create(url: str) -> None:
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"'))
    admin.dispose()


def _processed(inbox: Path) -> list[str]:
    return sorted(path.name for path in (inbox / "processed").rglob("*.png"))


def _run_through_an_outage(
    settings: Settings, tmp_path: Path, break_it: Callable[[], None], mend_it: Callable[[], None]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_receipt(inbox, "before.png", 1)
    watcher = plain_watcher(inbox, settings)
    with watching(watcher):
        assert wait_for(lambda: _processed(inbox) == ["before.png"], 30)
        break_it()
        for seed in range(2, 6):
            write_receipt(inbox, f"during{seed}.png", seed)
        time.sleep(3.0)  # ~10 attempts each at 0.2 s doubling: long enough to give up on them
        mend_it()
        assert wait_for(lambda: len(_processed(inbox)) == 5, 60), watcher.outcomes
    assert not (inbox / "quarantine").exists(), "nothing is quarantined for the database"
    assert not [o for o in watcher.outcomes if o.outcome is Outcome.QUARANTINED]
    waited = [o for o in watcher.outcomes if o.outcome is Outcome.FAILED]
    assert waited and {o.code for o in waited} <= {"transient", "database"}
    with Store(settings.resolved_database_url, settings.archive_dir) as store:
        assert store.count_receipts() == 4  # tables made again; the dropped one is gone


def test_sqlite_tables_dropped_under_the_watcher(fake_settings: Settings, tmp_path: Path) -> None:
    url = fake_settings.resolved_database_url
    _run_through_an_outage(fake_settings, tmp_path, lambda: _drop_every_table(url), lambda: None)


@pytest.mark.postgres
def test_postgres_tables_dropped_under_the_watcher(fake_settings: Settings, tmp_path: Path) -> None:
    url = create_pg_database("receiptflow_faults")
    fake_settings.database_url = url
    try:
        _run_through_an_outage(
            fake_settings, tmp_path, lambda: _drop_every_table(url), lambda: None
        )
    finally:
        drop_pg_database(url)


@pytest.mark.postgres
def test_postgres_database_recreated_empty_under_the_watcher(
    fake_settings: Settings, tmp_path: Path
) -> None:
    url = create_pg_database("receiptflow_faults")
    fake_settings.database_url = url

    try:
        _run_through_an_outage(
            fake_settings, tmp_path, lambda: drop_pg_database(url), lambda: _create(url)
        )
        assert "receipts" in inspect(create_engine(url)).get_table_names()
    finally:
        drop_pg_database(url)


@pytest.mark.postgres
@pytest.mark.prefect
def test_the_watch_command_outlives_its_database_being_recreated(tmp_path: Path) -> None:
    """The reported case, through the real command and Prefect: the PostgreSQL database
    dropped and created again empty while ``receiptflow watch`` runs."""
    url = create_pg_database("receiptflow_faults")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_receipt(inbox, "before.png", 1)
    env = child_env(tmp_path, RECEIPTFLOW_DATABASE_URL=url)
    log = tmp_path / "watch.log"
    process = start_cli(["watch", str(inbox)], env, log)
    try:
        assert wait_for(lambda: _processed(inbox) == ["before.png"], 120), log.read_text()
        drop_pg_database(url)
        for seed in range(2, 5):
            write_receipt(inbox, f"during{seed}.png", seed)
        time.sleep(3.0)
        _create(url)  # empty: no tables, no alembic_version
        assert wait_for(lambda: len(_processed(inbox)) == 4, 120), log.read_text()[-4000:]
        assert not (inbox / "quarantine").exists(), log.read_text()[-4000:]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        with Store(url, tmp_path / "home" / "archive") as store:
            assert store.count_receipts() == 3
    finally:
        kill_group(process, tmp_path / "prefect")
        drop_pg_database(url)
