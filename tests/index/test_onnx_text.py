"""The ONNX Runtime query path: exported once into the cache folder, checked against encode at every load, and
replaced by an export (or the torch path) when the cached file is broken or the folder cannot be written."""
from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import index.onnx_text as onnx_text
from index.embed import QUERY_ENCODERS, SentenceTransformerEmbedder, _single_text_path
from index.errors import SettingError

pytestmark = pytest.mark.slow  # the real model

TEXTS = ["Who did Harris meet in Guatemala?", "", "Émigré café — “quotes”, 北京 🙂", "word " * 400]


def _encode(embedder, texts):
    return embedder.model.encode(list(texts), convert_to_numpy=True, normalize_embeddings=True,
                                 show_progress_bar=False)


@pytest.fixture(scope="module")
def cached(embedder, tmp_path_factory):
    """(cache folder, encoder) after a first export into an empty folder."""
    folder = tmp_path_factory.mktemp("cache")
    return folder, onnx_text.onnx_text_encoder(embedder.model, embedder.weights_sha256, folder)


def _files(folder):
    return sorted((folder / "onnx").iterdir())


def test_export_writes_the_graph_and_a_readable_sidecar(embedder, cached):
    folder, encoder = cached
    assert encoder is not None
    graph, sidecar = [f for f in _files(folder) if f.suffix == ".onnx"], [f for f in _files(folder)
                                                                         if f.suffix == ".json"]
    assert len(graph) == 1 and len(sidecar) == 1 and not [f for f in _files(folder) if f.name.startswith(".")]
    meta = json.loads(sidecar[0].read_text(encoding="utf-8"))
    assert meta["format_version"] == onnx_text.FORMAT_VERSION
    assert meta["weights_sha256"] == embedder.weights_sha256 and meta["bytes"] == graph[0].stat().st_size
    for text, want in zip(TEXTS, _encode(embedder, TEXTS)):
        got = encoder(text)
        assert got.shape == (1, embedder.dim) and got.dtype == np.float32
        assert 1.0 - float(got[0] @ want) <= 1e-5, repr(text[:40])


def test_second_load_reads_the_cache_without_exporting(embedder, cached, monkeypatch):
    folder, first = cached

    def no_export(model):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_text, "_export_bytes", no_export)
    again = onnx_text.onnx_text_encoder(embedder.model, embedder.weights_sha256, folder)
    np.testing.assert_array_equal(again(TEXTS[0]), first(TEXTS[0]))


def test_a_corrupt_cached_graph_is_exported_again(embedder, tmp_path, caplog):
    first = onnx_text.onnx_text_encoder(embedder.model, embedder.weights_sha256, tmp_path)
    graph = next(f for f in _files(tmp_path) if f.suffix == ".onnx")
    graph.write_bytes(b"\0" * graph.stat().st_size)  # same size: the sidecar check passes, loading fails
    with caplog.at_level(logging.WARNING, logger="index.onnx_text"):
        again = onnx_text.onnx_text_encoder(embedder.model, embedder.weights_sha256, tmp_path)
    assert again is not None and "exporting it again" in caplog.text
    assert graph.read_bytes()[:64] != b"\0" * 64
    np.testing.assert_allclose(again(TEXTS[0]), first(TEXTS[0]), atol=1e-6)


def test_a_sidecar_for_other_weights_means_export(embedder, cached, tmp_path):
    folder, _ = cached
    for f in _files(folder):
        (tmp_path / "onnx").mkdir(exist_ok=True)
        (tmp_path / "onnx" / f.name).write_bytes(f.read_bytes())
    sidecar = next(f for f in _files(tmp_path) if f.suffix == ".json")
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    sidecar.write_text(json.dumps(dict(meta, weights_sha256="0" * 64)), encoding="utf-8")
    assert not onnx_text._valid_cache(next(f for f in _files(tmp_path) if f.suffix == ".onnx"),
                                      embedder.weights_sha256)
    assert onnx_text.onnx_text_encoder(embedder.model, embedder.weights_sha256, tmp_path) is not None
    assert json.loads(sidecar.read_text(encoding="utf-8"))["weights_sha256"] == embedder.weights_sha256


def test_unwritable_cache_folder_keeps_the_graph_in_memory(embedder, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    encoder = onnx_text.onnx_text_encoder(embedder.model, embedder.weights_sha256, blocker)
    assert encoder is not None and blocker.read_text(encoding="utf-8").startswith("a file")
    want = _encode(embedder, TEXTS[:1])[0]
    assert 1.0 - float(encoder(TEXTS[0])[0] @ want) <= 1e-5


def test_a_graph_that_does_not_match_encode_falls_back_to_torch(embedder, cached, monkeypatch, caplog):
    folder, _ = cached
    monkeypatch.setattr(onnx_text, "MAX_COSINE_DISTANCE", -1.0)  # nothing matches: ONNX must not be used
    monkeypatch.setattr(onnx_text, "cache_dir", lambda: folder)
    with caplog.at_level(logging.WARNING, logger="index.onnx_text"):
        name, path = _single_text_path(embedder.model, embedder.weights_sha256, "onnx")
    assert name == "torch" and path is not None and "differs from encode" in caplog.text


def test_query_encoder_choice(embedder):
    assert _single_text_path(embedder.model, embedder.weights_sha256, "encode") == ("encode", None)
    assert _single_text_path(embedder.model, embedder.weights_sha256, "torch")[0] == "torch"
    with pytest.raises(SettingError) as e:
        SentenceTransformerEmbedder(query_encoder="gpu")
    assert "'gpu'" in str(e.value) and all(repr(c) in str(e.value) for c in QUERY_ENCODERS)


def test_concurrent_calls_give_the_sequential_vectors(cached):
    _, encoder = cached
    questions = [f"What did the {w} say about the border?" for w in ("president", "minister", "adviser")]
    sequential = [encoder(q) for q in questions]
    with ThreadPoolExecutor(4) as pool:
        concurrent = list(pool.map(encoder, questions * 4))
    for i, vec in enumerate(concurrent):
        np.testing.assert_array_equal(vec, sequential[i % len(questions)])
