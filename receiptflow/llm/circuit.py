"""A circuit breaker per LLM endpoint: when it keeps failing, stop calling it for a while.

After ``threshold`` transport failures in a row (each already past the SDK's own retries),
the remaining documents fail at once with the reason instead of each waiting out its own
timeouts and retries; after ``cooldown_s`` one request is let through again (half-open), and
any answer from the server closes the circuit. A failed result here is ``retryable``: the
flows and the watcher try those files again later.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class CircuitBreaker:
    threshold: int  # consecutive transport failures that open it; 0: never opens
    cooldown_s: float
    failures: int = 0
    last_error: str | None = None
    opened_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def refusal(self) -> str | None:
        """Why not to call the endpoint now, or None to go ahead."""
        with self._lock:
            if self.opened_at is None:
                return None
            waited = time.monotonic() - self.opened_at
            if waited >= self.cooldown_s:
                self.opened_at = time.monotonic()  # one probe per cooldown (half-open)
                return None
            return (
                f"not called: the endpoint failed {self.failures} times in a row "
                f"(last: {self.last_error}); next try in {self.cooldown_s - waited:.0f} s"
            )

    def failed(self, message: str) -> None:
        with self._lock:
            self.failures += 1
            self.last_error = message
            if self.threshold > 0 and self.failures >= self.threshold:
                self.opened_at = time.monotonic()

    def answered(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None
