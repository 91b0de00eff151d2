"""Synthetic stand-ins for a large corpus: clustered, anisotropic unit vectors and Zipfian passages.

Vectors (no model call): sentence embeddings are not uniform on the sphere. They share a common
direction (random pairs have a positive mean cosine), they cluster by topic, and their variance is
spread unevenly over the dimensions (a decaying spectrum, so the intrinsic dimension is much lower
than 384). The generator reproduces those three properties:

    spectrum   s_i = (i + 1) ** -DECAY, scaled so sum(s) = 1          (anisotropy)
    topic      c ~ N(0, diag(s)) for each of n_clusters topics,  topic sizes ~ Zipf-like
    vector     v = MEAN_DIR * m + c_topic + SPREAD * N(0, diag(s)),  then v / |v|

Queries are fresh draws from the same mixture (never copies of indexed vectors), so the nearest
neighbours are close but not identical, as for a real question against its passages.

Passages (for BM25): words drawn from a Zipf(1.1) law over a 200k-word vocabulary whose 50 most frequent
ranks are dropped (they play the stopwords, which the tokenizer removes); length ~ Poisson(55) (a
600-character chunk holds about 100 words, about 55 after stopword removal). The most frequent remaining
word then occurs in roughly one passage in seven, as a common content word does in news text.
"""
from __future__ import annotations

import numpy as np

DIM = 384
DECAY = 0.8
SPREAD = 0.9
MEAN_WEIGHT = 0.5
STOP_RANKS = 50


def _spectrum(dim: int) -> np.ndarray:
    s = (np.arange(dim) + 1.0) ** -DECAY
    return (s / s.sum()).astype(np.float32)


class VectorMixture:
    """A fixed topic mixture from which corpus vectors and queries are drawn."""

    def __init__(self, n_clusters: int, dim: int = DIM, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.dim = dim
        self.scale = np.sqrt(_spectrum(dim))
        rot = np.linalg.qr(rng.standard_normal((dim, dim)))[0].astype(np.float32)
        self.rotation = rot  # the spectrum lives on random axes, not the coordinate axes
        mean = rng.standard_normal(dim).astype(np.float32)
        self.mean = MEAN_WEIGHT * mean / np.linalg.norm(mean)
        self.centers = (rng.standard_normal((n_clusters, dim)).astype(np.float32) * self.scale)
        w = 1.0 / (np.arange(n_clusters) + 10.0)  # uneven topic sizes
        self.weights = w / w.sum()

    def sample(self, n: int, seed: int, batch: int = 100_000) -> np.ndarray:
        rng = np.random.default_rng(seed)
        out = np.empty((n, self.dim), dtype=np.float32)
        for a in range(0, n, batch):
            m = min(batch, n - a)
            topic = rng.choice(len(self.centers), size=m, p=self.weights)
            noise = rng.standard_normal((m, self.dim), dtype=np.float32) * (SPREAD * self.scale)
            v = (self.centers[topic] + noise) @ self.rotation + self.mean
            out[a:a + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
        return out


def vectors(n: int, n_queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(corpus, queries): n corpus vectors and n_queries fresh queries from one mixture."""
    mix = VectorMixture(n_clusters=max(50, n // 1000), seed=seed)
    return mix.sample(n, seed + 1), mix.sample(n_queries, seed + 2)


def passages(n: int, vocab: int = 200_000, mean_len: int = 55, seed: int = 0) -> list[list[str]]:
    """n tokenised passages (lists of word strings) with Zipfian word frequencies."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(vocab)]
    lengths = np.maximum(rng.poisson(mean_len, size=n), 1)
    total = int(lengths.sum())
    ranks = np.zeros(0, dtype=np.int64)
    while len(ranks) < total:
        r = rng.zipf(1.1, size=total * 2 - len(ranks))
        ranks = np.concatenate([ranks, r[r > STOP_RANKS]])
    ranks = ranks[:total]
    ids = np.where(ranks <= vocab, ranks - 1, rng.integers(STOP_RANKS, vocab, size=len(ranks)))
    out, pos = [], 0
    for ln in lengths.tolist():
        out.append([words[i] for i in ids[pos:pos + ln].tolist()])
        pos += ln
    return out


def queries(n: int, vocab: int = 200_000, seed: int = 1) -> list[list[str]]:
    """Short keyword queries (3-8 words) drawn from the same Zipf law as the passages."""
    return [p[:8] for p in passages(n, vocab, mean_len=5, seed=seed)]


def stats(x: np.ndarray, q: np.ndarray, sample: int = 2000) -> dict:
    """Mean cosine of random pairs and of each query's nearest neighbour (a realism check)."""
    rng = np.random.default_rng(0)
    a = x[rng.integers(0, len(x), sample)]
    b = x[rng.integers(0, len(x), sample)]
    qs = q[:200]
    nn = (qs @ x.T).max(axis=1) if len(x) <= 200_000 else (qs @ x[:200_000].T).max(axis=1)
    return {"random_pair_cos": float((a * b).sum(1).mean()), "query_nn_cos": float(nn.mean())}


def text_folder(folder, n_files: int, squad_file, seed: int = 0, sentences: tuple[int, int] = (2, 5)):
    """``n_files`` short articles (a title line and one paragraph of real sentences drawn from a SQuAD file's
    contexts), seeded, in ``folder`` split over 20 subfolders. Returns the folder."""
    import json
    import re
    from pathlib import Path

    folder = Path(folder)
    pool = [s for a in json.loads(Path(squad_file).read_text(encoding="utf-8"))["data"] for p in a["paragraphs"]
            for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", p["context"]) if 30 <= len(s) <= 300]
    rng = np.random.default_rng(seed)
    for i in range(n_files):
        picked = [pool[j] for j in rng.choice(len(pool), size=int(rng.integers(*sentences, endpoint=True)))]
        sub = folder / f"part{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"article{i:05d}.txt").write_text(f"Article {i}\n\n" + " ".join(picked) + "\n", encoding="utf-8")
    return folder
