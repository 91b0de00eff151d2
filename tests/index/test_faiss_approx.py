"""Approximate FAISS indexes against exact search on clustered synthetic vectors (recall@10 >= 0.95)."""
from __future__ import annotations

import json

import faiss
import numpy as np
import pytest

from index import store as store_mod
from index.errors import SettingError
from index.store import FaissStore, build_store, load_store

DIM, K = 384, 10


def _clustered(n: int, n_queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around 40 topic centres with a decaying spectrum (as benchmarks/synthetic.py, smaller)."""
    rng = np.random.default_rng(seed)
    scale = np.sqrt((np.arange(DIM) + 1.0) ** -0.8).astype(np.float32)
    scale /= np.linalg.norm(scale)
    centres = rng.standard_normal((40, DIM)).astype(np.float32) * scale

    def draw(m: int) -> np.ndarray:
        v = centres[rng.integers(0, len(centres), m)] + 0.9 * rng.standard_normal((m, DIM)).astype(np.float32) * scale
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    return draw(n), draw(n_queries)


@pytest.fixture(scope="module")
def data():
    x, q = _clustered(4000, 100)
    exact = faiss.IndexFlatIP(DIM)
    exact.add(x)
    _, truth = exact.search(q, K)
    return x, q, truth


def _recall(rows: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / K for a, b in zip(rows.tolist(), truth.tolist())]))


@pytest.mark.parametrize("index_type", ["ivf", "hnsw"])
def test_approximate_recall_against_exact(data, tmp_path, index_type):
    x, q, truth = data
    built = FaissStore.build(x, index_type)
    meta = built.save(tmp_path)
    assert meta["index_type"] == index_type and meta["params"]  # the manifest records type and parameters
    json.dumps(meta)
    loaded = load_store(tmp_path, meta)
    for store in (built, loaded):
        scores, rows = store.search(q, K)
        assert rows.shape == (len(q), K) and (rows >= 0).all()
        assert _recall(rows, truth) >= 0.95
        assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first
    if index_type == "ivf":
        assert faiss.extract_index_ivf(loaded.index).nprobe == meta["params"]["nprobe"]
        assert meta["params"]["nlist"] == store_mod.auto_nlist(len(x))


def test_auto_is_exact_below_the_threshold_and_approximate_above(data, monkeypatch):
    x, q, truth = data
    small = build_store("faiss", x[:500])
    assert small.index_type == "flat" and small.params == {}
    monkeypatch.setattr(store_mod, "APPROX_THRESHOLD", 1000)
    big = build_store("faiss", x)
    assert big.index_type == store_mod.APPROX_TYPE
    assert _recall(big.search(q, K)[1], truth) >= 0.95


def test_settings_name_the_bad_value_and_the_valid_ones(data):
    x = data[0][:100]
    with pytest.raises(SettingError, match="'annoy'.*'auto', 'flat', 'ivf', 'hnsw'"):
        FaissStore.build(x, "annoy")
    with pytest.raises(SettingError, match="'nprob'.*'nlist', 'nprobe'"):
        FaissStore.build(x, "ivf", {"nprob": 8})
    with pytest.raises(SettingError, match="'pq'.*'sq8', 'flat'"):
        FaissStore.build(x, "hnsw", {"quantizer": "pq"})
