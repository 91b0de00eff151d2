"""Our BM25 against the reference implementation rank_bm25 (as bm25s's tests/comparison do)."""
import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.bm25 import BM25
from index.errors import SettingError


def corpus(seed, n_docs=200, vocab=400):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    weights = [1.0 / (i + 1) for i in range(vocab)]  # Zipf-like
    return [rng.choices(words, weights, k=rng.randint(3, 60)) for _ in range(n_docs)], words, rng


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_robertson_scores_match_rank_bm25_where_idf_is_positive(seed):
    docs, words, rng = corpus(seed)
    ref = BM25Okapi(docs, k1=1.5, b=0.75)
    ours = BM25(k1=1.5, b=0.75, idf="robertson").fit_tokens(docs)
    n = len(docs)
    for _ in range(30):
        q = rng.sample(words, 3)
        # rank_bm25 floors negative idf (terms in more than half the docs) at eps * mean idf; skip those terms.
        q = [t for t in q if sum(t in d for d in docs) < n / 2] or [words[-1]]
        np.testing.assert_allclose(ours.get_scores(q), ref.get_scores(q), rtol=1e-5, atol=1e-5)


def test_lucene_ranking_is_positive_and_search_returns_best_first():
    docs, words, rng = corpus(3)
    ours = BM25().fit_tokens(docs)
    q = rng.sample(words[:50], 4)
    scores, rows = ours.search(" ".join(q), 10)
    full = ours.get_scores(q)
    assert list(rows) == list(np.argsort(-full, kind="stable")[: len(rows)])
    assert (scores > 0).all() and (np.diff(scores) <= 0).all()


def test_save_load_round_trip_without_pickle(tmp_path):
    ours = BM25().fit(["Harris met Giammattei in Guatemala.", "Nielsen met ministers in 2018."])
    meta = ours.save(tmp_path)
    back = BM25.load(tmp_path, meta)
    np.testing.assert_array_equal(back.get_scores("Giammattei Guatemala"), ours.get_scores("Giammattei Guatemala"))


def test_bad_idf_names_the_value_and_valid_choices():
    with pytest.raises(SettingError, match=r"invalid BM25 idf method 'okapi'; valid values: 'lucene', 'robertson'"):
        BM25(idf="okapi")
