"""One text (a question) skips SentenceTransformer.encode: the vector must stay encode's, within 1e-5 cosine."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from index.query_check import encode_vectors

pytestmark = pytest.mark.slow  # the real model

TEXTS = [
    "Who did Harris meet in Guatemala?",
    "How many task forces did the Justice Department announce?",
    "  leading and trailing spaces, a tab\tand a newline\n",
    "Émigré café — “quotes”, accents, 北京 and an emoji 🙂",
    "",
    "word " * 400,  # past the model's 256 tokens: truncated like encode truncates
]


def _encode(embedder, texts):
    return encode_vectors(embedder.model, texts)


@pytest.fixture
def encode_calls(embedder, monkeypatch):
    calls = []
    real = embedder.model.encode

    def counting(texts, *args, **kw):
        calls.append(list(texts))
        return real(texts, *args, **kw)

    monkeypatch.setattr(embedder.model, "encode", counting)
    return calls


def test_one_text_equals_encode_without_calling_it(embedder, encode_calls):
    assert embedder.query_path() == "onnx"  # built now (its load-time probe calls encode), not counted below
    encode_calls.clear()
    expected = _encode(embedder, TEXTS)  # counted: one call
    for text, want in zip(TEXTS, expected):
        got = embedder.embed_one(text)
        assert got.shape == (1, embedder.dim) and got.dtype == np.float32
        assert 1.0 - float(got[0] @ want) <= 1e-5, repr(text[:40])
    assert len(encode_calls) == 1
    embedder.embed_batch(TEXTS[:1])  # documents go through encode, even one
    assert len(encode_calls) == 2
    assert not any("quantized" in type(m).__module__ for m in embedder.model.modules())  # encode's model untouched


def test_torch_fast_path_equals_encode(embedder):
    from index.single_text import single_text_encoder

    fast = single_text_encoder(embedder.model)
    assert fast is not None
    for text, want in zip(TEXTS, _encode(embedder, TEXTS)):
        assert 1.0 - float(fast(text)[0] @ want) <= 1e-5, repr(text[:40])


def test_torch_thread_count_is_restored(embedder):
    from index.single_text import single_text_encoder

    before = torch.get_num_threads()
    single_text_encoder(embedder.model)("Where did Nielsen meet the ministers?")
    embedder.embed_one("Where did Nielsen meet the ministers?")
    assert torch.get_num_threads() == before


def test_concurrent_single_texts_give_the_sequential_vectors(embedder):
    questions = [f"What did the {w} say about migration?" for w in ("president", "minister", "adviser", "report")]
    sequential = [embedder.embed_one(q)[0] for q in questions]
    with ThreadPoolExecutor(4) as pool:
        concurrent = list(pool.map(lambda q: embedder.embed_one(q)[0], questions * 3))
    for i, vec in enumerate(concurrent):
        np.testing.assert_array_equal(vec, sequential[i % len(questions)])


def test_fast_path_only_for_plain_mean_pooling_that_matches_encode(embedder, monkeypatch):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling

    import index.single_text as single_text

    transformer = embedder.model[0]  # shared, not reloaded
    cls = SentenceTransformer(modules=[transformer, Pooling(embedder.dim, pooling_mode="cls")], device="cpu")
    assert single_text.single_text_encoder(cls) is None
    mean = SentenceTransformer(modules=[transformer, Pooling(embedder.dim, pooling_mode="mean"), Normalize()],
                               device="cpu")
    assert single_text.single_text_encoder(mean) is not None
    monkeypatch.setattr(single_text.query_check, "MAX_COSINE_DISTANCE", -1.0)  # nothing matches: encode stays
    assert single_text.single_text_encoder(mean) is None


def test_documents_never_build_the_query_path(embedder, monkeypatch):
    def no_query_path():
        raise AssertionError("indexing built the one-question path")

    monkeypatch.setattr(embedder, "_query_path_locked", no_query_path)
    vectors = embedder.embed(["One new sentence in a changed file."])  # a batch of one, as a small re-index
    assert vectors.shape == (1, embedder.dim)
