"""Typed records passed between the indexing stages.

Every record is a frozen dataclass; identifiers are content hashes so the same
text always gets the same id and is never embedded twice.
"""
from __future__ import annotations

import bisect
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
class Layout:
    """Where an offset of a document sits: its page (paginated formats) and the heading path above it."""

    pages: tuple[int, ...] = ()                   # offset where each page starts (page n at pages[n-1])
    sections: tuple[tuple[int, str], ...] = ()    # (offset, heading path) from that offset on

    def page(self, offset: int) -> int | None:
        return bisect.bisect_right(self.pages, offset) or None if self.pages else None

    def section(self, offset: int) -> str | None:
        i = bisect.bisect_right(self.sections, (offset, "\U0010ffff"))
        return self.sections[i - 1][1] if i else None

    def to_json(self) -> dict:
        return {"pages": list(self.pages), "sections": [list(s) for s in self.sections]}

    @classmethod
    def from_json(cls, d: dict | None) -> "Layout":
        d = d or {}
        return cls(tuple(d.get("pages", ())), tuple((int(a), str(b)) for a, b in d.get("sections", ())))


NO_LAYOUT = Layout()


@dataclass(frozen=True)
class Document:
    """A read and cleaned source file.

    ``raw`` is the text offsets point into: the file's full text exactly as decoded, or for formats that are not
    text (PDF, DOCX) the text the reader extracted (``stored``: the index keeps a copy). ``blocks`` are the
    content blocks of ``raw``; ``layout`` gives the page and section of any offset.
    """

    doc_id: str
    source: str
    raw: str
    title: str
    date: str | None
    blocks: tuple[Span, ...]
    content_hash: str = field(default="")
    layout: Layout = NO_LAYOUT
    fmt: str = "text"            # the reader that read it (index.readers)
    stored: bool = False
    visible_chars: int = 0       # letters and digits a person sees in the file
    kept_chars: int = 0          # of those, how many are in the index (content and headings)
    left_out: tuple[str, ...] = ()
    file_hash: str = ""          # sha256 of the file's bytes (stored formats: tells a changed file at answer time)

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
    layout: Layout = field(default=NO_LAYOUT, repr=False, compare=False)  # the document's pages and sections

    @property
    def page(self) -> int | None:
        return self.layout.page(self.start)

    @property
    def section(self) -> str | None:
        return self.layout.section(self.start)
