"""A fast path for embedding ONE text (a question) with a plain mean-pooling sentence-transformers model.

For one short text on this 2-core CPU (seeds questions, interleaved runs; docs/performance.md has the figures):
- ``SentenceTransformer.encode`` spends about 3 ms per call around the model (input parsing, feature
  bookkeeping, module dispatch); here the tokenizer and the transformers network are called directly under
  ``torch.inference_mode()``, then mean pooled and normalised, as the model's Pooling and Normalize modules do.
- The network call is bound by reading the 42 MB of float32 Linear weights, not by arithmetic (2 tokens cost
  15 ms, 16 tokens 25 ms). The copy used here holds those weights in float16 (dynamic float16 quantisation:
  fbgemm widens them back to float32 and multiplies and accumulates in float32), 21 MB; the embeddings stay
  shared and float32. Model call 16 ms instead of 25 ms with the machine busy, 13 ms instead of 20 ms with it
  lightly loaded.
- torch runs on one thread for the call: the work per op is too small to split, and on a busy shared host the
  second thread mostly waits for a core (load average 3.5 on 2 cores: 18 ms with one thread, 21 ms with two;
  lightly loaded, the two are within 1 ms of each other).

The vector must equal ``encode``'s to within ``query_check.MAX_COSINE_DISTANCE``: this is checked on the probe
texts when the path is built (float16 first, then float32), and the path is not used otherwise.
"""
from __future__ import annotations

import copy
import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from . import query_check
from .query_check import plain_mean_pooling

log = logging.getLogger(__name__)

_THREADS_LOCK = threading.Lock()  # torch's thread count is process-wide: one change at a time, always restored


class SingleTextEncoder:
    """``encode([text], normalize_embeddings=True)`` for one text, without encode's per-call overhead."""

    def __init__(self, model, network: torch.nn.Module):
        self.tokenizer, self.max_length, self.network = model.tokenizer, model.max_seq_length, network

    def __call__(self, text: str) -> np.ndarray:
        features = self.tokenizer([text], truncation="longest_first", max_length=self.max_length,
                                  return_tensors="pt")
        with _one_torch_thread(), torch.inference_mode():
            tokens = self.network(**features).last_hidden_state  # one text, no padding: every token is pooled
            return torch.nn.functional.normalize(tokens.mean(dim=1), dim=1).numpy()


def single_text_encoder(model) -> SingleTextEncoder | None:
    """The fast path for a SentenceTransformer, or None if its pipeline is not transformer + mean pooling
    (+ normalise) or the fast vector differs from ``encode``'s on the probe."""
    if not plain_mean_pooling(model):
        return None
    network = model[0].auto_model
    expected = query_check.encode_vectors(model)
    for candidate in (_float16_linears(network), network):
        if candidate is None:
            continue
        encoder = SingleTextEncoder(model, candidate)
        try:
            distance = query_check.probe_distance(encoder, expected)
        except Exception as e:  # an unforeseen network signature: encode remains the path
            log.debug("single-text fast path unusable: %r", e)
            continue
        if distance <= query_check.MAX_COSINE_DISTANCE:
            return encoder
        log.debug("single-text fast path differs from encode by cosine distance %.2e", distance)
    return None


def _float16_linears(network: torch.nn.Module) -> torch.nn.Module | None:
    """A copy of ``network`` whose Linear layers hold float16 weights. Its float32 parameters are shared with
    ``network``, not copied (quantisation packs new float16 weights and leaves them alone), so the copy costs
    the 21 MB of float16 weights. None where this torch build cannot run them."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization's notice that it moves to torchao
            twin = copy.deepcopy(network, {id(p): p for p in network.parameters()})
            return torch.ao.quantization.quantize_dynamic(twin, {torch.nn.Linear}, dtype=torch.float16,
                                                          inplace=True).eval()
    except (AttributeError, RuntimeError) as e:  # no fbgemm/x86 quantised engine, or the API is gone
        log.debug("float16 Linear weights unavailable: %r", e)
        return None


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    with _THREADS_LOCK:
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)
