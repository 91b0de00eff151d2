"""Handle each Slack event once: Slack re-sends an event (X-Slack-Retry-Num, same event_id) when it did not
see a 200 within 3 seconds, and a DM can arrive both as ``message`` and ``app_mention``.

Keys are claimed in the bot's SQLite file with INSERT OR IGNORE, so the claim is atomic across threads and
across bot processes sharing the file.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import db

DEFAULT_TTL = 3600.0  # Slack retries within minutes; keep ids for an hour
PRUNE_EVERY = 200


class EventDeduper:
    def __init__(self, path: str | Path, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.ttl = ttl
        self.clock = clock
        self._claims = itertools.count(1)
        self._lock = threading.Lock()
        db.migrate(self.path)

    def first_time(self, key: str) -> bool:
        """True exactly once per key (within the TTL), for whichever caller claims it first."""
        now = self.clock()
        with self._lock:
            prune = next(self._claims) % PRUNE_EVERY == 0
        with db.opened(self.path) as conn:
            if prune:
                conn.execute("DELETE FROM seen_events WHERE seen_at < ?", (now - self.ttl,))
            conn.execute("DELETE FROM seen_events WHERE key = ? AND seen_at < ?", (key, now - self.ttl))
            cur = conn.execute("INSERT OR IGNORE INTO seen_events (key, seen_at) VALUES (?, ?)", (key, now))
            return cur.rowcount == 1
