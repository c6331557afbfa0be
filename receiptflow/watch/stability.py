"""A file is taken only once it has stopped changing: same size and mtime for N seconds.

Copies over SMB, browser downloads and scanners write a file in pieces; an event says a file
appeared, not that it is finished (paperless-ngx's FileStabilityTracker does the same).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    unchanged_since: float


class StabilityTracker:
    def __init__(
        self, stable_seconds: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stable_seconds = stable_seconds
        self._clock = clock
        self._seen: dict[Path, _Seen] = {}

    def __contains__(self, path: object) -> bool:
        return path in self._seen

    def __len__(self) -> int:
        return len(self._seen)

    def observe(self, path: Path, size: int, mtime_ns: int) -> None:
        """Note the file's current size and mtime; any change restarts its quiet period."""
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (size, mtime_ns):
            self._seen[path] = _Seen(size, mtime_ns, self._clock())

    def check(self, path: Path) -> bool:
        """Stat the file, note it, and say whether it is stable. A vanished file is forgotten."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            self.forget(path)
            return False
        except OSError:  # a symlink loop: the link itself settles, and is then refused
            try:
                stat = path.lstat()
            except OSError:
                self.forget(path)
                return False
        self.observe(path, stat.st_size, stat.st_mtime_ns)
        return self.is_stable(path)

    def is_stable(self, path: Path) -> bool:
        seen = self._seen.get(path)
        if seen is None:
            return False
        return self._clock() - seen.unchanged_since >= self.stable_seconds

    def stable(self, paths: Iterable[Path]) -> list[Path]:
        return [path for path in paths if self.check(path)]

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    def tracked(self) -> list[Path]:
        return list(self._seen)
