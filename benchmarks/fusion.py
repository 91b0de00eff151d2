"""How to fuse the dense and BM25 rankings: normalisation, dense weight, depth, convex sum or reciprocal rank.

    .venv/bin/python benchmarks/fusion.py [--squad eval/data/squad-v2.0-train-sample.json] [--top 12]

Chooses on the SQuAD train sample only, never on the gold sets or the dev file. Indexes the file twice with
citebot, in a temporary folder:
- articles: one long document per article (its paragraphs joined by blank lines), so several chunks per document;
  a hit is a retrieved chunk whose [start, end) holds a gold answer span (paragraph offset + answer_start), ranked
  chunk by chunk (passage level);
- paragraphs: one document per paragraph (as eval.squad.write_documents); a hit is a chunk of the gold paragraph,
  documents counted once (as eval.metrics).
For every answerable question it takes the dense ranking (LoadedIndex.dense_search) and the BM25 ranking
(lexical_search) once, 100 deep, and fuses their top ``depth`` rows (a prefix of the 100) offline in every way:
- convex: w·dense + (1-w)·BM25, each normalised over its own top ``depth`` by qa.retriever.convex with each of
  its normalisers: min-max (citebot's default), z-score (mean and standard deviation) or top (s / top score); a
  row missing from one ranking takes that ranking's lowest normalised score there (0 with min-max);
- rrf: sum of 1 / (rrf_k + rank) (citebot's qa.retriever.rrf);
- dense only and BM25 only, for reference.
Prints hit@1, hit@5 and MRR@10 for each corpus, the variants ranked by their mean hit@1 over both corpora, and,
for each variant shown, how many questions its first passage gains and loses against citebot's fusion and on how
many of the ten articles it is at least as good at hit@1. Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "eval" / "data" / "squad-v2.0-train-sample.json"
DEPTH = 100          # rows taken once from each ranking
K = 10               # rows kept after fusion (MRR@10)
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
DEPTHS = (20, 50, 100)
RRF_KS = (10, 30, 60)
DEFAULT = "convex min-max w=0.5 depth=50"   # citebot's HybridSearch defaults

Ranking = list[tuple[int, float]]


@dataclass(frozen=True)
class Question:
    article: int
    relevant: frozenset[int]     # units that count as a hit
    dense: Ranking
    lexical: Ranking


@dataclass(frozen=True)
class Corpus:
    name: str
    unit: Callable[[int], int]   # chunk row -> what is ranked (the chunk itself, or its document)
    questions: list[Question]


def variants() -> dict[str, Callable[[Question], Ranking]]:
    from qa.retriever import NORMALISERS, convex, rrf

    out: dict[str, Callable[[Question], Ranking]] = {
        "dense only": lambda q: q.dense[:K], "BM25 only": lambda q: q.lexical[:K]}
    for d in DEPTHS:
        for norm in NORMALISERS:
            for w in WEIGHTS:
                out[f"convex {norm} w={w:g} depth={d}"] = \
                    lambda q, d=d, w=w, norm=norm: convex([q.dense[:d], q.lexical[:d]], K, (w, 1.0 - w), norm)
        for rk in RRF_KS:
            out[f"rrf k={rk} depth={d}"] = lambda q, d=d, rk=rk: rrf([q.dense[:d], q.lexical[:d]], K, rk)
    return out


def scores(corpus: Corpus, fuse: Callable[[Question], Ranking]) -> np.ndarray:
    """Per question: reciprocal rank of the first hit within K (0 when none), units counted once."""
    rr = np.zeros(len(corpus.questions))
    for i, q in enumerate(corpus.questions):
        units = list(dict.fromkeys(corpus.unit(r) for r, _ in fuse(q)))
        rr[i] = next((1.0 / n for n, u in enumerate(units[:K], start=1) if u in q.relevant), 0.0)
    return rr


def summary(rr: np.ndarray) -> tuple[float, float, float]:
    return float((rr == 1.0).mean()), float((rr >= 0.2).mean()), float(rr.mean())


def articles_corpus(data: dict, folder: Path, emb) -> Corpus:
    """One document per article; relevant: the chunks holding a gold answer span."""
    from index import LoadedIndex, build_index

    docs, spans = folder / "docs", []
    docs.mkdir(parents=True)
    for a, article in enumerate(data["data"]):
        text, offset = [], 0
        for para in article["paragraphs"]:
            for q in para["qas"]:
                answers = {(offset + int(x["answer_start"]), offset + int(x["answer_start"]) + len(x["text"]))
                           for x in q.get("answers", []) if x["text"].strip()}
                if answers and not q.get("is_impossible"):
                    spans.append((a, q["question"], answers))
            text.append(para["context"])
            offset += len(para["context"]) + 2
        (docs / f"{a:03d}.txt").write_text("\n\n".join(text), encoding="utf-8", newline="")
    build_index([docs], folder / "ix", emb)
    ix = LoadedIndex(folder / "ix", embedder=emb)
    doc_of = {d.doc_id: i for i, d in enumerate(ix.docs)}
    by_doc: dict[int, list[tuple[int, int, int]]] = {}
    for row, c in enumerate(ix.chunks):
        by_doc.setdefault(c.doc, []).append((row, c.start, c.end))
    questions = []
    for a, question, answers in spans:
        chunks = by_doc[doc_of[f"{a:03d}.txt"]]
        relevant = frozenset(r for r, s, e in chunks if any(s <= x and y <= e for x, y in answers))
        questions.append(Question(a, relevant, ix.dense_search(question, DEPTH), ix.lexical_search(question, DEPTH)))
    return Corpus(f"articles ({len(ix.docs)} documents, {len(ix.chunks)} chunks; passage level)",
                  lambda r: r, questions)


def paragraphs_corpus(path: Path, folder: Path, emb) -> Corpus:
    """One document per paragraph; relevant: the gold paragraph."""
    from eval.squad import load_squad, write_documents
    from index import LoadedIndex, build_index

    squad = load_squad(path)
    build_index([write_documents(squad, folder / "docs")], folder / "ix", emb)
    ix = LoadedIndex(folder / "ix", embedder=emb)
    doc_of = {d.doc_id.removesuffix(".txt"): i for i, d in enumerate(ix.docs)}
    questions = [Question(int(i.docs[0].split("_")[0]), frozenset(doc_of[d] for d in i.docs),
                          ix.dense_search(i.question, DEPTH), ix.lexical_search(i.question, DEPTH))
                 for i in squad.items if i.docs]
    doc = [c.doc for c in ix.chunks]
    return Corpus(f"paragraphs ({len(ix.docs)} documents, {len(ix.chunks)} chunks; paragraph level)",
                  doc.__getitem__, questions)


def outliers(corpus: Corpus, fuse: Callable[[Question], Ranking]) -> tuple[int, int]:
    """Questions where dense puts a hit first but the fused first row is BM25's first and no hit; and the reverse."""
    lost = won = 0
    for q in corpus.questions:
        top = fuse(q)[0][0]
        dense_hit = corpus.unit(q.dense[0][0]) in q.relevant
        fused_hit = corpus.unit(top) in q.relevant
        lost += dense_hit and not fused_hit and top == q.lexical[0][0]
        won += fused_hit and not dense_hit and top == q.lexical[0][0]
    return lost, won


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from index import get_embedder

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--squad", type=Path, default=TRAIN)
    p.add_argument("--top", type=int, default=12, help="variants shown, best mean hit@1 first")
    a = p.parse_args(argv)
    data = json.loads(a.squad.read_text(encoding="utf-8"))
    emb = get_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        corpora = [articles_corpus(data, Path(tmp) / "articles", emb),
                   paragraphs_corpus(a.squad, Path(tmp) / "paragraphs", emb)]
    print(f"{a.squad.name}: {len(corpora[0].questions)} answerable questions; hit@1 hit@5 MRR@10 per corpus")
    report(corpora, a.top)
    return 0


