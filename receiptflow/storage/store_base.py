"""``StoreBase``: how ``Store`` talks to the database, apart from what it stores.

One engine per store, the schema migrated on first use, read-only and read-write
transactions, and retrying a write that lost a race with another process. Kept out of
``service`` so that module reads as the storage API itself (documents, receipts, review,
reports, users).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Self, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from receiptflow.storage import db

_RETRIES = 5
# Ids are INTEGER columns: 32 bits on PostgreSQL, 64 on SQLite. A larger number is no row,
# and passing it would be a database error (or Python's OverflowError on SQLite).
MAX_ID = 2**31 - 1
_T = TypeVar("_T")


def fits_id(row_id: int) -> bool:
    """Whether ``row_id`` can name a row at all (callers answer "not found" otherwise)."""
    return 0 < row_id <= MAX_ID


class StoreBase:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.engine = db.make_engine(database_url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(db.reader(self.engine), expire_on_commit=False)
        self._migrated = False

    def migrate(self) -> None:
        db.upgrade(self.engine)
        self._migrated = True

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _session(self, *, read_only: bool = False) -> Iterator[Session]:
        if not self._migrated:
            self.migrate()
        with (self._read_sessions if read_only else self._sessions).begin() as session:
            yield session

    def read_session(self) -> AbstractContextManager[Session]:
        """A read-only transaction for queries beyond this API (the review queue). Rows read
        here are live ORM objects: turn them into records before the block ends."""
        return self._session(read_only=True)

    def _retrying(self, work: Callable[[Session], _T]) -> _T:
        """Run ``work`` in a transaction, again when a concurrent writer won a unique race."""
        for attempt in range(_RETRIES):
            try:
                with self._session() as session:
                    return work(session)
            except (IntegrityError, OperationalError):
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")
