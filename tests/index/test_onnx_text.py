"""The ONNX Runtime query path: exported once into the cache folder, loaded later without torch and checked
against encode's recorded probe vectors, and exported again (or replaced by the torch path) when the cache is
broken, stale or cannot be written."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import index.onnx_text as onnx_text
from index.embed import QUERY_ENCODERS, SentenceTransformerEmbedder, _single_text_path
from index.errors import SettingError
from index.query_check import encode_vectors
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # the real model

TEXTS = ["Who did Harris meet in Guatemala?", "", "  spaces, a tab\tand a newline\n",
         "Émigré café — “quotes”, 北京 🙂", "word " * 400]


def _encode(embedder, texts):
    return encode_vectors(embedder.model, texts)


def _build(embedder, folder):
    return onnx_text.onnx_text_encoder(lambda: embedder.model, embedder.model_dir, embedder.weights_sha256, folder)


def _paths(embedder, folder):
    return onnx_text.CachePaths.of(embedder.model_dir, embedder.weights_sha256, folder)


@pytest.fixture(scope="module")
def cached(embedder, tmp_path_factory):
    """(cache folder, encoder) after a first export into an empty folder."""
    folder = tmp_path_factory.mktemp("cache")
    return folder, _build(embedder, folder)


def test_export_writes_graph_tokenizer_and_a_readable_sidecar(embedder, cached):
    folder, encoder = cached
    assert encoder is not None
    paths = _paths(embedder, folder)
    assert sorted(p.name for p in (folder / "onnx").iterdir()) == sorted(
        p.name for p in (paths.graph, paths.tokenizer, paths.sidecar))  # no temporary files left
    meta = json.loads(paths.sidecar.read_text(encoding="utf-8"))
    assert meta["format_version"] == onnx_text.FORMAT_VERSION and meta["weights_sha256"] == embedder.weights_sha256
    assert meta["bytes"] == paths.graph.stat().st_size and meta["dim"] == embedder.dim
    np.testing.assert_allclose(meta["probe_vectors"], _encode(embedder, meta["probe_texts"]), atol=1e-6)
    for text, want in zip(TEXTS, _encode(embedder, TEXTS)):
        got = encoder(text)
        assert got.shape == (1, embedder.dim) and got.dtype == np.float32
        assert 1.0 - float(got[0] @ want) <= 1e-5, repr(text[:40])


def test_the_cache_loads_without_exporting(embedder, cached, monkeypatch):
    folder, first = cached

    def no_export(model):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_text, "_export_graph", no_export)
    again = onnx_text.load_cached(embedder.model_dir, embedder.weights_sha256, folder)
    assert again is not None and again.dim == embedder.dim
    np.testing.assert_array_equal(again(TEXTS[0]), first(TEXTS[0]))
    assert _build(embedder, folder) is not None


def test_asking_with_a_cached_encoder_never_imports_torch(seeds_index):
    assert onnx_text.load_cached(*_model_key()) is not None  # the session embedder exported it into the cache
    code = ("import sys, qa; a = qa.ask('Who did Harris meet in Guatemala?', index_dir=sys.argv[1]); "
            "assert a.citations, a; heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') "
            "if m in sys.modules]; assert not heavy, heavy; print('ok')")
    out = subprocess.run([sys.executable, "-c", code, str(seeds_index)], cwd=ROOT, env=dict(os.environ),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def _model_key():
    from index import get_embedder

    e = get_embedder()
    e.query_path()
    return e.model_dir, e.weights_sha256


def test_a_corrupt_cached_graph_is_exported_again(embedder, tmp_path, caplog):
    first = _build(embedder, tmp_path)
    graph = _paths(embedder, tmp_path).graph
    graph.write_bytes(b"\0" * graph.stat().st_size)  # same size: the sidecar check passes, loading fails
    with caplog.at_level(logging.WARNING, logger="index.onnx_text"):
        again = _build(embedder, tmp_path)
    assert again is not None and "exporting it again" in caplog.text
    assert graph.read_bytes()[:64] != b"\0" * 64
    np.testing.assert_allclose(again(TEXTS[0]), first(TEXTS[0]), atol=1e-6)


def test_a_stale_or_foreign_sidecar_means_export(embedder, cached, tmp_path, caplog):
    folder, _ = cached
    src, dst = _paths(embedder, folder), _paths(embedder, tmp_path)
    dst.graph.parent.mkdir(parents=True)
    for a, b in ((src.graph, dst.graph), (src.tokenizer, dst.tokenizer)):
        b.write_bytes(a.read_bytes())
    meta = json.loads(src.sidecar.read_text(encoding="utf-8"))
    for bad in ({"weights_sha256": "0" * 64}, {"format_version": 0}, {"probe_texts": ["another probe"]}):
        dst.sidecar.write_text(json.dumps(dict(meta, **bad)), encoding="utf-8")
        assert onnx_text.load_cached(embedder.model_dir, embedder.weights_sha256, tmp_path) is None, bad
    wrong = np.roll(np.asarray(meta["probe_vectors"]), 1, axis=1).tolist()  # vectors that encode never gave
    dst.sidecar.write_text(json.dumps(dict(meta, probe_vectors=wrong)), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="index.onnx_text"):
        assert onnx_text.load_cached(embedder.model_dir, embedder.weights_sha256, tmp_path) is None
    assert "differs from the recorded vectors" in caplog.text
    assert _build(embedder, tmp_path) is not None  # exported again: the sidecar is right once more
    assert json.loads(dst.sidecar.read_text(encoding="utf-8"))["probe_vectors"] == meta["probe_vectors"]


def test_another_model_config_gets_another_cache_entry(embedder, tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    for f in onnx_text.CONFIG_FILES:
        src = embedder.model_dir / f
        if src.is_file():
            (model_dir / f).parent.mkdir(parents=True, exist_ok=True)
            (model_dir / f).write_bytes(src.read_bytes())
    same = onnx_text.CachePaths.of(model_dir, embedder.weights_sha256, tmp_path)
    assert same == _paths(embedder, tmp_path)
    (model_dir / "sentence_bert_config.json").write_text('{"max_seq_length": 128}', encoding="utf-8")
    assert onnx_text.CachePaths.of(model_dir, embedder.weights_sha256, tmp_path) != same


def test_unwritable_cache_folder_still_gives_the_encoder(embedder, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    encoder = _build(embedder, blocker)
    assert encoder is not None and blocker.read_text(encoding="utf-8").startswith("a file")
    assert 1.0 - float(encoder(TEXTS[0])[0] @ _encode(embedder, TEXTS[:1])[0]) <= 1e-5


def test_a_graph_that_does_not_match_encode_falls_back_to_torch(embedder, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(onnx_text, "query_check", _Strict())  # nothing matches on the ONNX side only
    monkeypatch.setattr(onnx_text, "cache_dir", lambda: tmp_path)
    with caplog.at_level(logging.WARNING, logger="index.onnx_text"):
        name, path = _single_text_path(lambda: embedder.model, embedder.model_dir, embedder.weights_sha256, "onnx")
    assert name == "torch" and path is not None and "differs from encode" in caplog.text
    assert not (tmp_path / "onnx").exists() or not any((tmp_path / "onnx").iterdir())  # nothing cached


class _Strict:
    """``index.query_check`` with a tolerance no vector meets."""

    def __getattr__(self, name):
        import index.query_check as qc

        return -1.0 if name == "MAX_COSINE_DISTANCE" else getattr(qc, name)


def test_query_encoder_choice(embedder):
    args = (lambda: embedder.model, embedder.model_dir, embedder.weights_sha256)
    assert _single_text_path(*args, "encode") == ("encode", None)
    assert _single_text_path(*args, "torch")[0] == "torch"
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
