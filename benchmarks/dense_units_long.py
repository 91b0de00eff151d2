"""Which dense chunk score ranks best on long multi-chunk documents, alone and in the hybrid ranking users get.

    .venv/bin/python benchmarks/dense_units_long.py [--squad eval/data/squad-v2.0-train-sample.json]
                                                    [--corpus articles|paragraphs|both]

Chooses on the SQuAD train sample only, never on the gold sets or the dev file. Builds benchmarks/fusion.py's
corpora (its own functions): articles (one long document per article; a hit is a chunk holding a gold answer span,
ranked chunk by chunk) and paragraphs (one document per paragraph; a hit is a chunk of the gold paragraph, documents
counted once). For every answerable question it scores every chunk with each variant of benchmarks/dense_units.py
(chunk-text vector from a second model pass, mean, max, max + w·mean) and ranks:
- dense only: the variant's best chunks;
- hybrid: the variant's top ``depth`` chunks and BM25's fused as citebot does by default (qa.retriever.convex with
  SearchSettings()'s normalisation, dense weight and depth).
Prints hit@1, hit@5 and MRR@10 per variant, how many questions its first row gains and loses against citebot's
current score (max + index.reader.MEAN_WEIGHT·mean, the same ranking mode) and on how many articles its hit@1 is at
least the current one's. Checks first that the current variant scored over all chunks gives dense_search's ranking.
Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from dense_units import ROOT, TRAIN, chunk_scores, combined
from fusion import (K, Corpus, Question, Ranking, _article_h1, _articles, articles_corpus, paragraphs_corpus, scores,
                    summary)

CORPORA = ("articles", "paragraphs")
MODES = ("dense", "hybrid")


class Recorder:
    """An embedder that keeps every query vector it is asked for, in order: the questions fusion.py's corpora pass to
    dense_search, one per Question (its questions carry no text)."""

    def __init__(self, embedder):
        self._embedder = embedder
        self.queries: list[np.ndarray] = []

    def __getattr__(self, name: str):
        return getattr(self._embedder, name)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._embedder.embed_query(text)
        self.queries.append(vec)
        return vec


def top_rows(matrix: np.ndarray, n: int) -> list[Ranking]:
    """Per question (row of ``matrix``), its n best chunks (row, score), best first, ties by row as in dense_search."""
    out = []
    for row in matrix:
        part = np.argpartition(-row, min(n, len(row)) - 1)[:n]
        out.append(sorted(((int(r), float(row[r])) for r in part), key=lambda x: (-x[1], x[0])))
    return out


def rankings(corpus: Corpus, by_variant: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """variant -> mode -> per-question reciprocal rank of the first hit within K (fusion.scores)."""
    from qa.retriever import SearchSettings, convex

    s = SearchSettings()
    weights = (s.dense_weight, 1.0 - s.dense_weight)
    depth = max(s.depth, K)
    modes = {"dense": lambda q: q.dense[:K],
             "hybrid": lambda q: convex([q.dense[:depth], q.lexical[:depth]], K, weights, s.normalise)}
    out = {}
    for name, matrix in by_variant.items():
        dense = top_rows(matrix, depth)
        qs = [Question(q.article, q.relevant, d, q.lexical) for q, d in zip(corpus.questions, dense)]
        out[name] = {mode: scores(Corpus(corpus.name, corpus.unit, qs), fuse) for mode, fuse in modes.items()}
    return out


def check_dense(corpus: Corpus, current: np.ndarray) -> None:
    """Stop when the current variant, scored over every chunk, does not give dense_search's first K rows."""
    same = sum([r for r, _ in ranked] == [r for r, _ in q.dense[:K]]
               for q, ranked in zip(corpus.questions, top_rows(current, K)))
    print(f"    current score over all chunks = dense_search's top {K}: {same}/{len(corpus.questions)} questions")
    if same < 0.99 * len(corpus.questions):
        sys.exit("the current variant does not reproduce dense_search: the question vectors are misaligned")


def measure(name: str, data: dict, path: Path, folder: Path, emb) -> tuple[Corpus, dict]:
    from index import LoadedIndex
    from index.reader import MEAN_WEIGHT

    rec = Recorder(emb)
    corpus = articles_corpus(data, folder, rec) if name == "articles" else paragraphs_corpus(path, folder, rec)
    if len(rec.queries) != len(corpus.questions):
        sys.exit(f"{len(rec.queries)} query vectors for {len(corpus.questions)} questions")
    by_variant = chunk_scores(LoadedIndex(folder / "ix", embedder=emb), emb, np.stack(rec.queries))
    print(f"  {corpus.name}: {len(corpus.questions)} answerable questions")
    check_dense(corpus, by_variant[combined(MEAN_WEIGHT)])
    return corpus, rankings(corpus, by_variant)


def report(corpus: Corpus, rr: dict[str, dict[str, np.ndarray]], current: str) -> None:
    print(f"\n  {corpus.name}\n  +/-: first-row hits gained / lost against {current}; "
          f"art>=: articles with hit@1 >= {current}'s")
    head = f"{'hit@1':>6s} {'hit@5':>6s} {'MRR@10':>6s} {'+/-':>9s} {'art>=':>5s}"
    print(f"  {'variant':20s}  {'dense only':^36s}  {'hybrid (SearchSettings defaults)':^36s}")
    print(f"  {'':20s}  {head}  {head}")
    arts = _articles(corpus)
    for name, modes in rr.items():
        cells = []
        for mode in MODES:
            x, d = modes[mode], rr[current][mode]
            plus, minus = int(((x == 1) & (d < 1)).sum()), int(((x < 1) & (d == 1)).sum())
            at_least = sum(_article_h1(corpus, x, a) >= _article_h1(corpus, d, a) for a in arts)
            cells.append(" ".join(f"{m:6.3f}" for m in summary(x)) + f" {f'+{plus}/-{minus}':>9s} "
                         f"{f'{at_least}/{len(arts)}':>5s}")
        print(f"  {name:20s}  {'  '.join(cells)}")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from index import get_embedder
    from index.reader import MEAN_WEIGHT

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--squad", type=Path, default=TRAIN)
    p.add_argument("--corpus", choices=(*CORPORA, "both"), default="both")
    a = p.parse_args(argv)
    data = json.loads(a.squad.read_text(encoding="utf-8"))
    emb = get_embedder()
    names = CORPORA if a.corpus == "both" else (a.corpus,)
    print(f"{a.squad.name}: dense chunk scores, dense only and hybrid")
    with tempfile.TemporaryDirectory() as tmp:
        results = [measure(n, data, a.squad, Path(tmp) / n, emb) for n in names]
    for corpus, rr in results:
        report(corpus, rr, combined(MEAN_WEIGHT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
