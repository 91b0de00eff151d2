"""Embedding ONE text (a question) with ONNX Runtime: the query-time model call of a plain mean-pooling model.

For one seeds question on this 2-core CPU (docs/performance.md has the figures), the network under ONNX Runtime
with two intra-op threads takes about 6-8 ms, against 14 ms for the torch fast path (``single_text.py``) and
24 ms for ``SentenceTransformer.encode``. ONNX Runtime fuses the attention and GELU kernels and has no
per-module Python dispatch. Intra-op threads do not spin while waiting (spinning two threads on two shared cores
made it slower than one thread under load).

The graph (network, mean pooling over the attention mask, L2 normalisation) is exported once per model with
torch's TorchScript-based exporter into the citebot cache folder, beside the model's tokenizer (the same
``tokenizers`` backend transformers uses) and a JSON sidecar naming what they were made from, including
``encode``'s vectors for the probe texts. Files are written atomically. A later process loads the graph and the
tokenizer **without importing torch or sentence-transformers** (a cold ``citebot ask`` skips seconds of imports and
the model load) and checks the probe vectors against the recorded ones; loading is not unpickling (ONNX files
are protobuf, the tokenizer JSON). A cache that is missing, stale, broken or off by more than
``MAX_COSINE_DISTANCE`` is exported again once from the loaded model; if that fails, the torch path is used.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import query_check

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
OPSET = 17
THREADS = 2  # ONNX Runtime intra-op threads for one text (capped by the CPU count)
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# The model folder's files that decide its text pipeline: a cache made for other settings is not used.
CONFIG_FILES = ("modules.json", "sentence_bert_config.json", "1_Pooling/config.json", "tokenizer.json",
                "tokenizer_config.json", "config.json")


def cache_dir() -> Path:
    """``$CITEBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/citebot``, else ``~/.cache/citebot``."""
    if os.environ.get("CITEBOT_CACHE_DIR"):
        return Path(os.environ["CITEBOT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "citebot"


@dataclass(frozen=True)
class CachePaths:
    graph: Path
    tokenizer: Path
    sidecar: Path

    @classmethod
    def of(cls, model_dir: Path, weights_sha256: str, folder: Path) -> CachePaths:
        h = hashlib.sha256(f"{FORMAT_VERSION}:{OPSET}:{weights_sha256}".encode())
        for name in CONFIG_FILES:
            f = model_dir / name
            h.update(f"\0{name}\0".encode() + (f.read_bytes() if f.is_file() else b"-"))
        stem = folder / "onnx" / h.hexdigest()[:24]
        return cls(stem.with_suffix(".onnx"), stem.with_suffix(".tokenizer.json"), stem.with_suffix(".json"))


class OnnxTextEncoder:
    """``encode([text], normalize_embeddings=True)`` for one text, run by an ONNX Runtime session."""

    def __init__(self, tokenizer, session, dim: int):
        self.tokenizer, self.session, self.dim = tokenizer, session, dim
        self.input_names = [i.name for i in session.get_inputs()]
        self._tokenizer_lock = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        with self._tokenizer_lock:
            enc = self.tokenizer.encode(text.strip())  # sentence-transformers strips texts before tokenizing
        columns = {"input_ids": enc.ids, "attention_mask": enc.attention_mask, "token_type_ids": enc.type_ids}
        return self.session.run(None, {n: np.asarray([columns[n]], dtype=np.int64) for n in self.input_names})[0]


def load_cached(model_dir: Path, weights_sha256: str, folder: Path | None = None) -> OnnxTextEncoder | None:
    """The encoder from the cache, checked against the recorded probe vectors; None if there is no usable cache.
    Imports neither torch nor sentence-transformers."""
    paths = CachePaths.of(model_dir, weights_sha256, folder or cache_dir())
    meta = _valid_sidecar(paths, weights_sha256)
    if meta is None:
        return None
    try:
        encoder = _encoder(paths.graph, paths.tokenizer, meta)
        distance = query_check.probe_distance(encoder, np.asarray(meta["probe_vectors"], dtype=np.float32))
    except Exception as e:  # a broken file: the caller exports again
        log.warning("cached ONNX query encoder %s unusable (%s); exporting it again", paths.graph, _one_line(e))
        return None
    if distance > query_check.MAX_COSINE_DISTANCE:
        log.warning("cached ONNX query encoder differs from the recorded vectors by cosine distance %.2e; "
                    "exporting it again", distance)
        return None
    return encoder


def cache_ready(model_dir: Path, weights_sha256: str, folder: Path | None = None) -> bool:
    """Whether the cache holds an export for this model (files and sidecar agree; not loaded or checked)."""
    return _valid_sidecar(CachePaths.of(model_dir, weights_sha256, folder or cache_dir()), weights_sha256) is not None


def onnx_text_encoder(load_model: Callable[[], object], model_dir: Path, weights_sha256: str,
                      folder: Path | None = None) -> OnnxTextEncoder | None:
    """The ONNX path: from the cache without loading the model, else exported now from ``load_model()``; None
    (with the reason logged) where it cannot be built or does not reproduce ``encode``'s vectors on the probes.
    A cache exists only for a model that passed these checks when it was exported."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError as e:
        log.warning("onnxruntime not importable (%s); questions are embedded with torch", e)
        return None
    folder = folder or cache_dir()
    cached = load_cached(model_dir, weights_sha256, folder)
    if cached is not None:
        return cached
    model = load_model()
    if not query_check.plain_mean_pooling(model):
        return None
    paths = CachePaths.of(model_dir, weights_sha256, folder)
    expected = query_check.encode_vectors(model)
    try:
        meta = _metadata(model, weights_sha256, expected)
        graph, tokenizer = _export_graph(model), model.tokenizer.backend_tokenizer.to_str().encode("utf-8")
        encoder = _encoder(graph, tokenizer, meta)
        distance = query_check.probe_distance(encoder, expected)
    except Exception as e:  # an unforeseen network or tokenizer: torch stays the path
        log.warning("ONNX query encoder unusable (%s); questions are embedded with torch", _one_line(e))
        return None
    if distance > query_check.MAX_COSINE_DISTANCE:
        log.warning("ONNX query encoder differs from encode by cosine distance %.2e; questions are embedded "
                    "with torch", distance)
        return None
    _write(paths, graph, tokenizer, dict(meta, bytes=len(graph), tokenizer_bytes=len(tokenizer)))
    return encoder


