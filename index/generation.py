"""One index generation's per-document data, read from the live folder or made from a document, and written out.

A generation stores documents one after another: each has a run of chunks (``chunks.jsonl``) and a run of unique
sentences (``sentences.npy``: doc row, start, end; ``sentence_vectors.npy``; ``sentence_hashes.json``: the hash of
each sentence's plain text, the key under which its vector is reused). Sentences are the unit that is embedded:
every token once. ``sentence_chunks.npy`` maps each sentence to the (one or two, with overlap) chunks holding it,
so dense hits on sentences rank passages; ``chunk_vectors.npy`` holds each chunk's vector derived from its
sentences' (no second model pass).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .manifest import load_array
from .markup import markup_of, readable
from .sentences import chunk_sentences, region_sentences, regions
from .types import Document, content_hash


@dataclass
class Segment:
    """One document's rows: chunk records (sentence ranges local to the segment), sentence spans, text hashes and
    vectors (None until embedded)."""

    doc_id: str
    entry: dict                  # the manifest's description of the document (source, stat, hash, title, date)
    chunks: list[dict]           # {"id", "start", "end", "text", "sentences": [a, b)} with a, b local
    spans: np.ndarray            # (m, 2) int64: start, end in the document's raw text
    hashes: list[str]            # content hash of each sentence's plain text
    vectors: np.ndarray | None   # (m, dim) float32
    texts: list[str] | None = None  # plain sentence texts (fresh segments only: what would be embedded)


def fresh_segment(doc: Document, entry: dict, size: int, overlap: int) -> Segment:
    """Chunk a document and list its unique sentences in order of first appearance."""
    chunks, spans, where = [], [], {}
    for region in regions(doc.raw, doc.blocks):
        for c in chunk_sentences(doc.doc_id, doc.raw, region_sentences(doc.raw, region), size, overlap):
            rows = []
            for s in c.sentences:
                if (s.start, s.end) not in where:
                    where[(s.start, s.end)] = len(spans)
                    spans.append((s.start, s.end))
                rows.append(where[(s.start, s.end)])
            chunks.append({"id": c.chunk_id, "start": c.start, "end": c.end, "text": c.text,
                           "sentences": [rows[0], rows[-1] + 1]})
    markup = markup_of(doc.source)
    texts = [readable(doc.raw[a:b], markup) for a, b in spans]
    return Segment(doc.doc_id, entry, chunks, np.array(spans, dtype=np.int64).reshape(-1, 2),
                   [content_hash(t) for t in texts], None, texts)


class LiveGeneration:
    """The live generation's arrays, opened on first use (memory-mapped), to carry documents over."""

    def __init__(self, folder: Path, manifest: dict):
        self.folder, self.manifest = folder, manifest
        self._chunks: list[dict] | None = None
        self._hashes: list[str] | None = None
        self._arrays: dict[str, np.ndarray] = {}

    @property
    def chunks(self) -> list[dict]:
        if self._chunks is None:
            with open(self.folder / "chunks.jsonl", encoding="utf-8") as f:
                self._chunks = [json.loads(line) for line in f]
        return self._chunks

    @property
    def hashes(self) -> list[str]:
        if self._hashes is None:
            self._hashes = json.loads((self.folder / "sentence_hashes.json").read_text(encoding="utf-8"))
        return self._hashes

    def _array(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            self._arrays[name] = load_array(self.folder / f"{name}.npy")  # memory-mapped once, sliced per document
        return self._arrays[name]

    def segment(self, doc_id: str, entry: dict) -> Segment:
        d = self.manifest["documents"][doc_id]
        (ca, cb), (sa, sb) = d["chunks"], d["sentences"]
        chunks = [{"id": c["id"], "start": c["start"], "end": c["end"], "text": c["text"],
                   "sentences": [c["sentences"][0] - sa, c["sentences"][1] - sa]} for c in self.chunks[ca:cb]]
        spans = np.asarray(self._array("sentences")[sa:sb, 1:], dtype=np.int64)
        vectors = self._array("sentence_vectors")[sa:sb]
        return Segment(doc_id, entry, chunks, spans, self.hashes[sa:sb], vectors)


def reusable_vectors(folder: Path | None) -> dict[str, np.ndarray]:
    """text hash -> vector of every sentence a generation embedded (any format that lists them), memory-mapped."""
    if folder is None or not (folder / "sentence_hashes.json").is_file():
        return {}
    hashes = json.loads((folder / "sentence_hashes.json").read_text(encoding="utf-8"))
    vectors = load_array(folder / "sentence_vectors.npy")
    return dict(zip(hashes, vectors))


@dataclass(frozen=True)
class Tables:
    """The concatenated rows of all segments, as the generation stores them."""

    chunks: list[dict]           # with "doc" (row) and global sentence ranges
    sentences: np.ndarray        # (n, 3) int64: doc row, start, end
    vectors: np.ndarray          # (n, dim) float32
    hashes: list[str]
    sentence_chunks: np.ndarray  # (n, 2) int64: chunk rows holding each sentence (-1: none)
    sentence_ids: list[str]      # unique per row: (doc id, start, text hash)
    documents: dict[str, dict]   # manifest entries with their row ranges

    def chunk_vectors(self) -> np.ndarray:
        """Each chunk's vector, derived from its sentences' (their normalised sum): no model call."""
        out = np.zeros((len(self.chunks), self.vectors.shape[1]), dtype=np.float32)
        for i, c in enumerate(self.chunks):
            out[i] = self.vectors[c["sentences"][0]:c["sentences"][1]].sum(axis=0)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def concatenate(segments: list[Segment], dim: int) -> Tables:
    chunks, hashes, ids, documents = [], [], [], {}
    n = sum(len(s.spans) for s in segments)
    sentences = np.zeros((n, 3), dtype=np.int64)
    vectors = np.zeros((n, dim), dtype=np.float32)
    sentence_chunks = np.full((n, 2), -1, dtype=np.int64)
    s0 = 0
    for row, seg in enumerate(segments):
        m, c0 = len(seg.spans), len(chunks)
        sentences[s0:s0 + m, 0], sentences[s0:s0 + m, 1:] = row, seg.spans
        if m:
            vectors[s0:s0 + m] = seg.vectors
        for j, c in enumerate(seg.chunks):
            a, b = c["sentences"]
            chunks.append({**c, "doc": row, "sentences": [a + s0, b + s0]})
            for i in range(a + s0, b + s0):
                sentence_chunks[i, 0 if sentence_chunks[i, 0] < 0 else 1] = c0 + j
        hashes += seg.hashes
        ids += [content_hash(seg.doc_id, str(int(a)), h) for (a, _), h in zip(seg.spans, seg.hashes)]
        documents[seg.doc_id] = {**seg.entry, "chunks": [c0, len(chunks)], "sentences": [s0, s0 + m]}
        s0 += m
    return Tables(chunks, sentences, vectors, hashes, sentence_chunks, ids, documents)


def write_tables(folder: Path, t: Tables) -> None:
    np.save(folder / "sentences.npy", t.sentences, allow_pickle=False)
    np.save(folder / "chunk_vectors.npy", t.chunk_vectors(), allow_pickle=False)
    np.save(folder / "sentence_vectors.npy", t.vectors, allow_pickle=False)
    np.save(folder / "sentence_chunks.npy", t.sentence_chunks, allow_pickle=False)
    (folder / "sentence_hashes.json").write_text(json.dumps(t.hashes), encoding="utf-8")
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as f:
        for c in t.chunks:
            f.write(json.dumps({"id": c["id"], "doc": c["doc"], "start": c["start"], "end": c["end"],
                                "text": c["text"], "sentences": c["sentences"]}, ensure_ascii=False) + "\n")
