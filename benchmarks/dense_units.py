"""Which dense unit ranks passages best: a vector of the whole chunk, or the chunk's sentences (embedded once).

    .venv/bin/python benchmarks/dense_units.py [--squad eval/data/squad-v2.0-train-sample.json]

Indexes a SQuAD file (one document per paragraph) with citebot, then ranks documents for every answerable
question by dense retrieval alone, with each way of scoring a chunk:
- chunk: the cosine of a vector of the chunk's text (a second model pass over every chunk, as citebot did before);
- mean: the cosine of the chunk's derived vector (normalised sum of its sentence vectors);
- max: the cosine of its best sentence;
- max + w·mean: both, for several w (citebot uses index.reader.MEAN_WEIGHT).
Prints paragraph hit@1 and hit@5 for each. The weight was chosen on the train sample, never on the gold sets or
the dev file. Not part of the test run.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "eval" / "data" / "squad-v2.0-train-sample.json"
WEIGHTS = (0.25, 0.5, 1.0, 2.0)   # w of the max + w·mean variants


def chunk_scores(ix, emb, q: np.ndarray) -> dict[str, np.ndarray]:
    """Every way of scoring a chunk: name -> (questions, chunks) scores of every chunk of ``ix`` for the query
    vectors ``q`` (one row per question). ``emb`` embeds the chunk texts for the second-pass variant."""
    from index.markup import plain
    from index.reader import MEAN_WEIGHT

    sent = q @ np.asarray(ix.sentence_vectors).T
    best = np.stack([sent[:, a:b].max(axis=1) for a, b in (c.sentences for c in ix.chunks)], axis=1)
    mean = q @ np.asarray(ix.chunk_vectors).T
    whole = q @ emb.embed([plain(c.text) for c in ix.chunks]).T
    return {"chunk (second pass)": whole, "mean": mean, "max": best,
            **{combined(w): best + w * mean for w in sorted({*WEIGHTS, MEAN_WEIGHT})}}


def combined(weight: float) -> str:
    """The name of the max + weight·mean variant."""
    return f"max + {weight:g}·mean"


def hits(scores: np.ndarray, chunk_doc: list[str], gold: list[tuple[str, ...]]) -> tuple[float, float]:
    h1 = h5 = 0
    for row, docs in zip(scores, gold):
        ranked: list[str] = []
        for r in np.argsort(-row):
            if chunk_doc[r] not in ranked:
                ranked.append(chunk_doc[r])
            if len(ranked) == 5:
                break
        h1 += ranked[0] in docs
        h5 += any(d in docs for d in ranked)
    return h1 / len(gold), h5 / len(gold)


def squad_index(path: Path, folder: Path, emb):
    """The SQuAD file indexed in ``folder``, one document per paragraph (as eval.squad.write_documents): its
    SquadSet, the LoadedIndex and its answerable questions."""
    from eval.gold import check_docs
    from eval.squad import load_squad, write_documents
    from index import LoadedIndex, build_index

    squad = load_squad(path)
    build_index([write_documents(squad, folder / "docs")], folder / "ix", emb)
    ix = LoadedIndex(folder / "ix", embedder=emb)
    return squad, ix, check_docs([i for i in squad.items if i.docs], (d.doc_id for d in ix.docs), str(path))


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from index import get_embedder

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--squad", type=Path, default=TRAIN)
    a = p.parse_args(argv)
    emb = get_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        squad, ix, items = squad_index(a.squad, Path(tmp), emb)
        q = emb.embed([i.question for i in items])
        chunk_doc = [ix.docs[c.doc].doc_id for c in ix.chunks]
        variants = chunk_scores(ix, emb, q)
        gold = [i.docs for i in items]
        print(f"{a.squad.name}: {len(items)} answerable questions, {len(ix.chunks)} chunks")
        for name, scores in variants.items():
            h1, h5 = hits(scores, chunk_doc, gold)
            print(f"  {name:22s} hit@1 {h1:.3f}  hit@5 {h5:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