def report(corpora: list[Corpus], top: int) -> None:
    fusions = variants()
    rr = {name: [scores(c, fuse) for c in corpora] for name, fuse in fusions.items()}
    mean_h1 = {name: np.mean([summary(x)[0] for x in v]) for name, v in rr.items()}
    shown = sorted(mean_h1, key=lambda n: -mean_h1[n])[:top]
    shown += [n for n in (DEFAULT, "dense only", "BM25 only") if n not in shown]
    for c in corpora:
        print(f"  {c.name}")
    print(f"  {'variant':34s} {'articles':>20s}  {'paragraphs':>20s}  {'vs default hit@1 +/-':>22s}  articles>=")
    for name in shown:
        cells = "  ".join(" ".join(f"{m:.3f}" for m in summary(x)) for x in rr[name])
        gains = "  ".join(f"+{int(((x == 1) & (d < 1)).sum())}/-{int(((x < 1) & (d == 1)).sum())}"
                          for x, d in zip(rr[name], rr[DEFAULT]))
        per_article = [sum(_article_h1(c, x, art) >= _article_h1(c, d, art) for art in _articles(c))
                       for c, x, d in zip(corpora, rr[name], rr[DEFAULT])]
        print(f"  {name:34s} {cells}  {gains:>22s}  {'/'.join(map(str, per_article))}")
    print("  BM25's first row displaces a dense first hit (lost) / replaces a dense first miss with a hit (won):")
    for name in (DEFAULT, *shown[:3]):
        cells = "  ".join("lost {} won {}".format(*outliers(c, fusions[name])) for c in corpora)
        print(f"    {name:34s} {cells}")


def _articles(c: Corpus) -> list[int]:
    return sorted({q.article for q in c.questions})


def _article_h1(c: Corpus, rr: np.ndarray, article: int) -> float:
    mask = np.array([q.article == article for q in c.questions])
    return float((rr[mask] == 1.0).mean())


if __name__ == "__main__":
    sys.exit(main())
