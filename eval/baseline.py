"""The plain LangChain tutorial pipeline, as the yardstick citebot is compared with.

Raw file text (no cleaning) -> RecursiveCharacterTextSplitter(1000, 200) -> the same embedding model as
citebot -> exact inner-product search in memory -> the top chunk is the answer (it never abstains).
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


@dataclass(frozen=True)
class BaselineChunk:
    doc_id: str
    source: str
    text: str
    start: int
    end: int


def split_document(doc_id: str, source: str, text: str, chunk_size: int = CHUNK_SIZE,
                   chunk_overlap: int = CHUNK_OVERLAP) -> list[BaselineChunk]:
    """Tutorial chunks with their offsets into ``text`` (``text[start:end] == chunk.text``)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap,
                                              add_start_index=True)
    out, cursor = [], 0
    for d in splitter.create_documents([text]):
        start = d.metadata.get("start_index", -1)
        if start < 0 or text[start:start + len(d.page_content)] != d.page_content:
            start = text.find(d.page_content, cursor)  # the splitter could not place it; search ourselves
        if start < 0:
            continue
        out.append(BaselineChunk(doc_id, source, d.page_content, start, start + len(d.page_content)))
        cursor = start + 1
    return out


class Baseline:
    """A System (see eval.runner): dense-only retrieval over tutorial chunks, top chunk as the answer."""

    name = "baseline"
    config = f"LangChain tutorial: recursive {CHUNK_SIZE}/{CHUNK_OVERLAP} chunks, dense only, top chunk"

    def __init__(self, chunks: Sequence[BaselineChunk], vectors: np.ndarray, embedder,
                 index_seconds: float | None = None):
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk expected")
        self.chunks, self.vectors, self.embedder = list(chunks), vectors, embedder
        self.index_seconds = index_seconds
        self._last: tuple[str, np.ndarray] | None = None

    @classmethod
    def build(cls, documents: Iterable[tuple[str, str]], embedder) -> "Baseline":
        """Index ``(doc_id, source path)`` pairs; the files are read as citations' offsets read them
        (``qa.sources.document_text``: a text file as it is, a PDF or DOCX as citebot extracts it)."""
        from qa.sources import document_text

        t0 = time.perf_counter()
        chunks = []
        for doc_id, source in documents:
            chunks.extend(split_document(doc_id, source, document_text(source)))
        vectors = embedder.embed([c.text for c in chunks]) if chunks else np.zeros((0, embedder.dim), np.float32)
        return cls(chunks, np.asarray(vectors, dtype=np.float32), embedder, time.perf_counter() - t0)

    def _query(self, question: str) -> np.ndarray:
        # embed() rather than embed_query(): no cache, so each question pays for its embedding.
        if self._last is None or self._last[0] != question:
            self._last = (question, np.asarray(self.embedder.embed([question]), dtype=np.float32)[0])
        return self._last[1]

    def search(self, question: str, k: int) -> list[tuple[BaselineChunk, float]]:
        if not self.chunks:
            return []
        scores = self.vectors @ self._query(question)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self.chunks[i], float(scores[i])) for i in top]

    def answer(self, question: str):
        from qa import Answer, Citation

        self._last = None
        hits = self.search(question, 1)
        if not hits:
            return Answer.abstain(question, answerer=self.name)
        c, s = hits[0]
        return Answer(question, c.text, False, [Citation(1, c.doc_id, c.source, c.doc_id, c.text, c.start, c.end,
                                                         round(s, 4))], [], self.name, confidence=round(s, 4))

    def ranked_passages(self, question: str, depth: int) -> list[BaselineChunk]:
        return [c for c, _ in self.search(question, depth)]

    def ranked_docs(self, question: str, depth: int) -> list[str]:
        return [c.doc_id for c in self.ranked_passages(question, depth)]
