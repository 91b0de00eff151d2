"""The large index arrays are memory-mapped read-only: same values and results as loading them, never written."""
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
