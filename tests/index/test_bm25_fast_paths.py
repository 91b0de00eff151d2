"""The vectorised BM25 fit and the sparse/dense search paths give exactly the straightforward results."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from index.bm25 import BM25, IDF_METHODS


def _corpus(n: int, vocab: int, seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [[f"t{min(int(r), vocab) - 1}" for r in rng.zipf(1.3, size=rng.integers(0, 30))] for _ in range(n)]


def _reference_fit(corpus, k1, b, idf="lucene"):
    """Per-term postings built one document at a time (the plain algorithm)."""
    n = len(corpus)
    lengths = np.array([len(d) for d in corpus], dtype=np.float64)
    avgdl = lengths.mean() if n and lengths.mean() > 0 else 1.0
    postings: dict[str, list[tuple[int, int]]] = {}
    for i, doc in enumerate(corpus):
        for term, tf in Counter(doc).items():
            postings.setdefault(term, []).append((i, tf))
    ids, vals, indptr = [], [], [0]
    for t in sorted(postings):
        p = np.array(postings[t], dtype=np.int64)
        tf = p[:, 1].astype(np.float64)
        norm = tf + k1 * (1 - b + b * lengths[p[:, 0]] / avgdl)
        ids.append(p[:, 0])
        vals.append(IDF_METHODS[idf](n, len(p)) * tf * (k1 + 1) / norm)
        indptr.append(indptr[-1] + len(p))
    return sorted(postings), np.array(indptr), np.concatenate(ids), np.concatenate(vals).astype(np.float32)


@pytest.mark.parametrize("idf", sorted(IDF_METHODS))
@pytest.mark.parametrize("seed", [0, 1])
def test_fit_is_bit_identical_to_the_plain_algorithm(idf, seed):
    corpus = _corpus(500, 300, seed)
    bm = BM25(idf=idf).fit_tokens(corpus)  # the shipped k1 and b, whatever they are
    terms, indptr, ids, scores = _reference_fit(corpus, k1=bm.k1, b=bm.b, idf=idf)
    assert list(bm.vocab) == terms
    assert (bm.indptr == indptr).all() and (bm.doc_ids == ids).all()
    assert bm.scores.tobytes() == scores.tobytes()


@pytest.mark.parametrize("idf", sorted(IDF_METHODS))
def test_search_is_the_exact_top_k_of_get_scores(idf):
    corpus = _corpus(3000, 2000, 7)
    bm = BM25(idf=idf).fit_tokens(corpus)
    rng = np.random.default_rng(3)
    paths = set()
    for _ in range(200):
        words = [f"t{int(r) - 1}" for r in rng.zipf(1.2, size=rng.integers(1, 6))] + ["unknownword"]
        query = " ".join(words)
        full = bm.get_scores(query)
        touched = sum(int(bm.indptr[bm.vocab[w] + 1] - bm.indptr[bm.vocab[w]]) for w in words if w in bm.vocab)
        paths.add(touched * 8 < bm.n_docs)
        for k in (1, 5, 30):
            want = sorted((r for r in range(len(full)) if full[r] > 0), key=lambda r: (-full[r], r))[:k]
            scores, rows = bm.search(query, k)
            assert rows.tolist() == want
            assert scores.tobytes() == full[want].tobytes()
    assert paths == {True, False}  # both the sparse and the dense path were exercised


def test_empty_corpus_and_empty_documents():
    assert BM25().fit([]).search("anything", 5)[1].size == 0
    bm = BM25().fit(["", "the a of", "hello world", "hello"])
    scores, rows = bm.search("hello", 10)
    assert rows.tolist() == [3, 2] and (scores > 0).all()
    assert bm.search("hello", 0)[1].size == 0
