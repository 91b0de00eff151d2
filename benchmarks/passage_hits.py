"""Retrieval before and after the one embedding pass (issue 13), at document and at passage level, as ask ranks.

    .venv/bin/python benchmarks/passage_hits.py                       # the seeds gold set
    .venv/bin/python benchmarks/passage_hits.py --gold eval/gold/seeds-heldout.jsonl
    .venv/bin/python benchmarks/passage_hits.py --squad eval/data/squad-v2.0-dev-public.json

Indexes the documents with citebot in a temporary folder and, for every answerable gold question, ranks passages
with citebot's hybrid fusion (qa.retriever.HybridSearch, default settings) twice, the dense side scored
- before: by the cosine of a vector of each chunk's text (the second model pass citebot made before issue 13);
- shipped: as LoadedIndex.dense_search does (best sentence + MEAN_WEIGHT x the chunk's derived vector).
Both are judged with eval's own functions: document hit@1 / hit@5 / MRR@10 (the first gold document's rank,
eval.against.gold_rank) and passage hit@1 / hit@5 / MRR@10 (eval.metrics.evidence_rank: a passage overlapping the
gold evidence in a gold document), with the questions each level gains and loses and a sign test. Not part of the test run.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LEVELS = ("document", "passage")


class ChunkTextDense:
    """A LoadedIndex whose dense ranking scores each chunk by a vector of its whole text (the pre-issue-13 unit)."""

    def __init__(self, ix):
        from index.markup import plain

        self._ix = ix
        vectors = np.asarray(ix.embedder.embed([plain(c.text) for c in ix.chunks]), dtype=np.float32)
        self._vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def __getattr__(self, name):
        return getattr(self._ix, name)

    def dense_search(self, question: str, k: int) -> list[tuple[int, float]]:
        scores = self._vectors @ self._ix.embedder.embed_query(question)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(r), float(scores[r])) for r in top]


def corpus(args, tmp: Path):
    """(folder to index, gold items, name)."""
    from eval.gold import load_gold
    from eval.squad import load_squad, write_documents

    if args.squad:
        squad = load_squad(args.squad)
        return write_documents(squad, tmp / "docs"), list(squad.items), Path(args.squad).name
    return Path(args.docs), load_gold(args.gold), Path(args.gold).name


def ranks(search, ix, items) -> dict[str, list[int]]:
    """Per level, the 1-based rank of the first hit for each item (0: none in the first RETRIEVAL_DEPTH; None: the
    passage level cannot judge it, eval.metrics.evidence_rank)."""
    from eval.against import gold_rank
    from eval.metrics import RETRIEVAL_DEPTH, evidence_rank
    from eval.records import PassageRecord, QuestionResult
    from eval.runner import SourceReader

    read = SourceReader()
    out: dict[str, list[int]] = {level: [] for level in LEVELS}
    for item in items:
        passages = tuple(PassageRecord.of(ix.passage(r, s)) for r, s in search.ranked_rows(item.question,
                                                                                            RETRIEVAL_DEPTH))
        result = QuestionResult(item, "", False, (), tuple(p.doc_id for p in passages), 0.0,
                                ranked_passages=passages)
        out["document"].append(gold_rank(result) or 0)
        out["passage"].append(evidence_rank(result, read))
    return out


def summary(r: list[int]) -> str:
    from eval.metrics import passage_scores

    s = passage_scores(r)
    return f"{s['passage_hit_at_1']:.3f} / {s['passage_hit_at_5']:.3f} / {s['passage_mrr_at_10']:.3f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--gold", default=str(ROOT / "eval" / "gold" / "seeds.jsonl"))
    p.add_argument("--docs", default=str(ROOT / "seeds"), help="the folder the gold set is about")
    p.add_argument("--squad", help="a SQuAD file instead (one document per paragraph)")
    args = p.parse_args(argv)

    from eval.metrics import sign_test
    from eval.suite import resolve_gold
    from index import build_index, get_embedder, open_index
    from qa.retriever import HybridSearch

    with tempfile.TemporaryDirectory(prefix="citebot-passage-hits-") as tmp:
        folder, items, name = corpus(args, Path(tmp))
        build_index([str(folder)], Path(tmp) / "index", get_embedder())
        ix = open_index(Path(tmp) / "index")
        items = [i for i in resolve_gold(items, str(Path(tmp) / "index"), name) if i.answerable and i.evidence]
        before = ranks(HybridSearch(ChunkTextDense(ix)), ix, items)
        shipped = ranks(HybridSearch(ix), ix, items)
    judged = [i for i, pair in enumerate(zip(before["passage"], shipped["passage"])) if None not in pair]
    if len(judged) < len(items):
        print(f"{len(items) - len(judged)} question(s) left out of the passage level: not judged (eval/README.md)")
    for ranking in (before, shipped):
        ranking["passage"] = [ranking["passage"][i] for i in judged]
    print(f"{name}: {len(items)} answerable questions with evidence; hybrid ranking, default fusion")
    print("level       before (chunk-text vector)   shipped (sentences)         at hit@1: gained / lost, sign p")
    for level in LEVELS:
        b, s = before[level], shipped[level]
        ids = [items[i].id for i in judged] if level == "passage" else [i.id for i in items]
        gained = [q for q, x, y in zip(ids, b, s) if y == 1 and x != 1]
        lost = [q for q, x, y in zip(ids, b, s) if x == 1 and y != 1]
        print(f"{level:10s}  {summary(b):27s}  {summary(s):26s}  +{len(gained)} / -{len(lost)}, "
              f"p = {sign_test(len(lost), len(gained)):.3f}")
        if len(items) <= 100:
            print(f"            gained {', '.join(gained) or '-'}; lost {', '.join(lost) or '-'}")
    print("figures: hit@1 / hit@5 / MRR@10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
