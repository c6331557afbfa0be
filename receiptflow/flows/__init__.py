"""Prefect flows: one document, a batch, a served schedule; plus the plain logic they wrap.

Importing this package sets offline-friendly Prefect defaults before Prefect itself is
imported (a user's own environment still wins): no analytics, and more patience for the
local server to start on a busy machine.
"""

from __future__ import annotations

import os

_PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}

for _name, _value in _PREFECT_DEFAULTS.items():
    os.environ.setdefault(_name, _value)
