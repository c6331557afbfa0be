"""``python -m receiptflow`` is the ``receiptflow`` command."""

from receiptflow.cli.main import app

app(prog_name="receiptflow")
