"""Okapi BM25 with eagerly computed term scores in a sparse term->document matrix (as bm25s does).

Saved as plain ``.npy`` arrays plus a JSON vocabulary: nothing is pickled.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import check_choice, check_range
from .manifest import load_array

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves s t don
""".split())
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Term-frequency saturation and length normalisation, chosen on the SQuAD train sample (benchmarks/bm25_params.py:
# the best mean passage hit@1 of the hybrid ranking, one document per paragraph and per article: 0.780 against
# 0.756 at the textbook 1.5 / 0.75; docs/performance.md). A small k1 counts a question word once however often a
# passage repeats it: in passages of a few sentences a repeat says little, and the dense side already weighs topic.
K1 = 0.1
B = 0.9
SPARSE_FACTOR = 8  # score only the touched documents when postings * SPARSE_FACTOR < documents
IDF_METHODS = {
    # Lucene/bm25s: always positive.
    "lucene": lambda n, df: np.log(1.0 + (n - df + 0.5) / (df + 0.5)),
    # Robertson (rank_bm25's BM25Okapi, before its epsilon floor for negative values).
    "robertson": lambda n, df: np.log((n - df + 0.5) / (df + 0.5)),
}


def _stemmer():
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


class Tokenizer:
    """Lower-case word tokens without stopwords, Snowball-stemmed when PyStemmer is installed."""

    def __init__(self, stem: bool = True):
        self.stem = stem
        self._stemmer = _stemmer() if stem else None

    def __call__(self, text: str) -> list[str]:
        toks = [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]
        return self._stemmer.stemWords(toks) if self._stemmer else toks


class BM25:
    def __init__(self, k1: float | None = None, b: float | None = None, idf: str = "lucene",
                 tokenizer: Tokenizer | None = None):
        """``k1``, ``b``: K1 and B when not given."""
        k1, b = K1 if k1 is None else k1, B if b is None else b
        check_choice("BM25 idf method", idf, IDF_METHODS)
        check_range("BM25 k1", k1, lo=0.0)
        check_range("BM25 b", b, lo=0.0, hi=1.0)
        self.k1, self.b, self.idf_method = k1, b, idf
        self.tokenizer = tokenizer or Tokenizer()
        self.vocab: dict[str, int] = {}
        self.n_docs = 0
        self.indptr = np.zeros(1, dtype=np.int64)
        self.doc_ids = np.zeros(0, dtype=np.int32)
        self.scores = np.zeros(0, dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> "BM25":
        return self.fit_tokens([self.tokenizer(t) for t in texts])

    def fit_tokens(self, corpus: Sequence[list[str]]) -> "BM25":
        """Vectorised: (term, doc) pairs are counted with one np.unique, no per-posting Python objects."""
        self.n_docs = n = len(corpus)
        lengths = np.array([len(d) for d in corpus], dtype=np.int64)
        avgdl = lengths.mean() if n and lengths.mean() > 0 else 1.0
        seen: dict[str, int] = {}
        first = np.fromiter((seen.setdefault(t, len(seen)) for d in corpus for t in d), dtype=np.int64,
                            count=int(lengths.sum()))
        terms = sorted(seen)
        self.vocab = {t: j for j, t in enumerate(terms)}
        remap = np.empty(len(terms), dtype=np.int64)
        remap[[seen[t] for t in terms]] = np.arange(len(terms))
        del seen
        key = remap[first] * max(n, 1) + np.repeat(np.arange(n, dtype=np.int64), lengths)
        del first
        key, tf = np.unique(key, return_counts=True)  # sorted by term, then by document
        term, doc = np.divmod(key, max(n, 1))
        del key
        df = np.bincount(term, minlength=len(terms))
        idf_fn = IDF_METHODS[self.idf_method]
        idf = np.array([idf_fn(n, int(d)) for d in df.tolist()], dtype=np.float64)  # per term, as scalars
        tf = tf.astype(np.float64)
        norm = tf + self.k1 * (1 - self.b + self.b * lengths.astype(np.float64)[doc] / avgdl)
        self.indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        self.doc_ids = doc.astype(np.int32)
        self.scores = (idf[term] * tf * (self.k1 + 1) / norm).astype(np.float32)
        return self

    def get_scores(self, query: str | list[str]) -> np.ndarray:
        toks = self.tokenizer(query) if isinstance(query, str) else query
        out = np.zeros(self.n_docs, dtype=np.float32)
        for t in toks:
            j = self.vocab.get(t)
            if j is not None:
                a, b = self.indptr[j], self.indptr[j + 1]
                out[self.doc_ids[a:b]] += self.scores[a:b]
        return out

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, rows) with a positive score, best first; equal scores in row order.

        Scores are the same float32 sums as ``get_scores`` (same terms, same order). When the query's postings
        are few next to the corpus, only the documents they touch are scored (no corpus-sized array).
        """
        segments = []
        for t in self.tokenizer(query):
            j = self.vocab.get(t)
            if j is not None:
                segments.append((int(self.indptr[j]), int(self.indptr[j + 1])))
        k = min(k, self.n_docs)
        touched = sum(b - a for a, b in segments)
        if k <= 0 or not touched:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        if touched * SPARSE_FACTOR < self.n_docs:
            rows, inverse = np.unique(np.concatenate([self.doc_ids[a:b] for a, b in segments]), return_inverse=True)
            s = np.zeros(len(rows), dtype=np.float32)
            pos = 0
            for a, b in segments:
                s[inverse[pos:pos + b - a]] += self.scores[a:b]
                pos += b - a
        else:
            full = np.zeros(self.n_docs, dtype=np.float32)
            for a, b in segments:
                full[self.doc_ids[a:b]] += self.scores[a:b]
            rows = np.flatnonzero(full > 0)
            s = full[rows]
        keep = s > 0
        rows, s = rows[keep].astype(np.int64), s[keep]
        if len(s) > k:
            kth = np.partition(s, len(s) - k)[len(s) - k]
            above = np.flatnonzero(s > kth)
            sel = np.concatenate([above, np.flatnonzero(s == kth)[:k - len(above)]])
            rows, s = rows[sel], s[sel]
        order = np.lexsort((rows, -s))
        return s[order], rows[order]

    def save(self, folder: Path) -> dict:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "bm25_indptr.npy", self.indptr, allow_pickle=False)
        np.save(folder / "bm25_doc_ids.npy", self.doc_ids, allow_pickle=False)
        np.save(folder / "bm25_scores.npy", self.scores, allow_pickle=False)
        (folder / "bm25_vocab.json").write_text(json.dumps(list(self.vocab)), encoding="utf-8")
        return {"k1": self.k1, "b": self.b, "idf": self.idf_method, "n_docs": self.n_docs,
                "stem": self.tokenizer.stem}

    @staticmethod
    def changed(params: dict) -> str | None:
        """What differs between a saved index's parameters (``save``'s dict) and this citebot's, or None."""
        moved = [f"{k} {params.get(k)} → {v}" for k, v in (("k1", K1), ("b", B)) if params.get(k) != v]
        return ", ".join(moved) or None

    @classmethod
    def load(cls, folder: Path, params: dict) -> "BM25":
        self = cls(params["k1"], params["b"], params["idf"], Tokenizer(stem=params["stem"]))
        self.n_docs = params["n_docs"]
        self.indptr = load_array(folder / "bm25_indptr.npy")  # memory-mapped, read-only
        self.doc_ids = load_array(folder / "bm25_doc_ids.npy")
        self.scores = load_array(folder / "bm25_scores.npy")
        terms = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        self.vocab = {t: j for j, t in enumerate(terms)}
        return self
