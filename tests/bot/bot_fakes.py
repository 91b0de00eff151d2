"""Deterministic stand-ins for the QA engine (qa.ask) and shared test constants."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from qa import Answer, Citation

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
REPO = Path(__file__).resolve().parents[2]


def version_1_file(path: Path) -> Path:
    """A bot file as the first release wrote it: answer 'a1' ("Who?" / "Selee. [1]") with one 'up' vote by UB."""
    from bot import db

    conn = db.connect(path)
    for statement in db.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO answers (id, created_at, question, asked, answer, abstained, citations) VALUES"
                 " ('a1', 1.0, 'Who?', 'Who?', 'Selee. [1]', 0, '[]')")
    conn.execute("INSERT INTO feedback (answer_id, user_id, vote, created_at, updated_at) VALUES"
                 " ('a1', 'UB', 'up', 2.0, 2.0)")
    conn.close()
    return path


def sample_answer(question: str, text: str | None = None) -> Answer:
    citations = [
        Citation(1, "d1", "seeds/000.txt", "Harris visits Guatemala",
                 "Harris’s advisers said she will meet community leaders, workers & entrepreneurs.", 10, 90, 0.91),
        Citation(2, "d2", "seeds/001.txt", "",
                 "Republican critics <and> the media have portrayed Harris’ new immigration role as a border "
                 "assignment.", 5, 100, 0.62),
    ]
    body = text or "She will meet community leaders, workers & entrepreneurs [1]. Critics call it <a border job> [2]."
    return Answer(question, body, False, citations)


@dataclass
class FakeAnswerer:
    """A deterministic answer_fn: records the questions; can block until released, or raise."""

    error: Exception | None = None
    text: str | None = None
    abstain: bool = False
    release: threading.Event | None = None
    questions: list[str] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, question: str, index_dir=None, k: int = 5) -> Answer:
        with self._lock:
            self.questions.append(question)
            self.calls.append({"index_dir": index_dir, "k": k})
        if self.release is not None and not self.release.wait(30):
            raise TimeoutError("test never released the answerer")
        if self.error is not None:
            raise self.error
        if self.abstain:
            return Answer.abstain(question)
        return sample_answer(question, self.text)