def _one_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:200]


def _valid_sidecar(paths: CachePaths, weights_sha256: str) -> dict | None:
    try:
        meta = json.loads(paths.sidecar.read_text(encoding="utf-8"))
        ok = (meta.get("format_version") == FORMAT_VERSION and meta.get("weights_sha256") == weights_sha256
              and meta.get("probe_texts") == list(query_check.PROBES)
              and paths.graph.stat().st_size == meta.get("bytes")
              and paths.tokenizer.stat().st_size == meta.get("tokenizer_bytes"))
        return meta if ok else None
    except (OSError, ValueError, AttributeError):
        return None


def _metadata(model, weights_sha256: str, expected: np.ndarray) -> dict:
    from importlib.metadata import version

    return {"format_version": FORMAT_VERSION, "weights_sha256": weights_sha256, "opset": OPSET,
            "torch": version("torch"), "dim": int(expected.shape[1]), "max_length": int(model.max_seq_length),
            "pooling": "mean over the attention mask, L2-normalised", "probe_texts": list(query_check.PROBES),
            "probe_vectors": [[float(x) for x in row] for row in expected]}


def _write(paths: CachePaths, graph: bytes, tokenizer: bytes, meta: dict) -> None:
    """Graph and tokenizer first, the sidecar that vouches for them last, each atomically; an unwritable cache
    folder only costs the export again next time."""
    try:
        paths.graph.parent.mkdir(parents=True, exist_ok=True)
        for path, data in ((paths.graph, graph), (paths.tokenizer, tokenizer),
                           (paths.sidecar, (json.dumps(meta, indent=1) + "\n").encode("utf-8"))):
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        log.info("exported the query encoder to %s (once per model)", paths.graph)
    except OSError as e:
        log.info("ONNX query encoder not cached: %s", _one_line(e))


def _export_graph(model) -> bytes:
    import torch

    features = model.tokenizer([query_check.PROBE], truncation=True, max_length=model.max_seq_length,
                               return_tensors="pt")
    names = [n for n in INPUTS if n in features]
    graph = _pooled_graph(model[0].auto_model, names).eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes on Python booleans in the attention code; none apply here
        torch.onnx.export(graph, tuple(features[n] for n in names), buffer, input_names=names,
                          output_names=["embedding"], dynamic_axes={n: {0: "texts", 1: "tokens"} for n in names},
                          opset_version=OPSET, dynamo=False)
    return buffer.getvalue()


def _pooled_graph(network, names: list[str]):
    import torch

    if "attention_mask" not in names:
        raise ValueError("the tokenizer gives no attention mask to pool over")

    class Pooled(torch.nn.Module):
        """The network, mean pooling over the attention mask, then L2 normalisation (as Pooling + Normalize)."""

        def __init__(self):
            super().__init__()
            self.network = network

        def forward(self, *inputs):
            kwargs = dict(zip(names, inputs))
            tokens = self.network(**kwargs).last_hidden_state
            mask = kwargs["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=1)

    return Pooled()


def _encoder(graph: Path | bytes, tokenizer: Path | bytes, meta: dict) -> OnnxTextEncoder:
    """An encoder from a graph and a tokenizer JSON, each a file or bytes."""
    import tokenizers

    tok = tokenizers.Tokenizer.from_str((tokenizer.read_bytes() if isinstance(tokenizer, Path) else tokenizer)
                                        .decode("utf-8"))
    tok.enable_truncation(max_length=int(meta["max_length"]))
    tok.no_padding()
    return OnnxTextEncoder(tok, cpu_session(str(graph) if isinstance(graph, Path) else graph), int(meta["dim"]))


def cpu_session(graph: str | bytes):
    """An ONNX Runtime CPU session for one request at a time: THREADS intra-op threads that do not spin."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, min(THREADS, os.cpu_count() or 1))
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: its warnings would print on every citebot run
    return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

