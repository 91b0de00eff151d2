"""BM25's k1 and b, chosen on the SQuAD train sample and checked elsewhere, in the hybrid ranking as ask ranks.

    .venv/bin/python benchmarks/bm25_params.py                                   # train sample: the choice
    .venv/bin/python benchmarks/bm25_params.py --squad eval/data/squad-v2.0-dev-public.json   # a check
    .venv/bin/python benchmarks/bm25_params.py --gold eval/gold/seeds.jsonl      # a check on a gold set

Indexes the documents with citebot once per corpus in a temporary folder: for a SQuAD file, one document per
paragraph (as ``citebot eval squad``) and one per article (its paragraphs joined, so several passages per document,
as the seed articles have); for a gold set, its folder. Then, for every (k1, b) of the grid, refits BM25 over the
same passages (index.bm25.BM25, the tokenizer the index uses), ranks every answerable question with citebot's
hybrid fusion (qa.retriever.HybridSearch, default settings, dense side unchanged) and judges it with eval's own
functions: passage hit@1 / hit@5 / MRR@10 (a passage overlapping the gold evidence, eval.metrics.evidence_rank),
document hit@1, and the questions gained / lost at passage hit@1 against the shipped parameters, with a sign test.
The last line names the cell with the best mean passage hit@1 over the corpora (MRR@10 breaks ties). Choose on
the train sample only; the dev file and the gold sets are for checking. Not part of the test run.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TRAIN = ROOT / "eval" / "data" / "squad-v2.0-train-sample.json"
K1S = (0.0, 0.1, 0.2, 0.3, 0.5, 0.9, 1.2, 1.5)
BS = (0.3, 0.5, 0.75, 0.9)


class WithBM25:
    """A LoadedIndex whose lexical ranking comes from another BM25 over the same passages; its dense rankings are
    the index's own, computed once per question and shared by every cell of the grid (``dense``)."""

    def __init__(self, ix, bm25, dense: dict):
        self._ix, self._bm25, self._dense = ix, bm25, dense

    def __getattr__(self, name):
        return getattr(self._ix, name)

    def dense_search(self, question: str, k: int) -> list[tuple[int, float]]:
        if (question, k) not in self._dense:
            self._dense[question, k] = self._ix.dense_search(question, k)
        return self._dense[question, k]

    def lexical_search(self, question: str, k: int) -> list[tuple[int, float]]:
        scores, rows = self._bm25.search(question, k)
        return [(int(r), float(s)) for s, r in zip(scores, rows)]


def corpora(args, tmp: Path) -> list[tuple[str, Path, list]]:
    """(name, folder to index, gold items) of each corpus."""
    from eval.gold import load_gold
    from eval.squad import load_squad, write_documents

    if args.gold:
        return [(Path(args.gold).name, Path(args.docs), load_gold(args.gold))]
    squad = load_squad(args.squad)
    articles = tmp / "articles"
    articles.mkdir()
    by_article: dict[str, list[str]] = {}
    for p in squad.paragraphs:
        by_article.setdefault(p.doc_id.split("_")[0], []).append(p.context)
    for a, contexts in by_article.items():
        (articles / f"{a}.txt").write_text("\n\n".join(contexts), encoding="utf-8")
    as_articles = [dataclasses.replace(i, docs=tuple(d.split("_")[0] + ".txt" for d in i.docs)) for i in squad.items]
    return [(f"{Path(args.squad).name}, one document per paragraph", write_documents(squad, tmp / "paragraphs"),
             list(squad.items)),
            (f"{Path(args.squad).name}, one document per article", articles, as_articles)]


def grid(folder: Path, items: list, name: str, tmp: Path) -> dict[tuple[float, float], dict[str, list]]:
    """(k1, b) -> {"passage": ranks, "document": ranks} for the judged questions."""
    from index import build_index, get_embedder, open_index
    from index.bm25 import BM25
    from index.markup import readable
    from eval.suite import resolve_gold
    from passage_hits import ranks
    from qa.retriever import HybridSearch

    index_dir = tmp / f"index-{len(list(tmp.iterdir()))}"
    build_index([str(folder)], index_dir, get_embedder())
    ix = open_index(index_dir)
    items = [i for i in resolve_gold(items, str(index_dir), name) if i.answerable and i.evidence]
    tokens = [ix.bm25.tokenizer(readable(c.text, ix.markups[c.doc])) for c in ix.chunks]
    out, dense = {}, {}
    for k1 in K1S:
        for b in BS:
            bm25 = BM25(k1=k1, b=b, tokenizer=ix.bm25.tokenizer).fit_tokens(tokens)
            out[(k1, b)] = ranks(HybridSearch(WithBM25(ix, bm25, dense)), ix, items)
    return out


def main(argv: list[str] | None = None) -> int:
    from eval.metrics import passage_scores, sign_test
    from index.bm25 import BM25

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--squad", default=str(TRAIN))
    p.add_argument("--gold", help="a gold set instead of a SQuAD file")
    p.add_argument("--docs", default=str(ROOT / "seeds"), help="the folder the gold set is about")
    args = p.parse_args(argv)
    shipped = (BM25().k1, BM25().b)
    best: dict[tuple[float, float], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="citebot-bm25-") as tmp:
        for name, folder, items in corpora(args, Path(tmp)):
            results = grid(folder, items, name, Path(tmp))
            base = results[shipped]["passage"]
            print(f"{name}: {len(base)} answerable questions; shipped k1 {shipped[0]:g}, b {shipped[1]:g}")
            print("  k1    b     passage hit@1 / hit@5 / MRR@10   document hit@1   hit@1 gained / lost, sign p")
            for (k1, b), r in results.items():
                judged = [(x, y) for x, y in zip(base, r["passage"]) if x is not None and y is not None]
                s = passage_scores([y for _, y in judged])
                gained = sum(y == 1 and x != 1 for x, y in judged)
                lost = sum(x == 1 and y != 1 for x, y in judged)
                doc = float(np.mean([d == 1 for d in r["document"]]))
                print(f"  {k1:<5g} {b:<5g} {s['passage_hit_at_1']:.3f} / {s['passage_hit_at_5']:.3f} / "
                      f"{s['passage_mrr_at_10']:.3f}          {doc:.3f}            +{gained} / -{lost}, "
                      f"p = {sign_test(lost, gained):.3f}{'   (shipped)' if (k1, b) == shipped else ''}")
                best.setdefault((k1, b), []).append((s["passage_hit_at_1"], s["passage_mrr_at_10"]))
    pick = max(best, key=lambda kb: tuple(np.mean(best[kb], axis=0)))
    print(f"best mean passage hit@1 over these corpora: k1 {pick[0]:g}, b {pick[1]:g} "
          f"({np.mean(best[pick], axis=0)[0]:.3f}; shipped {np.mean(best[shipped], axis=0)[0]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
