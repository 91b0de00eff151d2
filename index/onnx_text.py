"""Embedding ONE text (a question) with ONNX Runtime: the query-time model call of a plain mean-pooling model.

For one seeds question on this 2-core CPU (docs/performance.md has the figures), the network under ONNX Runtime
with two intra-op threads takes about 6 ms, against 14 ms for the torch fast path (``single_text.py``) and 24 ms
for ``SentenceTransformer.encode``; with the other core busy, 9-11 ms against 16 ms. ONNX Runtime fuses the
attention and GELU kernels and has no per-module Python dispatch. Intra-op threads do not spin while waiting
(spinning two threads on two shared cores made it slower than one thread under load).

The graph is exported once per model weights, torch version and opset with torch's TorchScript-based exporter
(mean pooling over the attention mask and L2 normalisation included) into the citebot cache folder, written
atomically with a JSON sidecar that names what it was exported from. Loading it is not unpickling: ONNX files
are protobuf. Every load checks the vector against ``encode``'s on a probe text (``MAX_COSINE_DISTANCE``); a
file that fails to load or to match is exported again once, and if that fails too the torch path is used.
"""
from __future__ import annotations

import io
import json
import logging
import os
import threading
import warnings
from pathlib import Path

import numpy as np

from .single_text import MAX_COSINE_DISTANCE, PROBE, plain_mean_pooling, probe_distance

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
OPSET = 17
THREADS = 2  # ONNX Runtime intra-op threads for one text (capped by the CPU count)


def cache_dir() -> Path:
    """``$CITEBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/citebot``, else ``~/.cache/citebot``."""
    if os.environ.get("CITEBOT_CACHE_DIR"):
        return Path(os.environ["CITEBOT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "citebot"


class OnnxTextEncoder:
    """``encode([text], normalize_embeddings=True)`` for one text, run by an ONNX Runtime session."""

    def __init__(self, model, session, input_names: list[str]):
        self.tokenizer, self.max_length = model.tokenizer, model.max_seq_length
        self.session, self.input_names = session, input_names
        self._tokenizer_lock = threading.Lock()  # a fast tokenizer may refuse concurrent calls ("Already borrowed")

    def __call__(self, text: str) -> np.ndarray:
        with self._tokenizer_lock:
            features = self.tokenizer([text], truncation="longest_first", max_length=self.max_length,
                                      return_tensors="np")
        feeds = {name: np.asarray(features[name], dtype=np.int64) for name in self.input_names}
        return self.session.run(None, feeds)[0]


def onnx_text_encoder(model, weights_sha256: str, folder: Path | None = None) -> OnnxTextEncoder | None:
    """The ONNX Runtime path for a SentenceTransformer, or None (with the reason logged) where it cannot be
    built or does not reproduce ``encode``'s vector on the probe."""
    if not plain_mean_pooling(model):
        return None
    try:
        import onnxruntime  # noqa: F401
    except ImportError as e:
        log.warning("onnxruntime not importable (%s); questions are embedded with torch", e)
        return None
    path = _cache_path(weights_sha256, folder or cache_dir())
    for attempt in ("cached", "exported") if _valid_cache(path, weights_sha256) else ("exported",):
        try:
            source = path if attempt == "cached" else _export(model, path, weights_sha256)
            encoder = _encoder(model, source)
            distance = probe_distance(model, encoder)
        except Exception as e:  # a broken file or an unforeseen graph: export once more, then torch
            log.warning("ONNX query encoder %s unusable (%s); %s", attempt, _one_line(e),
                        "exporting it again" if attempt == "cached" else "questions are embedded with torch")
            continue
        if distance <= MAX_COSINE_DISTANCE:
            return encoder
        log.warning("ONNX query encoder (%s) differs from encode by cosine distance %.2e", attempt, distance)
    return None


def _one_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:200]


def _cache_path(weights_sha256: str, folder: Path) -> Path:
    import torch

    return folder / "onnx" / f"{weights_sha256[:16]}-torch{torch.__version__}-opset{OPSET}.onnx"


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _valid_cache(path: Path, weights_sha256: str) -> bool:
    try:
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        return (meta.get("format_version") == FORMAT_VERSION and meta.get("weights_sha256") == weights_sha256
                and path.stat().st_size == meta.get("bytes"))
    except (OSError, ValueError):
        return False


def _export(model, path: Path, weights_sha256: str) -> Path | bytes:
    """Export the network + pooling to ONNX; written to ``path`` (atomically) when the folder is writable,
    else kept in memory."""
    import torch

    data = _export_bytes(model)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        meta = {"format_version": FORMAT_VERSION, "weights_sha256": weights_sha256, "bytes": len(data),
                "torch": torch.__version__, "opset": OPSET, "inputs": _input_names(model),
                "pooling": "mean over attention mask, L2-normalised"}
        tmp = _sidecar(path).with_name(f".{_sidecar(path).name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, _sidecar(path))
        log.info("exported the query encoder to %s (once per model)", path)
        return path
    except OSError as e:
        log.info("ONNX query encoder kept in memory: cache folder not writable (%s)", _one_line(e))
        return data


def _input_names(model) -> list[str]:
    features = model.tokenizer([PROBE], truncation=True, max_length=model.max_seq_length)
    return [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in features]


def _export_bytes(model) -> bytes:
    import torch

    names = _input_names(model)
    features = model.tokenizer([PROBE], truncation=True, max_length=model.max_seq_length, return_tensors="pt")
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


def _encoder(model, source: Path | bytes) -> OnnxTextEncoder:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, min(THREADS, os.cpu_count() or 1))
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: its warnings would print on every citebot run
    session = ort.InferenceSession(str(source) if isinstance(source, Path) else source, options,
                                   providers=["CPUExecutionProvider"])
    return OnnxTextEncoder(model, session, [i.name for i in session.get_inputs()])
