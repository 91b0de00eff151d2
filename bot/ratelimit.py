"""Per-user rate limit: at most ``limit`` questions in any sliding ``window`` seconds (per process)."""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the user may ask again

    def message(self) -> str:
        wait = max(1, math.ceil(self.retry_after))
        return (f"You're asking faster than I can read :sweat_smile: — please wait {wait} second"
                f"{'s' if wait != 1 else ''} and ask again.")


class RateLimiter:
    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        if limit < 0 or window <= 0:
            raise ValueError("limit must be >= 0 and window > 0")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> RateDecision:
        """Count one question for ``key`` if allowed; a refused question is not counted."""
        if self.limit == 0:
            return RateDecision(True)
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return RateDecision(False, hits[0] + self.window - now)
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            return RateDecision(True)

    def _forget_idle(self, now: float) -> None:
        for k in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[k]
