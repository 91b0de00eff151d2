"""The large index arrays are memory-mapped read-only: same values and results as loading them, never written."""
from pathlib import Path

import numpy as np
import pytest

from index import LoadedIndex, build_index
from index.manifest import current_generation
from qa import ExtractiveAnswerer
from tests.fakes import HashEmbedder
from tests.index.test_build import write_corpus

QUESTIONS = ["When did port number 1 open?", "Who attended the ceremony?", "workers cheered"]


def arrays(ix: LoadedIndex) -> dict[str, np.ndarray]:
    return {"sentences": ix.sentences, "sentence_vectors": ix.sentence_vectors, "bm25_indptr": ix.bm25.indptr,
            "bm25_doc_ids": ix.bm25.doc_ids, "bm25_scores": ix.bm25.scores}


def results(ix: LoadedIndex) -> list:
    answerer = ExtractiveAnswerer(ix)
    out = []
    for q in QUESTIONS:
        hits = ix.lexical_search(q, 5)
        out.append((hits, [ix.chunk_sentences(r) for r, _ in hits],
                    answerer.answer(q, [ix.passage(r, s) for r, s in hits])))
    return out


@pytest.fixture()
def index_dir(tmp_path):
    write_corpus(tmp_path / "docs", n=6)
    build_index([tmp_path / "docs"], tmp_path / "ix", HashEmbedder(), chunk_size=120)
    return tmp_path / "ix"


def test_arrays_are_read_only_maps_of_the_files(index_dir):
    ix = LoadedIndex(index_dir, embedder=HashEmbedder())
    gen = current_generation(index_dir)
    for name, arr in arrays(ix).items():
        full = np.load(gen / f"{name}.npy", allow_pickle=False)
        assert type(arr) is np.ndarray and isinstance(arr.base, np.memmap), name
        assert arr.dtype == full.dtype and np.array_equal(arr, full), name
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            arr[:1] = 0


def test_results_match_fully_loaded_arrays(index_dir):
    mapped = LoadedIndex(index_dir, embedder=HashEmbedder())
    loaded = LoadedIndex(index_dir, embedder=HashEmbedder())
    loaded.sentences, loaded.sentence_vectors = np.array(loaded.sentences), np.array(loaded.sentence_vectors)
    for name in ("indptr", "doc_ids", "scores"):
        setattr(loaded.bm25, name, np.array(getattr(loaded.bm25, name)))
    assert results(mapped) == results(loaded)
    assert any(not a.abstained for *_, a in results(mapped))


def test_an_open_index_stays_readable_after_a_rebuild_deletes_its_generation(index_dir, tmp_path):
    ix = LoadedIndex(index_dir, embedder=HashEmbedder())
    before = results(ix)
    old = current_generation(index_dir)
    (tmp_path / "docs" / "doc0.txt").write_text("A different article about a harbour. It has two sentences.\n")
    build_index([tmp_path / "docs"], index_dir, HashEmbedder(), chunk_size=120)
    assert not old.exists()
    assert results(ix) == before


@pytest.mark.parametrize("index_type", ["flat", "ivf", "hnsw"])
def test_faiss_store_is_memory_mapped_with_the_results_of_a_full_read(tmp_path, index_type):
    import faiss

    from index.store import FaissStore, build_store, load_store

    maps = Path("/proc/self/maps")
    if not maps.exists() or not hasattr(faiss, "IO_FLAG_MMAP_IFC"):
        pytest.skip("needs /proc/self/maps and a faiss with IO_FLAG_MMAP_IFC")
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    meta = build_store("faiss", vectors, index_type=index_type).save(tmp_path)
    mapped = load_store(tmp_path, meta)
    assert str(tmp_path / meta["file"]) in maps.read_text()
    full = FaissStore(faiss.read_index(str(tmp_path / meta["file"])), meta["index_type"], meta["params"])
    if index_type == "ivf":
        faiss.extract_index_ivf(full.index).nprobe = meta["params"]["nprobe"]
    elif index_type == "hnsw":
        full.index.hnsw.efSearch = meta["params"]["ef_search"]
    queries = vectors[:50] + 0.05 * rng.standard_normal((50, 32)).astype(np.float32)
    for a, b in zip(mapped.search(queries, 10), full.search(queries, 10)):
        np.testing.assert_array_equal(a, b)
