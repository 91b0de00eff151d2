"""Dense vector stores behind one protocol; FAISS is the default, chosen by corpus size."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import check_choice


@runtime_checkable
class VectorStore(Protocol):
    """Inner-product search over L2-normalised vectors; rows are sentence row numbers of the generation."""

    kind: str
    written: int
    notices: tuple[str, ...]  # what the last save wants the user to know (one line each), e.g. a new collection

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows), each shaped (len(queries), k); missing results have row -1."""
        ...

    def save(self, folder: Path, previous: Path | None = None) -> dict:
        """Write the store into ``folder``; return the parameters the manifest records.

        ``previous`` is the live generation folder (same model and chunking): a store that can carry its data
        over writes only what changed. ``written`` then says how many vectors were written.
        """
        ...


FAISS_TYPES = ("auto", "flat", "ivf", "hnsw")
# Exact search below this many chunks; above it, APPROX_TYPE. Flat search reads every vector (1.5 kB each) per
# query: measured p50 5 ms at 20k and 12 ms at 50k on 2 busy cores (out/scale-threshold.json), too much of a 20 ms
# ask budget; the IVF index scans ~1-6 % of 384-byte codes in < 1 ms there (benchmarks/scale.py).
APPROX_THRESHOLD = 20_000
APPROX_TYPE = "ivf"
# IVF with 8-bit scalar-quantised residuals: 384 bytes per vector (a quarter of float32), fast to build (k-means
# on a sample), recall@10 about 0.97-0.98 against exact search at nprobe 32 (benchmarks/scale.py, docs/performance.md).
IVF_PARAMS = {"nlist": 0, "nprobe": 32, "kmeans_iters": 10, "train_per_list": 40}  # nlist 0: ~2*sqrt(n)
HNSW_PARAMS = {"M": 32, "ef_construction": 100, "ef_search": 256, "quantizer": "sq8"}  # 1M: recall@10 0.97
HNSW_QUANTIZERS = ("sq8", "flat")
_DEFAULTS = {"flat": {}, "ivf": IVF_PARAMS, "hnsw": HNSW_PARAMS}


def auto_nlist(n: int) -> int:
    """Inverted lists for n vectors: the power of two nearest 2*sqrt(n), at least 16."""
    return max(16, 2 ** round(np.log2(max(2.0 * np.sqrt(max(n, 1)), 1.0))))


def _params(index_type: str, given: dict | None) -> dict:
    defaults = _DEFAULTS[index_type]
    for key in given or {}:
        check_choice(f"{index_type} index parameter", key, defaults)
    params = dict(defaults, **(given or {}))
    if index_type == "hnsw":
        check_choice("HNSW quantizer", params["quantizer"], HNSW_QUANTIZERS)
    return params


class FaissStore:
    kind = "faiss"
    written = 0
    notices: tuple[str, ...] = ()

    def __init__(self, index, index_type: str, params: dict):
        self.index, self.index_type, self.params = index, index_type, params

    @classmethod
    def build(cls, vectors: np.ndarray, index_type: str = "auto", params: dict | None = None, *,
              ids: list[str] | None = None) -> "FaissStore":
        """An index over ``vectors``; FAISS keys them by row, so ``ids`` are not needed."""
        import faiss

        check_choice("FAISS index type", index_type, FAISS_TYPES)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        if index_type == "auto":
            index_type = APPROX_TYPE if n >= APPROX_THRESHOLD else "flat"
        params = _params(index_type, params)
        if index_type == "flat":
            index = faiss.IndexFlatIP(dim)
        elif index_type == "ivf":
            params["nlist"] = params["nlist"] or auto_nlist(n)
            index = faiss.index_factory(dim, f"IVF{params['nlist']},SQ8", faiss.METRIC_INNER_PRODUCT)
            index.cp.niter = params["kmeans_iters"]
            index.nprobe = params["nprobe"]
            sample = min(n, params["train_per_list"] * params["nlist"])
            rows = np.sort(np.random.default_rng(0).choice(n, size=sample, replace=False)) if sample < n else None
            index.train(vectors if rows is None else vectors[rows])
        else:
            if params["quantizer"] == "sq8":
                index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, params["M"],
                                          faiss.METRIC_INNER_PRODUCT)
                index.train(vectors[: min(n, 100_000)])
            else:
                index = faiss.IndexHNSWFlat(dim, params["M"], faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = params["ef_construction"]
            index.hnsw.efSearch = params["ef_search"]
        if n:
            index.add(vectors)
        return cls(index, index_type, params)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, self.index.ntotal))
        if self.index.ntotal == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    @classmethod
    def matches(cls, folder: Path, meta: dict, index_type: str = "auto", params: dict | None = None) -> bool:
        """Whether generation ``folder``'s index is what a build with these options would produce."""
        return index_type in ("auto", meta.get("index_type")) and params is None

    def save(self, folder: Path, previous: Path | None = None) -> dict:
        import faiss

        faiss.write_index(self.index, str(folder / "dense.faiss"))
        self.written = self.index.ntotal  # the whole index is rewritten
        return {"kind": self.kind, "index_type": self.index_type, "params": self.params,
                "file": "dense.faiss"}

    @classmethod
    def load(cls, folder: Path, meta: dict) -> "FaissStore":
        import faiss

        # The vectors / codes are memory-mapped read-only (IO_FLAG_MMAP_IFC), not copied: a 1M-vector index opens
        # at once and every process reading the generation shares its pages. A generation's files are never
        # rewritten (a rebuild writes a new folder), and a loaded store is only searched, never added to.
        index = faiss.read_index(str(folder / meta["file"]), getattr(faiss, "IO_FLAG_MMAP_IFC", 0))
        if meta["index_type"] == "hnsw":
            index.hnsw.efSearch = meta["params"]["ef_search"]
        elif meta["index_type"] == "ivf":
            faiss.extract_index_ivf(index).nprobe = meta["params"]["nprobe"]
        return cls(index, meta["index_type"], meta["params"])


from .chroma_store import ChromaStore  # noqa: E402  (defined after the protocol it implements)

STORES = {"faiss": FaissStore, "chroma": ChromaStore}


def build_store(kind: str, vectors: np.ndarray, ids: list[str] | None = None, **options) -> VectorStore:
    check_choice("store", kind, STORES)
    return STORES[kind].build(vectors, ids=ids, **options)


def store_matches(folder: Path, meta: dict, kind: str, options: dict | None = None) -> bool:
    """Whether the store of generation ``folder`` (manifest entry ``meta``) is what ``kind`` + ``options`` builds."""
    check_choice("store", kind, STORES)
    return meta.get("kind") == kind and STORES[kind].matches(folder, meta, **(options or {}))


def load_store(folder: Path, meta: dict) -> VectorStore:
    check_choice("store", meta.get("kind"), STORES)
    return STORES[meta["kind"]].load(folder, meta)


def drop_store(folder: Path, keep: Path | None = None) -> None:
    """Release what a generation folder's store keeps outside the folder (e.g. rows on a server), sparing what
    the live generation ``keep`` uses."""
    for cls in STORES.values():
        drop = getattr(cls, "drop", None)
        if drop is not None:
            drop(folder, keep)
