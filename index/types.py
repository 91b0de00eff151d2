"""Typed records passed between the indexing stages.

Every record is a frozen dataclass; identifiers are content hashes so the same
text always gets the same id and is never embedded twice.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def content_hash(*parts: str) -> str:
    """Stable sha256 over text parts (separated so ("ab", "c") != ("a", "bc"))."""
    h = hashlib.sha256()
    for p in parts:
        data = p.encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@dataclass(frozen=True)
class Span:
    """Half-open character range [start, end) into a document's raw text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")


def stripped_span(raw: str, start: int, end: int) -> Span | None:
    """[start, end) without surrounding whitespace, or None when nothing else is left."""
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


@dataclass(frozen=True)
class Document:
    """A cleaned source file.

    ``raw`` is the file's full text exactly as decoded; ``blocks`` are the
    spans of ``raw`` that hold article content (boilerplate lies between them).
    """

    doc_id: str
    source: str
    raw: str
    title: str
    date: str | None
    blocks: tuple[Span, ...]
    content_hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash(self.raw))


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences from one block; ``text == raw[start:end]``."""

    doc_id: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]

    @property
    def chunk_id(self) -> str:
        return content_hash(self.doc_id, str(self.start), self.text)

    def sentence_text(self, s: Span) -> str:
        return self.text[s.start - self.start : s.end - self.start]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its provenance and retrieval score."""

    chunk_id: str
    doc_id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float
    date: str | None = None  # the document's publication date, ISO YYYY-MM-DD
