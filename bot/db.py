"""The bot's SQLite file: connections and the versioned schema (PRAGMA user_version).

One file holds the answers, the feedback votes and the ids of events already handled, so several bot
processes on one host can share it.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from .settings import NAMES, ConfigError

VOTES = ("up", "down")  # what the feedback table's CHECK (migration 1) accepts

# Migration n takes the schema from version n-1 to n. Append; never edit a released one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE answers (
            id TEXT PRIMARY KEY,
            created_at REAL NOT NULL,
            team_id TEXT,
            channel_id TEXT,
            thread_ts TEXT,
            asker_id TEXT,
            question TEXT NOT NULL,
            asked TEXT NOT NULL,
            answer TEXT NOT NULL,
            abstained INTEGER NOT NULL,
            citations TEXT NOT NULL
        )""",
        """CREATE TABLE feedback (
            answer_id TEXT NOT NULL REFERENCES answers(id),
            user_id TEXT NOT NULL,
            channel_id TEXT,
            message_ts TEXT,
            vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (answer_id, user_id)
        )""",
        """CREATE TABLE seen_events (
            key TEXT PRIMARY KEY,
            seen_at REAL NOT NULL
        )""",
        "CREATE INDEX seen_events_seen_at ON seen_events (seen_at)",
    ),
    (  # 2: a refusal's "closest passage, not confirmed" (qa.Answer.closest), as JSON citations like ``citations``
        "ALTER TABLE answers ADD COLUMN closest TEXT NOT NULL DEFAULT '[]'",
    ),
    (  # 3: which answerer answered and how sure it was (qa.Answer.answerer, confidence, low_confidence, off_topic);
       # NULL / 0 for rows written before
        "ALTER TABLE answers ADD COLUMN answerer TEXT",
        "ALTER TABLE answers ADD COLUMN confidence REAL",
        "ALTER TABLE answers ADD COLUMN low_confidence INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE answers ADD COLUMN off_topic INTEGER NOT NULL DEFAULT 0",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection in autocommit mode with WAL and a busy timeout (safe across threads and processes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable on crash, no fsync on every commit
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection):
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _version(conn: sqlite3.Connection, name: str) -> int:
    """The file's schema version; ``ConfigError`` (naming the file as ``name``) when a newer citebot wrote it."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise ConfigError(f"{name} has schema version {found}, newer than this citebot's {SCHEMA_VERSION}; "
                          "upgrade citebot or use another file")
    return found


def migrate(path: str | Path) -> int:
    """Bring the file's schema to SCHEMA_VERSION; returns the version found before."""
    conn = None
    try:
        conn = connect(path)
        with transaction(conn):
            found = _version(conn, f"CITEBOT_SLACK_DB {str(path)!r}")
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version}")
        return found
    except sqlite3.DatabaseError as e:
        raise ConfigError(f"CITEBOT_SLACK_DB {str(path)!r} is not a usable SQLite file: {e}") from None
    finally:
        if conn is not None:
            conn.close()


@contextmanager
def read_only(path: str | Path):
    """A connection that cannot write: the file is never created, upgraded or changed (``ConfigError`` when it is
    missing, not the bot's SQLite file, or from a newer citebot). SQLite may add its ``-wal``/``-shm`` companion
    files beside it, as the bot's own connections do."""
    path = Path(path)
    name = f"{NAMES['feedback_db']} {str(path)!r}"
    if not path.exists():
        raise ConfigError(f"{name} does not exist (the Slack bot creates it on its first answer)")
    if not path.is_file():
        raise ConfigError(f"{name} is not a file")
    if path.stat().st_size == 0:
        raise ConfigError(f"{name} is empty, not the Slack bot's file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    except sqlite3.Error as e:
        raise ConfigError(f"{name} cannot be opened: {e}") from None
    try:
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            found = _version(conn, name)
        except sqlite3.DatabaseError as e:
            raise ConfigError(f"{name} is not a usable SQLite file: {e}") from None
        if found < 1:
            raise ConfigError(f"{name} is a SQLite file but not the Slack bot's (schema version 0)")
        yield conn
    finally:
        conn.close()


@contextmanager
def opened(path: str | Path):
    conn = connect(path)
    try:
        yield conn
    finally:
        conn.close()
