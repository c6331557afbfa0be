"""One temporary Prefect server per long-running process, started once and never orphaned.

Without ``PREFECT_API_URL`` Prefect starts a temporary server on first use. Two threads using
Prefect at once (the watcher's workers) could each start one, and the one Prefect lost track
of stayed behind after Ctrl-C and after every kill -9 (~256 MB each). Here the server is
started once, before any worker, in Prefect's own registry of temporary servers (so Prefect
finds it instead of starting another), and the child is told to end with its parent
(PR_SET_PDEATHSIG on Linux): even kill -9 of the watcher leaves nothing behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_PR_SET_PDEATHSIG = 1


def _end_with_parent_hook() -> Callable[[], None] | None:
    """What the child runs between fork and exec; libc is found here, in the parent
    (find_library runs programs, which a forked child of a threaded process must not)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl

    def end_with_parent() -> None:  # pragma: no cover - runs in the child
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return end_with_parent


@contextmanager
def one_prefect_server() -> Iterator[str | None]:
    """Start the temporary server now and yield its API URL (None when ``PREFECT_API_URL``
    names a server). It stops when the process exits, however it exits."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        yield None
        return

    class _ChildServer(SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            # Prefect's command, plus: die with this process (Linux; elsewhere atexit only).
            real_popen: Any = subprocess.Popen
            hook = _end_with_parent_hook()

            def popen(*args: Any, **kwargs: Any) -> Any:
                return real_popen(*args, preexec_fn=hook, **kwargs)

            # Only the main thread starts processes now: no worker has been started yet.
            setattr(subprocess, "Popen", popen)  # noqa: B010
            try:
                return super()._run_uvicorn_command()
            finally:
                setattr(subprocess, "Popen", real_popen)  # noqa: B010

    # Registered under Prefect's key for "the temporary server": get_client() finds it.
    server = _ChildServer()
    server.start()  # registers server.stop with atexit
    # Stopped at exit, not when the block ends: Prefect's log and event workers drain at
    # interpreter exit first, and would wait on retries against a server already gone.
    yield server.api_url
