"""Build or update an index folder atomically, embedding only text it has not embedded before.

Layout of ``index_dir``: ``CURRENT`` names the live generation folder ``gen-*``. A new
generation is written completely, then ``CURRENT`` is replaced in one ``os.replace``;
killing the process at any moment leaves the previous generation live and loadable.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .bm25 import BM25
from .embed import Embedder
from .errors import CitebotError
from .ingest import Skipped, load_documents
from .manifest import CLEANING_VERSION, CURRENT, check_model, current_generation, read_manifest, write_manifest
from .markup import plain
from .sentences import chunk_block
from .store import build_store, drop_store, store_matches
from .types import Chunk, Document, content_hash

DEFAULT_CHUNK_SIZE = 600
DEFAULT_OVERLAP = 1


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded_texts: int = 0
    reused_vectors: int = 0
    stored_vectors: int = 0  # vectors written to the dense store (Chroma: only those it lacked)
    chunks: int = 0
    seconds: float = 0.0


@contextmanager
def _lock(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise CitebotError(f"another citebot index is writing {index_dir}; wait for it to finish") from e
        yield


def _previous(index_dir: Path, embedder: Embedder, chunking: dict) -> dict:
    """The live manifest, when its vectors can be reused (same model and chunking), else {}."""
    try:
        gen = current_generation(index_dir)
        m = read_manifest(gen)
        check_model(m, embedder.name, embedder.weights_sha256, index_dir)
    except CitebotError:
        return {}
    return {**m, "generation": gen} if m.get("chunking") == chunking else {}


def _previous_vectors(old: dict) -> dict[str, np.ndarray]:
    """text-hash -> vector of everything the live generation embedded (memory-mapped)."""
    vectors: dict[str, np.ndarray] = {}
    if not old:
        return vectors
    gen = old["generation"]
    for name in ("chunk", "sentence"):
        vecs = np.load(gen / f"{name}_vectors.npy", allow_pickle=False, mmap_mode="r")
        hashes = json.loads((gen / f"{name}_hashes.json").read_text(encoding="utf-8"))
        vectors.update(zip(hashes, vecs))
    return vectors


def _up_to_date(old: dict, docs: list[Document], report: IndexReport, store: str, options: dict | None) -> bool:
    """Nothing added, changed or removed, and stored the same way: no new generation needed."""
    if not old or report.added or report.changed or report.removed:
        return False
    return (all(old["documents"][d.doc_id]["source"] == d.source for d in docs)
            and store_matches(old["generation"], old["store"], store, options))


def _embed_all(texts: list[str], cache: dict[str, np.ndarray], embedder: Embedder,
               report: IndexReport, progress: Callable[[int], None] | None) -> tuple[np.ndarray, list[str]]:
    hashes = [content_hash(t) for t in texts]
    todo = sorted({h: t for h, t in zip(hashes, texts) if h not in cache}.items())
    if todo:
        fresh = embedder.embed([t for _, t in todo], progress=progress)
        cache.update({h: fresh[i] for i, (h, _) in enumerate(todo)})
    report.embedded_texts += len(todo)
    report.reused_vectors += len(texts) - len(todo)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = cache[h]
    return out, hashes


def _counter(progress: Callable[[str, int, int], None], total: int) -> Callable[[int], None]:
    """Turns per-batch counts into running (done, total) progress reports."""
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        progress("embed", done, total)

    return tick


def chunk_documents(docs: list[Document], size: int, overlap: int) -> list[Chunk]:
    return [c for d in docs for b in d.blocks for c in chunk_block(d.doc_id, d.raw, b, size, overlap)]


def build_index(paths: Iterable[str | os.PathLike], index_dir: str | os.PathLike, embedder: Embedder,
                chunk_size: int = DEFAULT_CHUNK_SIZE, overlap: int = DEFAULT_OVERLAP,
                store: str = "faiss", store_options: dict | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> IndexReport:
    """Index the files under ``paths`` into ``index_dir`` (replacing what it held)."""
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    report = IndexReport()
    docs, report.skipped = load_documents(paths)
    chunking = {"size": chunk_size, "overlap": overlap, "cleaning_version": CLEANING_VERSION}
    with _lock(index_dir):
        old = _previous(index_dir, embedder, chunking)
        old_docs = old.get("documents", {})
        for d in docs:
            prev = old_docs.get(d.doc_id)
            bucket = report.added if prev is None else (
                report.unchanged if prev["content_hash"] == d.content_hash else report.changed)
            bucket.append(d.doc_id)
        names = {d.doc_id for d in docs}
        report.removed = sorted(set(old_docs) - names)
        if _up_to_date(old, docs, report, store, store_options):
            _remove_stale(index_dir, keep=old["generation"].name)  # only what a killed build left behind
            report.chunks = old["counts"]["chunks"]
            report.seconds = time.perf_counter() - t0
            return report
        cache = _previous_vectors(old)
        chunks = chunk_documents(docs, chunk_size, overlap)
        sent_rows, chunk_sent = _sentence_table(docs, chunks)
        doc_row = {d.doc_id: i for i, d in enumerate(docs)}
        sent_texts = [plain(docs[r[0]].raw[r[1]:r[2]]) for r in sent_rows]
        chunk_texts = [plain(c.text) for c in chunks]
        total = sum(content_hash(t) not in cache for t in set(chunk_texts + sent_texts))
        tick = _counter(progress, total) if progress else None
        chunk_vecs, chunk_hashes = _embed_all(chunk_texts, cache, embedder, report, tick)
        sent_vecs, sent_hashes = _embed_all(sent_texts, cache, embedder, report, tick)
        gen = index_dir / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tmp = gen.with_name(gen.name + ".tmp")
        tmp.mkdir()
        try:
            np.save(tmp / "chunk_vectors.npy", chunk_vecs, allow_pickle=False)
            np.save(tmp / "sentence_vectors.npy", sent_vecs, allow_pickle=False)
            np.save(tmp / "sentences.npy", np.array(sent_rows, dtype=np.int64).reshape(-1, 3), allow_pickle=False)
            (tmp / "chunk_hashes.json").write_text(json.dumps(chunk_hashes), encoding="utf-8")
            (tmp / "sentence_hashes.json").write_text(json.dumps(sent_hashes), encoding="utf-8")
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
                for c, (a, b) in zip(chunks, chunk_sent):
                    f.write(json.dumps({"id": c.chunk_id, "doc": doc_row[c.doc_id], "start": c.start,
                                        "end": c.end, "text": c.text, "sentences": [a, b]},
                                       ensure_ascii=False) + "\n")
            dense = build_store(store, chunk_vecs, ids=[c.chunk_id for c in chunks], **(store_options or {}))
            store_meta = dense.save(tmp, previous=old.get("generation"))
            report.stored_vectors = dense.written
            bm25_meta = BM25().fit(chunk_texts).save(tmp)
            write_manifest(tmp, {
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "model": {"name": embedder.name, "sha256": embedder.weights_sha256, "dim": embedder.dim},
                "chunking": chunking, "store": store_meta, "bm25": bm25_meta,
                "counts": {"documents": len(docs), "chunks": len(chunks), "sentences": len(sent_rows)},
                "documents": {d.doc_id: {"source": d.source, "content_hash": d.content_hash, "title": d.title,
                                         "date": d.date} for d in docs},
            })
            _fsync_dir(tmp)
            os.rename(tmp, gen)
            pointer = index_dir / (CURRENT + ".tmp")
            pointer.write_text(gen.name, encoding="utf-8")
            os.replace(pointer, index_dir / CURRENT)
            _fsync_dir(index_dir)
        except BaseException:
            drop_store(tmp, keep=_live(index_dir))
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _remove_stale(index_dir, keep=gen.name)
    report.chunks = len(chunks)
    report.seconds = time.perf_counter() - t0
    return report


def _sentence_table(docs: list[Document], chunks: list[Chunk]) -> tuple[list[tuple[int, int, int]], list]:
    """Unique sentences (doc row, start, end) and each chunk's [first, last) range in that table."""
    doc_row = {d.doc_id: i for i, d in enumerate(docs)}
    rows: list[tuple[int, int, int]] = []
    where: dict[tuple[int, int, int], int] = {}
    ranges = []
    for c in chunks:
        idx = []
        for s in c.sentences:
            key = (doc_row[c.doc_id], s.start, s.end)
            if key not in where:
                where[key] = len(rows)
                rows.append(key)
            idx.append(where[key])
        ranges.append((idx[0], idx[-1] + 1))
    return rows, ranges


def _fsync_dir(path: Path) -> None:
    for f in path.iterdir():
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _live(index_dir: Path) -> Path | None:
    try:
        return current_generation(index_dir)
    except CitebotError:
        return None


def _remove_stale(index_dir: Path, keep: str) -> None:
    """Delete every generation folder but ``keep`` (old ones, and what killed builds left)."""
    for p in index_dir.glob("gen-*"):
        if p.name != keep:
            drop_store(p, keep=index_dir / keep)
            shutil.rmtree(p, ignore_errors=True)
