"""Load a built index (no unpickling) and search it, dense or lexical."""
from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .bm25 import BM25
from .embed import Embedder, get_embedder
from .manifest import check_model, current_generation, load_array, read_manifest, read_stored
from .markup import markup_of, readable
from .store import VectorStore, load_store
from .types import NO_LAYOUT, Layout, Passage, Span


SENTENCES_PER_CHUNK = 4  # sentence hits fetched per passage wanted: chunks hold about 4 sentences
MEAN_WEIGHT = 0.5  # weight of a chunk's derived vector beside its best sentence (see dense_search)


@dataclass(frozen=True)
class ChunkRecord:
    chunk_id: str
    doc: int
    start: int
    end: int
    text: str
    sentences: tuple[int, int]  # [first, last) rows of the sentence table


@dataclass(frozen=True)
class DocRecord:
    doc_id: str
    source: str
    title: str
    date: str | None
    layout: Layout = NO_LAYOUT
    stored: str | None = None  # extracted text kept by the index (PDF, DOCX), relative to the generation folder
    file_sha256: str | None = None  # of the file as indexed, for stored documents


class LoadedIndex:
    """An index generation: chunk records, FAISS and BM25 in memory; sentence table and vectors memory-mapped."""

    def __init__(self, index_dir: str | os.PathLike, embedder: Embedder | None = None):
        self.index_dir = Path(index_dir)
        gen = current_generation(self.index_dir)
        self.manifest = read_manifest(gen)
        self.embedder = embedder or get_embedder()
        check_model(self.manifest, self.embedder.name, self.embedder.weights_sha256, self.index_dir)
        self.generation = gen
        self.docs = [DocRecord(k, v["source"], v["title"], v.get("date"), Layout.from_json(v.get("layout")),
                               v.get("stored"), v.get("file_sha256")) for k, v in self.manifest["documents"].items()]
        self.markups = [markup_of(d.source) for d in self.docs]
        with open(gen / "chunks.jsonl", encoding="utf-8") as f:
            self.chunks = [ChunkRecord(r["id"], r["doc"], r["start"], r["end"], r["text"], tuple(r["sentences"]))
                           for r in map(json.loads, f)]
        self.sentences = load_array(gen / "sentences.npy")
        self.sentence_vectors = load_array(gen / "sentence_vectors.npy")
        self.sentence_chunks = load_array(gen / "sentence_chunks.npy")
        self.chunk_vectors = load_array(gen / "chunk_vectors.npy")
        self.store: VectorStore = load_store(gen, self.manifest["store"])
        self.bm25 = BM25.load(gen, self.manifest["bm25"])

    def __len__(self) -> int:
        return len(self.chunks)

    def passage(self, row: int, score: float) -> Passage:
        c = self.chunks[row]
        d = self.docs[c.doc]
        return Passage(c.chunk_id, d.doc_id, d.source, d.title, c.text, c.start, c.end, float(score), d.date,
                       d.layout)

    def indexed_text(self, source: str, data: bytes | None = None) -> str | None:
        """The text a document's offsets point into as indexed, for documents whose text the index stores (PDF,
        DOCX, text not in UTF-8); None for UTF-8 text files, whose file is that text. With ``data`` (the file's
        bytes now), None as well unless they are the bytes indexed."""
        for d in self.docs:
            if d.source == source and d.stored:
                if data is not None and hashlib.sha256(data).hexdigest() != d.file_sha256:
                    return None
                return read_stored(self.generation, {"stored": d.stored})
        return None

    def dense_search(self, question: str, k: int) -> list[tuple[int, float]]:
        """The k best chunks for the question among those holding its closest sentences.

        Sentences are what the store holds (each embedded once). A chunk scores its best sentence's cosine plus
        MEAN_WEIGHT times the cosine of its derived vector (the normalised sum of its sentences'): on the SQuAD
        train sample, that found the right paragraph first for 0.718 of questions, against 0.703 for the best
        sentence alone and 0.682 for a vector of the whole chunk text (benchmarks/dense_units.py)."""
        q = self.embedder.embed_query(question)
        n, total = k * SENTENCES_PER_CHUNK, len(self.sentence_chunks)
        while True:
            scores, rows = self.store.search(q[None, :], min(n, total))
            best: dict[int, float] = {}
            for s, r in zip(scores[0], rows[0]):
                if r < 0:
                    continue
                for c in self.sentence_chunks[r]:
                    if c >= 0 and int(c) not in best:  # hits come best first: a chunk's first hit is its best
                        best[int(c)] = float(s)
            if len(best) >= k or n >= total:
                break
            n *= 2
        rows = np.fromiter(best, dtype=np.int64, count=len(best))
        combined = np.fromiter(best.values(), dtype=np.float32, count=len(best)) + \
            MEAN_WEIGHT * (self.chunk_vectors[rows] @ q)
        return sorted(((int(r), float(s)) for r, s in zip(rows, combined)), key=lambda x: (-x[1], x[0]))[:k]

    def lexical_search(self, question: str, k: int) -> list[tuple[int, float]]:
        scores, rows = self.bm25.search(question, k)
        return [(int(r), float(s)) for s, r in zip(scores, rows)]

    def chunk_sentences(self, row: int) -> list[tuple[int, Span, str]]:
        """(sentence row, span, plain text) of each sentence of a chunk."""
        c = self.chunks[row]
        out = []
        for i in range(*c.sentences):
            _, s, e = (int(x) for x in self.sentences[i])
            out.append((i, Span(s, e), readable(c.text[s - c.start:e - c.start], self.markups[c.doc])))
        return out


_CACHE: dict[tuple, LoadedIndex] = {}
_LOCK = threading.Lock()


def open_index(index_dir: str | os.PathLike) -> LoadedIndex:
    """The process-wide LoadedIndex for a folder; reloaded when its CURRENT generation changes."""
    path = Path(index_dir).resolve()
    pointer = path / "CURRENT"
    stamp = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None
    with _LOCK:
        key = (str(path), stamp)
        if key not in _CACHE:
            for k in [k for k in _CACHE if k[0] == str(path)]:
                del _CACHE[k]
            _CACHE[key] = LoadedIndex(path)
        return _CACHE[key]
