"""The ``receiptflow`` command. Each command group lives in its own module with ``register``."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="receiptflow",
    help="Receipt photos, scans and PDFs in; validated line-item JSON out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# One line per command module; each defines register(app).
COMMAND_MODULES = [
    "receiptflow.cli.extract",
    "receiptflow.cli.evaluate",
    "receiptflow.cli.storage",
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
