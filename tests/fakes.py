"""Small deterministic stand-ins, used only where the real model would make a test slow or flaky."""
import time
import zlib

import numpy as np

from index.embed import Embedder


class HashEmbedder(Embedder):
    """Bag of hashed words: similar texts get similar vectors, with no model to load."""

    name = "hash-embedder"
    weights_sha256 = "0" * 64
    dim = 64

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.calls = 0

    def embed_batch(self, texts):
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
            out[i, 0] += 1e-3
        return out
