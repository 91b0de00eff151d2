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

VOTES = ("up", "down")


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
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, got {vote!r}")
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

    def feedback(self) -> list[FeedbackRecord]:
        """Every vote with its question, answer and citations, oldest first."""
        with db.opened(self.path) as conn:
            rows = conn.execute(
                "SELECT f.answer_id, f.vote, f.user_id, f.channel_id, f.message_ts, f.updated_at, a.question,"
                " a.asked, a.answer, a.abstained, a.citations, a.asker_id, a.created_at, a.closest, a.answerer,"
                " a.confidence, a.low_confidence, a.off_topic"
                " FROM feedback f JOIN answers a ON a.id = f.answer_id ORDER BY f.updated_at, f.rowid").fetchall()
        return [FeedbackRecord(*r[:9], bool(r[9]), _citations(r[10]), r[11], r[12], _citations(r[13]), r[14], r[15],
                               bool(r[16]), bool(r[17])) for r in rows]


def _citations(stored: str) -> tuple[Citation, ...]:
    """Citations stored as JSON objects (``asdict``), their highlight offsets a tuple again."""
    return tuple(Citation(**{**c, "highlight": tuple(c["highlight"]) if c.get("highlight") else None})
                 for c in json.loads(stored))


def _counts(conn, answer_id: str) -> VoteCounts:
    up, down = conn.execute(
        "SELECT COALESCE(SUM(vote = 'up'), 0), COALESCE(SUM(vote = 'down'), 0) FROM feedback WHERE answer_id = ?",
        (answer_id,)).fetchone()
    return VoteCounts(int(up), int(down))
