"""Dense vector stores behind one protocol; FAISS is the default, chosen by corpus size."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import check_choice


@runtime_checkable
class VectorStore(Protocol):
    """Inner-product search over L2-normalised vectors; rows are chunk row numbers."""

    kind: str

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows), each shaped (len(queries), k); missing results have row -1."""
        ...

    def save(self, folder: Path) -> dict:
        """Write the store into ``folder``; return the parameters the manifest records."""
        ...


FAISS_TYPES = ("auto", "flat", "hnsw")
HNSW_THRESHOLD = 200_000  # below this exact search is fast enough (< 20 ms) and exact
HNSW_PARAMS = {"M": 32, "ef_construction": 100, "ef_search": 128, "quantizer": "sq8"}


class FaissStore:
    kind = "faiss"

    def __init__(self, index, index_type: str, params: dict):
        self.index, self.index_type, self.params = index, index_type, params

    @classmethod
    def build(cls, vectors: np.ndarray, index_type: str = "auto", params: dict | None = None) -> "FaissStore":
        import faiss

        check_choice("FAISS index type", index_type, FAISS_TYPES)
        n, dim = vectors.shape
        if index_type == "auto":
            index_type = "hnsw" if n >= HNSW_THRESHOLD else "flat"
        params = dict(HNSW_PARAMS, **(params or {})) if index_type == "hnsw" else {}
        if index_type == "flat":
            index = faiss.IndexFlatIP(dim)
        else:
            if params["quantizer"] == "sq8":
                index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, params["M"],
                                          faiss.METRIC_INNER_PRODUCT)
                index.train(np.ascontiguousarray(vectors[: min(n, 100_000)], dtype=np.float32))
            else:
                index = faiss.IndexHNSWFlat(dim, params["M"], faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = params["ef_construction"]
            index.hnsw.efSearch = params["ef_search"]
        if n:
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, index_type, params)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, self.index.ntotal))
        if self.index.ntotal == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def save(self, folder: Path) -> dict:
        import faiss

        faiss.write_index(self.index, str(folder / "dense.faiss"))
        return {"kind": self.kind, "index_type": self.index_type, "params": self.params,
                "file": "dense.faiss"}

    @classmethod
    def load(cls, folder: Path, meta: dict) -> "FaissStore":
        import faiss

        index = faiss.read_index(str(folder / meta["file"]))
        if meta["index_type"] == "hnsw":
            index.hnsw.efSearch = meta["params"]["ef_search"]
        return cls(index, meta["index_type"], meta["params"])


from .chroma_store import ChromaStore  # noqa: E402  (defined after the protocol it implements)

STORES = {"faiss": FaissStore, "chroma": ChromaStore}


def build_store(kind: str, vectors: np.ndarray, **options) -> VectorStore:
    check_choice("store", kind, STORES)
    return STORES[kind].build(vectors, **options)


def load_store(folder: Path, meta: dict) -> VectorStore:
    check_choice("store", meta.get("kind"), STORES)
    return STORES[meta["kind"]].load(folder, meta)


def drop_store(folder: Path) -> None:
    """Release what a generation folder's store keeps outside the folder (e.g. a server collection)."""
    for cls in STORES.values():
        drop = getattr(cls, "drop", None)
        if drop is not None:
            drop(folder)
