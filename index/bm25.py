"""Okapi BM25 with eagerly computed term scores in a sparse term->document matrix (as bm25s does).

Saved as plain ``.npy`` arrays plus a JSON vocabulary: nothing is pickled.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import check_choice

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
    def __init__(self, k1: float = 1.5, b: float = 0.75, idf: str = "lucene", tokenizer: Tokenizer | None = None):
        check_choice("BM25 idf method", idf, IDF_METHODS)
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
        self.n_docs = len(corpus)
        lengths = np.array([len(d) for d in corpus], dtype=np.float64)
        avgdl = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(corpus):
            for term, tf in Counter(doc).items():
                postings.setdefault(term, []).append((i, tf))
        terms = sorted(postings)
        self.vocab = {t: j for j, t in enumerate(terms)}
        indptr = [0]
        ids, vals = [], []
        for t in terms:
            p = np.array(postings[t], dtype=np.int64)
            df = len(p)
            idf = IDF_METHODS[self.idf_method](self.n_docs, df)
            tf = p[:, 1].astype(np.float64)
            norm = tf + self.k1 * (1 - self.b + self.b * lengths[p[:, 0]] / avgdl)
            ids.append(p[:, 0])
            vals.append(idf * tf * (self.k1 + 1) / norm)
            indptr.append(indptr[-1] + df)
        self.indptr = np.array(indptr, dtype=np.int64)
        self.doc_ids = np.concatenate(ids).astype(np.int32) if ids else np.zeros(0, np.int32)
        self.scores = np.concatenate(vals).astype(np.float32) if vals else np.zeros(0, np.float32)
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
        """Top-k (scores, rows) with a positive score, best first."""
        s = self.get_scores(query)
        k = min(k, len(s))
        if k == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.argsort(-s[top], kind="stable")]
        top = top[s[top] > 0]
        return s[top], top

    def save(self, folder: Path) -> dict:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "bm25_indptr.npy", self.indptr, allow_pickle=False)
        np.save(folder / "bm25_doc_ids.npy", self.doc_ids, allow_pickle=False)
        np.save(folder / "bm25_scores.npy", self.scores, allow_pickle=False)
        (folder / "bm25_vocab.json").write_text(json.dumps(list(self.vocab)), encoding="utf-8")
        return {"k1": self.k1, "b": self.b, "idf": self.idf_method, "n_docs": self.n_docs,
                "stem": self.tokenizer.stem}

    @classmethod
    def load(cls, folder: Path, params: dict) -> "BM25":
        self = cls(params["k1"], params["b"], params["idf"], Tokenizer(stem=params["stem"]))
        self.n_docs = params["n_docs"]
        self.indptr = np.load(folder / "bm25_indptr.npy", allow_pickle=False)
        self.doc_ids = np.load(folder / "bm25_doc_ids.npy", allow_pickle=False)
        self.scores = np.load(folder / "bm25_scores.npy", allow_pickle=False)
        terms = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        self.vocab = {t: j for j, t in enumerate(terms)}
        return self
