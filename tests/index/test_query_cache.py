"""Query embeddings are cached: the same question never reaches the model twice."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.embed import Embedder


class CountingEmbedder(Embedder):
    """A fake model: a deterministic vector per text, counting every call and text it embeds."""

    name, dim, weights_sha256 = "counting-fake", 8, "0" * 64

    def __init__(self):
        self.calls: list[list[str]] = []

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[len(t) + 1.0, *(float(ord(c)) for c in (t + " " * 7)[:7])] for t in texts], np.float32)


def test_same_question_calls_the_model_once():
    e = CountingEmbedder()
    first = e.embed_query("Who did Harris meet in Guatemala?")
    again = e.embed_query("Who did Harris meet in Guatemala?")
    assert len(e.calls) == 1
    assert again is first and np.isclose(np.linalg.norm(first), 1.0)
    assert not first.flags.writeable  # a shared cached vector cannot be changed by a caller
    e.embed_query("Another question?")
    assert len(e.calls) == 2


def test_cache_is_bounded_and_evicts_the_oldest():
    e = CountingEmbedder()
    for i in range(1100):
        e.embed_query(f"question {i}")
    assert len(e.calls) == 1100
    e.embed_query("question 1099")  # recent: cached
    assert len(e.calls) == 1100
    e.embed_query("question 0")  # evicted (the cache holds 1024)
    assert len(e.calls) == 1101


def test_each_embedder_has_its_own_cache():
    a, b = CountingEmbedder(), CountingEmbedder()
    a.embed_query("same text")
    b.embed_query("same text")
    assert len(a.calls) == len(b.calls) == 1
