"""The login throttle of the review app: wrong passwords per (name, client address) and per
client address over all names."""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass, field

from fastapi import Request


@dataclass
class LoginThrottle:
    """Guessing protection: refuses a login after too many wrong passwords within
    ``window_s``, counted per (user name, client address) and per client address over all names.

    Per pair, so someone elsewhere cannot lock a reviewer out by typing wrong passwords for
    their name; per address, so one client cannot try a few passwords on every name
    (spraying). IPv6 clients count per /64, the block one machine usually holds."""

    max_failures: int  # per name from one address
    max_address_failures: int  # per address, all names together
    window_s: float
    _failures: dict[tuple[str, ...], list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def blocked(self, name: str, address: str) -> bool:
        network = client_network(address)
        with self._lock:
            return (
                len(self._recent((network, name))) >= self.max_failures
                or len(self._recent((network,))) >= self.max_address_failures
            )

    def failed(self, name: str, address: str) -> None:
        network = client_network(address)
        with self._lock:
            for old in [key for key in self._failures if not self._recent(key)]:
                del self._failures[old]  # forget what is out of the window
            now = time.monotonic()
            for key in [(network, name), (network,)]:
                self._failures[key] = [*self._recent(key), now]

    def succeeded(self, name: str, address: str) -> None:
        # The address's count stays: logging in to one's own account must not reset spraying.
        with self._lock:
            self._failures.pop((client_network(address), name), None)

    def _recent(self, key: tuple[str, ...]) -> list[float]:
        cutoff = time.monotonic() - self.window_s
        return [moment for moment in self._failures.get(key, []) if moment > cutoff]


def client_network(address: str) -> str:
    """The client's address for throttling: IPv4 as is, IPv6 as its /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP (a test client, a Unix socket): count it as given
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"
