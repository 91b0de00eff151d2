"""What every one-text (query) path must reproduce, shared by the torch and ONNX paths; imports no torch.

A path is used only if its vectors equal ``SentenceTransformer.encode``'s to within ``MAX_COSINE_DISTANCE`` on the
probe texts: a question, accents / CJK / emoji, and a text past the model's token limit (truncation).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

MAX_COSINE_DISTANCE = 1e-5  # measured: float16 torch weights at most 2.4e-7, ONNX Runtime 4.8e-7 (SQuAD questions)
PROBE = "Who did Vice President Harris meet in Guatemala, and what did they agree on?"
PROBES = (PROBE, "Émigré café — “quotes”, accents, 北京 and an emoji 🙂", "The long text. " * 120)


def encode_vectors(model, texts: Sequence[str] = PROBES) -> np.ndarray:
    """``encode``'s normalised vectors for ``texts``."""
    return model.encode(list(texts), convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)


def probe_distance(encoder: Callable[[str], np.ndarray], expected: np.ndarray,
                   texts: Sequence[str] = PROBES) -> float:
    """The largest cosine distance between ``encoder``'s vectors and ``expected`` (one row per text)."""
    return max(1.0 - float(np.asarray(encoder(t))[0] @ np.asarray(e)) for t, e in zip(texts, expected))


def plain_mean_pooling(model) -> bool:
    """True for a SentenceTransformer that is a transformers network, mean pooling and (optionally) Normalize:
    the pipeline the fast paths reproduce."""
    names = [type(m).__name__ for m in model]
    if names not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return False
    pooling, text = model[1], getattr(model[0], "modality_config", {}).get("text")
    mode = getattr(pooling, "pooling_mode", None)
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):  # sentence-transformers 5
        mode = pooling.get_pooling_mode_str()
    return (mode == "mean" and not getattr(model, "default_prompt_name", None) and hasattr(model[0], "auto_model")
            and text in (None, {"method": "forward", "method_output_name": "last_hidden_state"}))
