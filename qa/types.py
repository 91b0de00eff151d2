"""The public records of a cited answer."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from index.types import Passage

ABSTAIN_MESSAGE = "I couldn't find that in the indexed documents."
# The extractive answerers ask() accepts, its default first. heuristic: qa.extractive's sentence score; reader: the
# same re-ranked by the trained cross-encoder (qa.reader), with a calibrated probability as its confidence.
ANSWERERS = ("heuristic", "reader")


@dataclass(frozen=True)
class Citation:
    """Marker ``[n]`` in the answer text -> an exact slice ``source[start:end] == quote``."""

    n: int
    doc_id: str
    source: str
    title: str
    quote: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    answerer: str = "extractive"
    notice: str | None = None  # e.g. the question was truncated; sources changed since indexing
    stale_sources: tuple[str, ...] = ()  # cited or retrieved files that changed since indexing (qa.sources)
    # How sure the answerer is that its best sentence answers: the reader's calibrated probability (0-1); the
    # heuristic answerer's best sentence score (not a probability); None for an LLM answer.
    confidence: float | None = None
    low_confidence: bool = False  # answered, but close to the abstention threshold

    def with_notice(self, notice: str) -> "Answer":
        """This answer with ``notice`` added to any it already has."""
        return replace(self, notice=f"{self.notice}; {notice}" if self.notice else notice)

    @classmethod
    def abstain(cls, question: str, passages=(), answerer: str = "extractive", notice: str | None = None,
                confidence: float | None = None):
        return cls(question, ABSTAIN_MESSAGE, True, [], list(passages), answerer, notice, confidence=confidence)


__all__ = ["Answer", "Citation", "Passage", "ABSTAIN_MESSAGE"]
