"""Answers the bot gave and the 👍/👎 votes people clicked on them, in the bot's SQLite file."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from qa import Answer, Citation

from . import db

VOTES = db.VOTES


@dataclass(frozen=True)
class Asked:
    """Where and by whom a question was asked; ``asked`` is what went to QA (with thread context)."""

    question: str
    asked: str
    user: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class VoteCounts:
    up: int
    down: int


@dataclass(frozen=True)
class FeedbackRecord:
    """One person's vote on one answer, with what was asked and answered."""

    answer_id: str
    vote: str
    user_id: str
    channel_id: str | None
    message_ts: str | None
    voted_at: float
    question: str
    asked: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    asker_id: str | None
    answered_at: float
    closest: tuple[Citation, ...] = ()  # a refusal's closest passage as shown, not confirmed as an answer
    answerer: str | None = None         # qa.Answer.answerer (None: a row written before schema version 3)
    confidence: float | None = None     # qa.Answer.confidence (None: an LLM answer, or a row from before version 3)
    low_confidence: bool = False        # answered close to the abstention threshold (the "low confidence" note)
    off_topic: bool = False             # refused: nothing in the documents is close to the question


class FeedbackStore:
    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.clock = clock
        db.migrate(self.path)

    def record_answer(self, answer: Answer, asked: Asked) -> str:
        """Store an answer before it is posted; returns the id the feedback buttons carry."""
        answer_id = uuid.uuid4().hex
        citations, closest = (json.dumps([asdict(c) for c in cs], ensure_ascii=False)
                              for cs in (answer.citations, answer.closest))
        with db.opened(self.path) as conn:
            conn.execute(
                "INSERT INTO answers (id, created_at, team_id, channel_id, thread_ts, asker_id, question, asked,"
                " answer, abstained, citations, closest, answerer, confidence, low_confidence, off_topic)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (answer_id, self.clock(), asked.team, asked.channel, asked.thread_ts, asked.user, asked.question,
                 asked.asked, answer.text, int(answer.abstained), citations, closest, answer.answerer,
                 answer.confidence, int(answer.low_confidence), int(answer.off_topic)))
        return answer_id

    def record_vote(self, answer_id: str, user: str, vote: str, channel: str | None = None,
                    message_ts: str | None = None) -> VoteCounts | None:
        """Store (or change) a user's vote; the answer's counts after it, or None for an unknown answer."""
        _check_vote(vote)
        now = self.clock()
        with db.opened(self.path) as conn, db.transaction(conn):
            if conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return None
            conn.execute(
                "INSERT INTO feedback (answer_id, user_id, channel_id, message_ts, vote, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id, user_id) DO UPDATE SET"
                " vote = excluded.vote, updated_at = excluded.updated_at,"
                " channel_id = excluded.channel_id, message_ts = excluded.message_ts",
                (answer_id, user, channel, message_ts, vote, now, now))
            return _counts(conn, answer_id)

    def counts(self, answer_id: str) -> VoteCounts:
        with db.opened(self.path) as conn:
            return _counts(conn, answer_id)

    def feedback(self, vote: str | None = None) -> list[FeedbackRecord]:
        """Every vote (or every ``vote``) with its question, answer and citations, oldest first."""
        with db.opened(self.path) as conn:
            return select_feedback(conn, vote)


def read_feedback(path: str | Path, vote: str | None = None) -> list[FeedbackRecord]:
    """The votes in a bot's file, as ``FeedbackStore.feedback``, without writing to it: the file is not created or
    upgraded, so a bot of the same or an older citebot can go on using it; an older file's missing columns read as
    the values its rows would get on upgrade (``COLUMNS_ADDED``)."""
    with db.read_only(path) as conn:
        return select_feedback(conn, vote)


# Columns of `answers` added by a migration after the first (bot/db.py), with the value their rows hold after the
# upgrade: how a file that was never upgraded is read. tests/bot/test_bot_feedback_export.py checks that this
# covers every column the migrations add.
COLUMNS_ADDED = {"closest": "'[]'", "answerer": "NULL", "confidence": "NULL", "low_confidence": "0",
                 "off_topic": "0"}
_ANSWER_COLUMNS = ("question", "asked", "answer", "abstained", "citations", "asker_id", "created_at", "closest",
                   "answerer", "confidence", "low_confidence", "off_topic")


def select_feedback(conn, vote: str | None = None) -> list[FeedbackRecord]:
    """Every vote (or every ``vote``: one of VOTES) in an open bot file, oldest first."""
    if vote is not None:
        _check_vote(vote)
    present = {r[1] for r in conn.execute("PRAGMA table_info(answers)")}
    columns = ", ".join(f"a.{c}" if c in present else COLUMNS_ADDED[c] for c in _ANSWER_COLUMNS)
    where, params = ("WHERE f.vote = ?", (vote,)) if vote else ("", ())
    rows = conn.execute(
        f"SELECT f.answer_id, f.vote, f.user_id, f.channel_id, f.message_ts, f.updated_at, {columns}"
        f" FROM feedback f JOIN answers a ON a.id = f.answer_id {where} ORDER BY f.updated_at, f.rowid",
        params).fetchall()
    return [FeedbackRecord(*r[:9], bool(r[9]), _citations(r[10]), r[11], r[12], _citations(r[13]), r[14], r[15],
                           bool(r[16]), bool(r[17])) for r in rows]


def _check_vote(vote: str) -> None:
    if vote not in VOTES:
        raise ValueError(f"vote must be one of {VOTES}, got {vote!r}")


def _citations(stored: str) -> tuple[Citation, ...]:
    """Citations stored as JSON objects (``asdict``), their highlight offsets a tuple again."""
    return tuple(Citation(**{**c, "highlight": tuple(c["highlight"]) if c.get("highlight") else None})
                 for c in json.loads(stored))


def _counts(conn, answer_id: str) -> VoteCounts:
    up, down = conn.execute(
        "SELECT COALESCE(SUM(vote = 'up'), 0), COALESCE(SUM(vote = 'down'), 0) FROM feedback WHERE answer_id = ?",
        (answer_id,)).fetchone()
    return VoteCounts(int(up), int(down))
