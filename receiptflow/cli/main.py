"""The ``receiptflow`` command. Each command group lives in its own module with ``register``."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

from receiptflow.errors import ConfigError


class _Receiptflow(typer.Typer):
    """Every command: a wrong setting or an unusable database is one line and exit code 2,
    not a traceback. The command modules raise; this is the one place that reports."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except ConfigError as error:
            _usage_failure(str(error))
        except Exception as error:
            problem = _database_problem(error)
            if problem is None:
                raise
            _usage_failure(problem)


def _usage_failure(message: str) -> None:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)  # one line, whatever it says
    raise SystemExit(2)


def _database_problem(error: Exception) -> str | None:
    """One line for a database that cannot be reached or used, else None (a bug: raise)."""
    database_errors = sys.modules.get("sqlalchemy.exc")  # loaded when a command used one
    if database_errors is None or not isinstance(error, database_errors.OperationalError):
        return None
    from receiptflow.settings import Settings
    from receiptflow.storage.db import shown_url

    reason = str(error.orig or error).strip().splitlines()[0]
    return f"database {shown_url(Settings().resolved_database_url)}: {reason}"


app = _Receiptflow(
    name="receiptflow",
    help="Receipt photos, scans and PDFs in; validated line-item JSON out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# One line per command module; each defines register(app).
COMMAND_MODULES = [
    "receiptflow.cli.extract",
    "receiptflow.cli.batches",
    "receiptflow.cli.evaluate",
    "receiptflow.cli.storage",
    "receiptflow.cli.books",
    "receiptflow.cli.flows",
    "receiptflow.cli.review",
    "receiptflow.cli.samples",
]

for _module_name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_module_name)
    except ModuleNotFoundError as _error:
        if _error.name != _module_name:  # a real missing dependency inside the module: say so
            raise
        continue
    _module.register(app)
